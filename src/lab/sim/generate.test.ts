import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.ts';
import { generateScenario } from './generate.ts';

describe('generateScenario', () => {
  it('writes a valid scenario of the size asked, the same for a seed', () => {
    const a = generateScenario({ sites: 2000, seed: 7 });
    const s = parseScenario(a.text, 'generated.yaml');
    expect(s.sites).toHaveLength(2000);
    expect(generateScenario({ sites: 2000, seed: 7 }).text).toBe(a.text);
    expect(generateScenario({ sites: 2000, seed: 8 }).text).not.toBe(a.text);
  });

  it('mixes plans, CDNs, platforms and mail, with few dedicated sites', () => {
    const s = parseScenario(generateScenario({ sites: 5000, seed: 1 }).text, 'g.yaml');
    const share = (f: (x: (typeof s.sites)[number]) => boolean) => s.sites.filter(f).length / s.sites.length;
    expect(share((x) => x.hosting.plan === 'dedicated')).toBeLessThanOrEqual(0.3);
    expect(share((x) => x.hosting.plan === 'dedicated')).toBeGreaterThan(0.05);
    expect(share((x) => !!x.cdn)).toBeGreaterThan(0.05);
    expect(share((x) => !!x.platform)).toBeGreaterThan(0.01);
    expect(share((x) => !!x.mail)).toBeGreaterThan(0.3);
    expect(new Set(s.providers.map((p) => p.asn)).size).toBe(s.providers.length);
    // No shared group of a single site: it would be indistinguishable from a dedicated one.
    const groups = new Map<string, number>();
    expect(s.sites.some((x) => x.hosting.plan === 'shared' && (x.cdn || x.platform))).toBe(false);
    for (const x of s.sites)
      if (x.hosting.plan === 'shared') {
        const k = `${x.hosting.provider}/${x.hosting.region}`;
        groups.set(k, (groups.get(k) ?? 0) + 1);
      }
    expect([...groups.values()].every((n) => n >= 2)).toBe(true);
  });
});
