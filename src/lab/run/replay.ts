/**
 * One replay of `vigie demo`, published live: the scenario's world in a child process, Vigie's real
 * pipeline against it (`src/run`: map → probe → detect → infer → explain → incidents), and everything
 * it produces published into the server — sites, components and dependencies after the map;
 * observations, transitions and vantage health from the Bus; incidents each round — into the store,
 * the status snapshot and the live event stream. The world's crowd reports go through the server's
 * real HTTP intake (`report-feed.ts`); each clock minute the report service is ticked: a site whose
 * reports spike is re-probed from every vantage at once, a provider whose sites' reports spike adds
 * the evidence line to the incident blaming it, incidents carry their report curve, and a spike that
 * probes cannot confirm opens a low-confidence `reported` incident.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InProcessBus } from '../../bus/bus.ts';
import { ScaledClock } from '../../clock/clock.ts';
import { parseDeclarations } from '../../map/declare.ts';
import type { Incident } from '../../model/incident.ts';
import { worldEnvironment } from '../../pipeline/environment.ts';
import { Pipeline } from '../../pipeline/pipeline.ts';
import { persist } from '../../pipeline/service.ts';
import { ReportService } from '../../reports/service.ts';
import type { ProbeMetrics } from '../../server/metrics/probe-metrics.ts';
import { StoreRiskSource } from '../../server/risk-cache.ts';
import type { ProbeContextSlot } from '../../server/routes/probe.ts';
import { incidentName } from '../../server/status/derive.ts';
import { StatusSnapshot } from '../../server/status/snapshot.ts';
import type { ServedParts, SwitchableServer } from '../../server/status/switchable.ts';
import type { PageInfo } from '../../server/statuspage.ts';
import { openStore } from '../../store/index.ts';
import type { Scenario } from '../scenario/types.ts';
import { startLabAlerts } from './alerts.ts';
import { ReportFeed } from './report-feed.ts';
import { startWorldChild } from './world-child.ts';

const MIN = 60_000;

export interface ReplayOptions {
  scenario: Scenario;
  /** Simulated seconds per real second (default: the scenario's). */
  speed?: number;
  /** The world's state directory and the replay's SQLite store go here. */
  stateDir: string;
  /** The world's ports: base+53, +80… (default 0: free ports — a world already running elsewhere never collides). */
  portBase?: number;
  server: SwitchableServer;
  /** The page whose name the dashboard shows (updated in place). */
  page: Partial<PageInfo>;
  /** Where the server's intake listens, for the crowd reports. */
  intake: { host: string; port: number } | null;
  metrics?: ProbeMetrics;
  /** Where `/probe` finds the replay's probe context while it runs. */
  probeSlot?: ProbeContextSlot;
  /** A `vigie.yaml` whose `alerts:` and `maintenance:` blocks are exercised on the replay. */
  alertsFile?: string;
  /** Position in the demo's list, for the banner. */
  position?: { index: number; total: number };
  /** Prefix of the incident ids (default: the scenario's name), e.g. `ovh-backbone-2021-r2`. */
  label?: string;
  signal: AbortSignal;
  /** Progress lines (the demo prints them). */
  log: (line: string) => void;
  /** Detail lines (the pipeline's own progress). */
  debug?: (line: string) => void;
}

export interface ReplayResult {
  incidents: Incident[];
  probes: number;
  sites: number;
  realSeconds: number;
  reports: ReportFeed['stats'] | null;
  /** What this replay serves (the store stays open until the next replay replaces it). */
  parts: ServedParts;
  close(): Promise<void>;
}

/** Replay one scenario until its end (or the signal), publishing into `server` as it goes. */
export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const t0 = Date.now();
  const name = o.scenario.name;
  mkdirSync(o.stateDir, { recursive: true });
  const world = await startWorldChild({
    scenarioFile: o.scenario.file,
    stateDir: join(o.stateDir, 'world'),
    speed: o.speed,
    portBase: o.portBase ?? 0,
    log: (l) => o.debug?.(`world: ${l}`),
  });
  let feed: ReportFeed | null = null;
  try {
    const info = world.info;
    const clock = ScaledClock.of(info.clock);
    // A fresh store per replay, on SQLite: what one replay saw never mixes with the next.
    const db = join(o.stateDir, `${name}.db`);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) rmSync(f);
    const store = await openStore(`sqlite:${db}`, { clock });
    const bus = new InProcessBus((err, topic) => o.log(`${topic} handler: ${err}`));
    const snapshot = new StatusSnapshot({ clock });
    snapshot.attach(bus);
    const reports = new ReportService({ clock, bus, isWatched: (d) => snapshot.site(d) !== null });
    const parts: ServedParts = { clock, store, snapshot, reports, risk: new StoreRiskSource(store, clock) };
    const alerting = o.alertsFile
      ? await startLabAlerts({
          file: o.alertsFile,
          bus,
          clock,
          timeZone: info.clock.timezone,
          store,
          subscribe: false,
          log: o.log,
        })
      : null;
    const persisted = persist(bus, store, undefined, alerting ? (i) => alerting.commit(i) : undefined);
    const offMetrics = o.metrics?.attach(bus);
    const previous = o.server.switchTo(parts);
    await closeParts(previous);
    const position = o.position ? `${o.position.index} of ${o.position.total}, ` : '';
    Object.assign(o.page, {
      name: `SIMULATION — replaying “${info.title}” (${position}×${info.clock.speed})`,
      timeZone: info.clock.timezone,
    });
    const realMin = Math.round((info.clock.end - info.clock.start) / info.clock.speed / 6000) / 10;
    o.log(
      `▶ SIMULATION — replaying “${info.title}”${o.position ? ` (${o.position.index}/${o.position.total})` : ''} ` +
        `at ×${info.clock.speed}: ${hours(info.clock.end - info.clock.start)} simulated in ${realMin} min`,
    );
    o.log(
      `  world: resolver ${info.resolver.address}:${info.resolver.port}, http ${info.ports.http}, ` +
        `https ${info.ports.https}, control ${info.control}`,
    );

    const declarationsUrl = `${info.control}/config/declarations`;
    const res = await fetch(declarationsUrl);
    if (!res.ok) throw new Error(`${declarationsUrl}: HTTP ${res.status}`);
    const declared = parseDeclarations(await res.text(), declarationsUrl);
    const domains = o.scenario.sites.map((s) => s.domain);
    const narrate = narrator(o.log);
    bus.subscribe('incident', narrate);
    const pipeline = new Pipeline({
      clock,
      bus,
      env: worldEnvironment(info),
      intervalMs: info.probeIntervalMs,
      declared,
      reports,
      idPrefix: `${o.label ?? name}-`,
      remapEveryMs: 0,
      log: (l) => o.debug?.(l),
      ...(alerting ? { publishes: (i: Incident) => alerting.publishes(i) } : {}),
    });
    pipeline.start();
    const offScheduler = o.metrics?.scheduler(() => pipeline.fleet.stats());
    const offPipeline = o.metrics?.pipeline(() => pipeline.stats());
    const ctx = pipeline.fleet.probeContext?.();
    const offProbe = ctx ? o.probeSlot?.set(ctx) : undefined;
    await pipeline.add(domains, async (maps, graph) => {
      const sites = maps.map((m) => ({ domain: m.domain, ...(m.mail ? { mail: true } : {}) }));
      await store.upsertSites(sites);
      await store.upsertComponents(graph.components);
      await store.replaceDependencies(
        sites.map((s) => s.domain),
        graph.dependencies,
      );
      snapshot.addSites(sites);
      snapshot.setDependencies(graph.components, graph.dependencies);
      parts.risk.invalidate();
      const ok = maps.filter((m) => m.status === 'ok').length;
      o.log(
        `  mapped ${ok}/${maps.length} sites; watching them from ${info.vantages.map((v) => v.id).join(', ')}`,
      );
      if (o.intake) {
        feed = new ReportFeed({ control: info.control, intake: o.intake, log: o.log });
        feed.start();
      }
    });
    const remaining = info.clock.end - clock.now();
    if (remaining > 0) await clock.sleep(remaining, o.signal);
    pipeline.round(Math.min(info.clock.end, clock.now()));
    offProbe?.();
    offScheduler?.();
    offPipeline?.();
    await pipeline.stop();
    const stats = pipeline.stats();
    await (feed as ReportFeed | null)?.stop();
    return {
      incidents: narrate.published(),
      probes: stats.probes,
      sites: stats.sites,
      realSeconds: Math.round((Date.now() - t0) / 100) / 10,
      reports: (feed as ReportFeed | null)?.stats ?? null,
      parts,
      close: async () => {
        offMetrics?.();
        await persisted.stop();
        await alerting?.stop();
      },
    };
  } finally {
    await (feed as ReportFeed | null)?.stop();
    await world.stop();
  }
}

/** Release a replay's parts once nothing serves them any more. */
export async function closeParts(p: ServedParts): Promise<void> {
  await p.store.flush().catch(() => {});
  await p.store.close().catch(() => {});
}

function hours(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms % 3_600_000) / MIN);
  return h >= 48 ? `${Math.round(ms / 3_600_000)} h` : `${h ? `${h} h ` : ''}${m ? `${m} min` : ''}`.trim();
}

/**
 * The replay's story on the console: shared-cause incidents as they open and resolve (single-site
 * ones are many and small: counted in the replay's summary, not narrated); and every incident
 * published, as last published.
 */
function narrator(log: (line: string) => void) {
  const latest = new Map<string, Incident>();
  const open = new Set<string>();
  const narrate = (i: Incident) => {
    latest.set(i.id, i);
    if (i.cause.component?.startsWith('site:') && i.kind !== 'reported') return;
    if (i.resolvedAt === null && !open.has(i.id)) {
      open.add(i.id);
      log(
        `  incident ${i.id} opened: ${incidentName(i)}, confidence ${Math.round(i.confidence * 100)} %` +
          (i.exonerated.length ? `; cleared: ${i.exonerated.map((x) => x.provider).join(', ')}` : ''),
      );
    } else if (i.resolvedAt !== null && open.delete(i.id)) {
      log(`  incident ${i.id} resolved: ${incidentName(i)}`);
    }
  };
  return Object.assign(narrate, { published: () => [...latest.values()] });
}
