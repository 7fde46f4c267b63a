/**
 * The in-memory {@link StatusSource}: loaded once from the Store, then kept current from the Bus
 * (transitions, incidents, vantage health) and from the API's own writes. Everything a request reads
 * is maintained incrementally or cached per version, so a status page over 100,000 sites costs the
 * same as over ten: counts per state and failing dependents per component are updated on each
 * transition, not recounted per request.
 */
import type { Bus } from '../../bus/bus.ts';
import type { RegionalProblem } from '../../detect/consensus.ts';
import type { ServiceRole, StateTransition, VantageHealthChange } from '../../detect/types.ts';
import type { Component, Dependency, Incident, Site } from '../../model/index.ts';
import type { Store } from '../../store/types.ts';
import { blamedStates, consistentState, incidentView } from './derive.ts';
import type {
  Acknowledgement,
  AgentState,
  ComponentView,
  IncidentView,
  RoleState,
  SiteCounts,
  SiteQuery,
  SiteStateName,
  SiteVantageResult,
  SiteView,
  StatusEvent,
  StatusSource,
  VantageSeen,
  VantageSiteQuery,
  VantageSiteRow,
  VantageSummary,
  VantageView,
} from './types.ts';
import { VantageResults } from './vantages.ts';

interface SiteEntry {
  site: Site;
  services: Partial<Record<ServiceRole, RoleState>>;
  state: SiteStateName;
}

const RANK: Record<SiteStateName, number> = { unknown: 0, up: 1, degraded: 2, down: 3 };
const failingState = (s: SiteStateName) => s === 'down' || s === 'degraded';

export interface SnapshotOptions {
  /** The pipeline's clock (only `now`). */
  clock: { now(): number };
  /** Resolved incidents kept in memory (most recent). Default 500. */
  keepResolved?: number;
  /** Real time, ms since the epoch (probe rates, heartbeat ages); default Date.now. */
  realNow?: () => number;
}

/** The vantage name under which the monitor's own self-check is shown (`/api/vantages`, `/api/health`). */
export const SELF_CHECK = 'self-check';

export class StatusSnapshot implements StatusSource {
  private v = 0;
  private changed: number;
  private siteMap = new Map<string, SiteEntry>();
  private stateCounts: SiteCounts = { sites: 0, up: 0, degraded: 0, down: 0, unknown: 0 };
  private componentMap = new Map<string, Component>();
  /** Component → clock time it was first seen (mapped, or loaded): Statuspage's `created_at`. */
  private firstSeen = new Map<string, number>();
  /** Site → the distinct components it depends on; component → dependents and failing dependents. */
  private siteDeps = new Map<string, string[]>();
  private dependents = new Map<string, number>();
  private failingDependents = new Map<string, number>();
  private incidentMap = new Map<string, Incident>();
  private acks = new Map<string, Acknowledgement>();
  private vantageMap = new Map<string, VantageView>();
  /** Sites failing from some vantages only (path problems), as the pipeline last said. */
  private pathMap = new Map<string, RegionalProblem>();
  private readonly results: VantageResults;
  private agents: (() => readonly AgentState[]) | null = null;
  private listeners = new Set<(e: StatusEvent) => void>();
  private cache: {
    version: number;
    incidents: IncidentView[];
    components: ComponentView[];
    byId: Map<string, ComponentView>;
  } | null = null;

  constructor(private readonly o: SnapshotOptions) {
    this.changed = o.clock.now();
    this.results = new VantageResults({ realNow: o.realNow });
  }

  /** Vantage agents (`AgentFleet.states()`): their state, heartbeat and probe rate join the vantages. */
  setAgents(states: (() => readonly AgentState[]) | null): void {
    this.agents = states;
  }

  /** Load sites, agreed states, components, dependencies and incidents from the store. */
  async load(store: Store): Promise<void> {
    this.addSites(await store.listSites(), false);
    for (const c of await store.currentStates()) {
      if (c.vantage !== null) continue;
      this.setService(c.site, c.role, { state: c.to, since: c.observationTime, signature: c.signature });
    }
    this.setDependencies(await store.listComponents(), await store.dependencies());
    for (const i of await store.incidents({ limit: this.o.keepResolved ?? 500 }))
      this.incidentMap.set(i.id, i);
    for (const i of await store.incidents({ open: true, limit: 10_000 })) this.incidentMap.set(i.id, i);
    this.touch();
  }

  /** Follow the pipeline: returns the function that stops following. */
  attach(bus: Bus): () => void {
    const offs = [
      bus.subscribe('transition', (t) => this.applyTransition(t)),
      bus.subscribe('incident', (i) => this.applyIncident(i)),
      bus.subscribe('vantage', (c) => this.applyVantage(c)),
      bus.subscribe('path', (c) => {
        if (c.problem && this.siteMap.has(c.site)) this.pathMap.set(c.site, c.problem);
        else this.pathMap.delete(c.site);
      }),
      // Each vantage's latest result per site: read on request, never a change of the status.
      bus.subscribe('observation', (o) => {
        if (this.siteMap.has(o.site)) this.results.observe(o);
      }),
      // The monitor's own self-check reads as one more vantage: this machine's.
      bus.subscribe('health', (h) =>
        this.applyVantage({ vantage: SELF_CHECK, healthy: h.reliable, at: h.at, reason: h.reason }),
      ),
      // Crowd-report levels are not part of the state: passed on to live streams only.
      bus.subscribe('report', (c) => this.emit({ type: 'reports', data: c })),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  applyTransition(t: StateTransition): void {
    if (!this.siteMap.has(t.site)) return;
    if (t.to !== 'up') this.results.confirm(t.site, t.vantages ?? []);
    this.setService(t.site, t.role, { state: t.to, since: t.since, signature: t.signature });
    this.touch();
    this.emit({
      type: 'transition',
      data: { site: t.site, role: t.role, from: t.from, to: t.to, at: t.at, signature: t.signature },
    });
  }

  applyIncident(i: Incident): void {
    this.incidentMap.set(i.id, i);
    this.pruneResolved();
    this.touch();
    this.emit({ type: 'incident', data: incidentView(i, this.acks.get(i.id) ?? null) });
  }

  applyVantage(c: VantageHealthChange): void {
    const view = { vantage: c.vantage, healthy: c.healthy, at: c.at, reason: c.reason };
    this.vantageMap.set(c.vantage, view);
    this.touch();
    this.emit({ type: 'vantage', data: view });
  }

  /** Add (or update) sites; new ones start `unknown`. */
  addSites(sites: readonly Site[], notify = true): void {
    const added: string[] = [];
    for (const site of sites) {
      const cur = this.siteMap.get(site.domain);
      if (cur) {
        cur.site = site;
        continue;
      }
      this.siteMap.set(site.domain, { site, services: {}, state: 'unknown' });
      this.stateCounts.sites++;
      this.stateCounts.unknown++;
      added.push(site.domain);
    }
    if (notify) {
      this.touch();
      this.emit({ type: 'sites', data: { added, removed: [] } });
    }
  }

  removeSites(domains: readonly string[]): void {
    const removed: string[] = [];
    for (const d of domains) {
      const e = this.siteMap.get(d);
      if (!e) continue;
      this.pathMap.delete(d);
      this.countFailing(d, e.state, 'unknown');
      this.stateCounts[e.state]--;
      this.stateCounts.sites--;
      for (const c of this.siteDeps.get(d) ?? []) this.dependents.set(c, (this.dependents.get(c) ?? 1) - 1);
      this.siteDeps.delete(d);
      this.siteMap.delete(d);
      this.results.removeSite(d);
      removed.push(d);
    }
    this.touch();
    this.emit({ type: 'sites', data: { added: [], removed } });
  }

  /** Replace the known components and the dependencies of the sites they mention. */
  setDependencies(components: readonly Component[], dependencies: readonly Dependency[]): void {
    const now = this.o.clock.now();
    for (const c of components) {
      this.componentMap.set(c.id, c);
      if (!this.firstSeen.has(c.id)) this.firstSeen.set(c.id, now);
    }
    const bySite = new Map<string, Set<string>>();
    for (const d of dependencies) {
      let s = bySite.get(d.site);
      if (!s) {
        s = new Set();
        bySite.set(d.site, s);
      }
      s.add(d.component);
    }
    for (const [site, comps] of bySite) {
      const e = this.siteMap.get(site);
      const failing = e ? failingState(e.state) : false;
      for (const c of this.siteDeps.get(site) ?? []) {
        this.dependents.set(c, (this.dependents.get(c) ?? 1) - 1);
        if (failing) this.failingDependents.set(c, (this.failingDependents.get(c) ?? 1) - 1);
      }
      const list = [...comps];
      this.siteDeps.set(site, list);
      for (const c of list) {
        this.dependents.set(c, (this.dependents.get(c) ?? 0) + 1);
        if (failing) this.failingDependents.set(c, (this.failingDependents.get(c) ?? 0) + 1);
      }
    }
    this.touch();
  }

  acknowledge(id: string, note: string): Acknowledgement | null {
    if (!this.incidentMap.has(id)) return null;
    const ack = { at: this.o.clock.now(), note };
    this.acks.set(id, ack);
    this.touch();
    this.emit({ type: 'acknowledged', data: { incident: id, ...ack } });
    return ack;
  }

  // --- StatusSource ---------------------------------------------------------------------------

  version(): number {
    return this.v;
  }

  updatedAt(): number {
    return this.changed;
  }

  counts(): SiteCounts {
    return { ...this.stateCounts };
  }

  sites(q: SiteQuery): { total: number; items: SiteView[] } {
    const items: SiteView[] = [];
    let total = 0;
    const needle = q.q?.toLowerCase();
    for (const e of this.siteMap.values()) {
      if (q.state && e.state !== q.state) continue;
      if (needle && !e.site.domain.includes(needle)) continue;
      if (total >= q.offset && items.length < q.limit) items.push(view(e));
      total++;
    }
    return { total, items };
  }

  site(domain: string): SiteView | null {
    const e = this.siteMap.get(domain);
    return e ? view(e) : null;
  }

  components(): readonly ComponentView[] {
    return this.derived().components;
  }

  component(id: string): ComponentView | null {
    return this.derived().byId.get(id) ?? null;
  }

  incidents(filter: 'open' | 'resolved' | 'all'): readonly IncidentView[] {
    const all = this.derived().incidents;
    if (filter === 'all') return all;
    return all.filter((i) => (filter === 'open') === (i.resolvedAt === null));
  }

  incident(id: string): IncidentView | null {
    return this.derived().incidents.find((i) => i.id === id) ?? null;
  }

  vantages(): VantageSummary[] {
    const agents = new Map((this.agents?.() ?? []).map((a) => [a.vantage, a]));
    const names = [...new Set([...agents.keys(), ...this.results.names(), ...this.vantageMap.keys()])];
    const realNow = (this.o.realNow ?? Date.now)();
    return names.map((name) => {
      const health = this.vantageMap.get(name);
      const agent = agents.get(name);
      const seen = this.results.summary(name);
      const healthy = health?.healthy ?? true;
      return {
        vantage: name,
        kind: agent ? 'agent' : name === SELF_CHECK ? 'self-check' : 'local',
        state: agent?.state ?? (healthy ? 'healthy' : 'degraded'),
        healthy,
        at: health?.at ?? seen?.lastAt ?? 0,
        reason: agent?.reason || health?.reason || '',
        lastHeartbeat: agent?.lastHeartbeat ?? null,
        heartbeatAgeMs: agent?.lastHeartbeat != null ? Math.max(0, realNow - agent.lastHeartbeat) : null,
        lastObservation: seen?.lastAt ?? null,
        probesPerS: agent ? agent.probesPerS : (seen?.probesPerS ?? 0),
        sites: agent ? agent.sites : (seen?.sites ?? 0),
        failing: seen?.failing ?? 0,
      };
    });
  }

  vantageSites(vantage: string, q: VantageSiteQuery): { total: number; items: VantageSiteRow[] } | null {
    const found = this.results.sites(vantage, q);
    if (found) return found;
    // Known but without a result yet (an agent before its first batch, the self-check): an empty list.
    return this.vantages().some((v) => v.vantage === vantage) ? { total: 0, items: [] } : null;
  }

  siteVantages(domain: string): SiteVantageResult[] {
    return this.results.site(domain);
  }

  paths(domain?: string): RegionalProblem[] {
    if (domain !== undefined) {
      const p = this.pathMap.get(domain);
      return p ? [p] : [];
    }
    return [...this.pathMap.values()].sort((a, b) => a.since - b.since || a.site.localeCompare(b.site));
  }

  incidentVantages(id: string): VantageSeen[] {
    const i = this.incidentMap.get(id);
    if (!i) return [];
    const seen = this.results.seenFrom(i.affected);
    // Once resolved, what vantages see now is no longer its failure: only who confirmed it counts.
    return i.resolvedAt === null
      ? seen
      : seen.filter((s) => s.confirmed > 0).map((s) => ({ vantage: s.vantage, confirmed: s.confirmed }));
  }

  onChange(listener: (e: StatusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- internals ------------------------------------------------------------------------------

  private setService(domain: string, role: ServiceRole, s: RoleState): void {
    const e = this.siteMap.get(domain);
    if (!e) return;
    e.services[role] = s;
    let worst: SiteStateName = 'unknown';
    for (const r of Object.values(e.services)) if (r && RANK[r.state] > RANK[worst]) worst = r.state;
    if (worst === e.state) return;
    this.countFailing(domain, e.state, worst);
    this.stateCounts[e.state]--;
    this.stateCounts[worst]++;
    e.state = worst;
  }

  private countFailing(domain: string, from: SiteStateName, to: SiteStateName): void {
    const delta = Number(failingState(to)) - Number(failingState(from));
    if (delta === 0) return;
    for (const c of this.siteDeps.get(domain) ?? [])
      this.failingDependents.set(c, (this.failingDependents.get(c) ?? 0) + delta);
  }

  private pruneResolved(): void {
    const keep = this.o.keepResolved ?? 500;
    const resolved = [...this.incidentMap.values()].filter((i) => i.resolvedAt !== null);
    if (resolved.length <= keep) return;
    resolved.sort((a, b) => b.startedAt - a.startedAt);
    for (const i of resolved.slice(keep)) {
      this.incidentMap.delete(i.id);
      this.acks.delete(i.id);
    }
  }

  /** Incident and component views, recomputed once per version (O(components + incidents)). */
  private derived(): NonNullable<StatusSnapshot['cache']> {
    if (this.cache?.version === this.v) return this.cache;
    const incidents = [...this.incidentMap.values()]
      .map((i) => incidentView(i, this.acks.get(i.id) ?? null))
      .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
    const open = incidents.filter((i) => i.resolvedAt === null);
    const blamed = blamedStates(open);
    const exonerations = new Map<string, { incident: string; evidence: string }[]>();
    for (const i of open)
      for (const x of i.exonerated) {
        const id = `provider:${x.provider}`;
        const list = exonerations.get(id) ?? [];
        list.push({ incident: i.id, evidence: x.evidence });
        exonerations.set(id, list);
      }
    const components: ComponentView[] = [];
    const byId = new Map<string, ComponentView>();
    for (const c of this.componentMap.values()) {
      const b = blamed.get(c.id);
      const sites = this.dependents.get(c.id) ?? 0;
      const failing = this.failingDependents.get(c.id) ?? 0;
      const cv: ComponentView = {
        ...c,
        state: consistentState(b?.state ?? 'operational', sites, failing),
        sites,
        failing,
        incidents: b?.incidents ?? [],
        exonerations: exonerations.get(c.id) ?? [],
        firstSeen: this.firstSeen.get(c.id) ?? this.changed,
      };
      components.push(cv);
      byId.set(c.id, cv);
    }
    components.sort((a, b) => b.sites - a.sites || (a.id < b.id ? -1 : 1));
    this.cache = { version: this.v, incidents, components, byId };
    return this.cache;
  }

  private touch(): void {
    this.v++;
    this.changed = this.o.clock.now();
  }

  private emit(e: StatusEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed stream) must not stop the others.
      }
    }
  }
}

function view(e: SiteEntry): SiteView {
  let since: number | null = null;
  let signature: SiteView['signature'] = 'ok';
  for (const r of Object.values(e.services)) {
    if (r && r.state === e.state) {
      since = r.since;
      signature = r.signature;
    }
  }
  return { ...e.site, state: e.state, since, signature, services: { ...e.services } };
}
