/**
 * `vigie sim run`: start a scenario's world in a child process, run Vigie's pipeline against it
 * until the scenario's end, and shape the result. What the pipeline is given is configuration —
 * the domains to watch (every scenario site) and the operators' declarations, which the world
 * serves at `/config/declarations` (origins by address, hidden components by name) — never faults
 * or provider ids.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../../bus/bus.ts';
import { ScaledClock } from '../../clock/clock.ts';
import { VigieError } from '../../errors.ts';
import { parseDeclarations } from '../../map/declare.ts';
import { worldEnvironment } from '../../pipeline/environment.ts';
import { formatIncidents, type RunOutput } from '../../pipeline/export.ts';
import { Pipeline } from '../../pipeline/pipeline.ts';
import { roundTraceFromEnv, traceTransitionsFromEnv } from '../../pipeline/trace.ts';
import type { Scenario } from '../scenario/types.ts';
import { agentFleet } from './agents.ts';
import { startLabAlerts } from './alerts.ts';
import { startWorldChild } from './world-child.ts';

export interface RunOptions {
  scenario: Scenario;
  speed?: number;
  /** Probe deadline override, clock ms. */
  timeoutMs?: number;
  mail?: boolean;
  /** Probe the web over HTTPS: always, never, or where the map found a certificate (default 'auto'). */
  https?: boolean | 'auto';
  /** Ground truth file the world writes (for evaluators; the pipeline never reads it). */
  truthOut?: string;
  log?: (line: string) => void;
  /** Also write the result here (the CLI prints it). */
  out?: string;
  /** Also run this baseline inference on the same failures; its incidents go in `baseline`. */
  baseline?: 'score';
  /**
   * Probe from `vigie agent` processes over NATS JetStream instead of this process: one agent per
   * scenario vantage (the first N), each bound to its vantage's source address in the world.
   */
  agents?: { count: number; nats: string };
  /** A `vigie.yaml` whose `alerts:` and `maintenance:` blocks are exercised on this run. */
  alertsFile?: string;
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new VigieError('VIGIE_WORLD_CONTROL', `${url}: HTTP ${res.status}`);
  return res.json();
}

/** Run a scenario end to end. Resolves with the result (score not included: see `src/lab/score`). */
export async function runScenario(o: RunOptions): Promise<RunOutput> {
  const log = o.log ?? (() => {});
  const stateDir = mkdtempSync(join(tmpdir(), 'vigie-run-'));
  const world = await startWorldChild({
    scenarioFile: o.scenario.file,
    stateDir,
    speed: o.speed,
    truthOut: o.truthOut,
    log: (l) => log(`world: ${l}`),
  });
  // Interrupted: take the world down with us rather than leave it serving.
  const onSignal = (sig: NodeJS.Signals) => {
    void world.stop().finally(() => {
      rmSync(stateDir, { recursive: true, force: true });
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const info = world.info;
    const t0 = Date.now();
    const declarationsUrl = `${info.control}/config/declarations`;
    const declared = parseDeclarations(JSON.stringify(await fetchJson(declarationsUrl)), declarationsUrl);
    const domains = o.scenario.sites.map((s) => s.domain);
    log(
      `world ${info.scenario} up (pid ${world.pid}) at ×${info.clock.speed}; ${domains.length} domains, ` +
        `${declared.size} with declarations`,
    );
    const clock = ScaledClock.of(info.clock);
    const bus = new InProcessBus((err, topic) => log(`${topic} handler: ${err}`));
    const fleet = o.agents ? await agentFleet(o.agents, info, clock, log) : null;
    const alerting = o.alertsFile
      ? await startLabAlerts({
          file: o.alertsFile,
          bus,
          clock,
          timeZone: info.clock.timezone,
          subscribe: true,
          log,
        })
      : null;
    const pipeline: Pipeline = new Pipeline({
      ...roundTraceFromEnv(),
      clock,
      bus,
      env: worldEnvironment(info),
      intervalMs: info.probeIntervalMs,
      timeoutMs: o.timeoutMs,
      mail: o.mail,
      https: o.https ?? 'auto',
      declared,
      baseline: o.baseline,
      remapEveryMs: 0,
      log,
      ...(alerting ? { publishes: alerting.publishes } : {}),
      ...(fleet ? { fleet: (raw) => fleet.make(raw, (v) => pipeline.detection.health.isHealthy(v)) } : {}),
    });
    traceTransitionsFromEnv(bus);
    bus.subscribe('vantage', (c) =>
      log(
        `${new Date(c.at).toISOString()}  vantage ${c.vantage} ${c.healthy ? 'healthy' : 'UNHEALTHY'}: ${c.reason}`,
      ),
    );
    await pipeline.add(domains);
    pipeline.start();
    log(
      `watching ${domains.length} sites every ${info.probeIntervalMs / 1000} s (timeout ${pipeline.probeTimeoutMs / 1000} s)`,
    );
    const remaining = info.clock.end - clock.now();
    if (remaining > 0) await clock.sleep(remaining);
    pipeline.round(Math.min(info.clock.end, clock.now()));
    const scheduler = pipeline.fleet.stats();
    await pipeline.stop();
    await fleet?.close();
    await alerting?.stop();
    const stats = pipeline.stats();
    const realMs = Date.now() - t0;
    const zone = info.clock.timezone;
    const out: RunOutput = {
      scenario: o.scenario.name,
      title: o.scenario.title,
      speed: info.clock.speed,
      sites: stats.sites,
      probes: stats.probes,
      incidents: formatIncidents(pipeline.incidents(), zone),
      ...(o.baseline
        ? { baseline: { method: o.baseline, incidents: formatIncidents(pipeline.baseline(), zone) } }
        : {}),
      run: {
        realSeconds: Math.round(realMs / 100) / 10,
        mapSeconds: Math.round(stats.mapMs / 100) / 10,
        mapped: stats.mapped,
        probesPerSecond: Math.round(stats.probes / Math.max(1, (realMs - stats.mapMs) / 1000)),
        probeTimeoutS: stats.timeoutMs / 1000,
        rounds: stats.rounds,
        maxRoundMs: stats.maxRoundMs,
        skipped: scheduler.skipped,
        latenessP50Ms: scheduler.latenessP50Ms,
        latenessP99Ms: scheduler.latenessP99Ms,
        latenessMaxMs: Math.round(scheduler.latenessMaxMs),
        withheld: { seconds: Math.round(stats.withheldMs / 100) / 10, periods: stats.withheldPeriods },
      },
    };
    if (o.out) writeFileSync(o.out, `${JSON.stringify(out)}\n`);
    return out;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await world.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
