/**
 * The analysis of a run: Vigie's real pipeline against a world it knows only from outside — map the
 * configured domains (with the operator's declarations), build the risk model, probe every site
 * from every vantage, detect, and every round infer → explain → track incidents, until the clock
 * reaches the end. Inputs are what a real deployment would have: the world's description
 * (`world.json`), the domains to watch and the declarations. Never the scenario's faults.
 */
import { readFileSync } from 'node:fs';
import { AsnTable } from '../../asn/table.ts';
import { type Bus, InProcessBus } from '../../bus/bus.ts';
import { loadCatalog } from '../../catalog/load.ts';
import { type Clock, ScaledClock } from '../../clock/clock.ts';
import { LagGuard } from '../../detect/lag-guard.ts';
import { DnsClient } from '../../dns/client.ts';
import type { IncidentTracker, TrackerOptions } from '../../explain/incidents.ts';
import { buildRisk } from '../../explain/risk.ts';
import { FailureLog, Rounds } from '../../explain/rounds.ts';
import type { Declarations } from '../../map/declare.ts';
import { type DependencyGraph, toDependencies } from '../../map/dependencies.ts';
import { mapDomains } from '../../map/mapper.ts';
import { RegionTable } from '../../map/ranges.ts';
import type { MapReport } from '../../map/types.ts';
import type { Incident } from '../../model/incident.ts';
import type { WorldInfo } from '../../model/world.ts';
import { Detection, Probing, type WatchedSite } from '../../pipeline/watch.ts';
import { createProbeContext, slowThresholdFor } from '../../probe/context.ts';
import type { SchedulerStats } from '../../probe/scheduler.ts';

export interface PipelineOptions {
  world: WorldInfo;
  domains: readonly string[];
  declared?: Declarations;
  /** Deadline of one probe, clock ms (default: see {@link probeTimeout}). */
  timeoutMs?: number;
  /** Probe mail (SMTP) where the map found an MX (default true). */
  mail?: boolean;
  /** Probes in flight at once (default 4096). */
  concurrency?: number;
  log?: (line: string) => void;
  /** Ways in for a caller publishing the run as it goes (`vigie demo`); none changes the analysis. */
  hooks?: PipelineHooks;
}

/** Additive hooks into a run: what a server needs to publish it live. */
export interface PipelineHooks {
  /** The map is done, before probing starts (e.g. store the sites and their dependencies). */
  mapped?(map: MapReport, graph: DependencyGraph): void | Promise<void>;
  /** Observations (after the lag guard), transitions and vantage health are also published here. */
  bus?: Bus;
  /** Probing has started: `reprobe(domain)` probes a site's web from every vantage now. */
  started?(control: { reprobe(domain: string): void }): void;
  /** After each round, at clock time `time`, with the incidents as the tracker holds them. */
  round?(time: number, tracker: IncidentTracker): void;
  /** Stop before the scenario's end (the result then covers what ran). */
  signal?: AbortSignal;
}

export interface PipelineResult {
  incidents: Incident[];
  probes: number;
  sites: number;
  mapped: number;
  map: MapReport;
  stats: {
    mapMs: number;
    rounds: number;
    maxRoundMs: number;
    timeoutMs: number;
    scheduler: SchedulerStats;
    realMs: number;
    probesPerSecond: number;
  };
}

/**
 * A probe deadline that means the same at any speed: 15 s of clock time, but never under half a
 * real second (a loaded machine must not turn its own lag into timeouts), and at most a third of
 * the interval (so a site is probed again before its previous probe's deadline).
 */
export function probeTimeout(intervalMs: number, speed: number): number {
  return Math.min(intervalMs / 3, Math.max(15_000, 500 * speed));
}

/** Run the pipeline until the world's clock reaches its end. */
export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const log = o.log ?? (() => {});
  const w = o.world;
  const t0 = Date.now();
  const clock: Clock = new ScaledClock(w.clock.origin, w.clock.speed, w.clock.anchor);
  const intervalMs = w.probeIntervalMs;
  const timeoutMs = o.timeoutMs ?? probeTimeout(intervalMs, w.clock.speed);
  const catalog = loadCatalog();
  const asn = AsnTable.load(w.asnDb);

  // Map: everything learned from outside, plus what the operator declared.
  const dns = new DnsClient({ server: w.resolver, timeoutMs: 1000, retries: 2 });
  const mapStart = Date.now();
  let map: MapReport;
  try {
    map = await mapDomains(o.domains, {
      dns,
      catalog,
      asn,
      regions: RegionTable.loadDir(w.rangesDir),
      http: { port: w.ports.http, timeoutMs: 3000 },
      tls: null,
      declared: o.declared,
    });
  } finally {
    await dns.close();
  }
  const mapMs = Date.now() - mapStart;
  const mapped = map.domains.filter((m) => m.status === 'ok').length;
  log(`mapped ${mapped}/${map.domains.length} domains in ${(mapMs / 1000).toFixed(1)} s`);
  const mail = o.mail ?? true;
  const graph = toDependencies(map.domains);
  await o.hooks?.mapped?.(map, graph);
  const model = buildRisk({
    ...graph,
    sites: map.domains.map((m) => m.domain),
    monitored: { dns: false, mail },
  });

  // Watch: every site over HTTP from every vantage; SMTP where it has a visible MX.
  const real = (ms: number) => clock.toReal(ms);
  const ca = readFileSync(w.caFile, 'utf8');
  const vantages = w.vantages.length ? w.vantages : [{ id: 'local', address: undefined }];
  const context = (v: { id: string; address?: string }, slowMs: number) =>
    createProbeContext({
      vantage: v.id,
      localAddress: v.address,
      resolver: w.resolver,
      ports: { http: w.ports.http, https: w.ports.https, smtp: w.ports.smtp },
      ca,
      timeouts: {
        dns: real(timeoutMs / 2),
        connect: real(timeoutMs),
        tls: real(timeoutMs),
        response: real(timeoutMs),
      },
      slowMs,
      clock,
      catalog,
    });
  const contexts = vantages.map((v) => context(v, slowThresholdFor(w.clock.speed)));
  // SMTP banners are routinely held back for seconds on purpose (greet delay against spam): a slow
  // banner says nothing about an outage, only a missing or refused one does.
  const mailContext = context(vantages[0], timeoutMs);
  const onError = (err: unknown, topic: string) => log(`${topic} handler: ${err}`);
  // Probes publish on `raw`; the lag guard relays them to `bus`, where detection listens.
  const raw = new InProcessBus(onError);
  const bus = new InProcessBus(onError);
  const probingOptions = {
    clock,
    bus: raw,
    intervalMs,
    timeoutMs: timeoutMs * 1.5,
    concurrency: o.concurrency ?? 4096,
  };
  const probing = new Probing({ ...probingOptions, vantages: contexts.map((c) => c.ctx) });
  // Mail is probed from one vantage: it is a second service, not a second view of the web, and the
  // machine's probe budget goes to the web from every vantage first.
  const mailProbing = new Probing({ ...probingOptions, vantages: [mailContext.ctx] });
  const detection = new Detection({
    bus,
    clock,
    intervalMs,
    asn,
    reprobe: (s, k, v, d) => (k === 'smtp' ? mailProbing : probing).reprobe(s, k, v, d),
  });
  const guard = new LagGuard({
    slowMs: contexts[0].ctx.slowMs,
    deadlines: { dns: contexts[0].ctx.timeouts.dns, connect: contexts[0].ctx.timeouts.connect },
  });
  guard.start();
  const failures = new FailureLog((v) => detection.health.isHealthy(v));
  let probes = 0;
  // Failing verdicts since the last progress line, by signature (what the machine is seeing).
  const verdicts = new Map<string, number>();
  raw.subscribe('observation', (obs) => {
    probes++;
    const checked = guard.check(obs);
    if (checked.outcome !== 'up') {
      const k = checked.signature === 'probe_error' ? `${obs.signature}→probe_error` : checked.signature;
      verdicts.set(k, (verdicts.get(k) ?? 0) + 1);
    }
    bus.publish('observation', checked);
  });
  bus.subscribe('observation', (obs) => failures.observe(obs));
  bus.subscribe('vantage', (c) =>
    log(
      `${new Date(c.at).toISOString()}  vantage ${c.vantage} ${c.healthy ? 'healthy' : 'UNHEALTHY'}: ${c.reason}`,
    ),
  );
  const out = o.hooks?.bus;
  if (out) {
    bus.subscribe('observation', (m) => out.publish('observation', m));
    bus.subscribe('transition', (m) => out.publish('transition', m));
    bus.subscribe('vantage', (m) => out.publish('vantage', m));
  }
  const sites: WatchedSite[] = map.domains.map((m) => ({ domain: m.domain }));
  probing.add(sites);
  const mailSites = mail ? map.domains.filter((m) => m.mail) : [];
  mailProbing.add(mailSites.map((m) => ({ domain: m.domain, kinds: ['smtp'] })));
  // Unconfirmed failures count for an early opening while they are at most one interval old.
  const rounds = new Rounds(
    model,
    detection.detector,
    failures,
    trackerOptions(intervalMs),
    undefined,
    intervalMs,
    vantages.length,
  );
  probing.start();
  mailProbing.start();
  o.hooks?.started?.({
    reprobe: (domain) => {
      for (const c of contexts) probing.reprobe(domain, 'http', c.ctx.vantage, 0);
    },
  });
  log(
    `watching ${sites.length} sites (${mailSites.length} with mail) from ${vantages.map((v) => v.id).join(', ')} every ${intervalMs / 1000} s ` +
      `(timeout ${timeoutMs / 1000} s, ${w.clock.speed}×)`,
  );

  // Rounds every sixth of an interval of clock time, until the end.
  const roundEvery = intervalMs / 6;
  const round = (time: number) => {
    rounds.run(time);
    o.hooks?.round?.(time, rounds.tracker);
  };
  const timer = setInterval(() => round(clock.now()), Math.max(10, real(roundEvery)));
  const progress = setInterval(() => {
    const s = probing.scheduler.stats();
    log(
      `${new Date(clock.now()).toISOString()}  ${probes} probes, ${s.inflight} in flight, ` +
        `lateness p99 ${s.latenessP99Ms.toFixed(0)} ms, ${rounds.tracker.incidents().length} incidents; ` +
        [...verdicts].map(([k, n]) => `${k} ${n}`).join(', '),
    );
    verdicts.clear();
  }, 30_000);
  const remaining = w.clock.end - clock.now();
  if (remaining > 0) await clock.sleep(remaining, o.hooks?.signal);
  clearInterval(timer);
  clearInterval(progress);
  round(Math.min(w.clock.end, clock.now()));
  const scheduler = probing.scheduler.stats();
  guard.stop();
  log(
    `lag guard: ${guard.discarded} measurements spoiled by the monitor's own stalls discarded, ` +
      `${guard.discardedSlow} slow verdicts no slower than the machine's own answers, ` +
      `${guard.discardedTimeouts} timeouts while the machine itself answered too slowly`,
  );
  await Promise.all([probing.stop(), mailProbing.stop()]);
  detection.close();
  await Promise.all([...contexts, mailContext].map((c) => c.close()));
  const realMs = Date.now() - t0;
  return {
    incidents: rounds.tracker.incidents(),
    probes,
    sites: map.domains.length,
    mapped,
    map,
    stats: {
      mapMs,
      rounds: rounds.rounds,
      maxRoundMs: Math.round(rounds.maxRoundMs),
      timeoutMs,
      scheduler,
      realMs,
      probesPerSecond: Math.round(probes / Math.max(1, (realMs - mapMs) / 1000)),
    },
  };
}

/** Incident tracking scaled to the probe interval: a cause may vanish for a few intervals. */
export function trackerOptions(intervalMs: number): Partial<TrackerOptions> {
  return { graceMs: Math.max(5 * 60_000, 3 * intervalMs) };
}
