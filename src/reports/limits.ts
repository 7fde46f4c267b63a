/**
 * The fixed-memory structures of the intake: token buckets per key with least-recently-used eviction,
 * and a rotating Bloom filter that remembers "this key was seen in the last window". Memory is set at
 * construction and never grows with the load; under extreme load the filter's false positives make
 * the intake drop a few genuine reports as duplicates — never count one twice.
 */

export interface BucketRule {
  /** Reports allowed at once. */
  burst: number;
  /** Sustained reports per hour. */
  perHour: number;
}

/**
 * Token buckets keyed by reporter or network, at most `maxKeys` of them. Two generations of maps: a
 * key is looked up in the young one, then the old one (and moved up); when the young one is full the
 * old one is dropped whole. O(1), no scans; what is forgotten is what was not used for a generation
 * (and a forgotten key simply gets a full bucket back).
 */
export class BucketTable<K> {
  private young = new Map<K, { tokens: number; at: number }>();
  private old = new Map<K, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly rule: BucketRule,
    private readonly maxKeys: number,
  ) {
    this.perMs = rule.perHour / 3_600_000;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** Take one token at `now`; 0 if taken, else the ms until one is available. */
  take(key: K, now: number): number {
    let b = this.young.get(key);
    if (!b) {
      b = this.old.get(key);
      if (b) this.old.delete(key);
      else b = { tokens: this.rule.burst, at: now };
      if (this.young.size >= Math.max(1, this.maxKeys >> 1)) {
        this.old = this.young;
        this.young = new Map();
      }
      this.young.set(key, b);
    }
    b.tokens = Math.min(this.rule.burst, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.perMs > 0 ? Math.ceil((1 - b.tokens) / this.perMs) : Number.POSITIVE_INFINITY;
  }
}

/**
 * "Seen within the last window?" for (a, b) pairs of 32-bit hashes. `generations` filters of 2^bits bits
 * each cover windowMs / (generations − 1) of time; a lookup checks them all, so a key is remembered for
 * between windowMs and windowMs × generations / (generations − 1).
 */
export class RotatingBloom {
  /** Allocated on first use: an idle intake costs nothing. */
  private readonly filters: (Uint32Array | null)[];
  private readonly words: number;
  private readonly stamps: Float64Array;
  private readonly mask: number;
  private readonly genMs: number;

  constructor(
    windowMs: number,
    bits = 24,
    private readonly hashes = 4,
    generations = 4,
  ) {
    this.words = 2 ** (bits - 5);
    this.filters = new Array(generations).fill(null);
    this.stamps = new Float64Array(generations).fill(-1);
    this.mask = 2 ** bits - 1;
    this.genMs = windowMs / (generations - 1);
  }

  /** Bytes held at most (constant). */
  get bytes(): number {
    return this.filters.length * this.words * 4;
  }

  has(h1: number, h2: number, now: number): boolean {
    const g = Math.floor(now / this.genMs);
    for (let i = 0; i < this.filters.length; i++) {
      const j = this.index(g - i);
      const f = this.filters[j];
      if (f && this.stamps[j] === g - i && this.test(f, h1, h2 | 1)) return true;
    }
    return false;
  }

  add(h1: number, h2: number, now: number): void {
    const g = Math.floor(now / this.genMs);
    const i = this.index(g);
    let f = this.filters[i];
    if (!f) f = this.filters[i] = new Uint32Array(this.words);
    else if (this.stamps[i] !== g) f.fill(0);
    this.stamps[i] = g;
    const step = h2 | 1;
    for (let k = 0; k < this.hashes; k++) {
      const bit = (h1 + Math.imul(k, step)) & this.mask;
      f[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  private index(gen: number): number {
    const n = this.filters.length;
    return ((gen % n) + n) % n;
  }

  private test(f: Uint32Array, h1: number, h2: number): boolean {
    for (let k = 0; k < this.hashes; k++) {
      const bit = (h1 + Math.imul(k, h2)) & this.mask;
      if ((f[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
