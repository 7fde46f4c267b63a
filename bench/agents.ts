/**
 * Observations through NATS JetStream, from agent processes to the core's detection.
 *
 *   npm run bench -- agents [--agents 2] [--count 1000000]
 *     Throughput: each agent process (a child running this file with --child) generates SYNTHETIC
 *     observations at full speed — realistic HTTP observations, not probes — and publishes them
 *     through the agent's JetStreamBus (batches of 500 or 100 ms, Nats-Msg-Id); the core (this
 *     process) consumes them with AgentFleet (durable pull consumer, idempotent ingestion) into
 *     Detection (vantage health + per-site state). Every observation id is checked off at the core:
 *     `lost` = stored by the stream but never handed to detection, `duplicates_counted` = handed twice.
 *
 *   npm run bench -- agents --sites 100000 --agents 3 [--minutes 3] [--warmup 75]
 *     Scale: a generated world of N sites (child process, real speed), three real `vigie agent`
 *     processes probing it from three vantages each site (5,000 probes/s at 60 s for 100,000
 *     sites), the core here. Reports probes/s reaching detection, lateness and skipped probes from
 *     the agents' heartbeats, and the CPU of every process, over `--minutes` after a warm-up.
 *
 * The last line of stdout is one JSON object of the figures. Uses the NATS server at
 * VIGIE_TEST_NATS (default nats://127.0.0.1:4222); stream and bucket are deleted at the end.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { stringify } from 'yaml';
import { AgentFleet } from '../src/agents/fleet.ts';
import type { HeartbeatMessage } from '../src/agents/heartbeat.ts';
import { deleteAll } from '../src/agents/setup.ts';
import { Names } from '../src/agents/subjects.ts';
import { AsnTable } from '../src/asn/table.ts';
import { InProcessBus } from '../src/bus/bus.ts';
import { JetStreamBus } from '../src/bus/jetstream.ts';
import { ScaledClock, SystemClock } from '../src/clock/clock.ts';
import { parseScenario } from '../src/lab/scenario/load.ts';
import { generateScenario } from '../src/lab/sim/generate.ts';
import type { Observation } from '../src/model/observation.ts';
import type { WorldInfo } from '../src/model/world.ts';
import { Detection } from '../src/pipeline/watch.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const str = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const NATS = process.env.VIGIE_TEST_NATS ?? 'nats://127.0.0.1:4222';
const SITES = opt('sites', 0);
const AGENTS = opt('agents', SITES ? 3 : 2);
const root = fileURLToPath(new URL('..', import.meta.url));
const say = (s: string) => process.stdout.write(`${s}\n`);
const log = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** User + system CPU of another process, seconds (from /proc/<pid>/stat; 100 Hz ticks). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
/** The NATS server's pid when there is exactly one (its CPU is part of the cost). */
function natsPid(): number | null {
  try {
    const pids = execFileSync('pidof', ['nats-server'], { encoding: 'utf8' }).trim().split(/\s+/);
    return pids.length === 1 ? Number(pids[0]) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- synthetic agent (child)

async function child(): Promise<void> {
  const vantage = str('vantage', 'a1');
  const names = new Names(str('prefix', 'vigie'));
  const count = opt('count', 500_000);
  const sites = opt('site-names', 100_000);
  const boot = `b${Date.now().toString(36)}`;
  const nc = await connect({ servers: NATS, inboxPrefix: `_INBOX_${vantage}` });
  const bus = new JetStreamBus({
    js: jetstream(nc),
    subject: names.observations(vantage, boot),
    idPrefix: `${vantage}.${boot}`,
  });
  const cpu0 = selfCpu();
  const t0 = performance.now();
  const headers = { server: 'nginx' };
  for (let made = 0; made < count; ) {
    if (bus.stats().buffered > 40_000) {
      await sleep(2);
      continue;
    }
    for (let i = 0; i < 1000 && made < count; i++, made++) {
      const n = made % sites;
      const bad = made % 211 === 0;
      const obs: Observation = {
        site: `site-${n}.test`,
        vantage,
        time: Date.now(),
        kind: 'http',
        outcome: bad ? 'down' : 'up',
        signature: bad ? 'connect_timeout' : 'ok',
        address: `127.${16 + (n % 40)}.${(n >> 8) & 255}.${n & 255}`,
        status: bad ? undefined : 200,
        timings: bad
          ? { connect: 3000, total: 3000.4 }
          : { connect: 0.21 + (n % 7) / 10, ttfb: 1.3 + (n % 13) / 10, total: 1.9 + (n % 17) / 10 },
        family: 4,
        scheme: 'http',
        headers: bad ? undefined : headers,
        phase: bad ? 'connect' : undefined,
      };
      bus.publish('observation', obs);
    }
    await new Promise((r) => setImmediate(r));
  }
  const flushed = await bus.flush(120_000);
  const s = bus.stats();
  say(
    JSON.stringify({
      vantage,
      boot,
      flushed,
      ...s,
      ms: performance.now() - t0,
      cpu_s: selfCpu() - cpu0,
      subject_bytes: names.observations(vantage, boot).length,
      id_bytes: `${vantage}.${boot}.${count}`.length,
    }),
  );
  await nc.close();
}

function spawnChild(argv: string[], onLine?: (l: string) => void): ChildProcess {
  const c = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  if (onLine) createInterface({ input: c.stdout! }).on('line', onLine);
  else c.stdout!.resume();
  return c;
}

// ---------------------------------------------------------------- throughput

async function throughput(): Promise<void> {
  const count = opt('count', 1_000_000);
  const perAgent = Math.ceil(count / AGENTS);
  const prefix = `vb${Math.random().toString(36).slice(2, 8)}`;
  const names = new Names(prefix);
  const agents = Array.from({ length: AGENTS }, (_, i) => `a${i + 1}`);
  const nc = await connect({ servers: NATS });
  const bus = new InProcessBus((e) => log(`bus: ${e}`));
  const clock = new SystemClock();
  const detection = new Detection({ bus, clock, intervalMs: 60_000 });
  const seen = new Map<string, Uint8Array>();
  let handed = 0;
  let dups = 0;
  let first = 0;
  let last = 0;
  let cpuAtFirst = 0;
  const fleet = new AgentFleet({
    nc,
    bus,
    clock,
    agents,
    prefix,
    intervalMs: 60_000,
    timeoutMs: 10_000,
    slowMs: 5_000,
    trace: (source, seq) => {
      let b = seen.get(source);
      if (!b) {
        b = new Uint8Array(perAgent);
        seen.set(source, b);
      }
      if (b[seq]) dups++;
      b[seq] = 1;
      if (handed++ === 0) {
        first = performance.now();
        cpuAtFirst = selfCpu();
      }
      last = performance.now();
    },
  });
  fleet.start();
  await fleet.ready;
  const nats = natsPid();
  const nats0 = nats ? cpuOf(nats) : Number.NaN;
  log(`throughput: ${AGENTS} synthetic agents × ${perAgent} observations → JetStream → core detection`);
  const reports: Record<string, number | string | boolean>[] = [];
  const kids = agents.map((v) =>
    spawnChild(
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--child',
        '--vantage',
        v,
        '--prefix',
        prefix,
        '--count',
        String(perAgent),
      ],
      (l) => {
        try {
          reports.push(JSON.parse(l));
        } catch {}
      },
    ),
  );
  await Promise.all(kids.map((k) => new Promise((r) => k.once('exit', r))));
  const stored = reports.reduce((a, r) => a + Number(r.stored), 0);
  if (process.env.VIGIE_BENCH_DEBUG) log(JSON.stringify(reports));
  const deadline = Date.now() + 120_000;
  while (handed - dups < stored && Date.now() < deadline) await sleep(20);
  const coreCpu = selfCpu() - cpuAtFirst;
  const natsCpu = nats ? cpuOf(nats) - nats0 : Number.NaN;
  let distinct = 0;
  for (const b of seen.values()) for (let i = 0; i < b.length; i++) distinct += b[i];
  const seconds = (last - first) / 1000;
  const agentCpu = reports.reduce((a, r) => a + Number(r.cpu_s), 0);
  const payload = reports.reduce((a, r) => a + Number(r.bytes), 0);
  const batches = reports.reduce((a, r) => a + Number(r.batches), 0);
  // On the wire, per batch besides its payload: the subject, the Nats-Msg-Id header and the HPUB line (~40 bytes).
  const overhead =
    batches * (Number(reports[0]?.subject_bytes ?? 0) + 30 + Number(reports[0]?.id_bytes ?? 0) + 40);
  const ingest = fleet.ingestStats();
  await fleet.stop();
  detection.close();
  await deleteAll(await jetstreamManager(nc), names);
  await nc.close();
  const r = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  say(
    `${distinct} observations in ${r(seconds)} s from ${AGENTS} agents; ${batches} batches; core ${r(coreCpu)} s CPU, agents ${r(agentCpu)} s, nats-server ${r(natsCpu)} s; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  say(
    JSON.stringify({
      bench: 'agents',
      mode: 'throughput (synthetic observations generated by the agent side)',
      agents: AGENTS,
      observations: distinct,
      obs_per_s: Math.round(distinct / seconds),
      core_cpu_us_per_obs: r((coreCpu * 1e6) / distinct, 2),
      agent_cpu_us_per_obs: r((agentCpu * 1e6) / distinct, 2),
      nats_cpu_us_per_obs: Number.isNaN(natsCpu) ? null : r((natsCpu * 1e6) / distinct, 2),
      lost: stored - distinct,
      duplicates_counted: dups,
      bytes_per_obs: r((payload + overhead) / stored, 1),
      payload_bytes_per_obs: r(payload / stored, 1),
      batch_size: r(stored / batches, 0),
      refused: ingest.refused,
      load: loadavg().map((x) => r(x, 2)),
    }),
  );
}

// ---------------------------------------------------------------- scale (real probes)

async function startWorld(file: string, stateDir: string): Promise<{ info: WorldInfo; child: ChildProcess }> {
  const c = spawn(
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
    const rl = createInterface({ input: c.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    c.once('exit', (code) => reject(new Error(`world exited (${code}) before describing itself`)));
  });
  c.stdout!.resume();
  return { info: JSON.parse(line) as WorldInfo, child: c };
}

async function scale(): Promise<void> {
  const minutes = opt('minutes', 3);
  const warmupS = opt('warmup', 75);
  const interval = 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-agents-'));
  const agents = Array.from({ length: AGENTS }, (_, i) => `a${i + 1}`);
  const g = generateScenario({ sites: SITES, seed: 1, dedicated: 0, cdn: 0.02, platform: 0.01 });
  const file = join(dir, 'scenario.yaml');
  writeFileSync(
    file,
    stringify(
      { ...g.raw, name: `agents-${SITES}`, end: '2024-01-02T00:00', vantages: agents.map((id) => ({ id })) },
      { lineWidth: 0 },
    ),
  );
  const t0 = performance.now();
  const { info, child: world } = await startWorld(file, join(dir, 'world'));
  log(`world: ${SITES} sites ready in ${((performance.now() - t0) / 1000).toFixed(1)} s (pid ${world.pid})`);
  const clock = ScaledClock.of(info.clock);
  const prefix = `vs${Math.random().toString(36).slice(2, 8)}`;
  const names = new Names(prefix);
  const nc: NatsConnection = await connect({ servers: NATS });
  const bus = new InProcessBus((e) => log(`bus: ${e}`));
  const detection = new Detection({ bus, clock, intervalMs: interval, asn: AsnTable.load(info.asnDb) });
  let observed = 0;
  let notUp = 0;
  let measuring = false;
  const signatures: Record<string, number> = {};
  bus.subscribe('observation', (o) => {
    observed++;
    if (o.outcome !== 'up') {
      notUp++;
      if (measuring) signatures[o.signature] = (signatures[o.signature] ?? 0) + 1;
    }
  });
  const fleet = new AgentFleet({
    nc,
    bus,
    clock,
    agents,
    prefix,
    perSite: 3,
    intervalMs: interval,
    timeoutMs: 10_000,
    slowMs: 5_000,
    isHealthy: (v) => detection.health.isHealthy(v),
    log,
  });
  fleet.add(parseScenario(readFileSync(file, 'utf8'), file).sites.map((x) => ({ domain: x.domain })));
  fleet.start();
  await fleet.ready;
  const hb = { started: 0, skipped: 0, p99: 0, counting: false };
  const sub = nc.subscribe(names.allHeartbeats, {
    callback: (err, m) => {
      if (err || !hb.counting) return;
      const h = m.json<HeartbeatMessage>();
      hb.started += h.started;
      hb.skipped += h.skipped;
      hb.p99 = Math.max(hb.p99, h.latenessP99Ms);
    },
  });
  const kids = agents.map((v) =>
    spawnChild([
      join(root, 'bin/vigie.js'),
      'agent',
      '--nats',
      NATS,
      '--vantage',
      v,
      '--world',
      join(dir, 'world'),
      '--prefix',
      prefix,
    ]),
  );
  const stop = async () => {
    sub.unsubscribe();
    for (const k of kids) k.kill('SIGTERM');
    await Promise.race([Promise.all(kids.map((k) => new Promise((r) => k.once('exit', r)))), sleep(15_000)]);
    for (const k of kids) if (k.exitCode === null) k.kill('SIGKILL');
    await fleet.stop();
    detection.close();
    await deleteAll(await jetstreamManager(nc), names);
    await nc.close();
    world.kill('SIGTERM');
    await Promise.race([new Promise((r) => world.once('exit', r)), sleep(10_000)]);
    if (world.exitCode === null) world.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  // Bounded: warm-up, measurement, and a margin; whatever happens, stop then.
  const guard = setTimeout(
    () => void stop().finally(() => process.exit(1)),
    (warmupS + minutes * 60 + 180) * 1000,
  );
  guard.unref();
  const ready = Date.now() + 120_000;
  while (!fleet.states().every((s) => s.sites > 0) && Date.now() < ready) await sleep(500);
  log(
    `agents assigned: ${fleet
      .states()
      .map((s) => `${s.vantage} ${s.sites} sites`)
      .join(', ')}; warming up ${warmupS} s`,
  );
  await sleep(warmupS * 1000);
  const cpu0 = { core: selfCpu(), world: cpuOf(world.pid!), agents: kids.map((k) => cpuOf(k.pid!)) };
  const obs0 = observed;
  const notUp0 = notUp;
  hb.counting = true;
  measuring = true;
  const m0 = performance.now();
  for (let i = 0; i < minutes * 6; i++) {
    await sleep(10_000);
    log(
      `${((performance.now() - m0) / 1000).toFixed(0)} s: ${Math.round((observed - obs0) / ((performance.now() - m0) / 1000))} obs/s at the core; ${fleet
        .states()
        .map((s) => `${s.vantage} ${s.state} ${s.probesPerS}/s`)
        .join(', ')}`,
    );
  }
  hb.counting = false;
  const secs = (performance.now() - m0) / 1000;
  const cpu = {
    core: (selfCpu() - cpu0.core) / secs,
    world: (cpuOf(world.pid!) - cpu0.world) / secs,
    agents: kids.map((k, i) => (cpuOf(k.pid!) - cpu0.agents[i]) / secs),
  };
  const states = fleet.states();
  const ingest = fleet.ingestStats();
  const target = (SITES * AGENTS) / (interval / 1000);
  const probes = (observed - obs0) / secs;
  const r = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  await stop();
  clearTimeout(guard);
  say(
    `${SITES} sites × ${AGENTS} vantages at 60 s: target ${Math.round(target)} probes/s, reached ${Math.round(probes)}/s at the core; load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  say(
    JSON.stringify({
      bench: 'agents',
      mode: 'scale (real probes of a generated world)',
      sites: SITES,
      agents: AGENTS,
      minutes,
      target_probes_per_s: Math.round(target),
      probes_per_s: Math.round(probes),
      agent_started_per_s: Math.round(hb.started / secs),
      p99_lateness_s: r(hb.p99 / 1000, 3),
      skipped: hb.skipped,
      not_up_share: r((notUp - notUp0) / Math.max(1, observed - obs0), 4),
      not_up_signatures: signatures,
      duplicates: ingest.duplicates,
      cpu_cores: { core: r(cpu.core), world: r(cpu.world), agents: cpu.agents.map((x) => r(x)) },
      vantages: states.map((s) => ({
        vantage: s.vantage,
        state: s.state,
        reason: s.reason,
        probes_per_s: s.probesPerS,
      })),
      load: loadavg().map((x) => r(x)),
    }),
  );
}

if (args.includes('--child')) await child();
else if (SITES > 0) await scale();
else await throughput();
