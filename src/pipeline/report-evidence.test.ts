import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import type { Incident } from '../model/incident.ts';
import { ReportService } from '../reports/service.ts';
import { ReportEvidence } from './report-evidence.ts';

const MIN = 60_000;
const T0 = Date.UTC(2021, 9, 13, 7, 12);
const SITES = ['shop-1.test', 'shop-2.test', 'shop-3.test', 'shop-4.test', 'shop-5.test', 'shop-6.test'];

describe('IncidentPublisher', () => {
  const base: Incident = {
    id: 'inc-1',
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
    confidence: 0.99,
    startedAt: T0,
    detectedAt: T0 + MIN,
    peakAt: null,
    resolvedAt: null,
    affected: ['shop-1.test', 'shop-2.test', 'shop-3.test', 'shop-4.test', 'shop-5.test', 'shop-6.test'],
    exonerated: [
      { provider: 'cloudflare', evidence: 'cloudflare: 0 of 5 monitored sites behind it degraded' },
    ],
    evidence: ['ovh hosting: 6 of 6 failing (100 %)'],
    timeline: [],
  };

  function setup() {
    const clock = new ManualClock(T0 - 2 * 3_600_000);
    const watched = new Set([...SITES, 'quiet.test']);
    const up = new Set(['quiet.test']);
    const reports = new ReportService({ clock, isWatched: (d) => watched.has(d) });
    const evidence = new ReportEvidence({
      reports,
      idPrefix: 'ovh-mini-',
      siteUp: (d) => (watched.has(d) ? up.has(d) : null),
    });
    evidence.providerSites = new Map([['ovh', base.affected]]);
    return { clock, reports, evidence };
  }

  /** Distinct reporters from distinct networks, one report each. */
  function report(reports: ReportService, domain: string, n: number, tag: string) {
    for (let k = 0; k < n; k++)
      reports.submit(
        { domain, problem: 'site' },
        { address: `10.${k}.${tag.length}.1`, userAgent: `${tag}-${k}` },
      );
  }

  it('attaches the report curve and the provider’s report evidence', () => {
    const { clock, reports, evidence } = setup();
    clock.advance(2 * 3_600_000 + 5 * MIN);
    for (const d of base.affected) report(reports, d, 3, d);
    clock.advance(MIN);
    expect(evidence.tick(clock.now(), [base], () => {})).toEqual([]);
    const i = evidence.decorate(base, clock.now());
    expect(i.reports?.total).toBe(18);
    expect(i.reports?.peak).toBe(18);
    expect(i.reports?.peakAt).toBe(T0 + 5 * MIN);
    expect(i.evidence.at(-1)).toMatch(/^crowd reports for OVH SAS: 18 in 10 min vs .* expected .*, strong$/);
    expect(base.evidence).toHaveLength(1); // the incident given is not changed
  });

  it('re-probes a site whose reports spike, and opens a low-confidence reported incident probes cannot confirm', () => {
    const { clock, reports, evidence } = setup();
    clock.advance(2 * 3_600_000);
    report(reports, 'quiet.test', 8, 'q');
    clock.advance(MIN);
    const reprobed: string[] = [];
    const published = evidence.tick(clock.now(), [], (d) => reprobed.push(d));
    expect(reprobed).toEqual(['quiet.test']);
    const r = published.find((i) => i.kind === 'reported');
    expect(r).toMatchObject({
      id: 'ovh-mini-reported-1',
      cause: { component: 'site:quiet.test' },
      affected: ['quiet.test'],
      resolvedAt: null,
    });
    expect(r!.confidence).toBeLessThanOrEqual(0.5);
    expect(r!.reports?.total).toBe(8);
    // The spike over, the reported incident is resolved.
    clock.advance(30 * MIN);
    expect(evidence.tick(clock.now(), [], () => {}).at(-1)).toMatchObject({
      id: 'ovh-mini-reported-1',
      resolvedAt: clock.now(),
    });
  });
});
