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
import { InProcessBus } from '../bus/bus.ts';
import { ScaledClock } from '../clock/clock.ts';
import { runPipeline } from '../lab/run/pipeline.ts';
import { startWorldChild } from '../lab/run/world-child.ts';
import type { Scenario } from '../lab/scenario/types.ts';
import { parseDeclarations } from '../map/declare.ts';
import type { Incident } from '../model/incident.ts';
import { persist } from '../pipeline/service.ts';
import { evidenceLine } from '../reports/reported.ts';
import { ReportService } from '../reports/service.ts';
import type { SpikeView } from '../reports/types.ts';
import { openStore } from '../store/index.ts';
import type { ProbeMetrics } from './metrics/probe-metrics.ts';
import { ReportFeed } from './report-feed.ts';
import { StoreRiskSource } from './risk-cache.ts';
import { incidentName } from './status/derive.ts';
import { StatusSnapshot } from './status/snapshot.ts';
import type { ServedParts, SwitchableServer } from './status/switchable.ts';
import type { PageInfo } from './statuspage.ts';

const MIN = 60_000;

export interface ReplayOptions {
  scenario: Scenario;
  /** Simulated seconds per real second (default: the scenario's). */
  speed?: number;
  /** The world's state directory and the replay's SQLite store go here. */
  stateDir: string;
  /** The world's ports: base+53, +80… (default 10000; 0: free ports). */
  portBase?: number;
  server: SwitchableServer;
  /** The page whose name the dashboard shows (updated in place). */
  page: Partial<PageInfo>;
  /** Where the server's intake listens, for the crowd reports. */
  intake: { host: string; port: number } | null;
  metrics?: ProbeMetrics;
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
    portBase: o.portBase ?? 10_000,
    log: (l) => o.debug?.(`world: ${l}`),
  });
  let feed: ReportFeed | null = null;
  let ticker: NodeJS.Timeout | null = null;
  try {
    const info = world.info;
    const clock = new ScaledClock(info.clock.origin, info.clock.speed, info.clock.anchor);
    // A fresh store per replay, on SQLite: what one replay saw never mixes with the next.
    const db = join(o.stateDir, `${name}.db`);
    for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) rmSync(f);
    const store = await openStore(`sqlite:${db}`, { clock });
    const bus = new InProcessBus((err, topic) => o.log(`${topic} handler: ${err}`));
    const snapshot = new StatusSnapshot({ clock });
    snapshot.attach(bus);
    const reports = new ReportService({ clock, bus, isWatched: (d) => snapshot.site(d) !== null });
    const parts: ServedParts = { clock, store, snapshot, reports, risk: new StoreRiskSource(store, clock) };
    const persisted = persist(bus, store);
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

    const publisher = new IncidentPublisher(o.label ?? name, bus, reports, snapshot, o.log);
    let reprobe: (domain: string) => void = () => {};
    const declarationsUrl = `${info.control}/config/declarations`;
    const res = await fetch(declarationsUrl);
    if (!res.ok) throw new Error(`${declarationsUrl}: HTTP ${res.status}`);
    const declared = parseDeclarations(await res.text(), declarationsUrl);
    const domains = o.scenario.sites.map((s) => s.domain);
    const r = await runPipeline({
      world: info,
      domains,
      declared,
      log: (l) => o.debug?.(l),
      hooks: {
        bus,
        async mapped(map, graph) {
          const sites = map.domains.map((m) => ({ domain: m.domain, ...(m.mail ? { mail: true } : {}) }));
          await store.upsertSites(sites);
          await store.upsertComponents(graph.components);
          await store.replaceDependencies(
            sites.map((s) => s.domain),
            graph.dependencies,
          );
          snapshot.addSites(sites);
          snapshot.setDependencies(graph.components, graph.dependencies);
          parts.risk.invalidate();
          const bySite = new Map<string, Set<string>>();
          for (const d of graph.dependencies) {
            if (!d.component.startsWith('provider:')) continue;
            const id = d.component.slice('provider:'.length);
            const set = bySite.get(id) ?? new Set<string>();
            set.add(d.site);
            bySite.set(id, set);
          }
          publisher.providerSites = new Map([...bySite].map(([p, s]) => [p, [...s]]));
          const ok = map.domains.filter((m) => m.status === 'ok').length;
          o.log(
            `  mapped ${ok}/${map.domains.length} sites; watching them from ${info.vantages.map((v) => v.id).join(', ')}`,
          );
          if (o.intake) {
            feed = new ReportFeed({ control: info.control, intake: o.intake, log: o.log });
            feed.start();
          }
          ticker = setInterval(() => publisher.tick(clock.now(), reprobe), Math.max(50, clock.toReal(MIN)));
        },
        started: (c) => {
          reprobe = c.reprobe;
        },
        round: (time, tracker) => publisher.round(time, () => tracker.incidents()),
        signal: o.signal,
      },
    });
    if (ticker) clearInterval(ticker);
    publisher.tick(clock.now(), reprobe);
    publisher.round(clock.now(), () => r.incidents, true);
    await (feed as ReportFeed | null)?.stop();
    const incidents = publisher.published();
    return {
      incidents,
      probes: r.probes,
      sites: r.sites,
      realSeconds: Math.round((Date.now() - t0) / 100) / 10,
      reports: (feed as ReportFeed | null)?.stats ?? null,
      parts,
      close: async () => {
        offMetrics?.();
        await persisted.stop();
      },
    };
  } finally {
    if (ticker) clearInterval(ticker);
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
 * Turns the tracker's incidents into published ones, each round: labelled with the scenario, with
 * their crowd-report curve and the report evidence of the provider they blame; plus the reports-only
 * incidents. An incident is published again only when it changed, at most about once a second.
 */
export class IncidentPublisher {
  /** provider id → its monitored sites (any role), from the map. */
  providerSites = new Map<string, string[]>();
  private last = new Map<string, string>();
  private latest = new Map<string, Incident>();
  /** The strongest crowd-report spike seen for each provider. */
  private providerSpike = new Map<string, SpikeView>();
  private reportedOpen = new Map<string, Incident>();
  private reportedCount = 0;
  private lastPublish = 0;
  private open = new Set<string>();

  constructor(
    private readonly prefix: string,
    private readonly bus: InProcessBus,
    private readonly reports: ReportService,
    private readonly snapshot: StatusSnapshot,
    private readonly log: (line: string) => void,
    private readonly realNow: () => number = Date.now,
  ) {}

  /** Every incident published so far, as last published. */
  published(): Incident[] {
    return [...this.latest.values()];
  }

  /** A round's incidents (the tracker's): publish what changed (`force`: now, whatever the pace). */
  round(time: number, incidents: () => readonly Incident[], force = false): void {
    const now = this.realNow();
    if (!force && now - this.lastPublish < 1000) return;
    this.lastPublish = now;
    const seen = new Set<string>();
    for (const i of incidents()) {
      const out = this.decorate({ ...i, id: `${this.prefix}-${i.id}` }, time);
      seen.add(out.id);
      this.publish(out);
    }
    // An incident the tracker dropped (a lone site a shared cause took over) is closed, not left open.
    for (const [id, i] of this.latest) {
      if (seen.has(id) || i.kind === 'reported' || i.resolvedAt !== null) continue;
      this.publish({
        ...i,
        resolvedAt: time,
        evidence: [...i.evidence, 'merged: a shared cause explains this site now'],
      });
    }
  }

  /** A clock minute: crowd-report levels, re-probes, provider spikes, reports-only incidents. */
  tick(time: number, reprobe: (domain: string) => void): void {
    for (const c of this.reports.tick()) {
      if (c.subject.startsWith('provider:') || c.to === 'none') continue;
      if (c.from === 'none' || (c.from === 'moderate' && c.to === 'strong')) reprobe(c.subject);
    }
    for (const [provider, spike] of this.reports.providers(this.providerSites)) {
      if (spike.level === 'none') continue;
      const best = this.providerSpike.get(provider);
      if (!best || spike.count > best.count) this.providerSpike.set(provider, spike);
    }
    // An outage's reports are not the sites' usual rate.
    const inIncident = new Set<string>();
    for (const i of this.latest.values()) {
      if (i.kind === 'reported') continue;
      if (i.resolvedAt === null) for (const d of i.affected) inIncident.add(d);
      this.reports.exclude(i.affected, i.startedAt, i.resolvedAt ?? time);
    }
    const proposals = this.reports.reported(
      {
        probedHealthy: (d) => this.snapshot.site(d)?.state === 'up',
        probeable: (d) => this.snapshot.site(d) !== null,
        inIncident: (d) => inIncident.has(d),
      },
      time - 60 * MIN,
    );
    const proposed = new Set<string>();
    for (const p of proposals) {
      proposed.add(p.domain);
      const cur = this.reportedOpen.get(p.domain);
      const i: Incident = {
        id: cur?.id ?? `${this.prefix}-reported-${++this.reportedCount}`,
        cause: {
          provider: null,
          asn: null,
          name: null,
          region: null,
          plan: null,
          role: null,
          component: `site:${p.domain}`,
        },
        kind: 'reported',
        signature: 'reports',
        confidence: p.confidence,
        startedAt: cur?.startedAt ?? p.startedAt,
        detectedAt: cur?.detectedAt ?? time,
        peakAt: p.peakAt,
        resolvedAt: null,
        affected: [p.domain],
        exonerated: [],
        evidence: p.evidence,
        timeline: [],
        reports: p.curve,
      };
      this.reportedOpen.set(p.domain, i);
      this.publish(i);
    }
    for (const [domain, i] of this.reportedOpen) {
      if (proposed.has(domain)) continue;
      this.reportedOpen.delete(domain);
      this.publish({ ...i, resolvedAt: time });
    }
  }

  /** The report curve over the incident (from 30 min before it), and the provider's report evidence. */
  private decorate(i: Incident, time: number): Incident {
    const from = Math.floor((i.startedAt - 30 * MIN) / MIN) * MIN;
    const to = Math.ceil(Math.min(time, (i.resolvedAt ?? time) + 30 * MIN) / MIN) * MIN;
    const curve = this.reports.curve(i.affected, from, Math.max(to, from + MIN));
    const spike = i.cause.provider ? this.providerSpike.get(i.cause.provider) : undefined;
    const evidence =
      spike && spike.to > i.startedAt - 10 * MIN
        ? [...i.evidence, evidenceLine(i.cause.name ?? i.cause.provider ?? 'the provider', spike)]
        : i.evidence;
    // Copies: the tracker keeps appending to its own arrays.
    return {
      ...i,
      affected: [...i.affected],
      timeline: [...i.timeline],
      evidence,
      ...(curve.total > 0 ? { reports: curve } : {}),
    };
  }

  private publish(i: Incident): void {
    const json = JSON.stringify(i);
    if (this.last.get(i.id) === json) return;
    this.last.set(i.id, json);
    this.latest.set(i.id, i);
    this.bus.publish('incident', i);
    // Single-site incidents are many and small: counted in the replay's summary, not narrated.
    if (i.cause.component?.startsWith('site:') && i.kind !== 'reported') return;
    const wasOpen = this.open.has(i.id);
    if (i.resolvedAt === null && !wasOpen) {
      this.open.add(i.id);
      this.log(
        `  incident ${i.id} opened: ${incidentName(i)}, confidence ${Math.round(i.confidence * 100)} %` +
          (i.exonerated.length ? `; cleared: ${i.exonerated.map((x) => x.provider).join(', ')}` : ''),
      );
    } else if (i.resolvedAt !== null && wasOpen) {
      this.open.delete(i.id);
      this.log(`  incident ${i.id} resolved: ${incidentName(i)}`);
    }
  }
}
