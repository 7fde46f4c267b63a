/**
 * Idempotent ingestion: which observation ids were already handed on. An id is (source, sequence)
 * where the source is a vantage and the boot of its agent process; an agent numbers its
 * observations 0, 1, 2… and sends them in batches of consecutive numbers, so what was seen of a
 * source is a few ranges — usually one. Memory is bounded: at most `maxRanges` ranges per source
 * (the oldest fold into the low-water mark: everything below it counts as seen) and `maxSources`
 * sources (the least recently used is forgotten — an agent restarted long ago).
 */
export interface SeenWindowOptions {
  maxSources?: number;
  maxRanges?: number;
}

interface Source {
  /** Every sequence number below this was seen. */
  low: number;
  /** Seen ranges above `low`, sorted, disjoint, as [start, end) pairs. */
  ranges: number[];
}

export class SeenWindow {
  private sources = new Map<string, Source>();
  private readonly maxSources: number;
  private readonly maxRanges: number;

  constructor(o: SeenWindowOptions = {}) {
    this.maxSources = o.maxSources ?? 10_000;
    this.maxRanges = o.maxRanges ?? 256;
  }

  /** Whether sequence number `seq` of `source` was already seen. */
  has(source: string, seq: number): boolean {
    const s = this.sources.get(source);
    if (!s) return false;
    if (seq < s.low) return true;
    const r = s.ranges;
    for (let i = 0; i < r.length; i += 2) if (seq >= r[i] && seq < r[i + 1]) return true;
    return false;
  }

  /** Mark [start, end) of `source` as seen. */
  add(source: string, start: number, end: number): void {
    if (end <= start) return;
    let s = this.sources.get(source);
    if (s)
      this.sources.delete(source); // re-inserted below: the map's order is least recently used first
    else s = { low: 0, ranges: [] };
    this.sources.set(source, s);
    if (this.sources.size > this.maxSources) this.sources.delete(this.sources.keys().next().value!);
    const r = s.ranges;
    r.push(start, end);
    // Keep sorted and merged (batches arrive mostly in order, so this is short).
    for (let i = r.length - 2; i >= 2 && r[i - 2] > r[i]; i -= 2) {
      [r[i - 2], r[i], r[i - 1], r[i + 1]] = [r[i], r[i - 2], r[i + 1], r[i - 1]];
    }
    const merged: number[] = [];
    for (let i = 0; i < r.length; i += 2) {
      const n = merged.length;
      if (n && r[i] <= merged[n - 1]) merged[n - 1] = Math.max(merged[n - 1], r[i + 1]);
      else merged.push(r[i], r[i + 1]);
    }
    // Fold the first range into `low` when it starts there (or when there are too many ranges).
    while (merged.length && (merged[0] <= s.low || merged.length > 2 * this.maxRanges)) {
      s.low = Math.max(s.low, merged[1]);
      merged.splice(0, 2);
    }
    s.ranges = merged;
  }

  get size(): number {
    return this.sources.size;
  }
}
