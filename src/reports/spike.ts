/**
 * The spike test: how surprising is `count` reports in a window when the baseline expects `mean`?
 * Counts are over-dispersed compared with Poisson (reports come in small bursts: a shared link, an
 * office noticing together), so the tail is a negative binomial's with mean μ and variance μ + μ²/r;
 * r = ∞ is Poisson. Pure functions.
 */
import type { Level } from './types.ts';

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln P(X = k) for a negative binomial of mean `mean` and shape `r` (Poisson when r = ∞). */
export function logPmf(k: number, mean: number, r: number): number {
  if (mean <= 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (!Number.isFinite(r)) return k * Math.log(mean) - mean - logGamma(k + 1);
  return (
    logGamma(k + r) -
    logGamma(r) -
    logGamma(k + 1) +
    r * Math.log(r / (r + mean)) +
    k * Math.log(mean / (r + mean))
  );
}

/**
 * P(X ≥ k). Above the mean, the terms from k on are summed until negligible (accurate down to
 * 1e-300; below, the first term); at or below it, 1 − P(X < k).
 */
export function upperTail(k: number, mean: number, r = Number.POSITIVE_INFINITY): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  const q = Number.isFinite(r) ? mean / (r + mean) : 0;
  const ratio = (x: number) => (Number.isFinite(r) ? ((x + r) / (x + 1)) * q : mean / (x + 1));
  if (k > mean) {
    let term = Math.exp(logPmf(k, mean, r));
    // Below 1e-300 nothing matters (and subnormal arithmetic is slow): the tail is its first term.
    if (term < 1e-300) return term;
    let sum = 0;
    for (let x = k; x < k + 100_000; x++) {
      sum += term;
      term *= ratio(x);
      if (term < sum * 1e-15 || term < 1e-300) break;
    }
    return Math.min(1, sum);
  }
  let cdf = 0;
  let term = Math.exp(logPmf(0, mean, r));
  for (let x = 0; x < k; x++) {
    cdf += term;
    term *= ratio(x);
  }
  return Math.max(0, 1 - cdf);
}

/** Thresholds of one level: all must hold. */
export interface LevelRule {
  /** Distinct reporters in the window, at least. */
  minReporters: number;
  /** Distinct networks (/24, /48) they report from, at least: a flood from one place opens nothing. */
  minNetworks: number;
  /** Tail probability below this. */
  maxP: number;
  /** Observed at least this many times the expected count. */
  minRatio: number;
}

export interface SpikeRules {
  moderate: LevelRule;
  strong: LevelRule;
}

/**
 * Defaults. A site is tested every minute (525,600 tests a year, strongly correlated), so `strong`
 * needs p < 1e-9 to stay under one false alarm per site-year with room for a misestimated baseline.
 */
export const DEFAULT_RULES: SpikeRules = {
  moderate: { minReporters: 3, minNetworks: 2, maxP: 1e-5, minRatio: 2 },
  strong: { minReporters: 5, minNetworks: 3, maxP: 1e-9, minRatio: 4 },
};

/** What was seen in the window. */
export interface WindowCounts {
  /** Counted reports. */
  count: number;
  /** Distinct reporters and distinct networks among them (both may be capped at a few: only thresholds matter). */
  reporters: number;
  networks: number;
}

/** The smallest count any level could fire at: below it no test is needed. */
export const minCount = (rules: SpikeRules) =>
  Math.min(rules.moderate.minReporters, rules.strong.minReporters);

/** The level of what was seen against a baseline of `mean` (negative-binomial shape `r`), and its tail probability. */
export function spikeLevel(
  seen: WindowCounts,
  mean: number,
  r: number,
  rules: SpikeRules = DEFAULT_RULES,
): { level: Level; p: number } {
  // Most tests stop here: too few reports to mean anything, whatever the baseline.
  if (seen.count < minCount(rules)) return { level: 'none', p: 1 };
  const p = upperTail(seen.count, mean, r);
  const passes = (rule: LevelRule) =>
    seen.reporters >= rule.minReporters &&
    seen.networks >= rule.minNetworks &&
    p < rule.maxP &&
    seen.count >= rule.minRatio * mean;
  if (passes(rules.strong)) return { level: 'strong', p };
  if (passes(rules.moderate)) return { level: 'moderate', p };
  return { level: 'none', p };
}
