import { describe, expect, it } from 'vitest';
import type { Observation } from '../model/observation.ts';
import { LagGuard } from './lag-guard.ts';

const obs = (signature: Observation['signature'], total: number): Observation => ({
  site: 'a.test',
  vantage: 'paris',
  time: 0,
  kind: 'http',
  outcome: signature === 'ok' ? 'up' : signature === 'slow' ? 'degraded' : 'down',
  signature,
  timings: { total },
  ...(signature === 'ok' || signature === 'slow' ? { status: 200 } : {}),
});

/** A guard that saw one stall of `ms` real milliseconds ending at `at`. */
function guardWithStall(at: number, ms: number): LagGuard {
  const g = new LagGuard({ slowMs: 5000, speed: 30 });
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

describe('LagGuard against the machine’s own answer time', () => {
  it('discards a slow verdict when everything answers about as slowly', () => {
    const g = new LagGuard({ slowMs: 5000, speed: 30 });
    for (let i = 0; i < 40; i++) g.check(obs('ok', 150), 1000 + i);
    // 220 ms real at ×30 = 6.6 s: over the threshold, but the machine answers in 150 ms right now.
    expect(g.check({ ...obs('slow', 220), status: 200 }, 1050).signature).toBe('probe_error');
    expect(g.discardedSlow).toBe(1);
  });

  it('keeps a slow verdict much slower than its contemporaries', () => {
    const g = new LagGuard({ slowMs: 5000, speed: 40 });
    for (let i = 0; i < 40; i++) g.check({ ...obs('ok', 10), status: 200 }, 1000 + i);
    // 5 s of overload at ×40 = 125 ms real, against 10 ms for everything else.
    expect(g.check({ ...obs('slow', 135), status: 200 }, 1050).signature).toBe('slow');
  });

  it('judges a slow mail dialogue against the machine’s other mail dialogues, not its web answers', () => {
    const g = new LagGuard({ slowMs: 5000, mailSlowMs: 20_000, speed: 60 });
    const mail = (signature: Observation['signature'], total: number): Observation => ({
      ...obs(signature, total),
      kind: 'smtp',
      status: 220,
    });
    for (let i = 0; i < 40; i++) {
      g.check({ ...obs('ok', 5), status: 200 }, 1000 + i);
      g.check(mail('ok', 300), 1000 + i);
    }
    // 400 ms real at ×60 = 24 s: over the mail threshold, but every dialogue takes 300 ms right now.
    expect(g.check(mail('slow', 400), 1050).signature).toBe('probe_error');
    // 2 s real = 120 s: far slower than the others — the host itself is slow.
    expect(g.check(mail('slow', 2000), 1060).signature).toBe('slow');
  });
});
