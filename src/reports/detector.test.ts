import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.ts';
import { ReportDetector } from './detector.ts';
import { proposeReported } from './reported.ts';
import { ReportService } from './service.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1); // a Monday
let nextId = 1;

/** `n` reports on `domain` in the current minute, each from its own reporter and network. */
function burst(d: ReportDetector, clock: ManualClock, domain: string, n: number, problem = 0) {
  for (let i = 0; i < n; i++) {
    const id = nextId++;
    d.record(domain, problem, clock.now(), id, id);
  }
}

/** Replay `days` of a site at `perHour` reports (deterministic: evenly spaced). */
function quietDays(d: ReportDetector, clock: ManualClock, domain: string, days: number, perHour: number) {
  const every = 60 / perHour;
  for (let m = 0; m < days * 1440; m++) {
    if (m % every < 1) burst(d, clock, domain, 1);
    clock.advance(MIN);
  }
}

describe('ReportDetector', () => {
  it('finds no spike in a site reporting at its usual rate, and a strong one at 20×', () => {
    const clock = new ManualClock(T0);
    const d = new ReportDetector(clock);
    quietDays(d, clock, 'a.test', 7, 6);
    expect(d.spike('a.test').level).toBe('none');
    expect(d.spike('a.test').expected).toBeGreaterThan(0.6);
    expect(d.spike('a.test').expected).toBeLessThan(1.6);
    for (let m = 0; m < 10; m++) {
      clock.advance(MIN);
      burst(d, clock, 'a.test', 2);
    }
    const s = d.spike('a.test');
    expect(s.count).toBeGreaterThanOrEqual(20);
    expect(s.level).toBe('strong');
  });

  it.each([
    [2, 'none'],
    [3, 'moderate'],
    [4, 'moderate'],
    [5, 'strong'],
  ])('a quiet new site with %d distinct reporters in the window: %s', (n, level) => {
    const clock = new ManualClock(T0);
    const d = new ReportDetector(clock);
    burst(d, clock, 'q.test', n);
    expect(d.spike('q.test').level).toBe(level);
  });

  it('does not learn from spikes: a past outage leaves the baseline as it was', () => {
    const clock = new ManualClock(T0);
    const d = new ReportDetector(clock);
    quietDays(d, clock, 'a.test', 3, 2);
    const before = d.spike('a.test').expected;
    for (let m = 0; m < 60; m++) {
      burst(d, clock, 'a.test', 10);
      clock.advance(MIN);
    }
    clock.advance(3 * 60 * MIN);
    expect(d.spike('a.test').expected).toBeLessThan(before * 1.5);
  });

  it('does not learn excluded minutes', () => {
    const clock = new ManualClock(T0);
    const d = new ReportDetector(clock);
    quietDays(d, clock, 'a.test', 2, 1);
    const from = clock.now();
    // A slow outage: 1 report a minute, never a spike on its own, but the runner knows.
    for (let m = 0; m < 120; m++) {
      burst(d, clock, 'a.test', 1);
      clock.advance(MIN);
    }
    d.exclude(['a.test'], from, clock.now());
    clock.advance(2 * 60 * MIN);
    expect(d.spike('a.test').expected).toBeLessThan(0.5);
  });

  it('tests a provider as a whole: no site spikes alone, together they do', () => {
    const clock = new ManualClock(T0 + 9 * 60 * MIN);
    const d = new ReportDetector(clock);
    const sites = Array.from({ length: 200 }, (_, i) => `s${i}.test`);
    for (let m = 0; m < 10; m++) {
      for (let i = 0; i < 4; i++) burst(d, clock, sites[(m * 4 + i) % 200], 1);
      clock.advance(MIN);
    }
    expect(sites.every((s) => d.spike(s).level === 'none')).toBe(true);
    const p = d.aggregate(sites);
    expect(p.count).toBe(36); // the last 9 minutes and the current one
    expect(p.level).toBe('strong');
  });

  it('draws the curve of a set of sites with its peak', () => {
    const clock = new ManualClock(T0);
    const d = new ReportDetector(clock);
    const shape = [0, 1, 3, 7, 4, 2, 0];
    for (const n of shape) {
      burst(d, clock, 'a.test', Math.ceil(n / 2));
      burst(d, clock, 'b.test', Math.floor(n / 2));
      clock.advance(MIN);
    }
    const c = d.curve(['a.test', 'b.test'], T0, clock.now());
    expect(c.counts).toEqual([0, 1, 3, 7, 4, 2, 0]);
    expect(c.peakAt).toBe(T0 + 3 * MIN);
    expect(c.peak).toBe(7);
    expect(c.total).toBe(17);
    expect(c.problems.site).toBe(17);
  });
});

describe('reports-only incidents', () => {
  it('opens a low-confidence reported incident when probes see the site healthy', () => {
    const clock = new ManualClock(T0);
    const d = new ReportDetector(clock);
    burst(d, clock, 'app.test', 8, 3); // app
    burst(d, clock, 'web.test', 8, 0); // site, but probes see it down
    const spikes = ['app.test', 'web.test'].map((domain) => ({
      domain,
      spike: d.spike(domain),
      curve: d.curve(domain, T0, T0 + MIN),
    }));
    const proposals = proposeReported(spikes, {
      probedHealthy: (s) => s === 'app.test',
      probeable: () => true,
      inIncident: () => false,
    });
    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({ domain: 'app.test', level: 'strong', problems: ['app'] });
    expect(proposals[0].confidence).toBeLessThanOrEqual(0.5);
    expect(proposals[0].evidence[0]).toMatch(/crowd reports for app.test: 8 in 10 min/);
  });

  it('through the service: a flood from one source proposes nothing', () => {
    const clock = new ManualClock(T0);
    const svc = new ReportService({ clock, isWatched: () => true });
    for (let i = 0; i < 500; i++)
      svc.submit({ domain: 'app.test', problem: 'app' }, { address: '198.51.100.7', userAgent: `a${i}` });
    const ctx = { probedHealthy: () => true, probeable: () => false, inIncident: () => false };
    expect(svc.reported(ctx, T0)).toEqual([]);
    for (let i = 0; i < 6; i++)
      svc.submit({ domain: 'app.test', problem: 'app' }, { address: `203.0.${i}.9`, userAgent: 'b' });
    const [p] = svc.reported(ctx, T0);
    expect(p).toMatchObject({ domain: 'app.test', level: 'strong', confidence: 0.5 });
    expect(svc.tick()).toMatchObject([{ subject: 'app.test', from: 'none', to: 'strong' }]);
  });
});
