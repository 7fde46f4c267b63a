import { describe, expect, it } from 'vitest';
import { Detector } from '../detect/detector.ts';
import type { Observation } from '../model/observation.ts';
import { FailureLog, failingServices } from './rounds.ts';

const obs = (site: string, vantage: string, time: number, up: boolean): Observation => ({
  site,
  vantage,
  time,
  kind: 'http',
  outcome: up ? 'up' : 'down',
  signature: up ? 'ok' : 'connect_timeout',
  timings: { total: 10 },
});

describe('FailureLog', () => {
  it('lists services whose latest probe failed, with no success since, within the window', () => {
    const log = new FailureLog(() => true);
    log.observe(obs('a.test', 'paris', 1000, false));
    log.observe(obs('b.test', 'paris', 1000, false));
    log.observe(obs('b.test', 'london', 2000, true)); // answered since: not a suspect
    log.observe(obs('c.test', 'paris', 100, false)); // too old
    const s = log.suspects(5000, 4500, () => false);
    expect(s.map((x) => [x.failure.site, x.vantage, x.failure.since])).toEqual([['a.test', 'paris', 1000]]);
    expect(log.suspects(5000, 4500, (site) => site === 'a.test')).toHaveLength(0);
  });

  it('ignores unhealthy vantages and the monitor’s own errors', () => {
    const log = new FailureLog((v) => v !== 'frankfurt');
    log.observe(obs('a.test', 'frankfurt', 1000, false));
    log.observe({ ...obs('b.test', 'paris', 1000, false), signature: 'probe_error' });
    expect(log.suspects(2000, 5000, () => false)).toHaveLength(0);
  });

  it('keeps a service that served a waiting-room page degraded for the window', () => {
    const log = new FailureLog(() => true);
    const detector = new Detector({ emit: () => {} });
    log.observe({
      ...obs('q.test', 'paris', 1000, false),
      signature: 'http_5xx',
      status: 503,
      queue: true,
      outcome: 'degraded',
    });
    log.observe(obs('q.test', 'lyon', 2000, true)); // most answers get through
    const f = failingServices(detector, log, 3000, 5000);
    expect(f).toMatchObject([{ site: 'q.test', state: 'degraded', status: 503, meaning: 'queue' }]);
    expect(failingServices(detector, log, 7000, 5000)).toHaveLength(0);
  });
});
