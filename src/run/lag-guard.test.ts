import { describe, expect, it } from 'vitest';
import type { Observation } from '../model/observation.ts';
import { LagGuard } from './lag-guard.ts';

const obs = (signature: Observation['signature'], total: number, speed = 30): Observation => ({
  site: 'a.test',
  vantage: 'paris',
  time: 0,
  kind: 'http',
  outcome: signature === 'ok' ? 'up' : signature === 'slow' ? 'degraded' : 'down',
  signature,
  timings: { total },
  speed,
});

/** A guard that saw one stall of `ms` real milliseconds ending at `at`. */
function guardWithStall(at: number, ms: number): LagGuard {
  const g = new LagGuard({ slowMs: 5000 });
  (g as unknown as { stalls: { from: number; to: number }[] }).stalls.push({ from: at - ms, to: at });
  return g;
}

describe('LagGuard', () => {
  it('discards a slow verdict the monitor’s own stall explains', () => {
    const g = guardWithStall(1000, 150);
    // 200 ms real at ×30 = 6 s: slow; without the 150 ms stall, 50 ms = 1.5 s: not slow.
    expect(g.check(obs('slow', 200), 1000).signature).toBe('probe_error');
    expect(g.discarded).toBe(1);
  });

  it('keeps a slow verdict that stands without the stall', () => {
    const g = guardWithStall(1000, 20);
    expect(g.check(obs('slow', 400), 1000).signature).toBe('slow');
  });

  it('discards a deadline a long stall made fire, keeps one without stall', () => {
    expect(guardWithStall(1000, 200).check(obs('connect_timeout', 500), 1000).signature).toBe('probe_error');
    expect(guardWithStall(100, 200).check(obs('connect_timeout', 500), 1000).signature).toBe(
      'connect_timeout',
    );
  });

  it('never touches answers', () => {
    const g = guardWithStall(1000, 500);
    expect(g.check(obs('ok', 500), 1000).signature).toBe('ok');
    expect(g.check(obs('cdn_error', 500), 1000).signature).toBe('cdn_error');
  });
});
