import { describe, expect, it } from 'vitest';
import type { HeartbeatMessage } from './heartbeat.ts';
import { AgentRegistry } from './registry.ts';

const hb = (vantage: string, o: Partial<HeartbeatMessage> = {}): HeartbeatMessage => ({
  vantage,
  boot: 'b1',
  version: 1,
  sites: 10,
  jobs: 10,
  started: 50,
  skipped: 0,
  inflight: 0,
  latenessP99Ms: 10,
  stored: 100,
  buffered: 0,
  dropped: 0,
  retries: 0,
  windowMs: 5_000,
  ...o,
});

describe('agent registry', () => {
  it('says healthy, degraded (and why) or gone, with probes/s', () => {
    let now = 0;
    const health = new Map([['c', false]]);
    const r = new AgentRegistry({
      vantages: ['a', 'b', 'c', 'd'],
      goneAfterMs: 1_000,
      intervalRealMs: 60_000,
      isHealthy: (v) => health.get(v) ?? true,
      now: () => now,
    });
    expect(r.heartbeat(hb('a'))).toBe(true);
    r.heartbeat(hb('b', { skipped: 3 }));
    r.heartbeat(hb('c'));
    expect(r.heartbeat(hb('zz'))).toBe(false);
    const s = Object.fromEntries(r.states().map((x) => [x.vantage, x]));
    expect(s.a).toMatchObject({ state: 'healthy', probesPerS: 10, sites: 10, lastHeartbeat: 0 });
    expect(s.b).toMatchObject({
      state: 'degraded',
      reason: expect.stringContaining('3 scheduled probes skipped'),
    });
    expect(s.c).toMatchObject({ state: 'degraded', reason: expect.stringContaining('implausible') });
    expect(s.d).toMatchObject({ state: 'gone', reason: 'never heard from', lastHeartbeat: null });
    now = 900;
    r.heartbeat(hb('a'));
    now = 1_500;
    expect(r.sweep()).toEqual(['b', 'c']);
    expect(r.alive()).toEqual(['a']);
    expect(r.heartbeat(hb('b'))).toBe(true);
  });

  it('is degraded while an agent drops observations, not for ever after', () => {
    const r = new AgentRegistry({ vantages: ['a'], goneAfterMs: 1_000, intervalRealMs: 60_000 });
    r.heartbeat(hb('a', { dropped: 0 }));
    r.heartbeat(hb('a', { dropped: 500 }));
    expect(r.states()[0]).toMatchObject({
      state: 'degraded',
      reason: expect.stringContaining('500 observations dropped'),
    });
    r.heartbeat(hb('a', { dropped: 500 }));
    expect(r.states()[0].state).toBe('healthy');
  });
});
