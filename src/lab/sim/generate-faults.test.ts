import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.ts';
import { computeTruth } from '../score/truth.ts';
import { type FaultLevel, generateFaultScenario } from './generate-faults.ts';

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('generateFaultScenario', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateFaultScenario({ seed: 5 }).text).toBe(generateFaultScenario({ seed: 5 }).text);
    expect(generateFaultScenario({ seed: 6 }).text).not.toBe(generateFaultScenario({ seed: 5 }).text);
  });

  it('writes scenarios the loader accepts, with identifiable, well-placed faults', {
    timeout: 60_000,
  }, () => {
    const levels = new Set<FaultLevel>();
    const counts = new Set<number>();
    let partial = 0;
    let stalled = 0;
    let vantageLoss = 0;
    for (const seed of SEEDS) {
      const g = generateFaultScenario({ seed });
      const sc = parseScenario(g.text, `${g.name}.yaml`); // throws on any problem
      expect(sc.sites.length).toBeGreaterThanOrEqual(150);
      expect(sc.sites.length).toBeLessThanOrEqual(400);
      expect(g.causes.length).toBeGreaterThanOrEqual(1);
      expect(g.causes.length).toBeLessThanOrEqual(3);
      counts.add(g.causes.length);
      const truth = computeTruth(sc); // the scorer's own reading of the scenario
      const interval = sc.probeIntervalMs;
      const firstFault = Math.min(...sc.faults.map((f) => f.at));
      expect(firstFault - sc.start).toBeGreaterThanOrEqual(3 * interval);
      const providersOfFaults = new Set(g.causes.map((c) => c.cause.provider));
      const withSites = new Set(
        sc.sites.flatMap((s) => [s.hosting.provider, s.dns, s.mail, s.cdn, s.platform]),
      );
      for (const t of sc.truth) {
        for (const p of t.not) {
          expect(providersOfFaults.has(p), `${g.name}: ${p} both at fault and innocent`).toBe(false);
          expect(withSites.has(p), `${g.name}: innocent ${p} has no site`).toBe(true);
        }
      }
      for (const c of g.causes) {
        levels.add(c.level);
        expect(c.share).toBeGreaterThanOrEqual(0.3);
        expect(c.share).toBeLessThanOrEqual(1);
        if (c.share < 1) partial++;
        if (c.stalled) stalled++;
        const entry = truth.entries.find((e) => e.spec.fault === c.faults[0]);
        expect(entry, `${g.name}: truth for ${c.faults[0]}`).toBeDefined();
        // A shared cause: at least 3 sites hit after share, by the scorer's own count.
        expect(entry!.sites.size, `${g.name} ${c.faults[0]}`).toBeGreaterThanOrEqual(3);
        expect(entry!.sites.size).toBe(c.hits);
        // A quiet tail of at least 3 intervals after the last recovery.
        expect(entry!.lastRecovery).not.toBeNull();
        expect(sc.end - (entry!.lastRecovery as number)).toBeGreaterThanOrEqual(3 * interval);
        const f = sc.faults.find((x) => x.id === c.faults[0])!;
        if (c.level === 'dns') expect(f.effect.kind).toMatch(/^dns_/);
        if (c.level === 'cdn' && f.effect.kind === 'http_error')
          expect(f.effect.page).toBe(f.target.provider);
        if (c.level === 'component') expect(c.cause.component).toBe(f.target.component);
        else expect(c.cause.provider).toBe(f.target.provider);
        // Granularity: never narrower than the target; a role is named only where the provider
        // has sites through another role too (a CDN-only provider is blamed as a whole).
        if (f.target.role === undefined) expect(c.cause.role).toBeUndefined();
        if (c.cause.role) {
          const roles = new Set(
            sc.sites.flatMap((s) =>
              (['dns', 'mail', 'cdn', 'platform'] as const)
                .filter((k) => s[k] === c.cause.provider)
                .concat(s.hosting.provider === c.cause.provider ? ['hosting' as never] : []),
            ),
          );
          expect(roles.size, `${g.name}: ${JSON.stringify(c.cause)}`).toBeGreaterThan(1);
        }
      }
      if (g.vantageLoss) {
        vantageLoss++;
        expect(sc.vantages.length).toBeGreaterThanOrEqual(2);
      }
      expect(sc.noise.siteFailures).toBeGreaterThan(0);
      expect(sc.noise.probeLoss).toBeGreaterThan(0);
      // About 1–2 minutes of real time at the default speed.
      expect((sc.end - sc.start) / 1000 / sc.speed).toBeLessThanOrEqual(150);
    }
    expect([...levels].sort()).toEqual(
      ['cdn', 'component', 'dns', 'hosting', 'mail', 'plan', 'platform', 'provider', 'region'].sort(),
    );
    expect([...counts].sort()).toEqual([1, 2, 3]);
    expect(partial).toBeGreaterThan(10);
    expect(stalled).toBeGreaterThan(3);
    expect(vantageLoss).toBeGreaterThan(3);
  });
});
