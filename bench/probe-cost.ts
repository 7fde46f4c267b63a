/**
 * CPU per fresh-connection HTTP probe, Vigie's process alone, side by side with wrk
 * (`-H 'Connection: close'`) against the same world. The world runs in a CHILD process so that its
 * CPU does not pollute ours; our CPU is `process.cpuUsage()` around the probes, wrk's is read from
 * the kernel's accounting of a finished child (`cutime`/`cstime` of the shell that waited for it).
 *
 * Figures: the pre-resolved HTTP probe (the scheduler's hot path: resolution is cached per TTL) —
 * the headline, from the default source address as wrk sends; the full probe with DNS; the
 * pre-resolved probe bound to a vantage's source address (one more syscall); and a bare
 * `http.get` without an agent, for scale. Every probe must come back `ok`.
 *
 *   npm run bench -- probe-cost [--probes N] [--concurrency C] [--wrk-seconds S]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/catalog/load.ts';
import { ScaledClock } from '../src/clock/clock.ts';
import type { Observation } from '../src/model/observation.ts';
import type { WorldInfo } from '../src/model/world.ts';
import { createProbeContext, type ProbeContext, type ProbeTarget, probers } from '../src/probe/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const PROBES = opt('probes', 20_000);
const CONCURRENCY = opt('concurrency', 64);
const WRK_SECONDS = opt('wrk-seconds', 10);
const SITES = 16;
const root = fileURLToPath(new URL('..', import.meta.url));

const SCENARIO = `
name: probe-cost
title: healthy sites for the probe-cost bench
start: 2021-01-01T00:00
end: 2021-01-02T00:00
speed: 1
probe_interval: 60s
providers:
  - {id: hostco, name: HOSTCO SAS, asn: 64500, roles: [hosting, dns], regions: [r1]}
sites:
  - {domain: "site-{n}.test", count: ${SITES}, hosting: {provider: hostco, plan: dedicated}}
vantages:
  - id: bench
`;

/** Start the world in a child process; its first stdout line is its description. */
async function startWorld(dir: string): Promise<{ info: WorldInfo; child: ChildProcess }> {
  const file = join(dir, 'probe-cost.yaml');
  writeFileSync(file, SCENARIO);
  const child = spawn(
    process.execPath,
    [join(root, 'bin/vigie.js'), 'sim', 'serve', file, '--state-dir', join(dir, 'world'), '--port-base', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`world exited (${code}) before describing itself`)));
  });
  return { info: JSON.parse(line) as WorldInfo, child };
}

/** Run `n` calls of `fn` with `c` in flight; CPU ms of this process per call, and the call results. */
async function measure<T>(
  n: number,
  c: number,
  fn: (i: number) => Promise<T>,
): Promise<{ cpu: number; user: number; wall: number; results: T[] }> {
  const results: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await fn(i);
    }
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: c }, worker));
  const used = process.cpuUsage(c0);
  return {
    cpu: (used.user + used.system) / 1000 / n,
    user: used.user / 1000 / n,
    wall: performance.now() - t0,
    results,
  };
}

function tally(obs: Observation[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const o of obs) t[o.signature] = (t[o.signature] ?? 0) + 1;
  return t;
}

function bareGet(address: string, port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: address, port, agent: false, headers: { host, connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
  });
}

/** wrk's own CPU, from the kernel's accounting of a reaped child, and its request count. */
function runWrk(
  address: string,
  port: number,
  host: string,
  seconds: number,
): Promise<{ cpu: number; user: number; requests: number; errors: string }> {
  return new Promise((resolve, reject) => {
    // The shell reaps wrk, then prints its own /proc stat: fields 16–17 (cutime, cstime) are wrk's.
    const script = 'wrk "$@"; echo "@@STAT $(cat /proc/$$/stat)"; echo "@@TCK $(getconf CLK_TCK)"';
    const wrkArgs = [
      '-t1',
      `-c${CONCURRENCY}`,
      `-d${seconds}s`,
      '-H',
      'Connection: close',
      '-H',
      `Host: ${host}`,
      `http://${address}:${port}/`,
    ];
    const sh = spawn('sh', ['-c', script, 'sh', ...wrkArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    sh.stdout!.on('data', (d) => {
      out += d;
    });
    sh.on('error', reject);
    sh.on('exit', () => {
      const stat = /@@STAT (.*)/.exec(out)?.[1] ?? '';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command name: field 3 is index 0, so cutime (16) and cstime (17) are 13 and 14.
      const ticks = Number(fields[13]) + Number(fields[14]);
      const tck = Number(/@@TCK (\d+)/.exec(out)?.[1] ?? 100);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
      const errors = [/Socket errors:.*/.exec(out)?.[0], /Non-2xx or 3xx responses: \d+/.exec(out)?.[0]]
        .filter(Boolean)
        .join('; ');
      if (!requests || !Number.isFinite(ticks))
        return reject(new Error(`could not read wrk's figures:\n${out}`));
      const perRequest = (t: number) => ((t / tck) * 1000) / requests;
      resolve({ cpu: perRequest(ticks), user: perRequest(Number(fields[13])), requests, errors });
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-probe-cost-'));
  const { info, child } = await startWorld(dir);
  let owned: { ctx: ProbeContext; close(): Promise<void> } | null = null;
  try {
    const world = JSON.parse(readFileSync(join(info.stateDir, 'world.json'), 'utf8')) as WorldInfo;
    owned = createProbeContext({
      vantage: 'bench',
      resolver: world.resolver,
      ports: { http: world.ports.http, https: world.ports.https, smtp: world.ports.smtp },
      ca: readFileSync(world.caFile, 'utf8'),
      clock: ScaledClock.of(world.clock),
      catalog: loadCatalog(),
    });
    const ctx = owned.ctx;
    const sites = Array.from({ length: SITES }, (_, i) => `site-${i + 1}.test`);
    // Resolve once, as the scheduler would (and cache per TTL).
    const addresses = new Map<string, string>();
    for (const s of sites) {
      const o = await probers.dns({ site: s, kind: 'dns' }, ctx);
      if (!o.address) throw new Error(`cannot resolve ${s}: ${o.signature}`);
      addresses.set(s, o.address);
    }
    // The probers' abort wiring is on the measured path; one signal shared by every probe in flight.
    const signal = new AbortController().signal;
    setMaxListeners(0, signal);
    const preResolved: ProbeTarget[] = sites.map((s) => ({
      site: s,
      kind: 'http',
      addresses: [addresses.get(s)!],
    }));
    const withDns: ProbeTarget[] = sites.map((s) => ({ site: s, kind: 'http' }));
    const hot = (i: number) => probers.http(preResolved[i % SITES], ctx, signal);
    const full = (i: number) => probers.http(withDns[i % SITES], ctx, signal);
    // As a vantage of the world probes: sockets bound to its source address first.
    const fromVantage = { ...ctx, localAddress: world.vantages[0].address };
    const bound = (i: number) => probers.http(preResolved[i % SITES], fromVantage, signal);
    const get = (i: number) => bareGet(addresses.get(sites[i % SITES])!, world.ports.http, sites[i % SITES]);

    await measure(3000, CONCURRENCY, hot); // warm-up: JIT, world certificate-free HTTP path
    await measure(1000, CONCURRENCY, full);
    await measure(1000, CONCURRENCY, get);
    globalThis.gc?.();
    const a = await measure(PROBES, CONCURRENCY, hot);
    globalThis.gc?.();
    const b = await measure(PROBES, CONCURRENCY, full);
    globalThis.gc?.();
    const v = await measure(PROBES, CONCURRENCY, bound);
    globalThis.gc?.();
    const g = await measure(PROBES, CONCURRENCY, get);
    const wrk = await runWrk(addresses.get(sites[0])!, world.ports.http, sites[0], WRK_SECONDS);

    const sigA = tally(a.results);
    const sigB = tally(b.results);
    const sigV = tally(v.results);
    const badGets = g.results.filter((s) => s !== 200).length;
    const rate = (m: { wall: number }) => Math.round((PROBES / m.wall) * 1000);
    const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
    const line = (label: string, m: { cpu: number; user: number }, extra: string) =>
      `${label.padEnd(44)} ${m.cpu.toFixed(4)} ms CPU/probe (user ${m.user.toFixed(4)})  ` +
      `${(m.cpu / wrk.cpu).toFixed(2)}× wrk   ${extra}`;
    console.log(
      `probe-cost: ${PROBES} fresh-connection HTTP probes per variant, ${CONCURRENCY} in flight, world in child pid ${child.pid}`,
    );
    console.log(
      line(
        `wrk -t1 -c${CONCURRENCY} -H "Connection: close"`,
        wrk,
        `${wrk.requests} requests in ${WRK_SECONDS} s${wrk.errors ? `; ${wrk.errors}` : ''}`,
      ),
    );
    console.log(
      line('vigie http probe, pre-resolved (HEADLINE)', a, `${rate(a)}/s  ${JSON.stringify(sigA)}`),
    );
    console.log(line('vigie http probe, with DNS resolution', b, `${rate(b)}/s  ${JSON.stringify(sigB)}`));
    console.log(
      line('vigie http probe, pre-resolved, from vantage', v, `${rate(v)}/s  ${JSON.stringify(sigV)}`),
    );
    console.log(line('bare http.get, agent: false (for scale)', g, `${rate(g)}/s  ${badGets} not 200`));
    console.log(
      JSON.stringify({
        vigie_cpu_ms_per_probe: r4(a.cpu),
        vigie_probe:
          'http, fresh connection, pre-resolved address (the scheduler hot path: DNS cached per TTL)',
        wrk_cpu_ms_per_probe: r4(wrk.cpu),
        ratio: Math.round((a.cpu / wrk.cpu) * 100) / 100,
        vigie_cpu_ms_per_probe_with_dns: r4(b.cpu),
        ratio_with_dns: Math.round((b.cpu / wrk.cpu) * 100) / 100,
        vigie_cpu_ms_per_probe_from_vantage_address: r4(v.cpu),
        http_get_cpu_ms_per_probe: r4(g.cpu),
        probes: PROBES,
        concurrency: CONCURRENCY,
        wrk_requests: wrk.requests,
        ok: (sigA.ok ?? 0) + (sigB.ok ?? 0) + (sigV.ok ?? 0),
        failed: 3 * PROBES - (sigA.ok ?? 0) - (sigB.ok ?? 0) - (sigV.ok ?? 0),
      }),
    );
  } finally {
    await owned?.close();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
