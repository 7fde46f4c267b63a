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
import type { GroupKind, Inference, LoneFailure } from './types.ts';

export interface TrackerOptions {
  /** How long a cause may vanish, or an incident stay clear, before it is resolved (default 5 min). */
  graceMs: number;
  /** Consecutive rounds that confirm a cause (default 2). */
  confirmRounds: number;
  /** A cause this strong opens at once: at least `strongSites` sites and `strongConfidence`. */
  strongSites: number;
  strongConfidence: number;
  /** The probe interval, clock ms: the time scale of onsets, clusters and lone sites (default 60 s). */
  intervalMs: number;
  /**
   * Sites failing together with one signature and no shared cause found yet form one cluster
   * incident from this many (default 3: the fewest sites inference names a shared cause from).
   */
  clusterSites: number;
  /** Incident ids are `${idPrefix}inc-N` (default ''). */
  idPrefix: string;
}

export const DEFAULT_TRACKER: TrackerOptions = {
  graceMs: 5 * 60_000,
  confirmRounds: 2,
  strongSites: 10,
  strongConfidence: 0.99,
  intervalMs: 60_000,
  clusterSites: 3,
  idPrefix: '',
};

const BREADTH: Record<GroupKind | 'site' | 'cluster', number> = {
  provider: 0,
  role: 1,
  region: 2,
  plan: 2,
  network: 3,
  hidden: 3,
  segment: 4,
  /** Sites failing together, cause not yet established: any named cause is broader. */
  cluster: 4.5,
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
  /**
   * The round at which it was resolved (its `resolvedAt` is backdated to the restoration): the
   * grace period within which its cause's return reopens it runs from here.
   */
  closedAt: number | null;
  /** Closed as a duplicate of another incident: never reopened. */
  merged: boolean;
  /**
   * Resumed from a store and its cause not read again yet: after a restart, detection confirms its
   * sites anew (their failures now look as if they began after the cause was last seen) and the
   * risk model may not be built yet — until the cause is read again, every affected site failing
   * counts, so the incident is neither resolved nor duplicated by the monitor's own restart.
   */
  resumed: boolean;
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
  private states_: State[] = [];
  private next = 1;
  private readonly o: TrackerOptions;
  /** Whether this round's verdicts may open incidents (the monitor's own measurements are sound). */
  private reliable = true;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.o = { ...DEFAULT_TRACKER, ...options };
  }

  /**
   * One evaluation round. `evidence` (from `explainAll`, same order as `inference.causes`) fills the
   * incidents' evidence and exonerations. With `reliable` false (the monitor cannot trust its own
   * measurements), incidents already open are followed but nothing new is confirmed.
   */
  update(time: number, inference: Inference, evidence: readonly CauseEvidence[] = [], reliable = true): void {
    this.reliable = reliable;
    // When each failing site began failing (its earliest failing service).
    const failingSites = new Map<string, number>();
    for (const f of inference.input)
      failingSites.set(f.site, Math.min(failingSites.get(f.site) ?? f.since, f.since));
    for (const s of this.states_) s.seenThisRound = false;
    /** Each site a cause explains this round → the state following that cause. */
    const explainedBy = new Map<string, State>();
    /** The states this round's named causes were read into, with the sites each explains now. */
    const named: { st: State; sites: string[]; since: number }[] = [];
    inference.causes.forEach((c, k) => {
      const { st, since, breadth, within } = this.holder(time, inference, c);
      if (
        breadth < st.breadth ||
        (!within && c.key !== st.key && c.sites.length > Math.max(st.evidenceSites, 2 * st.peak))
      ) {
        // Widening: the same failure turned out broader (region → provider), or a cluster of sites
        // failing alike got its cause. Keep the incident. Or a reading better supported than any
        // before: a provider named on a handful of early failures, then one of its roles on
        // hundreds — the incident takes the well-supported cause (never on the way down, where the
        // narrower causes of a recovery have fewer sites).
        if (st.key.startsWith('cluster:'))
          st.evidence = [
            `first seen as ${st.affected.size} sites failing alike; cause established at ${new Date(time).toISOString()}: ${c.key}`,
          ];
        st.key = c.key;
        st.breadth = breadth;
        st.cause = c.cause;
      }
      this.see(st, time, since, c.sites, c.kind, c.signature, c.confidence);
      if (!st.key.startsWith('cluster:')) for (const x of c.sites) explainedBy.set(x, st);
      named.push({ st, sites: c.sites, since: typical(inference, c.failures) });
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
    this.mergeFamilies(time, named, explainedBy);
    this.absorbClusters(time, explainedBy);
    this.lone(time, inference);
    for (const s of this.states_) this.advance(s, time, failingSites);
    // An unconfirmed cause that vanished was a passing coincidence.
    this.states_ = this.states_.filter((s) => s.id !== null || s.seenThisRound);
  }

  /**
   * One failure, one incident. Early rounds read a provider's outage in parts — its hosting first,
   * its mail a minute later, one region, one shared-hosting segment — and each part may have been
   * followed, even published, before the whole was read. When a cause of this round explains, at
   * a broader granularity, what an open incident of the same provider was about (at least
   * half of that incident's sites are among the cause's failing sites) and that incident's own cause
   * is not read this round, both are the same failure: the one detected first carries on under the
   * broader cause, with the other's sites and start; the other, if published, is closed as merged
   * into it. Not merged: a much larger failure that began well after a small one (a few sites'
   * trouble, then an outage), and a narrower incident still read apart (two of a provider's regions
   * failing at once are two causes for as long as the inference keeps them apart).
   */
  private mergeFamilies(
    time: number,
    named: { st: State; sites: string[]; since: number }[],
    explainedBy: Map<string, State>,
  ): void {
    for (const { st, sites, since } of named) {
      const provider = st.cause.provider;
      if (provider === null || st.key.startsWith('cluster:')) continue;
      if (st.resolvedAt !== null || !this.states_.includes(st)) continue;
      const now = new Set(sites);
      for (const other of [...this.states_]) {
        if (other === st || other.seenThisRound || other.resolvedAt !== null) continue;
        // A narrower incident of the provider, or one that came to carry the very same cause (a
        // cluster refined into it while the other was still read at another granularity).
        if (other.cause.provider !== provider || (other.breadth <= st.breadth && other.key !== st.key))
          continue;
        if (other.affected.size === 0) continue;
        let common = 0;
        for (const x of other.affected) if (now.has(x)) common++;
        if (common * 2 < other.affected.size) continue;
        const larger = sites.length > 2 * Math.max(other.peak, other.affected.size, 1);
        if (larger && !other.resumed && since - other.startedAt > this.o.graceMs) continue;
        const keep = this.merge(time, st, other);
        for (const [x, s] of explainedBy) if (s === st || s === other) explainedBy.set(x, keep);
        if (keep !== st) break; // `st` is gone: the incident it joined carries on
      }
    }
  }

  /** `narrow` is the same failure as `broad`, read in part: one incident carries on, under `broad`'s cause. */
  private merge(time: number, broad: State, narrow: State): State {
    const firstIsNarrow =
      narrow.id !== null && (broad.id === null || (narrow.detectedAt ?? time) < (broad.detectedAt ?? time));
    const keep = firstIsNarrow ? narrow : broad;
    const gone = firstIsNarrow ? broad : narrow;
    if (keep !== broad) {
      keep.key = broad.key;
      keep.breadth = broad.breadth;
      keep.cause = broad.cause;
      keep.kind = broad.kind;
      keep.signature = broad.signature;
      keep.confidence = Math.max(keep.confidence, broad.confidence);
      keep.lastSeen = Math.max(keep.lastSeen, broad.lastSeen);
      keep.streak = Math.max(keep.streak, broad.streak);
      keep.seenThisRound = true;
      if (broad.evidence.length) {
        keep.evidence = broad.evidence;
        keep.exonerated = broad.exonerated;
        keep.evidenceSites = broad.evidenceSites;
        keep.evidenceBreadth = broad.evidenceBreadth;
      }
    }
    keep.startedAt = Math.min(keep.startedAt, gone.startedAt);
    for (const x of gone.affected) keep.affected.add(x);
    if (gone.id === null) {
      this.states_ = this.states_.filter((s) => s !== gone);
      return keep;
    }
    gone.resolvedAt = time;
    gone.closedAt = time;
    gone.merged = true;
    gone.seenThisRound = false;
    gone.evidence = [
      ...gone.evidence,
      `merged into ${keep.id}: the same failure, read at another granularity`,
    ];
    return keep;
  }

  /**
   * A cluster whose sites a cause now explains was that cause seen early: the cause takes the
   * cluster's id when it has none yet (one incident, refined); when both are already published, the
   * cluster is closed as merged into the cause's incident. Never two open incidents for one failure.
   */
  private absorbClusters(time: number, explainedBy: Map<string, State>): void {
    if (explainedBy.size === 0) return;
    for (const cl of [...this.states_]) {
      if (!cl.key.startsWith('cluster:') || cl.resolvedAt !== null || cl.affected.size === 0) continue;
      const owners = new Map<State, number>();
      for (const x of cl.affected) {
        const o = explainedBy.get(x);
        if (o) owners.set(o, (owners.get(o) ?? 0) + 1);
      }
      let owner: State | null = null;
      let most = 0;
      for (const [o, n] of owners) if (n > most) [owner, most] = [o, n];
      if (!owner || most < cl.affected.size / 2) continue;
      if (cl.id !== null && owner.id === null) {
        owner.id = cl.id;
        owner.detectedAt = cl.detectedAt;
        owner.startedAt = Math.min(owner.startedAt, cl.startedAt);
        for (const x of cl.affected) owner.affected.add(x);
        owner.timeline = cl.timeline;
        owner.peak = cl.peak;
        owner.peakAt = cl.peakAt;
        this.states_ = this.states_.filter((s) => s !== cl);
      } else if (cl.id !== null) {
        cl.resolvedAt = time;
        cl.closedAt = time;
        cl.merged = true;
        cl.evidence = [...cl.evidence, `merged into ${owner.id}: its cause is established`];
      } else {
        this.states_ = this.states_.filter((s) => s !== cl);
      }
    }
  }

  /**
   * Failures no shared cause explains. Sites failing with the same signature at about the same time
   * are one cluster ("212 sites failing with cdn_error; cause not yet established"), refined into
   * its cause when inference finds one — never one card per site. A site gets its own incident
   * only when it fails alone: no company after two intervals (every site probed and confirmed).
   */
  private lone(time: number, inference: Inference): void {
    const claimed = this.claimed(false, false);
    const window = 2 * this.o.intervalMs;
    const byClass = new Map<string, { site: string; since: number; lone: LoneFailure }[]>();
    for (const lone of inference.lone) {
      if (claimed.has(lone.site)) continue; // still failing from a known cause: part of its tail
      const since = earliest(inference, lone.failures);
      const cls = `${lone.kind}/${lone.signature}`;
      const list = byClass.get(cls) ?? [];
      list.push({ site: lone.site, since, lone });
      byClass.set(cls, list);
    }
    const clustered = new Set<string>();
    for (const [cls, list] of byClass) {
      const key = `cluster:${cls}`;
      const open = this.states_.find((s) => s.key === key && s.resolvedAt === null);
      // Members: those that began within the window of the others (an open cluster takes any).
      list.sort((a, b) => a.since - b.since);
      let members = open ? list : densest(list, window);
      if (!open && members.length < this.o.clusterSites) members = [];
      if (members.length === 0) continue;
      const sites = members.map((m) => m.site);
      for (const x of sites) clustered.add(x);
      const cause: Cause = { ...NO_CAUSE, component: key };
      const st =
        open ??
        this.match(key, null, sites, time) ??
        this.open(key, BREADTH.cluster, cause, members[0].since);
      const m = members[0].lone;
      this.see(st, time, this.onsetOf(members.map((x) => x.since)), sites, m.kind, m.signature, 0.5);
      st.evidence = [
        `${st.affected.size} sites failing with the same signature (${m.signature}) since about the same time; no shared dependency explains them yet`,
      ];
    }
    for (const lone of inference.lone) {
      if (claimed.has(lone.site) || clustered.has(lone.site)) continue;
      const key = `site:${lone.site}`;
      const since = earliest(inference, lone.failures);
      const cause: Cause = { ...NO_CAUSE, component: key };
      const st = this.match(key, null, [lone.site], time) ?? this.open(key, BREADTH.site, cause, since);
      this.see(st, time, since, [lone.site], lone.kind, lone.signature, 0.9);
    }
    // Sites a shared cause or a cluster took: a site incident still unconfirmed was its start; a
    // published one is closed, saying where the site went.
    const taken = this.claimed(true);
    for (const s of this.states_) {
      if (s.breadth !== BREADTH.site || s.resolvedAt !== null) continue;
      const owner = taken.get(s.key.slice(5));
      if (!owner) continue;
      if (s.id === null) s.seenThisRound = false;
      else {
        s.resolvedAt = time;
        s.closedAt = time;
        s.merged = true;
        s.evidence = [...s.evidence, `merged into ${owner}: the site fails with others`];
      }
    }
  }

  /**
   * Causes read early, from failures not yet confirmed one by one (see the run's rounds): a strong one
   * opens (or confirms) its incident at once, with the sites whose latest probes failed (seen from
   * more than one vantage where there are several); confirmed failures add the rest in {@link update}.
   */
  early(time: number, inference: Inference, evidence: readonly CauseEvidence[] = []): void {
    if (!this.reliable) return;
    inference.causes.forEach((c, k) => {
      // A declared component (the operator told us it exists and is shared) whose every dependent
      // fails at once is as strong as evidence gets, however few they are.
      const whole = c.key.startsWith('hidden:') && c.failing >= c.total;
      if (!whole && (c.sites.length < this.o.strongSites || c.confidence < this.o.strongConfidence)) return;
      const { st, since, breadth } = this.holder(time, inference, c);
      if (st.id !== null && st.resolvedAt === null) return;
      if (breadth < st.breadth) {
        st.key = c.key;
        st.breadth = breadth;
        st.cause = c.cause;
      }
      st.startedAt = Math.min(st.startedAt, since);
      st.lastSeen = time;
      st.resolvedAt = null;
      st.closedAt = null;
      for (const x of c.sites) st.affected.add(x);
      st.kind = c.kind;
      st.signature = c.signature;
      st.confidence = Math.max(st.confidence, c.confidence);
      if (st.id === null) {
        st.id = this.newId();
        st.detectedAt = time;
      }
      const ev = evidence[k];
      if (ev && st.evidence.length === 0) {
        st.evidence = ev.lines;
        st.exonerated = ev.exonerated;
      }
    });
  }

  /** Every followed cause, published or not (for traces). */
  states(): { id: string | null; key: string; affected: number; resolved: boolean }[] {
    return this.states_.map((s) => ({
      id: s.id,
      key: s.key,
      affected: s.affected.size,
      resolved: s.resolvedAt !== null,
    }));
  }

  /** Sites an open shared-cause (or cluster) incident holds. */
  claimedSites(): Set<string> {
    return new Set(this.claimed(true).keys());
  }

  /**
   * Incidents from a store, after a restart: open ones (and those resolved within the grace period)
   * are followed again under the same id; ids are never reused.
   */
  restore(incidents: readonly Incident[]): void {
    for (const i of incidents) {
      const n = Number(/inc-(\d+)$/.exec(i.id)?.[1] ?? 0);
      if (n >= this.next) this.next = n + 1;
      if (this.states_.some((s) => s.id === i.id)) continue;
      const key = i.key ?? keyOf(i.cause);
      const breadth = BREADTH[key.split(':')[0] as GroupKind | 'site' | 'cluster'] ?? 4;
      this.states_.push({
        id: i.id,
        key,
        breadth,
        cause: i.cause,
        kind: i.kind,
        signature: i.signature as Signature,
        confidence: i.confidence,
        startedAt: i.startedAt,
        detectedAt: i.detectedAt,
        peak: i.timeline.reduce((m, p) => Math.max(m, p.failing), 0),
        peakAt: i.peakAt,
        resolvedAt: i.resolvedAt,
        // Resolution is decided a grace period after the restoration it is dated at.
        closedAt: i.resolvedAt === null ? null : i.resolvedAt + this.o.graceMs,
        merged: i.evidence.some((e) => e.startsWith('merged into ')),
        resumed: i.resolvedAt === null,
        clearSince: null,
        lastSeen: i.timeline.at(-1)?.time ?? i.detectedAt,
        streak: this.o.confirmRounds,
        affected: new Set(i.affected),
        exonerated: i.exonerated,
        evidence: i.evidence,
        evidenceSites: i.affected.length,
        evidenceBreadth: breadth,
        timeline: [...i.timeline],
        seenThisRound: false,
      });
    }
  }

  /** Confirmed incidents with at least one affected site, oldest first. */
  incidents(): Incident[] {
    return this.states_
      .filter((s) => s.id !== null && s.affected.size > 0)
      .map((s) => ({
        id: s.id as string,
        key: s.key,
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

  /**
   * Sites held by open incidents broader than one site → the holder's id (or key, unconfirmed);
   * clusters count unless `clusters` is false (a cluster's own sites are regrouped every round).
   */
  private claimed(confirmedOnly: boolean, clusters = true): Map<string, string> {
    const out = new Map<string, string>();
    for (const s of this.states_) {
      if (s.breadth >= BREADTH.site || s.resolvedAt !== null || (confirmedOnly && s.id === null)) continue;
      if (!clusters && s.breadth === BREADTH.cluster) continue;
      for (const x of s.affected) if (!out.has(x)) out.set(x, s.id ?? s.key);
    }
    return out;
  }

  private newId(): string {
    return `${this.o.idPrefix}inc-${this.next++}`;
  }

  /** When a cause's failures began together: see {@link onsetOf}. */
  private onset(inference: Inference, failures: number[]): number {
    return this.onsetOf(failures.map((i) => inference.input[i].since));
  }

  /**
   * The start of a shared failure: the earliest time from which several of its sites (three, or all
   * when fewer) began failing within two intervals — so one site that was already failing for
   * unrelated reasons does not move the incident's start back to its own.
   */
  private onsetOf(sinces: number[]): number {
    const xs = [...sinces].sort((a, b) => a - b);
    const k = Math.min(3, xs.length);
    const window = 2 * this.o.intervalMs;
    for (let i = 0; i + k - 1 < xs.length; i++) if (xs[i + k - 1] - xs[i] <= window) return xs[i];
    return xs[0] ?? Number.POSITIVE_INFINITY;
  }

  private match(
    key: string,
    provider: string | null,
    sites: string[],
    time: number,
    since = time,
  ): State | undefined {
    const live = (s: State) =>
      s.resolvedAt === null || (!s.merged && time - (s.closedAt ?? s.resolvedAt) <= this.o.graceMs);
    const same = this.states_.find((s) => s.key === key && live(s));
    if (same || key.startsWith('site:') || key.startsWith('cluster:') || provider === null) return same;
    // The same provider's failure seen at another granularity, over the same sites — not a much
    // larger failure that began well after a small one (a few sites' trouble, then an outage; a
    // resumed incident excepted, for the reason given at {@link within}).
    return this.states_.find((s) => {
      if (s.cause.provider !== provider || !live(s)) return false;
      const larger = sites.length > 2 * Math.max(s.peak, s.affected.size, 1);
      if (larger && !s.resumed && s.affected.size > 0 && since - s.startedAt > this.o.graceMs) return false;
      let common = 0;
      for (const x of sites) if (s.affected.has(x)) common++;
      return common >= Math.min(sites.length, s.affected.size) / 2;
    });
  }

  /**
   * The state a cause read this round belongs to, in order: the incident already following it (the
   * same key, or the same provider's failure at another granularity over the same sites); an open
   * incident of the provider it is a part of ({@link within}); a cluster of sites failing alike whose
   * sites it explains (its cause found); else a new one. The provider's own incidents come before
   * clusters: a cluster formed while a resumed incident could not be read (after a restart, the
   * monitor not yet trusting its measurements) is that incident's tail, not a new failure.
   */
  private holder(
    time: number,
    inference: Inference,
    c: Inference['causes'][number],
  ): { st: State; since: number; breadth: number; within: boolean } {
    const since = this.onset(inference, c.failures);
    const breadth = BREADTH[c.key.split(':')[0] as GroupKind] ?? 4;
    const matched = this.match(c.key, c.cause.provider, c.sites, time, typical(inference, c.failures));
    if (matched) return { st: matched, since, breadth, within: false };
    const inside = this.within(c.cause.provider, breadth, since);
    if (inside) return { st: inside, since, breadth, within: true };
    const st = this.clusterOf(c.key, c.sites) ?? this.open(c.key, breadth, c.cause, since);
    return { st, since, breadth, within: false };
  }

  /** An open cluster at least half of whose sites (or of the cause's, when fewer) the cause explains. */
  private clusterOf(key: string, sites: readonly string[]): State | undefined {
    if (key.startsWith('site:') || key.startsWith('cluster:')) return undefined;
    return this.states_.find((s) => {
      if (!s.key.startsWith('cluster:') || s.resolvedAt !== null) return false;
      let common = 0;
      for (const x of sites) if (s.affected.has(x)) common++;
      return common > 0 && common >= Math.min(sites.length, s.affected.size) / 2;
    });
  }

  /**
   * A part of a failure already followed: a cause narrower than an open incident of the same
   * provider (one of its shared-hosting segments while its region is down), beginning within the
   * grace period of it — the same failure read in part (after a restart, the resumed incident holds
   * only the sites it had then). Two causes of one granularity (two regions) are never parts of
   * each other. A resumed incident whose cause has not been read again is not held to the grace
   * period: failures observed after a restart look as if they began then (the monitor was not
   * looking before), so their onset says nothing about when they really began.
   */
  private within(provider: string | null, breadth: number, since: number): State | undefined {
    if (provider === null || breadth >= BREADTH.cluster) return undefined;
    return this.states_.find(
      (s) =>
        s.cause.provider === provider &&
        s.resolvedAt === null &&
        s.breadth < breadth &&
        !s.key.startsWith('cluster:') &&
        (s.resumed || Math.abs(since - s.startedAt) <= this.o.graceMs),
    );
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
      closedAt: null,
      merged: false,
      resumed: false,
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
    this.states_.push(st);
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
    // Rounds whose measurements the monitor could not trust do not count towards confirmation.
    if (!st.seenThisRound && this.reliable) st.streak++;
    st.seenThisRound = true;
    st.lastSeen = time;
    st.resolvedAt = null; // back within the grace period: the same incident
    st.closedAt = null;
    st.resumed = false;
    st.startedAt = Math.min(st.startedAt, since);
    for (const x of sites) st.affected.add(x);
    st.kind = kind;
    st.signature = signature;
    st.confidence = Math.max(st.confidence, confidence);
    if (st.id !== null || !this.reliable) return;
    const strong = sites.length >= this.o.strongSites && confidence >= this.o.strongConfidence;
    // A site alone is an incident of its own only once it has had time to find company.
    const alone = st.breadth < BREADTH.site || time - st.startedAt >= 2 * this.o.intervalMs;
    if (alone && (st.streak >= this.o.confirmRounds || (strong && st.breadth < BREADTH.cluster))) {
      st.id = this.newId();
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
      if (since !== undefined && (st.resumed || since <= st.lastSeen)) failing++;
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
      st.closedAt = time;
      // The curve ends at the restoration: nothing after it, and the last point fully restored.
      const at = st.resolvedAt;
      st.timeline = st.timeline.filter((p) => p.time < at);
      st.timeline.push({ time: at, failing: 0, restored: 1 });
    }
  }
}

const NO_CAUSE: Cause = {
  provider: null,
  asn: null,
  name: null,
  region: null,
  plan: null,
  role: null,
  component: null,
};

/** The largest run of failures (sorted by start) that began within `window` of each other. */
function densest<T extends { since: number }>(sorted: T[], window: number): T[] {
  let best: [number, number] = [0, 0];
  let i = 0;
  for (let j = 0; j < sorted.length; j++) {
    while (sorted[j].since - sorted[i].since > window) i++;
    if (j + 1 - i > best[1] - best[0]) best = [i, j + 1];
  }
  return sorted.slice(best[0], best[1]);
}

/** The tracker's key of a stored incident's cause (for incidents stored before keys were). */
function keyOf(c: Cause): string {
  if (c.component?.startsWith('site:') || c.component?.startsWith('cluster:')) return c.component;
  if (c.component?.startsWith('segment:') || c.component?.startsWith('network:')) return c.component;
  if (c.component) return `hidden:${c.component}`;
  if (c.region) return `region:${c.provider}/${c.region}`;
  if (c.plan) return `plan:${c.provider}/${c.plan}`;
  if (c.role) return `role:${c.provider}/${c.role}`;
  return `provider:${c.provider}`;
}

/**
 * When most of a cause's failures began (their median start): what "a much larger failure that
 * began well after a small one" is judged by — the few sites of the earlier trouble still failing
 * must not date the later outage back to their own start.
 */
function typical(inference: Inference, failures: number[]): number {
  const xs = failures.map((i) => inference.input[i].since).sort((a, b) => a - b);
  return xs.length ? xs[Math.floor(xs.length / 2)] : Number.POSITIVE_INFINITY;
}

function earliest(inference: Inference, failures: number[]): number {
  let t = Number.POSITIVE_INFINITY;
  for (const i of failures) t = Math.min(t, inference.input[i].since);
  return t;
}
