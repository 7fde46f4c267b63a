import { describe, expect, it } from 'vitest';
import { mapWorld } from '../../test/support/explain/fixtures.ts';
import { PROVIDERS, SITES } from '../../test/support/explain/seed-world.ts';
import { type FixtureFault, rng, simulate } from '../../test/support/explain/simulate.ts';
import { IncidentTracker } from './incidents.ts';
import { infer } from './infer.ts';
import { buildRisk } from './risk.ts';
import type { FailingService } from './types.ts';

const model = buildRisk(mapWorld(PROVIDERS, SITES));
const MIN = 60_000;

/** Rounds every minute; `faultsAt(t)` gives the faults active at minute t. */
function replay(
  minutes: number,
  faultsAt: (t: number) => { faults: FixtureFault[]; keep?: (f: FailingService) => boolean },
) {
  const tracker = new IncidentTracker({ graceMs: 3 * MIN });
  for (let t = 0; t < minutes; t++) {
    const { faults, keep = () => true } = faultsAt(t);
    const failures = simulate(PROVIDERS, SITES, faults, { random: rng(t + 1), since: 0 }).filter(keep);
    tracker.update(t * MIN, infer(model, failures));
  }
  return tracker.incidents();
}

const CF: FixtureFault = { target: { provider: 'cloudflare', role: 'cdn' }, effect: 'http_error' };

describe('IncidentTracker', () => {
  it('keeps a flapping CDN failure as one incident', () => {
    // On 3 minutes out of 5 from minute 5 to 35.
    const incidents = replay(50, (t) => ({ faults: t >= 5 && t < 35 && (t - 5) % 5 < 3 ? [CF] : [] }));
    expect(incidents).toHaveLength(1);
    expect(incidents[0].cause).toMatchObject({ provider: 'cloudflare', role: 'cdn' });
    // 60 sites at once, with high confidence: confirmed on the first round.
    expect(incidents[0].detectedAt).toBe(5 * MIN);
    expect(incidents[0].resolvedAt).toBe(33 * MIN);
  });

  it('follows a slow recovery: peak, restoration share, resolution when the last site is back', () => {
    const region: FixtureFault = { target: { provider: 'ovh', region: 'sbg' }, effect: 'blackhole' };
    const incidents = replay(40, (t) => ({
      faults: t >= 2 && t < 30 ? [region] : [],
      // From minute 10, three more sites come back every minute.
      keep: (f) => t < 10 || Number(/\d+/.exec(f.site)?.[0] ?? 0) > (t - 10) * 3 || !f.site.startsWith('sbg'),
    }));
    expect(incidents).toHaveLength(1);
    const inc = incidents[0];
    expect(inc.cause).toMatchObject({ provider: 'ovh', region: 'sbg' });
    expect(inc.peakAt).toBe(2 * MIN);
    const at15 = inc.timeline.find((p) => p.time === 15 * MIN);
    expect(at15?.restored).toBeGreaterThan(0.4);
    // 40 shared + 20 dedicated sbg sites numbered up to 40: all back by minute 24.
    expect(inc.resolvedAt).toBe(24 * MIN);
    expect(inc.affected).toHaveLength(60);
  });

  it('widens a region incident to its provider instead of opening another', () => {
    const incidents = replay(12, (t) => ({
      faults:
        t < 4
          ? [{ target: { provider: 'ovh', region: 'sbg' }, effect: 'blackhole' }]
          : [{ target: { provider: 'ovh' }, effect: 'blackhole' }],
    }));
    expect(incidents).toHaveLength(1);
    expect(incidents[0].cause).toMatchObject({ provider: 'ovh', region: null, role: null });
  });

  it('opens a site-level incident for a lone failure, never a provider one', () => {
    const lone: FailingService = {
      site: 'aws1.test',
      role: 'web',
      state: 'down',
      signature: 'refused',
      since: 0,
    };
    const tracker = new IncidentTracker();
    for (let t = 0; t < 3; t++) tracker.update(t * MIN, infer(model, [lone]));
    const incidents = tracker.incidents();
    expect(incidents.map((i) => i.cause.component)).toEqual(['site:aws1.test']);
    expect(incidents[0].cause.provider).toBeNull();
  });

  it('opens early on unconfirmed failures, with the sites they show; confirmed ones add to it', () => {
    const CFall = simulate(PROVIDERS, SITES, [CF], { random: rng(1), since: 0 });
    const tracker = new IncidentTracker();
    tracker.early(MIN, infer(model, CFall));
    let incidents = tracker.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0].detectedAt).toBe(MIN);
    const early = incidents[0].affected.length;
    expect(early).toBeGreaterThan(10);
    // Confirmed a round later: the same incident, with its sites.
    tracker.update(2 * MIN, infer(model, CFall));
    incidents = tracker.incidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0].detectedAt).toBe(MIN);
    expect(incidents[0].affected.length).toBeGreaterThanOrEqual(early);
  });

  it('does not let a recovered site failing again later hold the incident open', () => {
    const region: FixtureFault = { target: { provider: 'ovh', region: 'sbg' }, effect: 'blackhole' };
    const tracker = new IncidentTracker({ graceMs: 3 * MIN });
    for (let t = 0; t < 5; t++)
      tracker.update(
        t * MIN,
        infer(model, simulate(PROVIDERS, SITES, [region], { random: rng(t + 1), since: 0 })),
      );
    const site = tracker.incidents()[0].affected[0];
    // Everything back at minute 5; one affected site fails alone from minute 6, a new failure.
    const noise: FailingService = { site, role: 'web', state: 'down', signature: 'http_5xx', since: 6 * MIN };
    for (let t = 5; t < 12; t++) tracker.update(t * MIN, infer(model, t >= 6 ? [noise] : []));
    expect(tracker.incidents()[0].resolvedAt).toBe(5 * MIN);
  });
});
