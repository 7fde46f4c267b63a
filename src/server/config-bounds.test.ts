/** Bounds of the serve configuration's durations and limits: stated in the schema and in the message. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { parseServeConfig } from './config.ts';
import { CONFIG_SCHEMA } from './config-schema.ts';

function problems(text: string): string[] {
  try {
    parseServeConfig(`sites: [shop.example]\n${text}`, 'vigie.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message.split('\n');
  }
  throw new Error('expected the configuration to be refused');
}

describe('serve configuration bounds', () => {
  it.each([
    [
      'interval: 99999999999999999999h',
      'vigie.yaml:2: interval: expected a duration such as 250ms, 10s, 5m or 1h, at most 24h',
    ],
    ['interval: 90000', 'vigie.yaml:2: interval: must be at most 86,400 seconds (24h)'],
    ['timeout: 11m', 'vigie.yaml:2: timeout: expected a duration such as 250ms, 10s, 5m or 1h, at most 10m'],
    [
      'remap_every: 481h',
      'vigie.yaml:2: remap_every: expected a duration such as 250ms, 10s, 5m or 1h, at most 480h (20 days)',
    ],
    ['rate_limit: {max: 99999999999}', 'vigie.yaml:2: rate_limit.max: must be at most 1,000,000'],
    [
      'rate_limit: {window: 25h}',
      'vigie.yaml:2: rate_limit.window: expected a duration such as 1m, at most 24h',
    ],
  ])('%s → %s', (text, expected) => {
    expect(problems(text)).toEqual([expected]);
  });

  it('accepts the largest values', () => {
    const c = parseServeConfig(
      'sites: [shop.example]\ninterval: 24h\ntimeout: 10m\nremap_every: 480h\nrate_limit: {max: 1000000, window: 24h}\n',
      'vigie.yaml',
    );
    expect([c.intervalMs, c.timeoutMs, c.remapEveryMs]).toEqual([86_400_000, 600_000, 480 * 3_600_000]);
    const n = parseServeConfig('sites: [shop.example]\nrate_limit: {window: 60}\n', 'vigie.yaml');
    expect(n.rateLimit).toEqual({ max: 600, windowMs: 60_000 });
  });

  it('states the bounds in the schema', () => {
    const p = CONFIG_SCHEMA.properties;
    expect([p.interval.maximum, p.timeout.maximum, p.remap_every.maximum]).toEqual([86_400, 600, 1_728_000]);
    expect(p.interval.description).toMatch(/at most 24h/);
  });
});
