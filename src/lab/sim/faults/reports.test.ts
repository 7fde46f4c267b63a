import { describe, expect, it } from 'vitest';
import { engine, fault, MIN, manySites, provider, scenario, T0 } from './fixtures.ts';
import { buildRamp, RAMP_MS, rampAt } from './reports.ts';
import type { CrowdReport } from './types.ts';

const providers = [provider('ovh', { roles: ['hosting', 'dns', 'mail'] }), provider('aws')];
const H = 60 * MIN;

describe('ramp', () => {
  it('rises over RAMP_MS, holds, and decays after', () => {
    const r = buildRamp([[0, 3 * RAMP_MS]]);
    expect(rampAt(r, -1)).toBe(0);
    expect(rampAt(r, 0)).toBe(0);
    expect(rampAt(r, RAMP_MS / 2)).toBeCloseTo(0.5);
    expect(rampAt(r, 2 * RAMP_MS)).toBe(1);
    expect(rampAt(r, 3 * RAMP_MS + RAMP_MS / 4)).toBeCloseTo(0.75);
    expect(rampAt(r, 4 * RAMP_MS)).toBe(0);
  });
  it('a short blip rises only partway and decays from there', () => {
    const r = buildRamp([
      [0, RAMP_MS / 5],
      [RAMP_MS / 5 + RAMP_MS / 10, RAMP_MS / 5 + RAMP_MS / 10 + RAMP_MS / 5],
    ]);
    expect(rampAt(r, RAMP_MS / 5)).toBeCloseTo(0.2);
    expect(rampAt(r, RAMP_MS / 5 + RAMP_MS / 10)).toBeCloseTo(0.1);
    expect(rampAt(r, RAMP_MS / 2)).toBeCloseTo(0.3);
    expect(rampAt(r, RAMP_MS / 2 + RAMP_MS * 0.3)).toBeCloseTo(0);
  });
  it('never affected: no ramp', () => {
    expect(buildRamp([])).toBeNull();
    expect(rampAt(null, 5)).toBe(0);
  });
});

describe('crowd reports', () => {
  const N = 3_000;
  const baseline = 0.5;
  const surge = 30;
  const at = T0 + 60 * MIN;
  const until = T0 + 120 * MIN;
  const sites = manySites(N, 'aws').map((s, i) =>
    i < 100 ? { ...s, hosting: { ...s.hosting, provider: 'ovh' } } : s,
  );
  sites[0] = { ...sites[0], mail: 'ovh', dns: 'ovh' };
  const sc = scenario({
    providers,
    sites,
    reports: { baselinePerHour: baseline, surge },
    faults: [fault('ovh-down', { provider: 'ovh' }, { at, until })],
  });
  const eng = engine(sc);
  const all = eng.reports(sc.start, sc.end);
  const hit = new Set(sites.slice(0, 100).map((s) => s.domain));

  it('baseline count ≈ Poisson mean', () => {
    const quiet = all.filter((r) => !hit.has(r.domain));
    const expected = (N - 100) * baseline * 3; // 3 hours
    expect(Math.abs(quiet.length - expected)).toBeLessThan(5 * Math.sqrt(expected));
    // Spread over the window, not bunched.
    const firstHour = quiet.filter((r) => r.time < T0 + H).length;
    expect(Math.abs(firstHour - expected / 3)).toBeLessThan(5 * Math.sqrt(expected / 3));
  });

  it('surges during the fault, ramping up then down', () => {
    const inWindow = (a: number, b: number) =>
      all.filter((r) => hit.has(r.domain) && r.time >= a && r.time < b);
    const full = inWindow(at + 10 * MIN, until).length;
    const expectedFull = 100 * baseline * surge * (50 / 60);
    expect(Math.abs(full - expectedFull)).toBeLessThan(5 * Math.sqrt(expectedFull));
    const before = inWindow(T0, at).length;
    expect(before).toBeLessThan(100 * baseline * 1 * 2);
    const after = inWindow(until + 10 * MIN, sc.end).length;
    expect(after).toBeLessThan(100 * baseline * (50 / 60) * 2 + 10);
    // First minutes of the fault: well below the plateau rate.
    const firstMinutes = inWindow(at, at + 3 * MIN).length / 3;
    expect(firstMinutes).toBeLessThan((full / 50) * 0.5);
    expect(eng.reportFactor(0, at + 5 * MIN)).toBeCloseTo(1 + (surge - 1) * 0.5);
    expect(eng.reportFactor(0, until + 10 * MIN)).toBe(1);
    expect(eng.reportFactor(500, at + 30 * MIN)).toBe(1);
  });

  it('affected-period reports come from many distinct reporters', () => {
    const during = all.filter((r) => hit.has(r.domain) && r.time >= at && r.time < until);
    expect(new Set(during.map((r) => r.reporter)).size).toBeGreaterThan(0.95 * during.length);
  });

  it('problems: mostly site; email for a mail-affected site', () => {
    const count = (rs: CrowdReport[], p: string) => rs.filter((r) => r.problem === p).length;
    expect(count(all, 'site') / all.length).toBeGreaterThan(0.6);
    expect(count(all, 'login')).toBeGreaterThan(0);
    expect(count(all, 'app')).toBeGreaterThan(0);
    const heavy = engine({
      ...sc,
      sites: [sites[0]],
      reports: { baselinePerHour: 60, surge: 5 },
    }).reports(at, until);
    expect(count(heavy, 'email') / heavy.length).toBeGreaterThan(0.35);
    expect(all.filter((r) => r.domain !== sites[0].domain && r.problem === 'email')).toEqual([]);
  });

  it('is independent of chunking', () => {
    const a = sc.start + 17 * MIN + 12_345;
    const c = at + 45 * MIN + 7;
    const whole = eng.reports(a, c);
    const cut = at + 3 * MIN + 31_000;
    expect([...eng.reports(a, cut), ...eng.reports(cut, c)]).toEqual(whole);
    const pieces: CrowdReport[] = [];
    for (let t = a; t < c; t += 37_000) pieces.push(...eng.reports(t, Math.min(c, t + 37_000)));
    expect(pieces).toEqual(whole);
  });

  it('is deterministic across engines, and depends on the seed', () => {
    expect(engine(sc).reports(sc.start, sc.end)).toEqual(all);
    expect(engine(sc, undefined, 1234).reports(sc.start, sc.end)).not.toEqual(all);
  });

  it('no reports config: none', () => {
    expect(engine({ ...sc, reports: null }).reports(sc.start, sc.end)).toEqual([]);
  });
});
