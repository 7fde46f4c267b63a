/**
 * Deterministic randomness for the fault engine: a stable string hash and a small seeded PRNG.
 * Every choice the engine makes goes through these, so two processes given the same scenario and seed
 * (the simulator and the independent scorer) make the same choices. No Math.random(), no clock.
 */

/** FNV-1a, 32 bits, over the UTF-16 code units of `s`, continuing from `h` (default offset basis). */
export function fnv1a(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's 32-bit finalizer: spreads every input bit over the output (FNV's low bits are weak). */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit hash of a seed and a sequence of strings (parts are separated, so ("ab","c") ≠ ("a","bc")). */
export function hash(seed: number, ...parts: string[]): number {
  let h = fnv1a(String(seed >>> 0));
  for (const p of parts) {
    h = fnv1a(p, h ^ 0x1f);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mix32(h);
}

/** Combine a 32-bit hash with an integer (e.g. a minute index) into a new 32-bit hash. */
export function hashInt(h: number, n: number): number {
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  return mix32(mix32(h ^ Math.imul(lo, 0x9e3779b1)) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b));
}

/** Combine two 32-bit hashes (order matters). */
export function pairHash(a: number, b: number): number {
  return mix32(mix32(a ^ 0x5bd1e995) ^ Math.imul(b, 0x9e3779b1));
}

/** A 32-bit hash mapped to [0, 1). */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296;
}

/** The scenario's default seed: a hash of its name. */
export function seedFromName(name: string): number {
  return mix32(fnv1a(name));
}

/** mulberry32: a tiny, fast, good-enough 32-bit PRNG. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** A Poisson-distributed count of mean `lambda` (Knuth below 30, normal approximation above). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    // Box–Muller; rounded and floored at 0.
    const u1 = 1 - this.next();
    const u2 = this.next();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.max(0, Math.round(lambda + z * Math.sqrt(lambda)));
  }
}
