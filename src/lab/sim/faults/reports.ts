/**
 * Synthetic crowd reports ("is it down for you too?"). Each site posts at a Poisson rate of
 * baseline_per_hour × weight; while it is affected by any fault, the rate is multiplied by a factor that
 * ramps linearly from 1 up to `surge` over the first RAMP_MS of being affected and back down at the same
 * pace afterwards (flapping sites hover in between).
 *
 * Reports are generated per site per minute bucket from a PRNG seeded by (seed, domain, minute), and the
 * inhomogeneous rate is sampled exactly by thinning, so reports(a, c) = reports(a, b) ∪ reports(b, c) for any
 * b, and two engines with the same seed agree.
 */
import type { SiteSpec } from '../../scenario/types.ts';
import { hash, hashInt, Rng } from './rand.ts';
import type { CrowdReport } from './types.ts';

export const BUCKET_MS = 60_000;
/** How long the surge takes to build up (and to die down). */
export const RAMP_MS = 10 * 60_000;

export interface ReportSource {
  seed: number;
  sites: readonly SiteSpec[];
  baselinePerHour: number;
  surge: number;
  /** Site i's affected intervals (any role, any fault), merged and sorted; [] if never affected. */
  affectedIntervals(i: number): [number, number][];
  /** Whether site i's mail is affected at t. */
  mailAffected(i: number, t: number): boolean;
}

/** Piecewise-linear ramp r(t) ∈ [0, 1] as breakpoints; linear in between, 0 before and after. */
export interface Ramp {
  t: Float64Array;
  r: Float64Array;
}

/** The ramp of a site affected during `intervals` (sorted, disjoint). */
export function buildRamp(intervals: readonly [number, number][], rampMs = RAMP_MS): Ramp | null {
  if (intervals.length === 0) return null;
  const ts: number[] = [];
  const rs: number[] = [];
  const point = (t: number, r: number) => {
    ts.push(t);
    rs.push(r);
  };
  let c = intervals[0][0];
  let v = 0;
  point(c, 0);
  for (const [a, b] of intervals) {
    // Decay from (c, v) until a.
    if (a > c) {
      const zeroAt = c + v * rampMs;
      if (v > 0 && zeroAt < a) point(zeroAt, 0);
      v = Math.max(0, v - (a - c) / rampMs);
      point(a, v);
    }
    // Rise from (a, v) until b.
    const fullAt = a + (1 - v) * rampMs;
    if (fullAt < b) {
      point(fullAt, 1);
      v = 1;
    } else {
      v = Math.min(1, v + (b - a) / rampMs);
    }
    point(b, v);
    c = b;
  }
  point(c + v * rampMs, 0);
  return { t: Float64Array.from(ts), r: Float64Array.from(rs) };
}

/** r(t) for a ramp (binary search on the breakpoints). */
export function rampAt(ramp: Ramp | null, t: number): number {
  if (!ramp) return 0;
  const ts = ramp.t;
  const n = ts.length;
  if (t < ts[0] || t >= ts[n - 1]) return 0;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] <= t) lo = mid;
    else hi = mid;
  }
  const t0 = ts[lo];
  const t1 = ts[hi];
  const r0 = ramp.r[lo];
  if (t1 <= t0) return ramp.r[hi];
  return r0 + ((ramp.r[hi] - r0) * (t - t0)) / (t1 - t0);
}

function poissonWithLimit(rng: Rng, lambda: number, limit: number): number {
  if (lambda >= 30) return rng.poisson(lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

export class ReportGenerator {
  private readonly siteHash: Uint32Array;
  private readonly ramps: (Ramp | null | undefined)[];
  private readonly surge: number;

  constructor(private readonly src: ReportSource) {
    this.siteHash = Uint32Array.from(src.sites, (s) => hash(src.seed, 'reports', s.domain));
    this.ramps = new Array(src.sites.length);
    this.surge = Math.max(1, src.surge);
  }

  /** The surge ramp of site i (computed once, on first use). */
  ramp(i: number): Ramp | null {
    let r = this.ramps[i];
    if (r === undefined) {
      r = buildRamp(this.src.affectedIntervals(i));
      this.ramps[i] = r;
    }
    return r;
  }

  /** The rate multiplier of site i at t. */
  factor(i: number, t: number): number {
    return 1 + (this.surge - 1) * rampAt(this.ramp(i), t);
  }

  generate(from: number, to: number): CrowdReport[] {
    const out: CrowdReport[] = [];
    if (!(to > from) || !(this.src.baselinePerHour > 0)) return out;
    const b0 = Math.floor(from / BUCKET_MS);
    const b1 = Math.ceil(to / BUCKET_MS);
    const sites = this.src.sites;
    const rampStep = BUCKET_MS / RAMP_MS;
    for (let i = 0; i < sites.length; i++) {
      const site = sites[i];
      const base = (this.src.baselinePerHour * site.weight * BUCKET_MS) / 3_600_000;
      if (!(base > 0)) continue;
      const baseLimit = Math.exp(-base);
      const ramp = this.ramp(i);
      const h = this.siteHash[i];
      for (let b = b0; b < b1; b++) {
        const start = b * BUCKET_MS;
        // Upper bound of the factor over the bucket (r rises at most rampStep per bucket).
        let fMax = 1;
        if (ramp && start + BUCKET_MS > ramp.t[0] && start < ramp.t[ramp.t.length - 1]) {
          fMax = 1 + (this.surge - 1) * Math.min(1, rampAt(ramp, start) + rampStep);
        }
        const rng = new Rng(hashInt(h, b));
        const lambda = base * fMax;
        const n = poissonWithLimit(rng, lambda, fMax === 1 ? baseLimit : Math.exp(-lambda));
        for (let j = 0; j < n; j++) {
          const time = start + Math.floor(rng.next() * BUCKET_MS);
          const accept = rng.next() * fMax;
          const u = rng.next();
          const reporter = `u${rng.u32().toString(36)}`;
          if (time < from || time >= to) continue;
          if (fMax > 1 && accept >= this.factor(i, time)) continue;
          out.push({ time, domain: site.domain, problem: this.problem(i, site, time, u), reporter });
        }
      }
    }
    out.sort((a, b) => a.time - b.time || cmp(a.domain, b.domain) || cmp(a.reporter, b.reporter));
    return out;
  }

  private problem(i: number, site: SiteSpec, time: number, u: number): CrowdReport['problem'] {
    const pEmail = site.mail ? (this.src.mailAffected(i, time) ? 0.5 : 0.03) : 0;
    if (u < pEmail) return 'email';
    const v = (u - pEmail) / (1 - pEmail);
    if (v < 0.75) return 'site';
    if (v < 0.85) return 'login';
    if (v < 0.95) return 'app';
    return 'other';
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
