import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenario/load.ts';
import { namesProvider, type ScoredIncident, sameCause, scoreRun } from './score.ts';
import { computeTruth } from './truth.ts';

const scenario = loadScenario(fileURLToPath(new URL('../run/fixtures/small.yaml', import.meta.url)));
const truth = computeTruth(scenario);
// gra-down: 10:15 → 10:40, recovery over 5 min (last site back 10:45), Paris summer time (+02:00).
const gra = [...truth.entries[0].sites].sort();

const cause = (c: Partial<ScoredIncident['cause']>): ScoredIncident['cause'] => ({
  provider: null,
  asn: null,
  name: null,
  region: null,
  plan: null,
  role: null,
  component: null,
  ...c,
});

const incident = (id: string, c: Partial<ScoredIncident['cause']>, o: Partial<ScoredIncident> = {}) => ({
  id,
  cause: cause(c),
  startedAt: '2024-05-02T10:15:00+02:00',
  detectedAt: '2024-05-02T10:16:30+02:00',
  resolvedAt: '2024-05-02T10:46:00+02:00',
  affected: gra,
  ...o,
});

describe('truth', () => {
  it('is recomputed from the scenario alone: sites hit, start, last recovery', () => {
    const e = truth.entries[0];
    expect(e.sites.size).toBe(40);
    expect(gra.every((s) => s.startsWith('shop-') || s.startsWith('store-'))).toBe(true);
    expect(e.start).toBe(Date.parse('2024-05-02T10:15:00+02:00'));
    expect(e.lastRecovery).toBeLessThanOrEqual(Date.parse('2024-05-02T10:45:00+02:00'));
    expect(e.lastRecovery).toBeGreaterThan(Date.parse('2024-05-02T10:40:00+02:00'));
  });
});

describe('matching a provider and a granularity', () => {
  const ovh = scenario.providers.find((p) => p.id === 'ovh')!;
  it.each([
    ['catalog id', { provider: 'ovh' }, true],
    ['AS number', { provider: 'as16276', asn: 16276 }, true],
    ['organisation', { provider: 'x', name: 'ovh sas' }, true],
    ['another provider', { provider: 'hetzner', asn: 24940, name: 'Hetzner Online GmbH' }, false],
    ['a site-level cause', { component: 'site:shop-1.test' }, false],
  ])('by %s', (_, c, want) => expect(namesProvider(cause(c), ovh)).toBe(want));

  it('is neither broader nor narrower than the truth', () => {
    const t = { provider: 'ovh', region: 'gra' };
    expect(sameCause(cause({ provider: 'ovh', region: 'gra' }), t, ovh)).toBe(true);
    expect(sameCause(cause({ provider: 'ovh' }), t, ovh)).toBe(false);
    expect(sameCause(cause({ provider: 'ovh', region: 'gra', plan: 'shared' }), t, ovh)).toBe(false);
    expect(sameCause(cause({ provider: 'ovh', region: 'rbx' }), t, ovh)).toBe(false);
  });
});

describe('scoreRun', () => {
  it('scores a perfect run', () => {
    const s = scoreRun(
      scenario,
      { incidents: [incident('inc-1', { provider: 'ovh', region: 'gra' })] },
      truth,
    );
    const e = s.entries[0];
    expect(e).toMatchObject({ matched: true, incident: 'inc-1', detectionDelay: 90 });
    expect(e.affectedPrecision).toBe(1);
    expect(e.affectedRecall).toBe(1);
    const last = truth.entries[0].lastRecovery!;
    expect(e.resolutionDelay).toBe((Date.parse('2024-05-02T10:46:00+02:00') - last) / 1000);
    expect(s.wronglyBlamed).toEqual([]);
    expect(s.totals).toMatchObject({ entries: 1, matched: 1, wronglyBlamed: 0 });
  });

  it('takes the earliest incident with the right cause, and counts precision and recall', () => {
    const half = gra.slice(0, 20);
    const s = scoreRun(
      scenario,
      {
        incidents: [
          incident('inc-2', { provider: 'ovh', region: 'gra' }, { affected: [...half, 'forum-1.test'] }),
          incident('inc-1', { provider: 'ovh' }, { detectedAt: '2024-05-02T10:16:00+02:00' }),
          incident('inc-3', { provider: 'ovh', region: 'gra' }, { detectedAt: '2024-05-02T10:20:00+02:00' }),
        ],
      },
      truth,
    );
    expect(s.entries[0].incident).toBe('inc-2');
    expect(s.entries[0].affectedPrecision).toBeCloseTo(20 / 21, 3);
    expect(s.entries[0].affectedRecall).toBe(0.5);
    expect(s.wronglyBlamed).toEqual([]); // the broader ovh incident is wrong granularity, not a wrong provider
  });

  it('flags providers the truth clears and provider-level false alarms, not site-level incidents', () => {
    const s = scoreRun(
      scenario,
      {
        incidents: [
          incident('inc-1', { provider: 'cloudflare', role: 'cdn', asn: 13335 }),
          incident(
            'inc-2',
            { provider: 'ovh', region: 'rbx' },
            {
              startedAt: '2024-05-02T10:01:00+02:00',
              detectedAt: '2024-05-02T10:02:00+02:00',
              resolvedAt: '2024-05-02T10:05:00+02:00',
            },
          ),
          incident('inc-3', { component: 'site:forum-3.test' }, { affected: ['forum-3.test'] }),
        ],
      },
      truth,
    );
    expect(s.entries[0].matched).toBe(false);
    expect(s.wronglyBlamed.map((b) => b.incident)).toEqual(['inc-1', 'inc-2']);
    expect(s.totals.wronglyBlamed).toBe(2);
  });

  it('reports an unresolved incident as having no resolution delay', () => {
    const s = scoreRun(
      scenario,
      { incidents: [incident('inc-1', { provider: 'ovh', region: 'gra' }, { resolvedAt: null })] },
      truth,
    );
    expect(s.entries[0].resolutionDelay).toBeNull();
  });
});
