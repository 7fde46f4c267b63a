import { describe, expect, it } from 'vitest';
import type { Observation } from '../model/observation.ts';
import { decodeBatch, encodeBatch } from './codec.ts';

const up: Observation = {
  site: 'shop-1.test',
  vantage: 'paris',
  time: 1_700_000_000_123,
  kind: 'http',
  outcome: 'up',
  signature: 'ok',
  address: '127.17.1.1',
  status: 200,
  timings: { connect: 0.2345, ttfb: 1.5, total: 2.0001 },
  family: 4,
  scheme: 'http',
  headers: { server: 'nginx' },
};
const down: Observation = {
  site: 'store-1.test',
  vantage: 'paris',
  time: 1_700_000_000_500,
  kind: 'http',
  outcome: 'down',
  signature: 'cdn_error',
  address: '127.22.0.6',
  status: 522,
  cdn: 'cloudflare',
  meaning: 'origin_unreachable',
  phase: 'response',
  timings: { dns: 1.25, connect: 0.5, ttfb: 3, total: 4.5 },
  addresses: ['127.22.0.6', '127.22.0.7'],
  ttl: 300,
  family: 4,
};

describe('batch codec', () => {
  it('round-trips observations, the vantage taken from the caller (the subject)', () => {
    const b = decodeBatch(encodeBatch(42, [up, down, { ...up, time: up.time + 9 }]), 'paris');
    expect(b.seq).toBe(42);
    expect(b.observations).toEqual([
      { ...up, timings: { connect: 0.23, ttfb: 1.5, total: 2 } },
      down,
      { ...up, time: up.time + 9, timings: { connect: 0.23, ttfb: 1.5, total: 2 } },
    ]);
    expect(decodeBatch(encodeBatch(0, [up]), 'lyon').observations[0].vantage).toBe('lyon');
  });

  it('keeps a family that differs from the batch’s, and a dns-only failure', () => {
    const dns: Observation = {
      ...down,
      kind: 'dns',
      family: 6,
      status: undefined,
      address: undefined,
    };
    const [a, b] = decodeBatch(encodeBatch(0, [up, dns]), 'paris').observations;
    expect(a.family).toBe(4);
    expect(b).toMatchObject({ kind: 'dns', family: 6 });
    expect(b.address).toBeUndefined();
  });

  it('is compact: under 80 bytes per typical observation in a batch of 500', () => {
    const obs = Array.from({ length: 500 }, (_, i) => ({
      ...up,
      site: `site-${i}.test`,
      time: up.time + i * 7,
    }));
    const bytes = encodeBatch(0, obs).length;
    expect(bytes / 500).toBeLessThan(80);
    expect(JSON.stringify(obs).length / 500).toBeGreaterThan(2 * (bytes / 500));
  });

  it('throws on something that is not a batch', () => {
    const enc = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
    expect(() => decodeBatch(enc({ hello: 1 }), 'v')).toThrow(TypeError);
    expect(() => decodeBatch(enc({ q: 0, t: 0, s: [], o: [[9, 0, 0, 0, 0, 0]] }), 'v')).toThrow(TypeError);
    expect(() => decodeBatch(new TextEncoder().encode('{'), 'v')).toThrow();
  });
});
