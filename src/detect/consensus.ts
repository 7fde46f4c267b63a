/**
 * Consensus across vantages. Detection (src/detect/detector.ts) already decides a site's state by a
 * strict majority of *healthy* vantages, ignoring the ones vantage health condemns — the quorum
 * rule. What it does not say is the other half: a site failing from some vantages but fewer than a
 * quorum is not an outage but a regional or path problem, worth reporting as such. {@link consensus}
 * is the rule as a pure function; {@link PathWatch} applies it to the observation stream, keeping
 * state only for sites that fail from somewhere (memory bounded by the failing sites, not all).
 */
import type { Observation, Signature } from '../model/observation.ts';

export type Verdict = 'up' | 'down' | 'regional';

export interface View {
  vantage: string;
  /** This vantage's confirmed view: failing or not. */
  failing: boolean;
}

export interface ConsensusResult {
  verdict: Verdict;
  /** Healthy vantages that see it failing, and that see it working. */
  failingFrom: string[];
  okFrom: string[];
}

/** Votes needed among `n` healthy vantages: a strict majority (2 of 3, 3 of 5). */
export const majority = (n: number) => Math.floor(n / 2) + 1;

/**
 * The verdict on one site from its vantages' views: down when a quorum of healthy vantages see it
 * failing; regional (a path or region problem, not an outage) when some healthy vantages do but
 * fewer than a quorum; up otherwise. Views of unhealthy vantages do not count at all.
 */
export function consensus(
  views: readonly View[],
  isHealthy: (vantage: string) => boolean = () => true,
  quorum: (n: number) => number = majority,
): ConsensusResult {
  const failingFrom: string[] = [];
  const okFrom: string[] = [];
  for (const v of views) {
    if (!isHealthy(v.vantage)) continue;
    (v.failing ? failingFrom : okFrom).push(v.vantage);
  }
  const n = failingFrom.length + okFrom.length;
  const verdict: Verdict =
    n === 0 || failingFrom.length === 0 ? 'up' : failingFrom.length >= quorum(n) ? 'down' : 'regional';
  return { verdict, failingFrom, okFrom };
}

/** A site failing from some healthy vantages only. */
export interface RegionalProblem {
  site: string;
  failingFrom: string[];
  okFrom: string[];
  signature: Signature;
  /** Clock time of the first failure of the views now failing. */
  since: number;
}

interface Tracked {
  /** Per vantage: recent outcomes as bits (1 = down), count, confirmed failing, first failure time. */
  views: Map<string, { bits: number; n: number; failing: boolean; since: number; sig: Signature }>;
  regional: boolean;
}

export interface PathWatchOptions {
  isHealthy?(vantage: string): boolean;
  /** A view fails on `failures` downs among its last `window` outcomes, recovers on `recoveries` ups (default 2 of 3, 2). */
  failures?: number;
  window?: number;
  recoveries?: number;
  /** A site became a regional problem (`problem`) or stopped being one (null). */
  onChange?(site: string, problem: RegionalProblem | null): void;
}

export class PathWatch {
  private sites = new Map<string, Tracked>();
  private readonly failures: number;
  private readonly mask: number;
  private readonly recoveries: number;

  constructor(private readonly o: PathWatchOptions = {}) {
    this.failures = o.failures ?? 2;
    this.mask = (1 << (o.window ?? 3)) - 1;
    this.recoveries = o.recoveries ?? 2;
  }

  observe(obs: Observation): void {
    if (obs.signature === 'probe_error') return;
    const down = obs.outcome === 'down';
    let t = this.sites.get(obs.site);
    if (!t) {
      if (!down) return; // a site working from everywhere costs nothing
      t = { views: new Map(), regional: false };
      this.sites.set(obs.site, t);
    }
    let v = t.views.get(obs.vantage);
    if (!v) {
      v = { bits: 0, n: 0, failing: false, since: obs.time, sig: obs.signature };
      t.views.set(obs.vantage, v);
    }
    v.bits = ((v.bits << 1) | (down ? 1 : 0)) & this.mask;
    v.n = Math.min(v.n + 1, 31);
    if (down && !v.failing && popcount(v.bits) === 1) v.since = obs.time;
    if (down) v.sig = obs.signature;
    if (!v.failing && popcount(v.bits) >= this.failures) v.failing = true;
    else if (v.failing && (v.bits & ((1 << this.recoveries) - 1)) === 0 && v.n >= this.recoveries)
      v.failing = false;
    this.judge(obs.site, t);
  }

  /** Sites failing from some healthy vantages but fewer than a quorum, now. */
  regional(): RegionalProblem[] {
    const out: RegionalProblem[] = [];
    for (const [site, t] of this.sites) if (t.regional) out.push(this.problem(site, t));
    return out;
  }

  /**
   * The views that have a say: confirmed failing, or working at their latest look. One whose latest
   * look failed but is not confirmed yet is undecided — at the start of an outage the vantages
   * confirm one after another, and the first alone is not a path problem: no verdict changes while
   * a view is undecided.
   */
  private views(t: Tracked): View[] {
    const out: View[] = [];
    for (const [vantage, v] of t.views)
      if (v.failing || (v.bits & 1) === 0) out.push({ vantage, failing: v.failing });
    return out;
  }

  private judge(site: string, t: Tracked): void {
    const views = this.views(t);
    // A view still undecided may be about to agree with the others: judge once it has.
    if (views.length < t.views.size) return;
    const r = consensus(views, this.o.isHealthy);
    const regional = r.verdict === 'regional';
    if (regional !== t.regional) {
      t.regional = regional;
      this.o.onChange?.(site, regional ? this.problem(site, t) : null);
    }
    // Forget a site once every view has recovered and its recent outcomes are clean.
    if (!regional && [...t.views.values()].every((v) => !v.failing && v.bits === 0)) this.sites.delete(site);
  }

  private problem(site: string, t: Tracked): RegionalProblem {
    const r = consensus(this.views(t), this.o.isHealthy);
    const failing = r.failingFrom.map((f) => t.views.get(f)!);
    return {
      site,
      failingFrom: r.failingFrom,
      okFrom: r.okFrom,
      signature: failing[0]?.sig ?? 'ok',
      since: Math.min(...failing.map((f) => f.since)),
    };
  }
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}
