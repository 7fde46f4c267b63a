import { describe, expect, it } from 'vitest';
import type { Observation } from '../../model/observation.ts';
import { VantageResults } from './vantages.ts';

const obs = (
  kind: Observation['kind'],
  outcome: Observation['outcome'],
  signature: Observation['signature'],
) =>
  ({
    site: 'a.test',
    vantage: 'paris',
    time: 1000,
    kind,
    outcome,
    signature,
    timings: { total: 1 },
  }) as Observation;

describe('VantageResults', () => {
  it('keeps a certificate checked apart (tls) beside the web result, not over it', () => {
    const v = new VantageResults();
    v.observe(obs('http', 'up', 'ok'));
    v.observe(obs('tls', 'down', 'tls_expired'));
    v.observe(obs('smtp', 'up', 'ok'));
    const [paris] = v.site('a.test');
    expect(paris.results.map((r) => [r.role, r.outcome, r.signature])).toEqual([
      ['web', 'up', 'ok'],
      ['tls', 'down', 'tls_expired'],
      ['mail', 'up', 'ok'],
    ]);
    expect(paris.failing).toBe(true);
    expect(v.summary('paris')).toMatchObject({ sites: 1, failing: 1 });
  });
});
