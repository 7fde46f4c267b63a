/**
 * Punctuality at scale: N sites (default 100,000) probed over HTTP every 60 s — 1,667 probes/s —
 * against a healthy world running in a CHILD process at real speed (`vigie sim serve … --speed 1`),
 * with the whole watch pipeline in THIS process: Probing (one vantage, addresses cached per TTL)
 * → InProcessBus → Detection (vantage health + per-site state). After a warm-up (every site probed
 * once, caches and detector state filled) it measures, for at least `--minutes`: probes started and
 * skipped, lateness (start − due) p50/p99/max, probes whose outcome was not `up`, the CPU of this
 * process and of the world, and the memory per monitored site in steady state.
 *
 * The world must fit the file-descriptor limit: it binds two listeners per hosting address, so the
 * scenario is mostly shared hosting (150 virtual hosts per address); only sites behind a CDN or a
 * platform have dedicated origins.
 *
 *   npm run bench -- punctuality [SITES] [--minutes M] [--warmup S] [--concurrency C] [--seed N]
 *
 * Target (issue): no probe skipped, p99 lateness < 1 s, bytes_per_site ≤ 1,024. The last stdout line
 * is one JSON object of the figures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { AsnTable } from '../src/asn/table.ts';
import { InProcessBus } from '../src/bus/bus.ts';
import { loadCatalog } from '../src/catalog/load.ts';
import { ScaledClock } from '../src/clock/clock.ts';
import { parseScenario } from '../src/lab/scenario/load.ts';
import { generateScenario } from '../src/lab/sim/generate.ts';
import type { WorldInfo } from '../src/model/world.ts';
import { Detection, Probing } from '../src/pipeline/watch.ts';
import { createProbeContext } from '../src/probe/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SITES = Number(args.find((a) => /^\d+$/.test(a)) ?? 100_000);
const MINUTES = opt('minutes', 5);
/**
 * Probes in flight at most. Above the few in flight in steady state, so that a short stall of the
 * world (a GC pause, a CPU-starved child) does not hold back the schedule — a probe waiting for a
 * slot is a late probe — but not so far above the resolver client's 256 queries in flight that a
 * burst of probes queues there past the DNS budget (every probe then times out, re-resolves, and
 * the pipeline collapses: seen at 4,096 on a loaded machine).
 */
const CONCURRENCY = opt('concurrency', 1024);
const SEED = opt('seed', 1);
const INTERVAL_MS = 60_000;
/** Warm-up: one full interval (every site resolved, probed, its detector state created) and a margin. */
const WARMUP_S = opt('warmup', 75);
const root = fileURLToPath(new URL('..', import.meta.url));
const gc = (globalThis as { gc?: () => void }).gc;
const say = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Heap, external and array-buffer bytes after a full collection. */
function retained(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

/** User + system CPU of another process, in seconds (from /proc/<pid>/stat; clock ticks of 100 Hz). */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name, field 3 (state) is index 0: utime (14) and stime (15) are 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function fdsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** A world of `sites` healthy sites, mostly on shared hosting, one vantage, longer than the run. */
function scenarioText(): string {
  const g = generateScenario({ sites: SITES, seed: SEED, dedicated: 0, cdn: 0.02, platform: 0.01 });
  const raw = {
    ...g.raw,
    name: `punctuality-${SITES}`,
    end: '2024-01-02T00:00',
    vantages: [{ id: 'bench' }],
  };
  return stringify(raw, { lineWidth: 0 });
}

async function startWorld(file: string, stateDir: string): Promise<{ info: WorldInfo; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin/vigie.js'),
      'sim',
      'serve',
      file,
      '--state-dir',
      stateDir,
      '--port-base',
      '0',
      '--speed',
      '1',
    ],
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
  child.stdout!.resume();
  return { info: JSON.parse(line) as WorldInfo, child };
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc (npm run bench -- punctuality does)');
  const dir = mkdtempSync(join(tmpdir(), 'vigie-punctuality-'));
  const file = join(dir, 'scenario.yaml');
  const text = scenarioText();
  writeFileSync(file, text);
  const scenario = parseScenario(text, file);
  // The list of sites to watch is input (it would come from the store): built before the baseline.
  const domains = scenario.sites.map((s) => (' ' + s.domain).slice(1));
  const dedicated = scenario.sites.filter((s) => s.hosting.plan === 'dedicated').length;
  const t0 = performance.now();
  const { info, child } = await startWorld(file, join(dir, 'world'));
  const pid = child.pid!;
  let stopping = false;
  child.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`world exited unexpectedly (${code})\n`);
      process.exit(1);
    }
  });
  say(
    `world: ${SITES} sites (${dedicated} with dedicated origins), ready in ${((performance.now() - t0) / 1000).toFixed(1)} s, pid ${pid}, ${fdsOf(pid)} fds`,
  );

  const clock = ScaledClock.of(info.clock);
  const vantage = info.vantages[0];
  const owned = createProbeContext({
    vantage: vantage.id,
    localAddress: vantage.address,
    resolver: info.resolver,
    ports: { http: info.ports.http, https: info.ports.https, smtp: info.ports.smtp },
    ca: readFileSync(info.caFile, 'utf8'),
    clock,
    catalog: loadCatalog(),
  });
  const asn = AsnTable.load(info.asnDb);
  const bus = new InProcessBus((err) => process.stderr.write(`bus: ${String(err)}\n`));
  const probing = new Probing({
    clock,
    bus,
    vantages: [owned.ctx],
    intervalMs: INTERVAL_MS,
    timeoutMs: 10_000,
    concurrency: CONCURRENCY,
  });
  const detection = new Detection({
    bus,
    clock,
    intervalMs: INTERVAL_MS,
    asn,
    reprobe: (s, k, v, d) => probing.reprobe(s, k, v, d),
  });
  // Tallies of what the pipeline saw (a few counters: not part of the per-site memory).
  let observed = 0;
  let notUp = 0;
  let resolved = 0;
  let transitions = 0;
  let vantageChanges = 0;
  const signatures: Record<string, number> = {};
  bus.subscribe('observation', (o) => {
    observed++;
    if (o.timings.dns !== undefined) resolved++;
    if (o.outcome !== 'up') {
      notUp++;
      signatures[o.signature] = (signatures[o.signature] ?? 0) + 1;
    }
  });
  bus.subscribe('transition', () => transitions++);
  bus.subscribe('vantage', () => vantageChanges++);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  // Garbage-collection pauses of the main thread (what makes probes late, if anything does).
  const gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
  let counting = false;
  const gcObserver = new PerformanceObserver((list) => {
    if (!counting) return;
    for (const e of list.getEntries()) {
      gcPauses.count++;
      gcPauses.totalMs += e.duration;
      gcPauses.maxMs = Math.max(gcPauses.maxMs, e.duration);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  const before = retained();
  probing.add(domains.map((domain) => ({ domain })));
  const added = retained();
  probing.start();
  lag.enable();
  say(
    `watching ${probing.scheduler.size} jobs every ${INTERVAL_MS / 1000} s (${(SITES / (INTERVAL_MS / 1000)).toFixed(0)} probes/s), concurrency ${CONCURRENCY}; warm-up ${WARMUP_S} s, then ${MINUTES} min measured`,
  );
  const progress = (label: string, since: number) => {
    const s = probing.scheduler.stats();
    const secs = (performance.now() - since) / 1000;
    say(
      `  ${label} +${secs.toFixed(0)} s: ${s.started} started (${(s.started / secs).toFixed(0)}/s), ${s.skipped} skipped, lateness p50 ${s.latenessP50Ms} p99 ${s.latenessP99Ms} max ${s.latenessMaxMs.toFixed(0)} ms, ${s.inflight} in flight, ${notUp} not up${notUp ? ` ${JSON.stringify(signatures)}` : ''}, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB, world fds ${fdsOf(pid)}`,
    );
  };
  const warmStart = performance.now();
  for (let t = 0; t < WARMUP_S; t += 15) {
    await sleep(Math.min(15, WARMUP_S - t) * 1000);
    progress('warm-up', warmStart);
  }

  // Steady state: every site has been probed; measure memory, then reset the figures.
  const steadyWarm = retained();
  probing.scheduler.resetStats();
  observed = 0;
  notUp = 0;
  resolved = 0;
  for (const k of Object.keys(signatures)) delete signatures[k];
  lag.reset();
  counting = true;
  // Peaks of probes in flight and waiting for a slot, sampled every 20 ms.
  let maxInflight = 0;
  let maxQueued = 0;
  const sampler = setInterval(() => {
    const st = probing.scheduler.stats();
    maxInflight = Math.max(maxInflight, st.inflight);
    maxQueued = Math.max(maxQueued, st.queued);
  }, 20);
  // How responsive the world is: its control endpoint asked for the clock every 100 ms (a stall of
  // the world's event loop shows here, and makes probes in flight wait).
  const worldStall = { maxMs: 0, over500: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let asking = false;
  const pinger = setInterval(() => {
    if (asking) return;
    asking = true;
    const t = performance.now();
    http
      .get(`${info.control}/clock`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - t;
          worldStall.maxMs = Math.max(worldStall.maxMs, ms);
          if (ms > 500) worldStall.over500++;
          asking = false;
        });
      })
      .on('error', () => {
        asking = false;
      });
  }, 100);
  const transitionsAtStart = transitions;
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const world0 = cpuOf(pid);
  const load0 = loadavg()[0];
  const measureMs = MINUTES * 60_000;
  while (performance.now() - wall0 < measureMs) {
    await sleep(Math.min(30_000, measureMs - (performance.now() - wall0)));
    progress('measured', wall0);
  }
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - wall0) / 1000;
  const worldCpuS = cpuOf(pid) - world0;
  // Other processes on the machine (the 5-minute load average covers the measured window).
  const load = loadavg();
  const stats = probing.scheduler.stats();
  const observedInWindow = observed;
  lag.disable();
  clearInterval(sampler);
  clearInterval(pinger);
  agent.destroy();
  counting = false;
  gcObserver.disconnect();
  const steadyEnd = retained();

  stopping = true;
  await probing.stop();
  detection.close();
  // Resolutions a probe gave up on may still wait in the resolver client's queue: let them drain.
  await sleep(3000);
  await owned.close();
  child.kill('SIGTERM');
  await new Promise((r) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      r(null);
    }, 5000);
    child.once('exit', () => {
      clearTimeout(t);
      r(null);
    });
  });
  rmSync(dir, { recursive: true, force: true });

  const steady = Math.max(steadyWarm, steadyEnd);
  const bytesPerSite = Math.round((steady - before) / SITES);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (wallS * 1000)) * 100;
  const worldCpuPercent = (worldCpuS / wallS) * 100;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  say(
    `measured ${wallS.toFixed(1)} s: ${stats.started} probes (${(stats.started / wallS).toFixed(1)}/s), ${stats.skipped} skipped, ${notUp} not up ${JSON.stringify(signatures)}, ${observedInWindow - resolved} from cached addresses, ${resolved} re-resolved (TTL 60 s)`,
  );
  say(
    `lateness p50 ${stats.latenessP50Ms} ms, p99 ${stats.latenessP99Ms} ms, max ${stats.latenessMaxMs.toFixed(0)} ms; event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms; ${gcPauses.count} GC pauses, ${gcPauses.totalMs.toFixed(0)} ms in all, longest ${gcPauses.maxMs.toFixed(1)} ms; at most ${maxInflight} in flight, ${maxQueued} waiting for a slot`,
  );
  say(
    `cpu: this process ${cpuPercent.toFixed(1)} % of a core (user ${((cpu.user / 1e6 / wallS) * 100).toFixed(1)} %), world ${worldCpuPercent.toFixed(1)} % (its slowest answer to a clock request ${worldStall.maxMs.toFixed(0)} ms, ${worldStall.over500} over 500 ms); load average ${load0.toFixed(2)} at the start, ${load.map((x) => x.toFixed(2)).join(' ')} at the end`,
  );
  say(
    `memory per site: ${bytesPerSite} B (after adding ${Math.round((added - before) / SITES)} B, steady after warm-up ${Math.round((steadyWarm - before) / SITES)} B, at the end ${Math.round((steadyEnd - before) / SITES)} B); ${transitions - transitionsAtStart} transitions, ${vantageChanges} vantage changes`,
  );
  say(
    JSON.stringify({
      bench: 'punctuality',
      sites: SITES,
      interval_s: INTERVAL_MS / 1000,
      duration_s: r1(wallS),
      probes: stats.started,
      probes_per_s: r1(stats.started / wallS),
      skipped: stats.skipped,
      not_up: notUp,
      p50_lateness_s: r3(stats.latenessP50Ms / 1000),
      p99_lateness_s: r3(stats.latenessP99Ms / 1000),
      max_lateness_s: r3(stats.latenessMaxMs / 1000),
      cpu_percent: r1(cpuPercent),
      world_cpu_percent: r1(worldCpuPercent),
      bytes_per_site: bytesPerSite,
      re_resolved: resolved,
      gc_pause_max_ms: Math.round(gcPauses.maxMs),
      event_loop_delay_max_ms: Math.round(lag.max / 1e6),
      transitions: transitions - transitionsAtStart,
      concurrency: CONCURRENCY,
      max_inflight: maxInflight,
      max_queued: maxQueued,
      world_stall_max_ms: Math.round(worldStall.maxMs),
      loadavg_5m: Math.round(load[1] * 100) / 100,
      dedicated_sites: dedicated,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
