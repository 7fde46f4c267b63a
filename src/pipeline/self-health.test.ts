/**
 * The self-check on a really stalled event loop (a busy loop in this process): verdicts withheld, a
 * provider cause read meanwhile opens nothing, and verdicts count again only after the trouble is
 * over and one interval has re-observed everything.
 */
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../clock/clock.ts';
import { IncidentTracker } from '../explain/incidents.ts';
import type { Inference } from '../explain/types.ts';
import type { SelfHealthState } from '../model/health.ts';
import { SelfHealth } from './self-health.ts';

function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

const T = Date.UTC(2021, 9, 13, 7, 12);

/** A strong provider-wide cause over 50 sites, as a loaded machine's timeouts could suggest. */
function providerRound(time: number): Inference {
  const input = Array.from({ length: 50 }, (_, k) => ({
    site: `s${k}.test`,
    role: 'web' as const,
    state: 'down' as const,
    signature: 'connect_timeout' as const,
    since: time,
  }));
  return {
    method: 'test',
    input,
    lone: [],
    causes: [
      {
        group: 0,
        key: 'provider:ovh',
        cause: {
          provider: 'ovh',
          asn: 16276,
          name: 'OVH SAS',
          region: null,
          plan: null,
          role: null,
          component: null,
        },
        kind: 'network',
        signature: 'connect_timeout',
        failures: input.map((_, i) => i),
        sites: input.map((f) => f.site),
        failing: 50,
        total: 50,
        gain: 200,
        confidence: 0.999,
      },
    ],
  };
}

describe('SelfHealth', () => {
  it('withholds verdicts while the event loop stalls; a provider cause read meanwhile opens nothing', async () => {
    const changes: SelfHealthState[] = [];
    const health = new SelfHealth({
      clock: new SystemClock(),
      deadlineRealMs: 400,
      intervalRealMs: 600,
      lateness: () => 0,
      onChange: (s) => changes.push(s),
      windowMs: 60_000, // readings driven by hand below
    });
    health.start();
    try {
      await new Promise((r) => setTimeout(r, 50));
      health.check();
      expect(health.reliable()).toBe(true);
      stall(300); // the event loop is stuck for three quarters of the probe deadline
      await new Promise((r) => setTimeout(r, 20));
      health.check();
      expect(health.reliable()).toBe(true); // one stall: the lag guard's business
      stall(300); // and again: sustained trouble
      await new Promise((r) => setTimeout(r, 20));
      health.check();
      expect(health.reliable()).toBe(false);
      expect(changes.at(-1)).toMatchObject({ reliable: false });
      expect(changes.at(-1)?.reason).toMatch(/event loop stalled \d+ ms/);

      const tracker = new IncidentTracker({ intervalMs: 60_000 });
      for (let r = 0; r < 4; r++) tracker.update(T + r * 10_000, providerRound(T), [], health.reliable());
      tracker.early(T + 40_000, providerRound(T));
      expect(tracker.incidents()).toHaveLength(0);

      // Back to normal: three good readings end the trouble, then one interval settles it.
      for (let k = 0; k < 3; k++) {
        await new Promise((r) => setTimeout(r, 20));
        health.check();
      }
      expect(health.reliable()).toBe(false); // still settling
      await new Promise((r) => setTimeout(r, 650));
      health.check();
      expect(health.reliable()).toBe(true);
      expect(changes.at(-1)).toMatchObject({ reliable: true });
      expect(health.withheld().periods).toBe(1);
    } finally {
      health.stop();
    }
  });

  it('withholds when probes start later than the re-probe delay', () => {
    let late = 0;
    const health = new SelfHealth({
      clock: new SystemClock(),
      deadlineRealMs: 10_000,
      intervalRealMs: 600,
      lateness: () => late,
      onChange: () => {},
    });
    health.check();
    expect(health.reliable()).toBe(true);
    late = 150; // the re-probe delay is 100 ms
    health.check();
    health.check();
    expect(health.reliable()).toBe(false);
  });
});
