/**
 * The independent scorer (evaluation.md): reads only the scenario and a run's JSON output. For each
 * truth entry, the matching incident is the earliest one (by detection) whose cause names the truth's
 * provider — by catalog id, AS number or organisation name as the scenario gives them — at exactly the
 * truth's granularity (region / plan / role / component equal where the truth gives them, null where
 * it does not), and that overlaps the cause's time span. Truth entries naming the same cause are read
 * together (one cause cut into several faults is one incident): their sites, start and last recovery.
 */
import type { ProviderSpec, Scenario, TruthSpec } from '../scenario/types.ts';
import { computeTruth, type Truth, type TruthEntry } from './truth.ts';

/** The parts of a run's output the scorer reads. */
export interface ScoredIncident {
  id: string;
  cause: {
    provider: string | null;
    asn: number | null;
    name: string | null;
    region: string | null;
    plan: string | null;
    role: string | null;
    component: string | null;
  };
  startedAt: string;
  detectedAt: string;
  resolvedAt: string | null;
  affected: string[];
}

export interface EntryScore {
  fault: string;
  cause: TruthSpec['cause'];
  matched: boolean;
  incident: string | null;
  /** Seconds of simulated time from the cause's start to `detectedAt`. */
  detectionDelay: number | null;
  /** Seconds from the last hit site's recovery to `resolvedAt` (0 when both are open at the end). */
  resolutionDelay: number | null;
  affectedPrecision: number | null;
  affectedRecall: number | null;
  truthSites: number;
}

export interface Blame {
  incident: string;
  provider: string | null;
  reason: string;
}

export interface Score {
  entries: EntryScore[];
  wronglyBlamed: Blame[];
  totals: {
    entries: number;
    matched: number;
    detectionDelayMax: number | null;
    resolutionDelayMax: number | null;
    affectedPrecisionMin: number | null;
    affectedRecallMin: number | null;
    wronglyBlamed: number;
    probeIntervalS: number;
  };
}

/** Whether a cause names scenario provider `p`: its catalog id, its AS number or its organisation. */
export function namesProvider(cause: ScoredIncident['cause'], p: ProviderSpec): boolean {
  if (cause.provider === null) return false;
  if (cause.provider === p.id || (p.catalog !== undefined && cause.provider === p.catalog)) return true;
  if (cause.asn !== null && cause.asn === p.asn) return true;
  return cause.name !== null && cause.name.toLowerCase() === p.name.toLowerCase();
}

/** Same provider, no broader and no narrower than the truth's cause. */
export function sameCause(cause: ScoredIncident['cause'], t: TruthSpec['cause'], p: ProviderSpec): boolean {
  if (!namesProvider(cause, p)) return false;
  const eq = (a: string | null, b: string | undefined) =>
    b === undefined ? a === null : a !== null && a.toLowerCase() === b.toLowerCase();
  return (
    eq(cause.region, t.region) &&
    eq(cause.plan, t.plan) &&
    eq(cause.role, t.role) &&
    eq(cause.component, t.component)
  );
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

function span(i: ScoredIncident, end: number): [number, number] {
  return [Date.parse(i.startedAt), i.resolvedAt ? Date.parse(i.resolvedAt) : end];
}

function overlaps(a: [number, number], b: [number, number], slack: number): boolean {
  return a[0] <= b[1] + slack && b[0] <= a[1] + slack;
}

/** Score a run's output against its scenario. `truth` may be passed to avoid recomputing it. */
export function scoreRun(
  scenario: Scenario,
  output: { incidents: ScoredIncident[] },
  truth: Truth = computeTruth(scenario),
): Score {
  const providers = new Map(scenario.providers.map((p) => [p.id, p]));
  const slack = 2 * scenario.probeIntervalMs;
  const byDetection = [...output.incidents].sort(
    (a, b) => Date.parse(a.detectedAt) - Date.parse(b.detectedAt),
  );
  const entries = truth.entries.map((e) => scoreEntry(e, byDetection, providers, scenario.end, slack));
  const wronglyBlamed = blame(output.incidents, truth, providers, scenario.end, slack);
  const nums = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  const min = (xs: number[]) => (xs.length ? Math.min(...xs) : null);
  const matched = entries.filter((e) => e.matched);
  return {
    entries,
    wronglyBlamed,
    totals: {
      entries: entries.length,
      matched: matched.length,
      detectionDelayMax: max(nums(matched.map((e) => e.detectionDelay))),
      resolutionDelayMax: max(nums(matched.map((e) => e.resolutionDelay))),
      affectedPrecisionMin: min(nums(matched.map((e) => e.affectedPrecision))),
      affectedRecallMin: min(nums(matched.map((e) => e.affectedRecall))),
      wronglyBlamed: wronglyBlamed.length,
      probeIntervalS: scenario.probeIntervalMs / 1000,
    },
  };
}

function scoreEntry(
  e: TruthEntry,
  incidents: ScoredIncident[],
  providers: Map<string, ProviderSpec>,
  end: number,
  slack: number,
): EntryScore {
  const p = providers.get(e.spec.cause.provider);
  const inc = p
    ? incidents.find((i) => sameCause(i.cause, e.spec.cause, p) && overlaps(span(i, end), e.span, slack))
    : undefined;
  const base = { fault: e.spec.fault, cause: e.spec.cause, truthSites: e.sites.size };
  if (!inc)
    return {
      ...base,
      matched: false,
      incident: null,
      detectionDelay: null,
      resolutionDelay: null,
      affectedPrecision: null,
      affectedRecall: null,
    };
  const hit = inc.affected.filter((s) => e.sites.has(s)).length;
  const resolved = inc.resolvedAt ? Date.parse(inc.resolvedAt) : null;
  let resolutionDelay: number | null = null;
  if (e.lastRecovery !== null && resolved !== null) resolutionDelay = (resolved - e.lastRecovery) / 1000;
  else if (e.lastRecovery === null && resolved === null) resolutionDelay = 0;
  return {
    ...base,
    matched: true,
    incident: inc.id,
    detectionDelay: (Date.parse(inc.detectedAt) - e.start) / 1000,
    resolutionDelay,
    affectedPrecision: inc.affected.length ? round3(hit / inc.affected.length) : 0,
    affectedRecall: e.sites.size ? round3(hit / e.sites.size) : 1,
  };
}

/**
 * Incidents blaming a provider the truth clears while its fault runs, and provider-level incidents
 * with no scenario fault on that provider behind them (false alarms).
 */
function blame(
  incidents: ScoredIncident[],
  truth: Truth,
  providers: Map<string, ProviderSpec>,
  end: number,
  slack: number,
): Blame[] {
  const out: Blame[] = [];
  for (const i of incidents) {
    if (i.cause.provider === null) continue;
    const s = span(i, end);
    const cleared = truth.entries.find(
      (e) =>
        overlaps(s, e.span, 0) &&
        e.spec.not.some((id) => {
          const p = providers.get(id);
          return p !== undefined && namesProvider(i.cause, p);
        }),
    );
    if (cleared) {
      out.push({
        incident: i.id,
        provider: i.cause.provider,
        reason: `names a provider the truth of ${cleared.spec.fault} clears`,
      });
      continue;
    }
    const backedByTruth = truth.entries.some((e) => {
      const p = providers.get(e.spec.cause.provider);
      return p !== undefined && namesProvider(i.cause, p) && overlaps(s, e.span, slack);
    });
    const backedByFault = [...truth.faults.values()].some((f) => {
      const p = f.provider ? providers.get(f.provider) : undefined;
      return (
        p !== undefined && namesProvider(i.cause, p) && overlaps(s, [f.at, f.lastRecovery ?? end], slack)
      );
    });
    if (!backedByTruth && !backedByFault)
      out.push({
        incident: i.id,
        provider: i.cause.provider,
        reason: 'no fault on this provider: false alarm',
      });
  }
  return out;
}
