import { describe, expect, it } from 'vitest';
import { logGamma, spikeLevel, upperTail } from './spike.ts';

describe('upperTail', () => {
  it.each([
    // [k, mean, r, expected P(X ≥ k)] — Poisson and negative-binomial values computed independently.
    [1, 1, Infinity, 1 - Math.exp(-1)],
    [3, 1, Infinity, 1 - Math.exp(-1) * (1 + 1 + 0.5)],
    [10, 2, Infinity, 4.649807e-5],
    [0, 5, Infinity, 1],
    [2, 1, 1, 0.25], // geometric with mean 1: P(X ≥ k) = (1/2)^k
    [5, 1, 1, 1 / 32],
    [3, 2, 2, 0.3125], // NB(r=2, p=1/2): 1 − (1/4 + 1/4 + 3/16)
  ])('P(X ≥ %d | mean %d, r %d) = %f', (k, mean, r, p) => {
    expect(upperTail(k, mean, r)).toBeCloseTo(p, 6);
  });

  it('is accurate far in the tail', () => {
    // P(X ≥ 40 | Poisson 1) ≈ e^-1 / 40! · (1 + 1/41 + …)
    const exact = Math.exp(-1 - logGamma(41)) * (1 + 1 / 41 + 1 / (41 * 42));
    expect(upperTail(40, 1) / exact).toBeCloseTo(1, 3);
  });

  it('a negative binomial has a heavier tail than a Poisson of the same mean', () => {
    expect(upperTail(30, 10, 5)).toBeGreaterThan(upperTail(30, 10) * 100);
  });
});

describe('spikeLevel', () => {
  const seen = (count: number, reporters = count, networks = count) => ({ count, reporters, networks });
  it.each([
    ['two reports never count', seen(2), 0.001, Infinity, 'none'],
    ['3 reports on a quiet site: moderate', seen(3), 0.01, Infinity, 'moderate'],
    ['5 reports on a quiet site: strong', seen(5), 0.01, Infinity, 'strong'],
    ['5 reports from one network: nothing', seen(5, 5, 1), 0.01, Infinity, 'none'],
    ['5 reports from two networks: moderate only', seen(5, 5, 2), 0.01, Infinity, 'moderate'],
    ['a busy site at its usual rate', seen(40), 40, 10, 'none'],
    ['a busy site at 3× (significant, but not 4×)', seen(120), 40, Infinity, 'moderate'],
    ['the same with over-dispersion: not significant enough', seen(120), 40, 10, 'none'],
    ['a busy site at 10×', seen(400), 40, 10, 'strong'],
    ['over-dispersion protects a noisy site', seen(12), 3, 1, 'none'],
  ] as const)('%s', (_name, s, mean, r, level) => {
    expect(spikeLevel(s, mean, r).level).toBe(level);
  });
});
