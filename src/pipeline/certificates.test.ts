/**
 * The certificate check apart from the web: its interval (the probe interval, stretched so one
 * handshake per site with a certificate per interval stays within the handshake budget at the
 * clock's speed), and which of its observations are verdicts on the certificate.
 */
import { describe, expect, it } from 'vitest';
import type { Observation, Signature } from '../model/observation.ts';
import { judgesCertificate } from './local-fleet.ts';
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

describe('judgesCertificate', () => {
  const obs = (outcome: Observation['outcome'], signature: Signature, phase?: Observation['phase']) =>
    ({
      site: 'a.test',
      vantage: 'v',
      time: 0,
      kind: 'tls',
      outcome,
      signature,
      phase,
      timings: { total: 1 },
    }) as Observation;

  it('keeps what the handshake and the certificate said, not a failure to resolve or connect', () => {
    expect(judgesCertificate(obs('up', 'ok'))).toBe(true);
    expect(judgesCertificate(obs('down', 'tls_expired', 'tls'))).toBe(true);
    expect(judgesCertificate(obs('down', 'tls_error', 'tls'))).toBe(true);
    expect(judgesCertificate(obs('down', 'read_timeout', 'tls'))).toBe(true);
    expect(judgesCertificate(obs('down', 'dns_timeout', 'dns'))).toBe(false);
    expect(judgesCertificate(obs('down', 'connect_timeout', 'connect'))).toBe(false);
    expect(judgesCertificate(obs('down', 'refused', 'connect'))).toBe(false);
  });
});
