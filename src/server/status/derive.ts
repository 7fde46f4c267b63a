/**
 * Pure derivations from Vigie's incidents to the vocabulary status tooling reads: which components a
 * cause names, the Statuspage lifecycle (investigating → identified → monitoring → resolved), impact,
 * a human name, and the state each component is in because of the open incidents.
 */
import type { Cause, Incident } from '../../model/incident.ts';
import type {
  Acknowledgement,
  ComponentState,
  Impact,
  IncidentPhase,
  IncidentStatus,
  IncidentView,
  SiteCounts,
} from './types.ts';

/**
 * The component ids a cause names, broadest first. The first is blamed fully (major outage); the
 * provider of a narrower cause (a region, a role, a shared segment) is partly out.
 */
export function causeComponents(cause: Cause): string[] {
  const out: string[] = [];
  const c = cause.component;
  // A declared component is named bare in a cause (`fw-shared-1`); its component id is `hidden:<name>`.
  if (c && !c.startsWith('site:')) out.push(c.includes(':') ? c : `hidden:${c}`);
  if (cause.provider && cause.region) out.unshift(`region:${cause.provider}/${cause.region}`);
  if (cause.asn !== null && !cause.provider) out.push(`network:as${cause.asn}`);
  if (cause.provider) out.push(`provider:${cause.provider}`);
  return [...new Set(out)];
}

/** True when the cause is the whole provider, not one of its parts. */
export function isWholeProvider(cause: Cause): boolean {
  return !!cause.provider && !cause.region && !cause.plan && !cause.role && !cause.component;
}

/** Site-level incidents: one site failing alone. */
export function isLoneSite(i: Incident): boolean {
  return i.cause.component?.startsWith('site:') ?? false;
}

function latestRestored(i: Incident): number {
  return i.timeline.length ? i.timeline[i.timeline.length - 1].restored : 0;
}

/** Statuspage lifecycle of an incident. */
export function incidentStatus(i: Incident, ack: Acknowledgement | null): IncidentStatus {
  if (i.resolvedAt !== null) return 'resolved';
  if (latestRestored(i) > 0) return 'monitoring';
  if (ack || (!isLoneSite(i) && i.confidence >= 0.9)) return 'identified';
  return 'investigating';
}

/**
 * The phase a reader is shown, consistent with the share restored: an open incident whose sites
 * all answer again is `recovered` (kept open a grace period to confirm), never "recovering".
 */
export function incidentPhase(i: Incident, ack: Acknowledgement | null): IncidentPhase {
  const status = incidentStatus(i, ack);
  if (status !== 'monitoring') return status;
  return latestRestored(i) >= 1 ? 'recovered' : 'recovering';
}

/** Impact: how much of the monitored web it hits and how broad the cause is. */
export function incidentImpact(i: Incident): Impact {
  const n = i.affected.length;
  if (n === 0) return 'none';
  if (i.kind === 'overload' || i.signature === 'slow') return n >= 10 ? 'major' : 'minor';
  if (isLoneSite(i) || n < 5) return 'minor';
  if (isWholeProvider(i.cause) && n >= 50) return 'critical';
  return 'major';
}

const KIND_WORDS: Record<Incident['kind'], string> = {
  network: 'network outage',
  http: 'HTTP errors',
  dns: 'DNS failure',
  tls: 'TLS failure',
  overload: 'overload',
  mail: 'mail outage',
  reported: 'reported down',
};

/** "ovh sbg hosting: network outage (312 sites)". */
export function incidentName(i: Incident): string {
  const c = i.cause;
  let who: string;
  if (isLoneSite(i)) who = (c.component as string).slice(5);
  else {
    const parts = [c.name ?? c.provider ?? (c.asn !== null ? `AS${c.asn}` : (c.component ?? 'unknown'))];
    if (c.region) parts.push(c.region);
    if (c.plan) parts.push(`${c.plan} hosting`);
    if (c.role) parts.push(c.role);
    if (c.component && !c.provider) parts.push(c.component);
    who = parts.join(' ');
  }
  const n = i.affected.length;
  return `${who}: ${KIND_WORDS[i.kind]} (${n} site${n === 1 ? '' : 's'})`;
}

/** The view of an incident the API serves. */
export function incidentView(i: Incident, ack: Acknowledgement | null): IncidentView {
  const last = i.timeline.length ? i.timeline[i.timeline.length - 1].time : i.detectedAt;
  return {
    ...i,
    name: incidentName(i),
    status: incidentStatus(i, ack),
    phase: incidentPhase(i, ack),
    impact: incidentImpact(i),
    components: causeComponents(i.cause),
    restored: latestRestored(i),
    acknowledged: ack,
    updatedAt: Math.max(last, i.resolvedAt ?? 0, ack?.at ?? 0),
  };
}

const RANK: Record<ComponentState, number> = {
  operational: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};

export function worseState(a: ComponentState, b: ComponentState): ComponentState {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The state every component named by an open incident is in: the cause's own component is out
 * (major outage; degraded performance for an overload), the provider of a narrower cause is partly out.
 */
export function blamedStates(
  open: readonly IncidentView[],
): Map<string, { state: ComponentState; incidents: string[] }> {
  const out = new Map<string, { state: ComponentState; incidents: string[] }>();
  const blame = (id: string, state: ComponentState, incident: string) => {
    const cur = out.get(id) ?? { state: 'operational' as ComponentState, incidents: [] };
    cur.state = worseState(cur.state, state);
    if (!cur.incidents.includes(incident)) cur.incidents.push(incident);
    out.set(id, cur);
  };
  for (const i of open) {
    if (i.resolvedAt !== null || isLoneSite(i)) continue;
    const slow = i.kind === 'overload' || i.signature === 'slow';
    const whole = isWholeProvider(i.cause);
    i.components.forEach((id, k) => {
      const provider = id.startsWith('provider:');
      const own = provider ? whole : k === 0;
      blame(id, slow ? 'degraded_performance' : own ? 'major_outage' : 'partial_outage', i.id);
    });
  }
  return out;
}

/**
 * A blamed component's state, made consistent with how many of its sites fail now: an open incident
 * keeps blaming its cause for a grace period after the sites are back, but a component none of whose
 * sites fails is not "down" (operational), and one with fewer than half of its sites failing is at
 * worst a partial outage. A component with no known dependent site keeps the blamed state.
 */
export function consistentState(blamed: ComponentState, sites: number, failing: number): ComponentState {
  if (sites <= 0 || blamed === 'operational') return blamed;
  if (failing <= 0) return 'operational';
  if (blamed === 'major_outage' && failing * 2 < sites) return 'partial_outage';
  return blamed;
}

/** What `status.json` says before any site has been checked (no site mapped, or no probe round yet). */
export const STARTING_DESCRIPTION = 'Starting: no sites checked yet';

/**
 * Statuspage's page indicator from the open incidents. Before anything is known (no site, or every
 * site still unknown, and no open incident) the indicator stays `none` — Statuspage has no
 * "starting" value, and tooling reads anything else as an outage — but the description says
 * {@link STARTING_DESCRIPTION} rather than claiming all systems are operational.
 */
export function pageIndicator(
  open: readonly IncidentView[],
  counts?: SiteCounts,
): { indicator: Impact; description: string } {
  let worst: Impact = 'none';
  const rank: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };
  for (const i of open) if (i.resolvedAt === null && rank[i.impact] > rank[worst]) worst = i.impact;
  const description = {
    none: 'All Systems Operational',
    minor: 'Minor Service Outage',
    major: 'Partial System Outage',
    critical: 'Major Service Outage',
  }[worst];
  const starting = counts !== undefined && (counts.sites === 0 || counts.unknown >= counts.sites);
  if (worst === 'none' && starting) return { indicator: 'none', description: STARTING_DESCRIPTION };
  return { indicator: worst, description };
}
