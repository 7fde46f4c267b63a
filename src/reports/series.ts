/**
 * One site's counted reports per minute, sparse: only minutes with a report take room (a quiet site
 * holds a handful of entries, a surging one at most `maxMinutes`). A ring of minute numbers and, per
 * minute, one counter per problem.
 */
import { PROBLEMS } from './types.ts';

const P = PROBLEMS.length;
const MAX_COUNT = 0xffff;

export class MinuteSeries {
  private mins = new Int32Array(4);
  private counts = new Uint16Array(4 * P);
  private head = 0;
  private len = 0;

  /** @param maxMinutes most minutes kept; the oldest go first. */
  constructor(private readonly maxMinutes: number) {}

  /** Entries held (each a minute with at least one report). */
  get size(): number {
    return this.len;
  }

  /** The latest minute with a report, or null. */
  get last(): number | null {
    return this.len ? this.mins[this.slot(this.len - 1)] : null;
  }

  /** Count one report of problem index `p` at `minute` (minutes arrive in order; a late one joins its own or the latest). */
  add(minute: number, p: number): void {
    let i = this.len - 1;
    while (i >= 0 && this.mins[this.slot(i)] > minute) i--;
    if (i < 0 || this.mins[this.slot(i)] !== minute) {
      if (i !== this.len - 1) i = this.len - 1;
      else i = this.push(minute);
    }
    const k = this.slot(i) * P + p;
    if (this.counts[k] < MAX_COUNT) this.counts[k]++;
  }

  /** Total reports over minutes [from, to). */
  sum(from: number, to: number): number {
    let s = 0;
    for (let i = this.len - 1; i >= 0; i--) {
      const j = this.slot(i);
      const m = this.mins[j];
      if (m < from) break;
      if (m < to) s += this.total(j);
    }
    return s;
  }

  /** Visit every minute in [from, to) with a report, oldest first: (minute, total, counts per problem). */
  forEach(
    from: number,
    to: number,
    fn: (minute: number, total: number, byProblem: Uint16Array) => void,
  ): void {
    let i = this.len - 1;
    while (i >= 0 && this.mins[this.slot(i)] >= from) i--;
    for (i++; i < this.len; i++) {
      const j = this.slot(i);
      if (this.mins[j] >= to) break;
      fn(this.mins[j], this.total(j), this.counts.subarray(j * P, j * P + P));
    }
  }

  /** Forget minutes before `minute`; returns how many entries were dropped. */
  trimBefore(minute: number): number {
    let n = 0;
    while (this.len && this.mins[this.head] < minute) {
      this.head = (this.head + 1) % this.mins.length;
      this.len--;
      n++;
    }
    return n;
  }

  private total(j: number): number {
    let t = 0;
    for (let p = 0; p < P; p++) t += this.counts[j * P + p];
    return t;
  }

  private slot(i: number): number {
    return (this.head + i) % this.mins.length;
  }

  /** Append a minute; returns its index. */
  private push(minute: number): number {
    if (this.len === this.maxMinutes) {
      this.head = (this.head + 1) % this.mins.length;
      this.len--;
    } else if (this.len === this.mins.length) this.grow();
    const j = this.slot(this.len);
    this.mins[j] = minute;
    this.counts.fill(0, j * P, j * P + P);
    return this.len++;
  }

  private grow(): void {
    const cap = Math.min(this.mins.length * 2, Math.max(this.maxMinutes, 4));
    const mins = new Int32Array(cap);
    const counts = new Uint16Array(cap * P);
    for (let i = 0; i < this.len; i++) {
      const j = this.slot(i);
      mins[i] = this.mins[j];
      counts.set(this.counts.subarray(j * P, j * P + P), i * P);
    }
    this.mins = mins;
    this.counts = counts;
    this.head = 0;
  }
}
