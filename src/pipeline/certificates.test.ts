/**
 * The certificate check's interval: the probe interval, stretched so one handshake per site with a
 * certificate per interval stays within the handshake budget at the clock's speed.
 */
import { describe, expect, it } from 'vitest';
import { certificateInterval, HTTPS_HANDSHAKES_PER_S } from './pipeline.ts';

describe('certificateInterval', () => {
  it('is the probe interval while the handshakes fit the budget', () => {
    // 3,000 real sites at 60 s: 50 handshakes per second.
    expect(certificateInterval(3000, 60_000, 1)).toBe(60_000);
    // Exactly at the budget: 150 sites per real second.
    expect(certificateInterval(HTTPS_HANDSHAKES_PER_S * 60, 60_000, 1)).toBe(60_000);
    expect(certificateInterval(0, 60_000, 60)).toBe(60_000);
  });

  it('stretches to sites ÷ budget real seconds, in clock time', () => {
    // 30,000 real sites: 200 s.
    expect(certificateInterval(30_000, 60_000, 1)).toBe(200_000);
    // 400 sites at ×60: 400 / 150 s real = 2.67 s real = 160 s simulated.
    expect(certificateInterval(400, 60_000, 60)).toBeCloseTo(160_000, 6);
    // The end-to-end fixture: 120 sites at ×100 → 0.8 s real, 80 s simulated.
    expect(certificateInterval(120, 60_000, 100)).toBeCloseTo(80_000, 6);
  });

  it('keeps the handshake rate within the budget whatever the sites and speed', () => {
    for (const sites of [1, 150, 1000, 40_000])
      for (const speed of [1, 30, 60, 400]) {
        const every = certificateInterval(sites, 60_000, speed);
        expect(every).toBeGreaterThanOrEqual(60_000);
        const perRealSecond = sites / (every / speed / 1000);
        expect(perRealSecond).toBeLessThanOrEqual(HTTPS_HANDSHAKES_PER_S + 1e-9);
      }
  });
});
