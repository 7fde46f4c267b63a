/**
 * Incidents over time. Fed every evaluation round (clock time, the round's inference and evidence), the
 * tracker keeps one incident per cause: opened when the cause is confirmed (seen in two consecutive
 * rounds, or at once when strong), flapping merged (a cause absent for less than the grace period — or
 * back within it after resolution — is the same incident), widened in place (a region cause that
 * becomes its whole provider updates the incident; a cause never narrows, so recovery region by region
 * does not rename it), followed through its peak and restoration share to resolution (no affected site
 * failing for the grace period; resolved at the time the last one recovered). Sites failing alone get
 * site-level incidents, dropped again if a shared cause takes them.
 */
import type { Cause, Exoneration, Incident, IncidentKind, TimelinePoint } from '../model/incident.ts';
import type { Signature } from '../model/observation.ts';
import type { CauseEvidence } from './evidence.ts';
import type { GroupKind, Inference } from './types.ts';

export interface TrackerOptions {
  /** How long a cause may vanish, or an incident stay clear, before it is resolved (default 5 min). */
  graceMs: number;
  /** Consecutive rounds that confirm a cause (default 2). */
  confirmRounds: number;
  /** A cause this strong opens at once: at least `strongSites` sites and `strongConfidence`. */
  strongSites: number;
  strongConfidence: number;
}

export const DEFAULT_TRACKER: TrackerOptions = {
  graceMs: 5 * 60_000,
  confirmRounds: 2,
  strongSites: 10,
  strongConfidence: 0.99,
};

const BREADTH: Record<GroupKind | 'site', number> = {
  provider: 0,
  role: 1,
  region: 2,
  plan: 2,
  network: 3,
  hidden: 3,
  segment: 4,
  site: 5,
};

interface State {
  id: string | null;
  key: string;
  breadth: number;
  cause: Cause;
  kind: IncidentKind;
  signature: Signature;
  confidence: number;
  startedAt: number;
  detectedAt: number | null;
  peak: number;
  peakAt: number | null;
  resolvedAt: number | null;
  /** Time the incident's sites were all clear, while they still are. */
  clearSince: number | null;
  lastSeen: number;
  streak: number;
  affected: Set<string>;
  exonerated: Exoneration[];
  evidence: string[];
  /** Sites and breadth of the round the evidence comes from. */
  evidenceSites: number;
  evidenceBreadth: number;
  timeline: TimelinePoint[];
  seenThisRound: boolean;
}

/** Follows causes round after round and turns them into incidents. */
export class IncidentTracker {
  private states: State[] = [];
  private next = 1;
  private readonly o: TrackerOptions;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.o = { ...DEFAULT_TRACKER, ...options };
  }

  /**
   * One evaluation round. `evidence` (from `explainAll`, same order as `inference.causes`) fills the
   * incidents' evidence and exonerations.
   */
  update(time: number, inference: Inference, evidence: readonly CauseEvidence[] = []): void {
    const failingSites = new Set(inference.input.map((f) => f.site));
    for (const s of this.states) s.seenThisRound = false;
    inference.causes.forEach((c, k) => {
      const since = earliest(inference, c.failures);
      const breadth = BREADTH[c.key.split(':')[0] as GroupKind] ?? 4;
      const st =
        this.match(c.key, c.cause.provider, c.sites, time) ?? this.open(c.key, breadth, c.cause, since);
      if (breadth < st.breadth) {
        // Widening: the same failure turned out broader (region → provider). Keep the incident.
        st.key = c.key;
        st.breadth = breadth;
        st.cause = c.cause;
      }
      this.see(st, time, since, c.sites, c.kind, c.signature, c.confidence);
      // Evidence is kept from the round that saw the cause widest (its peak), not overwritten by a
      // tail of recovery where a handful of sites still fail and every count looks small.
      const ev = evidence[k];
      if (ev && (c.sites.length >= st.evidenceSites || breadth < st.evidenceBreadth)) {
        st.evidence = ev.lines;
        st.exonerated = ev.exonerated;
        st.evidenceSites = c.sites.length;
        st.evidenceBreadth = breadth;
      }
    });
    const claimed = new Set<string>();
    for (const s of this.states)
      if (s.breadth < BREADTH.site && s.resolvedAt === null) for (const x of s.affected) claimed.add(x);
    for (const lone of inference.lone) {
      if (claimed.has(lone.site)) continue; // still failing from a known cause: part of its tail
      const key = `site:${lone.site}`;
      const since = earliest(inference, lone.failures);
      const cause: Cause = {
        provider: null,
        asn: null,
        name: null,
        region: null,
        plan: null,
        role: null,
        component: key,
      };
      const st = this.match(key, null, [lone.site], time) ?? this.open(key, BREADTH.site, cause, since);
      this.see(st, time, since, [lone.site], lone.kind, lone.signature, 0.9);
    }
    // A shared cause took sites that were failing alone: their site-level incidents were its start.
    this.states = this.states.filter(
      (s) => s.breadth < BREADTH.site || !claimed.has(s.key.slice(5)) || s.resolvedAt !== null,
    );
    for (const s of this.states) this.advance(s, time, failingSites);
    // An unconfirmed cause that vanished was a passing coincidence.
    this.states = this.states.filter((s) => s.id !== null || s.seenThisRound);
  }

  /** Confirmed incidents, oldest first. */
  incidents(): Incident[] {
    return this.states
      .filter((s) => s.id !== null)
      .map((s) => ({
        id: s.id as string,
        cause: s.cause,
        kind: s.kind,
        signature: s.signature,
        confidence: s.confidence,
        startedAt: s.startedAt,
        detectedAt: s.detectedAt as number,
        peakAt: s.peakAt,
        resolvedAt: s.resolvedAt,
        affected: [...s.affected].sort(),
        exonerated: s.exonerated,
        evidence: s.evidence,
        timeline: s.timeline,
      }));
  }

  private match(key: string, provider: string | null, sites: string[], time: number): State | undefined {
    const live = (s: State) => s.resolvedAt === null || time - s.resolvedAt <= this.o.graceMs;
    const same = this.states.find((s) => s.key === key && live(s));
    if (same || provider === null) return same;
    // The same provider's failure seen at another granularity, over the same sites.
    return this.states.find((s) => {
      if (s.cause.provider !== provider || !live(s)) return false;
      let common = 0;
      for (const x of sites) if (s.affected.has(x)) common++;
      return common >= Math.min(sites.length, s.affected.size) / 2;
    });
  }

  private open(key: string, breadth: number, cause: Cause, since: number): State {
    const st: State = {
      id: null,
      key,
      breadth,
      cause,
      kind: 'network',
      signature: 'connect_timeout',
      confidence: 0,
      startedAt: since,
      detectedAt: null,
      peak: 0,
      peakAt: null,
      resolvedAt: null,
      clearSince: null,
      lastSeen: since,
      streak: 0,
      affected: new Set(),
      exonerated: [],
      evidence: [],
      evidenceSites: 0,
      evidenceBreadth: breadth,
      timeline: [],
      seenThisRound: false,
    };
    this.states.push(st);
    return st;
  }

  private see(
    st: State,
    time: number,
    since: number,
    sites: string[],
    kind: IncidentKind,
    signature: Signature,
    confidence: number,
  ): void {
    if (!st.seenThisRound) st.streak++;
    st.seenThisRound = true;
    st.lastSeen = time;
    st.resolvedAt = null; // back within the grace period: the same incident
    st.startedAt = Math.min(st.startedAt, since);
    for (const x of sites) st.affected.add(x);
    st.kind = kind;
    st.signature = signature;
    st.confidence = Math.max(st.confidence, confidence);
    const strong = sites.length >= this.o.strongSites && confidence >= this.o.strongConfidence;
    if (st.id === null && (st.streak >= this.o.confirmRounds || (strong && st.breadth < BREADTH.site))) {
      st.id = `inc-${this.next++}`;
      st.detectedAt = time;
    }
  }

  private advance(st: State, time: number, failingSites: Set<string>): void {
    if (!st.seenThisRound) st.streak = 0;
    if (st.resolvedAt !== null) return;
    let failing = 0;
    for (const x of st.affected) if (failingSites.has(x)) failing++;
    if (st.id === null) return;
    if (failing > st.peak) {
      st.peak = failing;
      st.peakAt = time;
    }
    const restored = st.peak > 0 ? 1 - failing / st.peak : 0;
    st.timeline.push({ time, failing, restored: Math.round(restored * 1000) / 1000 });
    if (failing > 0) st.clearSince = null;
    else if (st.clearSince === null) st.clearSince = time;
    if (st.clearSince !== null && !st.seenThisRound && time - st.clearSince >= this.o.graceMs) {
      st.resolvedAt = st.clearSince;
    }
  }
}

function earliest(inference: Inference, failures: number[]): number {
  let t = Number.POSITIVE_INFINITY;
  for (const i of failures) t = Math.min(t, inference.input[i].since);
  return t;
}
