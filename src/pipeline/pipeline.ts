/**
 * The one pipeline — map → probe → detect → explain → incidents — that `vigie serve`, `vigie watch`,
 * `vigie sim run` and `vigie demo` all run. Sites come and go while it runs: each batch added is
 * mapped (DNS, HTTP, AS, regions, co-hosting, declarations), joins the dependency graph and the risk
 * model, and is probed from the fleet's vantages. Every round (a sixth of the probe interval) the
 * failures detection holds are explained (inference, evidence, providers cleared) and the incident
 * tracker follows each cause; what changed is published on the Bus (`incident`), where the store,
 * the status snapshot and the server read it. The pipeline reads only what it observed — never a
 * world's faults.
 */
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock/clock.ts';
import { LagGuard } from '../detect/lag-guard.ts';
import { DnsClient } from '../dns/client.ts';
import type { DnsQuerier } from '../dns/types.ts';
import type { TrackerOptions } from '../explain/incidents.ts';
import { buildRisk, LiveRisk } from '../explain/risk.ts';
import { FailureLog, Rounds, type RoundTrace } from '../explain/rounds.ts';
import type { Declarations } from '../map/declare.ts';
import type { DependencyGraph } from '../map/dependencies.ts';
import { MapGraph } from '../map/graph.ts';
import { mapDomains } from '../map/mapper.ts';
import type { DomainMap, MapReport } from '../map/types.ts';
import type { Component, Dependency } from '../model/component.ts';
import type { SelfHealthState } from '../model/health.ts';
import type { Incident } from '../model/incident.ts';
import type { Observation, ProbeKind } from '../model/observation.ts';
import type { TargetPolicy } from '../net/address-policy.ts';
import { guardResolver, type RefusedResolution } from '../net/guard-resolver.ts';
import { slowThresholdFor } from '../probe/context.ts';
import type { ReportService } from '../reports/service.ts';
import type { Environment, Vantage } from './environment.ts';
import type { ProbeFleet, WatchedSite } from './fleet.ts';
import { LocalFleet } from './local-fleet.ts';
import { ReportEvidence } from './report-evidence.ts';
import { SelfHealth } from './self-health.ts';
import { Detection } from './watch.ts';

export interface PipelineOptions {
  clock: Clock;
  bus: Bus;
  env: Environment;
  /** Interval between probes of one site, clock ms. */
  intervalMs: number;
  /** Deadline of one probe, clock ms (default: {@link probeTimeout}). */
  timeoutMs?: number;
  /** Probe mail (SMTP) where the map found an MX (default true). */
  mail?: boolean;
  /**
   * Probe the web over HTTPS: always (`true`), never (`false`), or where the site's map found a
   * certificate on the HTTPS port (`'auto'`, the default — what a visitor's browser would use; an
   * expired or mismatched certificate is then an outage the probe sees).
   */
  https?: boolean | 'auto';
  /** Outside a simulated world: which resolved addresses may be probed (default: any). */
  policy?: TargetPolicy;
  onRefused?: (r: RefusedResolution) => void;
  /** What the sites' operators declared (origins behind CDNs, hidden shared components). */
  declared?: Declarations;
  /** Probes in flight at once (default 4096). */
  concurrency?: number;
  /** Map every site again this often, clock ms (default 6 h; 0: never). */
  remapEveryMs?: number;
  /**
   * The probing side, made for the Bus it must publish observations on (so the lag guard and the
   * self-check see them); default: a {@link LocalFleet} over the environment's vantages.
   */
  fleet?: (bus: Bus) => ProbeFleet;
  /** Incident ids are `${idPrefix}inc-N` (default ''). */
  idPrefix?: string;
  /** Crowd reports, when the deployment takes them: evidence, curves, re-probes, reported incidents. */
  reports?: ReportService;
  /**
   * Whether an incident may be published at all: an incident under a maintenance window is neither
   * shown nor alerted on (default: all are).
   */
  publishes?: (i: Incident) => boolean;
  /** Also run this baseline method on the same failures (its incidents in {@link Pipeline.baseline}). */
  baseline?: 'score';
  log?: (line: string) => void;
  /** Each round's reading and conclusions, for diagnosis (the CLI writes them to `VIGIE_TRACE_ROUNDS`). */
  traceRounds?: (round: RoundTrace) => void;
}

/** What the pipeline's work cost and how punctual it was. */
export interface PipelineStats {
  probes: number;
  sites: number;
  mapped: number;
  mapMs: number;
  rounds: number;
  maxRoundMs: number;
  timeoutMs: number;
  withheldMs: number;
  withheldPeriods: number;
}

/**
 * A probe deadline that means the same at any speed: 15 s of clock time, but never under half a
 * real second (a loaded machine must not turn its own lag into timeouts), and at most a third of
 * the interval (so a site is probed again before its previous probe's deadline).
 */
export function probeTimeout(intervalMs: number, speed: number): number {
  return Math.min(intervalMs / 3, Math.max(15_000, 500 * speed));
}

/** Incident tracking scaled to the probe interval: a cause may vanish for a few intervals. */
export function trackerOptions(intervalMs: number): Partial<TrackerOptions> {
  return { graceMs: Math.max(5 * 60_000, 3 * intervalMs), intervalMs };
}

/** Full TLS handshakes per real second the probing side may spend on HTTPS (see `httpsAffordable`). */
export const HTTPS_HANDSHAKES_PER_S = 150;

/**
 * How often to check certificates apart from the web, from one vantage, clock ms: every probe
 * interval, stretched so the handshakes — one per site with a certificate per interval — stay within
 * {@link HTTPS_HANDSHAKES_PER_S} real handshakes per second at this clock speed.
 */
export function certificateInterval(sitesWithCert: number, intervalMs: number, speed: number): number {
  return Math.max(intervalMs, ((sitesWithCert * 1000) / HTTPS_HANDSHAKES_PER_S) * speed);
}

export class Pipeline {
  readonly fleet: ProbeFleet;
  /** Sites probed at once after a restart whose map has not completed yet. */
  private readonly unmapped = new Set<string>();
  /** The handshake rate last reported as over the HTTPS budget. */
  private httpsNotice = -1;
  /** The certificate-check interval last reported (whole clock seconds). */
  private certNotice = -1;
  readonly detection: Detection;
  readonly health: SelfHealth;
  private readonly rounds: Rounds;
  private readonly shadow: Rounds | null;
  private readonly reportEvidence: ReportEvidence | null;
  private readonly guard: LagGuard;
  private readonly failures: FailureLog;
  /** Every site's latest map, plans told from co-hosting, and the dependency graph they make. */
  private readonly graphs = new MapGraph();
  /** The risk model of the sites watched, updated site by site (made at the first map). */
  private risk: LiveRisk | null = null;
  /**
   * A previous run's map, from the store (after a restart), for the sites not mapped again yet:
   * their dependencies, and the components they name.
   */
  private readonly stored = new Map<string, Dependency[]>();
  private readonly storedComponents = new Map<string, Component>();
  private readonly watched = new Set<string>();
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private readonly dns: DnsClient;
  private published = new Map<string, string>();
  private timers: NodeJS.Timeout[] = [];
  /** Batches being mapped. */
  private mapping = new Set<Promise<void>>();
  private offs: (() => void)[] = [];
  private started = false;
  private statsMap = { mapMs: 0 };
  probes = 0;
  /** Failing verdicts since the last progress line, by signature. */
  private verdicts = new Map<string, number>();

  constructor(private readonly o: PipelineOptions) {
    const { clock, env } = o;
    this.log = o.log ?? (() => {});
    const speed = clock.speed;
    this.timeoutMs = o.timeoutMs ?? probeTimeout(o.intervalMs, speed);
    this.dns = new DnsClient({ server: env.resolver, timeoutMs: 1000, retries: 2 });
    const resolverFor = (v: Vantage): DnsQuerier => {
      const client = new DnsClient({
        server: env.resolver,
        localAddress: v.address,
        timeoutMs: Math.max(1, Math.floor(clock.toReal(this.timeoutMs / 2) / 2)),
        retries: 1,
      });
      this.offs.push(() => void client.close());
      // Every resolution passes the policy: a name re-resolving to a private address is refused here.
      return o.policy ? guardResolver(client, o.policy, o.onRefused ?? (() => {})) : client;
    };
    // Observations from the fleet arrive on `raw`; the lag guard relays them to the Bus.
    const raw = new RelayBus(o.bus);
    const slowMs = slowThresholdFor(speed);
    this.fleet = o.fleet
      ? o.fleet(raw)
      : new LocalFleet({
          clock,
          bus: raw,
          vantages: env.vantages,
          resolver: resolverFor,
          catalog: env.catalog,
          ports: env.ports,
          ca: env.ca,
          intervalMs: o.intervalMs,
          timeoutMs: this.timeoutMs,
          slowMs,
          concurrency: o.concurrency ?? 4096,
        });
    const real = (ms: number) => clock.toReal(ms);
    this.guard = new LagGuard({
      speed,
      slowMs,
      // The mail vantage's slow threshold is the probe deadline (see LocalFleet).
      mailSlowMs: this.timeoutMs,
      deadlines: { dns: real(this.timeoutMs / 2), connect: real(this.timeoutMs) },
    });
    this.health = new SelfHealth({
      clock,
      deadlineRealMs: real(this.timeoutMs),
      intervalRealMs: real(o.intervalMs),
      lateness: () => this.fleet.takeLateness(),
      onChange: (s) => this.onHealth(s),
    });
    this.detection = new Detection({
      bus: o.bus,
      clock,
      intervalMs: o.intervalMs,
      asn: env.asn,
      reprobe: (s, k, v, d) => this.fleet.reprobe(s, k, v, d),
    });
    this.failures = new FailureLog((v) => this.detection.health.isHealthy(v));
    const vantages = this.fleet.vantages().length;
    const model = buildRisk({ components: [], dependencies: [], sites: [] });
    const tracker = { ...trackerOptions(o.intervalMs), idPrefix: o.idPrefix ?? '' };
    this.rounds = new Rounds(model, this.detection.detector, this.failures, tracker, {
      suspectWindowMs: o.intervalMs,
      vantages,
      ...(o.traceRounds ? { trace: o.traceRounds } : {}),
    });
    this.shadow =
      o.baseline === 'score'
        ? new Rounds(model, this.detection.detector, this.failures, tracker, {
            method: 'score',
            vantages,
          })
        : null;
    raw.relay = (obs) => {
      this.probes++;
      this.health.observe(obs);
      const checked = this.guard.check(obs);
      if (checked.outcome !== 'up') {
        const k = checked.signature === 'probe_error' ? `${obs.signature}→probe_error` : checked.signature;
        this.verdicts.set(k, (this.verdicts.get(k) ?? 0) + 1);
      }
      return checked;
    };
    this.offs.push(o.bus.subscribe('observation', (obs) => this.failures.observe(obs)));
    this.reportEvidence = o.reports
      ? new ReportEvidence({
          reports: o.reports,
          idPrefix: o.idPrefix ?? '',
          siteUp: (d) => {
            if (!this.watched.has(d)) return null;
            const state = this.detection.detector;
            return state.state(d, 'web') === 'up' && state.state(d, 'tls') === 'up';
          },
        })
      : null;
  }

  /** Incidents as the tracker holds them now (confirmed only). */
  incidents(): Incident[] {
    return this.rounds.tracker.incidents();
  }

  /** The baseline method's incidents on the same failures (empty without `baseline`). */
  baseline(): Incident[] {
    return this.shadow?.tracker.incidents() ?? [];
  }

  /** Sites watched now. */
  sites(): string[] {
    return [...this.watched];
  }

  /** The latest map of every watched site. */
  mapReport(): DomainMap[] {
    return [...this.maps.values()];
  }

  dependencies(): DependencyGraph {
    return this.graphs.graph();
  }

  private get maps(): ReadonlyMap<string, DomainMap> {
    return this.graphs.maps;
  }

  /**
   * Map these sites (again), then watch them. Batches map concurrently — a site added through the
   * API does not wait behind a restart's full map; the promise resolves once this batch is mapped,
   * in the risk model and probed. `onMapped` sees the batch's maps and the new graph.
   */
  add(
    sites: readonly (string | WatchedSite)[],
    onMapped?: (maps: DomainMap[], graph: DependencyGraph) => void | Promise<void>,
    /**
     * Probe the web at once, before the map is done: sites already known (resumed from a store
     * after a restart) must not go unwatched while the whole list is mapped again.
     */
    probeFirst = false,
  ): Promise<MapReport | null> {
    const list = sites.map((s) => (typeof s === 'string' ? { domain: s } : s));
    if (probeFirst) {
      const fresh = list.filter((s) => !this.watched.has(s.domain));
      for (const s of fresh) this.watched.add(s.domain);
      // A site the store holds a map of is read from it meanwhile; the others wait for theirs.
      for (const s of fresh) if (!this.stored.has(s.domain)) this.unmapped.add(s.domain);
      // Before the map: HTTPS only when asked outright; the map decides the rest.
      this.fleet.add(
        fresh.map((s) => ({ ...s, kinds: ['http'], secure: s.secure ?? this.o.https === true })),
      );
    }
    const run = this.mapBatch(list, onMapped);
    const settled = run.then(
      () => {},
      () => {},
    );
    if (probeFirst) void settled.then(() => this.unmapped.clear());
    this.mapping.add(settled);
    void settled.then(() => this.mapping.delete(settled));
    return run;
  }

  /** Stop watching these sites. */
  remove(domains: readonly string[]): void {
    for (const d of domains) {
      this.fleet.remove(d);
      this.watched.delete(d);
      this.stored.delete(d);
    }
    const changed = this.graphs.remove(domains);
    for (const d of domains) changed.add(d);
    this.rebuildGraph(changed);
  }

  /**
   * Whether HTTPS on every probe of every site with a certificate fits the machine: a full TLS
   * handshake costs about a millisecond of CPU on the probing side (Node 20, ECDSA P-256, a 2-core
   * machine; resumption saves only a fifth of it), so the handshakes per real second — sites with a
   * certificate × vantages ÷ the interval in real seconds — must stay within
   * {@link HTTPS_HANDSHAKES_PER_S}. A few thousand sites at 60 s fit; a simulated world replayed at
   * ×60 does not, and there the web is probed over HTTP, said once in the log; certificates are then
   * checked apart ({@link checkCertificates}).
   */
  private httpsAffordable(): boolean {
    const withTls = this.sitesWithCert();
    const perSecond =
      (withTls * this.fleet.vantages().length * 1000) / this.o.clock.toReal(this.o.intervalMs);
    const ok = perSecond <= HTTPS_HANDSHAKES_PER_S;
    if (!ok && this.httpsNotice !== perSecond) {
      this.httpsNotice = perSecond;
      this.log(
        `HTTPS probing off: ${withTls} sites with a certificate × ${this.fleet.vantages().length} vantages would be ${Math.round(perSecond)} TLS handshakes/s, over the budget of ${HTTPS_HANDSHAKES_PER_S}/s (≈1 ms of CPU each): probing over HTTP, ${this.fleet.checkCertificates ? 'certificates checked apart' : 'expired certificates are not seen'} (https: true forces it)`,
      );
    }
    return ok;
  }

  private sitesWithCert(): number {
    let n = 0;
    for (const m of this.maps.values()) if (m.tls?.issuer != null) n++;
    return n;
  }

  /**
   * The web probed over HTTP because HTTPS does not fit: check every certificate apart, from one
   * vantage, at an interval stretched to fit the handshake budget (said in the log when it changes).
   * False when the fleet cannot (agents).
   */
  private checkCertificates(): boolean {
    if (!this.fleet.checkCertificates) return false;
    const n = this.sitesWithCert();
    const every = certificateInterval(n, this.o.intervalMs, this.o.clock.speed);
    const from = this.fleet.checkCertificates(every);
    const shown = Math.round(every / 1000);
    if (shown !== this.certNotice) {
      this.certNotice = shown;
      this.log(`certificates checked every ${shown} s from ${from} (${n} sites with a certificate)`);
    }
    return true;
  }

  /** Incidents from a store, open ones resumed under their ids (after a restart). */
  resume(incidents: readonly Incident[]): void {
    this.rounds.tracker.restore(incidents);
    for (const i of incidents) this.published.set(i.id, JSON.stringify(i));
  }

  /**
   * The map a previous run stored (after a restart): the risk model reads it at once, so that a
   * restart in the middle of an outage does not leave Vigie unable to explain until every site is
   * mapped again — which takes seconds to minutes, and cannot succeed for a site whose DNS is
   * down. Each site's fresh map replaces its stored one when it comes; a failed one does not
   * (see {@link mapBatch}).
   */
  resumeMap(graph: DependencyGraph): void {
    for (const c of graph.components) this.storedComponents.set(c.id, c);
    const bySite = new Map<string, Dependency[]>();
    for (const d of graph.dependencies) {
      if (this.maps.has(d.site)) continue;
      const list = bySite.get(d.site) ?? [];
      list.push(d);
      bySite.set(d.site, list);
    }
    for (const [d, deps] of bySite) this.stored.set(d, deps);
    if (bySite.size) this.rebuildGraph(bySite.keys());
  }

  /** Probe a site's web again now, from every vantage (a crowd-report spike asks this). */
  reprobe(domain: string): void {
    this.fleet.reprobe(domain, 'http', undefined, 0);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.guard.start();
    this.health.start();
    this.fleet.start();
    const { clock, intervalMs } = this.o;
    const every = Math.max(10, clock.toReal(intervalMs / 6));
    this.timers.push(setInterval(() => this.round(clock.now()), every));
    this.timers.push(setInterval(() => this.progress(), 30_000));
    const re = this.reportEvidence;
    if (re)
      this.timers.push(
        setInterval(
          () => {
            const found = re.tick(clock.now(), this.rounds.tracker.incidents(), (d) => this.reprobe(d));
            for (const i of found) this.publish(i);
          },
          Math.max(50, clock.toReal(60_000)),
        ),
      );
    const remap = this.o.remapEveryMs ?? 6 * 3_600_000;
    if (remap > 0)
      this.timers.push(
        setInterval(() => void this.add([...this.watched]), Math.max(1000, clock.toReal(remap))),
      );
    for (const t of this.timers) t.unref?.();
  }

  /** One evaluation round at clock time `time`: explain, follow incidents, publish what changed. */
  round(time: number): void {
    // Sites probed before their map cannot be explained yet: incidents open are followed, nothing
    // new is opened from failures the risk model cannot read (they would all look unrelated).
    const reliable = this.health.reliable() && this.unmapped.size === 0;
    const trusted = this.health.trustedSince();
    this.rounds.run(time, reliable, trusted);
    this.shadow?.run(time, reliable, trusted);
    for (const i of this.rounds.tracker.incidents()) {
      // Copies: the tracker keeps appending to its own arrays.
      const copy = { ...i, affected: [...i.affected], timeline: [...i.timeline] };
      this.publish(this.reportEvidence ? this.reportEvidence.decorate(copy, time) : copy);
    }
  }

  /** Publish an incident on the Bus if it changed since it was last published. */
  private publish(i: Incident): void {
    if (this.o.publishes && !this.o.publishes(i)) return;
    const json = JSON.stringify(i);
    if (this.published.get(i.id) === json) return;
    this.published.set(i.id, json);
    this.o.bus.publish('incident', i);
  }

  stats(): PipelineStats {
    const w = this.health.withheld();
    return {
      probes: this.probes,
      sites: this.watched.size,
      mapped: [...this.maps.values()].filter((m) => m.status === 'ok').length,
      mapMs: this.statsMap.mapMs,
      rounds: this.rounds.rounds,
      maxRoundMs: Math.round(this.rounds.maxRoundMs),
      timeoutMs: this.timeoutMs,
      withheldMs: w.ms,
      withheldPeriods: w.periods,
    };
  }

  /** The probe deadline in use, clock ms. */
  get probeTimeoutMs(): number {
    return this.timeoutMs;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all(this.mapping);
    this.guard.stop();
    this.health.stop();
    await this.fleet.stop();
    this.detection.close();
    for (const off of this.offs) off();
    await this.dns.close();
    const g = this.guard;
    this.log(
      `lag guard: ${g.discarded} measurements spoiled by the monitor's own stalls discarded, ` +
        `${g.discardedSlow} slow verdicts no slower than the machine's own answers, ` +
        `${g.discardedTimeouts} timeouts while the machine itself answered too slowly`,
    );
  }

  private async mapBatch(
    list: WatchedSite[],
    onMapped?: (maps: DomainMap[], graph: DependencyGraph) => void | Promise<void>,
  ): Promise<MapReport | null> {
    if (list.length === 0) return null;
    const { env } = this.o;
    const t0 = Date.now();
    let lastShown = 0;
    const report = await mapDomains(
      list.map((s) => s.domain),
      {
        dns: this.dns,
        catalog: env.catalog,
        asn: env.asn,
        regions: env.regions,
        http: { port: env.ports?.http ?? 80, timeoutMs: 3000 },
        tls: { port: env.ports?.https ?? 443, timeoutMs: 3000, ...(env.ca ? { ca: env.ca } : {}) },
        declared: this.o.declared,
        allowAddress: this.o.policy ? (a) => this.o.policy!.check(a).ok : undefined,
        onProgress: (p) => {
          const now = Date.now();
          if (p.total < 1000 || now - lastShown < 2000) return;
          lastShown = now;
          this.log(`mapping: ${p.phase} ${p.done}/${p.total}`);
        },
      },
    );
    this.statsMap.mapMs += Date.now() - t0;
    // A site that could not be mapped again (its DNS down in the middle of an outage, say) keeps
    // its last map: forgetting what it depends on would leave its failure unexplained.
    const kept = report.domains.filter(
      (m) => m.status !== 'ok' && (this.maps.get(m.domain)?.status === 'ok' || this.stored.has(m.domain)),
    );
    const maps = kept.length ? report.domains.filter((m) => !kept.includes(m)) : report.domains;
    if (kept.length)
      this.log(
        `kept the last map of ${kept.length} sites that could not be mapped again (${kept
          .slice(0, 3)
          .map((m) => `${m.domain}: ${m.detail ?? m.status}`)
          .join('; ')}${kept.length > 3 ? '; …' : ''})`,
      );
    for (const m of maps) this.stored.delete(m.domain);
    // Plans are told from co-hosting over every mapped site, not one batch: the batch's neighbours
    // on an address are told again with it.
    const changed = this.graphs.set(maps);
    this.rebuildGraph(
      changed,
      list.map((s) => s.domain),
    );
    if (this.reportEvidence) this.reportEvidence.providerSites = providerSites(this.graphs.graph());
    await onMapped?.(maps, this.graphs.graph());
    const mail = this.o.mail ?? true;
    const fresh: WatchedSite[] = [];
    const https = this.o.https ?? 'auto';
    const affordable = https === 'auto' && this.httpsAffordable();
    // Over HTTP for want of handshakes (not by choice): certificates are checked apart.
    const certs = https === 'auto' && !affordable && this.checkCertificates();
    for (const s of list) {
      const m = this.maps.get(s.domain);
      const kinds = s.kinds ?? (mail && m?.mail ? ['http', 'smtp'] : ['http']);
      const secure = s.secure ?? (https === 'auto' ? affordable && m?.tls?.issuer != null : https);
      const cert: ProbeKind[] = certs && s.secure === undefined && m?.tls?.issuer != null ? ['tls'] : [];
      // Already watched (probed first, or mapped again): what the map adds — its mail, the scheme
      // its certificate calls for (a site that moved to HTTPS since the last map), its certificate check.
      if (this.watched.has(s.domain)) {
        const web: ProbeKind[] = kinds.includes('smtp') ? ['http', 'smtp'] : ['http'];
        fresh.push({ domain: s.domain, kinds: [...web, ...cert], secure });
        continue;
      }
      this.watched.add(s.domain);
      fresh.push({ ...s, kinds: [...kinds, ...cert], secure });
    }
    this.fleet.add(fresh);
    const ok = report.domains.filter((m) => m.status === 'ok').length;
    if (list.length > 1 || fresh.length === 0)
      this.log(`mapped ${ok}/${report.domains.length} domains in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return report;
  }

  /**
   * The risk model after sites changed (`changed`: those whose dependencies the graph rebuilt or
   * dropped; `hold`: sites about to be watched): only they are set again, and the next round reads
   * the model they make: the one `buildRisk` over the whole graph would give (sites probed before
   * their map join it when their batch is mapped).
   */
  private rebuildGraph(changed: Iterable<string>, hold: readonly string[] = []): void {
    this.risk ??= new LiveRisk({ dns: false, mail: this.o.mail ?? true });
    const risk = this.risk;
    risk.describe(
      this.stored.size
        ? new Map([...this.storedComponents, ...this.graphs.components])
        : this.graphs.components,
    );
    for (const d of changed) {
      if (this.maps.has(d)) risk.set(d, this.graphs.dependenciesOf(d));
      else if (this.stored.has(d)) risk.set(d, this.stored.get(d) as Dependency[]);
      else if (this.watched.has(d)) risk.set(d, []);
      else risk.remove(d);
    }
    for (const d of hold) risk.site(d);
    const model = risk.model();
    this.rounds.setModel(model);
    this.shadow?.setModel(model);
  }

  private onHealth(s: SelfHealthState): void {
    this.fleet.shed?.(!s.reliable);
    this.o.bus.publish('health', s);
    this.log(
      `${new Date(s.at).toISOString()}  self-check: ${s.reliable ? 'measurements reliable again; probe load restored' : `WITHHOLDING verdicts and shedding probe load: ${s.reason}`}`,
    );
  }

  private progress(): void {
    const s = this.fleet.stats();
    const open = this.rounds.tracker.incidents().filter((i) => i.resolvedAt === null).length;
    this.log(
      `${new Date(this.o.clock.now()).toISOString()}  ${this.probes} probes, ${s.inflight} in flight, ` +
        `lateness p99 ${s.latenessP99Ms.toFixed(0)} ms, ${open} open incidents; ` +
        [...this.verdicts].map(([k, n]) => `${k} ${n}`).join(', '),
    );
    this.verdicts.clear();
  }
}

/** provider id → its monitored sites (any role). */
function providerSites(graph: DependencyGraph): Map<string, string[]> {
  const bySite = new Map<string, Set<string>>();
  for (const d of graph.dependencies) {
    if (!d.component.startsWith('provider:')) continue;
    const id = d.component.slice('provider:'.length);
    const set = bySite.get(id) ?? new Set<string>();
    set.add(d.site);
    bySite.set(id, set);
  }
  return new Map([...bySite].map(([p, s]) => [p, [...s]]));
}

/** A Bus the fleet publishes on: each observation is checked (lag guard) before the real Bus gets it. */
class RelayBus implements Bus {
  relay: (obs: Observation) => Observation = (o) => o;
  constructor(private readonly to: Bus) {}
  publish: Bus['publish'] = (topic, msg) => {
    if (topic === 'observation') this.to.publish('observation', this.relay(msg as Observation));
    else this.to.publish(topic, msg);
  };
  subscribe: Bus['subscribe'] = (topic, handler) => this.to.subscribe(topic, handler);
  async close(): Promise<void> {}
}
