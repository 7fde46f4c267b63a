import { describe, expect, it } from 'vitest';
import type { Observation, Outcome, Signature } from '../model/observation.ts';
import { Detector } from './detector.ts';
import type { StateTransition } from './types.ts';

function obs(
  site: string,
  vantage: string,
  time: number,
  outcome: Outcome,
  signature: Signature = 'ok',
): Observation {
  return { site, vantage, time, kind: 'http', outcome, signature, timings: { total: 1 } };
}

function make(healthy: (v: string) => boolean = () => true) {
  const out: StateTransition[] = [];
  const reprobes: string[] = [];
  const d = new Detector({
    emit: (t) => out.push(t),
    reprobe: (site, _k, v) => reprobes.push(`${site}@${v}`),
    isVantageHealthy: healthy,
  });
  return { d, out, reprobes };
}

describe('Detector', () => {
  it('confirms a failure with an early re-probe and 2 of the last 3, dating it from the first failure', () => {
    const { d, out, reprobes } = make();
    d.observe(obs('a.test', 'v1', 0, 'up'));
    d.observe(obs('a.test', 'v1', 60_000, 'down', 'connect_timeout'));
    expect(out).toEqual([]);
    expect(reprobes).toEqual(['a.test@v1']);
    d.observe(obs('a.test', 'v1', 70_000, 'down', 'connect_timeout'));
    expect(out).toMatchObject([
      {
        site: 'a.test',
        role: 'web',
        from: 'up',
        to: 'down',
        at: 70_000,
        since: 60_000,
        signature: 'connect_timeout',
      },
    ]);
    expect(d.state('a.test', 'web')).toBe('down');
  });

  it('ignores a lone failure (probe loss) and needs consecutive successes to recover', () => {
    const { d, out } = make();
    d.observe(obs('a.test', 'v1', 0, 'down', 'read_timeout'));
    d.observe(obs('a.test', 'v1', 10, 'up'));
    d.observe(obs('a.test', 'v1', 20, 'up'));
    expect(out).toEqual([]);
    d.observe(obs('a.test', 'v1', 30, 'down', 'refused'));
    d.observe(obs('a.test', 'v1', 40, 'down', 'refused'));
    d.observe(obs('a.test', 'v1', 50, 'up'));
    expect(out.map((t) => t.to)).toEqual(['down']);
    d.observe(obs('a.test', 'v1', 60, 'up'));
    expect(out.map((t) => t.to)).toEqual(['down', 'up']);
    expect(out[1]).toMatchObject({ since: 50, signature: 'ok' });
  });

  it('marks slow answers degraded', () => {
    const { d, out } = make();
    d.observe(obs('a.test', 'v1', 0, 'degraded', 'slow'));
    d.observe(obs('a.test', 'v1', 10, 'degraded', 'slow'));
    expect(out).toMatchObject([{ to: 'degraded', signature: 'slow' }]);
  });

  it('needs a strict majority of vantages, and ignores unhealthy vantages', () => {
    let v2healthy = true;
    const { d, out } = make((v) => v !== 'v2' || v2healthy);
    for (const t of [0, 10, 20]) {
      d.observe(obs('a.test', 'v1', t, 'up'));
      d.observe(obs('a.test', 'v2', t, 'down', 'dns_timeout'));
    }
    expect(out).toEqual([]); // one of two vantages: a tie keeps the site up
    v2healthy = false;
    for (const t of [30, 40]) d.observe(obs('a.test', 'v2', t, 'down', 'dns_timeout'));
    expect(out).toEqual([]);
    for (const t of [50, 60]) d.observe(obs('a.test', 'v1', t, 'down', 'reset'));
    expect(out).toMatchObject([{ to: 'down', vantages: ['v1'], signature: 'reset' }]);
  });

  it('restores stored states without emitting, and recovers from them', () => {
    const { d, out } = make();
    d.restore([{ site: 'a.test', role: 'web', state: 'down', since: 5 }]);
    expect(d.state('a.test', 'web')).toBe('down');
    expect([...d.failing()]).toEqual([{ site: 'a.test', role: 'web', state: 'down', since: 5 }]);
    d.observe(obs('a.test', 'v1', 100, 'up'));
    d.observe(obs('a.test', 'v1', 110, 'up'));
    expect(out).toMatchObject([{ from: 'down', to: 'up', since: 100 }]);
  });

  it('keeps a certificate checked apart (kind tls) in a service of its own: HTTP up and an expired certificate do not take turns', () => {
    const { d, out, reprobes } = make();
    const tls = (time: number, outcome: Outcome, signature: Signature = 'ok'): Observation => ({
      ...obs('a.test', 'v1', time, outcome, signature),
      kind: 'tls',
    });
    d.observe(obs('a.test', 'v1', 0, 'up'));
    d.observe(tls(10_000, 'down', 'tls_expired'));
    expect(reprobes).toEqual(['a.test@v1']);
    d.observe(obs('a.test', 'v1', 20_000, 'up'));
    d.observe(tls(25_000, 'down', 'tls_expired'));
    d.observe(obs('a.test', 'v1', 60_000, 'up'));
    expect(out).toMatchObject([
      { site: 'a.test', role: 'tls', from: 'up', to: 'down', signature: 'tls_expired' },
    ]);
    expect(d.state('a.test', 'tls')).toBe('down');
    expect(d.state('a.test', 'web')).toBe('up');
    expect([...d.failing()].map((f) => f.role)).toEqual(['tls']);
    d.observe(tls(90_000, 'up'));
    d.observe(tls(100_000, 'up'));
    expect(out.at(-1)).toMatchObject({ role: 'tls', from: 'down', to: 'up' });
    expect(d.state('a.test', 'web')).toBe('up');
  });
});
