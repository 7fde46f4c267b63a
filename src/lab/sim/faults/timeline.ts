/**
 * When a fault is on for one hit site: from `at`, switching on and off when it flaps, until the site's
 * own recovery instant (all at `until`, or staged evenly over the recovery window).
 */
import { hash, pairHash } from './rand.ts';
import type { Units } from './units.ts';

/** Flap as the engine stores it: `period` 0 means steady; on for `onLen` ms at the start of each period. */
export interface Flap {
  period: number;
  onLen: number;
}

export const STEADY: Flap = { period: 0, onLen: 0 };

export function flapOf(flap: { periodMs: number; duty: number } | undefined): Flap {
  if (!flap || !(flap.periodMs > 0) || flap.duty >= 1) return STEADY;
  return { period: flap.periodMs, onLen: Math.max(0, flap.duty) * flap.periodMs };
}

/** Whether the effect is on at `t` for a site hit from `at` until `end` (exclusive) with this flap. */
export function isOn(t: number, at: number, end: number, period: number, onLen: number): boolean {
  if (t < at || t >= end) return false;
  return period <= 0 || (t - at) % period < onLen;
}

/**
 * The recovery instant of each of the `count` hits, given the unit each was drawn per (`unitOf[j]`, see
 * Units). `until` null → never (Infinity). Without a recovery window, everyone recovers at `until`. With one,
 * the distinct units are put in a deterministic shuffled order (by hash(seed, "recovery", fault, unit), ties
 * by unit id) and unit k of U recovers at until + recoveryMs × (k+1)/U. Sites on one unit (one shared hosting
 * address) recover together; with one unit per site this is exactly "site k of N recovers at
 * until + recoveryMs × (k+1)/N".
 */
export function recoveryInstants(
  seed: number,
  faultId: string,
  until: number | null,
  recoveryMs: number,
  count: number,
  unitOf: Int32Array,
  units: Units,
): Float64Array {
  const ends = new Float64Array(count);
  if (until === null || !(recoveryMs > 0)) return ends.fill(until ?? Number.POSITIVE_INFINITY);
  const size = units.size;
  const rank = new Int32Array(size).fill(-1);
  const distinct: number[] = [];
  for (let j = 0; j < count; j++) {
    const u = unitOf[j];
    if (rank[u] < 0) {
      rank[u] = 0;
      distinct.push(u);
    }
  }
  const fh = hash(seed, 'recovery', faultId);
  const order = distinct.map((u) => ({ u, h: pairHash(fh, units.hash(u)) }));
  order.sort((a, b) => a.h - b.h || a.u - b.u);
  const n = order.length;
  for (let k = 0; k < n; k++) rank[order[k].u] = k;
  for (let j = 0; j < count; j++) ends[j] = until + (recoveryMs * (rank[unitOf[j]] + 1)) / n;
  return ends;
}

/**
 * The on-intervals [from, to) of a site hit from `at` until `end`, flap expanded, clipped to [lo, hi].
 * Empty intervals are dropped.
 */
export function onIntervals(at: number, end: number, flap: Flap, lo: number, hi: number): [number, number][] {
  const stop = Math.min(end, hi);
  const out: [number, number][] = [];
  if (flap.period <= 0) {
    const from = Math.max(at, lo);
    if (from < stop) out.push([from, stop]);
    return out;
  }
  if (flap.onLen <= 0) return out;
  let m = Math.max(0, Math.floor((lo - at) / flap.period));
  for (;;) {
    const on = at + m * flap.period;
    if (on >= stop) break;
    const from = Math.max(on, lo);
    const to = Math.min(on + flap.onLen, stop);
    if (from < to) out.push([from, to]);
    m++;
  }
  return out;
}

/** Merge overlapping or touching intervals (input in any order). */
export function mergeIntervals(xs: [number, number][]): [number, number][] {
  const sorted = [...xs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
