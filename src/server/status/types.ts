/**
 * The server's read model: what is true now (sites with their state, components with theirs and the
 * exonerations, incidents), behind one small interface so the HTTP layer never reaches into the
 * pipeline. {@link StatusSnapshot} implements it in memory, loaded from the Store and kept current
 * from the Bus; another process could implement it over a shared cache.
 */

import type { RegionalProblem } from '../../detect/consensus.ts';
import type { ServiceRole } from '../../detect/types.ts';
import type { Component, Incident, Signature, Site } from '../../model/index.ts';
import type { ReportLevelChange } from '../../reports/types.ts';

export type SiteStateName = 'up' | 'degraded' | 'down' | 'unknown';

/** One service of a site: web, dns or mail. */
export interface RoleState {
  state: SiteStateName;
  since: number | null;
  signature: Signature;
}

export interface SiteView extends Site {
  /** The worst state over the site's services. */
  state: SiteStateName;
  since: number | null;
  signature: Signature;
  services: Partial<Record<ServiceRole, RoleState>>;
}

/** Statuspage's component vocabulary, used for Vigie's components too. */
export type ComponentState = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage';

export interface ComponentExoneration {
  incident: string;
  evidence: string;
}

export interface ComponentView extends Component {
  state: ComponentState;
  /** Monitored sites depending on it, in any role. */
  sites: number;
  /** Of those, how many are not up right now (degraded or down). */
  failing: number;
  /** Open incidents blaming it (directly, or one of its regions, roles or segments). */
  incidents: string[];
  /** Open incidents in which it was shown not to be at fault, with the evidence. */
  exonerations: ComponentExoneration[];
  /** Clock time this server first saw the component (mapped, or loaded from the store). */
  firstSeen: number;
}

/** Statuspage's incident lifecycle, derived from Vigie's incident. */
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export type Impact = 'none' | 'minor' | 'major' | 'critical';
/**
 * The phase shown to readers: Statuspage's lifecycle with `monitoring` split by the share restored —
 * `recovering` (some sites back) or `recovered` (all back, kept open a grace period to confirm).
 */
export type IncidentPhase = 'investigating' | 'identified' | 'recovering' | 'recovered' | 'resolved';

export interface Acknowledgement {
  at: number;
  note: string;
}

export interface IncidentView extends Incident {
  name: string;
  status: IncidentStatus;
  phase: IncidentPhase;
  impact: Impact;
  /** Component ids the cause names (`provider:ovh`, `region:ovh/sbg`…). */
  components: string[];
  /** Share of the peak's failing sites restored, from the latest timeline point (0..1). */
  restored: number;
  acknowledged: Acknowledgement | null;
  updatedAt: number;
}

export interface VantageView {
  vantage: string;
  healthy: boolean;
  at: number;
  reason: string;
}

/** A vantage agent's own state, as the core's fleet knows it (`AgentFleet.states()`). */
export interface AgentState {
  vantage: string;
  state: 'healthy' | 'degraded' | 'gone';
  reason: string;
  /** Real ms since the epoch of its last heartbeat (null: never heard). */
  lastHeartbeat: number | null;
  probesPerS: number;
  /** Sites assigned to it (per its last heartbeat). */
  sites: number;
}

/** One vantage for the API and dashboard: its health, its agent's state, what it sees. */
export interface VantageSummary extends VantageView {
  /** `agent`: a `vigie agent` process; `local`: probes from the core's own process; `self-check`: the monitor itself. */
  kind: 'agent' | 'local' | 'self-check';
  /** healthy; degraded (its observations do not count, or its agent is late or backlogged); gone (its agent stopped). */
  state: 'healthy' | 'degraded' | 'gone';
  /** Agents: real ms since the epoch of the last heartbeat, and its age at the time of asking. */
  lastHeartbeat: number | null;
  heartbeatAgeMs: number | null;
  /** Clock time of its latest observation. */
  lastObservation: number | null;
  /** Probes started per second (an agent's heartbeat) or observations received per second (others). */
  probesPerS: number;
  /** Sites it has a result for (an agent: assigned to it), and of those, sites it sees failing now. */
  sites: number;
  failing: number;
}

/** A site's latest result from one vantage for one service. */
export interface VantageResult {
  role: ServiceRole;
  outcome: 'up' | 'degraded' | 'down';
  signature: Signature;
  /** Clock time of the probe. */
  time: number;
}

/** One site as one vantage sees it. */
export interface SiteVantageResult {
  vantage: string;
  /** A service of the site is not up from this vantage. */
  failing: boolean;
  /** This vantage agreed on the site's latest confirmed failure. */
  confirmedFailure: boolean;
  results: VantageResult[];
}

/** One row of a vantage's site list. */
export interface VantageSiteRow {
  site: string;
  /** The worst latest outcome over the site's services, from this vantage. */
  state: 'up' | 'degraded' | 'down';
  results: VantageResult[];
}

export interface VantageSiteQuery {
  state?: 'up' | 'degraded' | 'down';
  q?: string;
  offset: number;
  limit: number;
}

/** From where an incident's failure is seen: one vantage's share of the affected sites. */
export interface VantageSeen {
  vantage: string;
  /** Affected sites whose confirmed failure this vantage agreed on. */
  confirmed: number;
  /** Open incidents: affected sites it sees failing now, and affected sites it has a result for. */
  failing?: number;
  probed?: number;
}

export interface SiteCounts {
  sites: number;
  up: number;
  degraded: number;
  down: number;
  unknown: number;
}

export interface SiteQuery {
  state?: SiteStateName;
  /** Substring of the domain. */
  q?: string;
  offset: number;
  limit: number;
}

/** A change, as the live stream sends it. */
export type StatusEvent =
  | {
      type: 'transition';
      data: { site: string; role: ServiceRole; from: string; to: string; at: number; signature: Signature };
    }
  | { type: 'incident'; data: IncidentView }
  | { type: 'vantage'; data: VantageView }
  | { type: 'sites'; data: { added: string[]; removed: string[] } }
  | { type: 'acknowledged'; data: { incident: string } & Acknowledgement }
  | { type: 'reports'; data: ReportLevelChange };

/** What the HTTP layer reads. Every method is synchronous and cheap: the heavy lifting is done on change. */
export interface StatusSource {
  /** Increments on every change: a cache keyed on it is never stale. */
  version(): number;
  /** Clock time of the latest change. */
  updatedAt(): number;
  counts(): SiteCounts;
  sites(query: SiteQuery): { total: number; items: SiteView[] };
  site(domain: string): SiteView | null;
  components(): readonly ComponentView[];
  component(id: string): ComponentView | null;
  /** Incidents, most recently started first. */
  incidents(filter: 'open' | 'resolved' | 'all'): readonly IncidentView[];
  incident(id: string): IncidentView | null;
  /** Every vantage: health, agent state, heartbeat, probe rate, sites seen failing. */
  vantages(): VantageSummary[];
  /** One vantage's per-site results (null: no such vantage). */
  vantageSites(vantage: string, query: VantageSiteQuery): { total: number; items: VantageSiteRow[] } | null;
  /** One site's latest results from each vantage. */
  siteVantages(domain: string): SiteVantageResult[];
  /**
   * Sites failing from some healthy vantages but fewer than a quorum, now: path or regional
   * problems, not outages (no site state changes for them). One site's, or every one.
   */
  paths(domain?: string): RegionalProblem[];
  /** From where an incident's failure is seen (empty when no vantage data exists for its sites). */
  incidentVantages(id: string): VantageSeen[];
  /** Listen to changes; returns the unsubscribe function. */
  onChange(listener: (event: StatusEvent) => void): () => void;
}

/** The writes the API makes to the read model (after the Store has committed them). */
export interface StatusWriter {
  addSites(sites: readonly Site[]): void;
  removeSites(domains: readonly string[]): void;
  /** Null when no such incident. */
  acknowledge(id: string, note: string): Acknowledgement | null;
}
