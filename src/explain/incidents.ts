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
    // When each failing site began failing (its earliest failing service).
    const failingSites = new Map<string, number>();
    for (const f of inference.input)
      failingSites.set(f.site, Math.min(failingSites.get(f.site) ?? f.since, f.since));
    for (const s of this.states) s.seenThisRound = false;
    inference.causes.forEach((c, k) => {
      const since = earliest(inference, c.failures);
      const breadth = BREADTH[c.key.split(':')[0] as GroupKind] ?? 4;
      const st =
        this.match(c.key, c.cause.provider, c.sites, time, since) ??
        this.open(c.key, breadth, c.cause, since);
      if (
        breadth < st.breadth ||
        (c.key !== st.key && c.sites.length > Math.max(st.evidenceSites, 2 * st.peak))
      ) {
        // Widening: the same failure turned out broader (region → provider). Keep the incident.
        // Or a reading better supported than any before: a provider named on a handful of early
        // failures, then one of its roles on hundreds — the incident takes the well-supported cause
        // (never on the way down, where the narrower causes of a recovery have fewer sites).
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

  /**
   * Causes read early, from failures not yet confirmed one by one (see the run's rounds): a strong one
   * opens (or confirms) its incident at once. Its affected sites and timeline still come only from
   * {@link update}, i.e. from confirmed failures.
   */
  early(time: number, inference: Inference, evidence: readonly CauseEvidence[] = []): void {
    inference.causes.forEach((c, k) => {
      // A declared component (the operator told us it exists and is shared) whose every dependent
      // fails at once is as strong as evidence gets, however few they are.
      const whole = c.key.startsWith('hidden:') && c.failing >= c.total;
      if (!whole && (c.sites.length < this.o.strongSites || c.confidence < this.o.strongConfidence)) return;
      const breadth = BREADTH[c.key.split(':')[0] as GroupKind] ?? 4;
      const found = this.match(c.key, c.cause.provider, c.sites, time, earliest(inference, c.failures));
      if (found && found.id !== null && found.resolvedAt === null) return;
      const st = found ?? this.open(c.key, breadth, c.cause, earliest(inference, c.failures));
      st.startedAt = Math.min(st.startedAt, earliest(inference, c.failures));
      st.lastSeen = time;
      st.resolvedAt = null;
      st.kind = c.kind;
      st.signature = c.signature;
      st.confidence = Math.max(st.confidence, c.confidence);
      if (st.id === null) {
        st.id = `inc-${this.next++}`;
        st.detectedAt = time;
      }
      const ev = evidence[k];
      if (ev && st.evidence.length === 0) {
        st.evidence = ev.lines;
        st.exonerated = ev.exonerated;
      }
    });
  }

  /** Sites an open shared-cause incident holds. */
  claimedSites(): Set<string> {
    const claimed = new Set<string>();
    for (const s of this.states)
      if (s.breadth < BREADTH.site && s.resolvedAt === null && s.id !== null)
        for (const x of s.affected) claimed.add(x);
    return claimed;
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

  private match(
    key: string,
    provider: string | null,
    sites: string[],
    time: number,
    since = time,
  ): State | undefined {
    const live = (s: State) => s.resolvedAt === null || time - s.resolvedAt <= this.o.graceMs;
    const same = this.states.find((s) => s.key === key && live(s));
    if (same || provider === null) return same;
    // The same provider's failure seen at another granularity, over the same sites — not a much
    // larger failure that began well after a small one (a few sites' trouble, then an outage).
    return this.states.find((s) => {
      if (s.cause.provider !== provider || !live(s)) return false;
      const larger = sites.length > 2 * Math.max(s.peak, s.affected.size, 1);
      if (larger && s.affected.size > 0 && since - s.startedAt > this.o.graceMs) return false;
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

  private advance(st: State, time: number, failingSites: Map<string, number>): void {
    if (!st.seenThisRound) st.streak = 0;
    if (st.resolvedAt !== null) return;
    // An affected site still counts while the failure the cause was last seen with goes on; one that
    // recovered and then failed again after the cause stopped showing is a new, unrelated failure
    // (noise on one of hundreds of sites must not hold the incident open).
    let failing = 0;
    for (const x of st.affected) {
      const since = failingSites.get(x);
      if (since !== undefined && since <= st.lastSeen) failing++;
    }
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
