import { describe, expect, it } from 'vitest';
import type { Selector } from '../../scenario/types.ts';
import { ROLES } from './engine.ts';
import { engine, fault, MIN, manySites, provider, scenario, site, T0 } from './fixtures.ts';

const providers = [
  provider('ovh', { roles: ['hosting', 'dns', 'mail'], regions: ['gra', 'rbx'] }),
  provider('aws', { roles: ['hosting', 'dns'], regions: ['us-east-1', 'eu-west-3'] }),
  provider('cloudflare', { roles: ['cdn', 'dns'] }),
  provider('vclass', { roles: ['platform'], hostedOn: 'aws' }),
  provider('hetzner', { roles: ['hosting'] }),
];

const sites = [
  site('a.test', { provider: 'ovh', region: 'gra', plan: 'shared' }, { mail: 'ovh' }),
  site('b.test', { provider: 'ovh', region: 'rbx', plan: 'dedicated' }, { dns: 'cloudflare' }),
  site('c.test', { provider: 'aws', region: 'us-east-1' }, { cdn: 'cloudflare' }),
  site('d.test', { provider: 'aws', region: 'eu-west-3' }, { platform: 'vclass' }),
  site('e.test', { provider: 'ovh', region: 'gra' }, { shares: ['fw-1'] }),
  site('f.test', { provider: 'aws', region: 'us-east-1' }, { dns: 'cloudflare', shares: ['fw-1'] }),
  site('g.test', { provider: 'hetzner' }, { dns: 'ovh', platform: 'vclass' }),
];

/** The "domain:role" pairs a lone fault with this selector hits, at a time it is active. */
function hitsOf(target: Selector): string[] {
  const eng = engine(scenario({ providers, sites, faults: [fault('f', target)] }));
  const out: string[] = [];
  sites.forEach((s, i) => {
    for (const role of ROLES) if (eng.effectOn(i, role, T0 + 45 * MIN)) out.push(`${s.domain[0]}:${role}`);
  });
  return out;
}

describe('selector semantics', () => {
  it.each<[string, Selector, string[]]>([
    [
      'provider-wide: every dependency on it',
      { provider: 'ovh' },
      ['a:hosting', 'a:dns', 'a:mail', 'b:hosting', 'e:hosting', 'e:dns', 'g:dns'],
    ],
    ['region: hosting in that region only', { provider: 'ovh', region: 'gra' }, ['a:hosting', 'e:hosting']],
    ['plan: hosting on that plan only', { provider: 'ovh', plan: 'dedicated' }, ['b:hosting', 'e:hosting']],
    ['role dns only', { provider: 'ovh', role: 'dns' }, ['a:dns', 'e:dns', 'g:dns']],
    ['role mail only', { provider: 'ovh', role: 'mail' }, ['a:mail']],
    ['a CDN provider: its CDN and its DNS', { provider: 'cloudflare' }, ['b:dns', 'c:cdn', 'f:dns']],
    ['role cdn', { provider: 'cloudflare', role: 'cdn' }, ['c:cdn']],
    [
      'a network also breaks the platforms it hosts',
      { provider: 'aws' },
      ['c:hosting', 'c:dns', 'd:hosting', 'd:dns', 'd:platform', 'f:hosting', 'g:platform'],
    ],
    [
      'network + role hosting: not the platform',
      { provider: 'aws', role: 'hosting' },
      ['c:hosting', 'd:hosting', 'f:hosting'],
    ],
    ['network + role platform: only a platform with that id', { provider: 'aws', role: 'platform' }, []],
    ['the platform itself', { provider: 'vclass' }, ['d:platform', 'g:platform']],
    [
      'network region does not reach a platform (no region)',
      { provider: 'aws', region: 'eu-west-3' },
      ['d:hosting'],
    ],
    ['component', { component: 'fw-1' }, ['e:component', 'f:component']],
    ['component on a provider (its hosting)', { component: 'fw-1', provider: 'ovh' }, ['e:component']],
    ['component unknown', { component: 'fw-2' }, []],
    ['domains only: their hosting', { domains: ['a.test', 'c.test'] }, ['a:hosting', 'c:hosting']],
    [
      'domains + provider',
      { domains: ['a.test', 'b.test'], provider: 'ovh' },
      ['a:hosting', 'a:dns', 'a:mail', 'b:hosting'],
    ],
    ['domains + role', { domains: ['a.test'], role: 'dns' }, ['a:dns']],
    ['role alone: that role everywhere', { role: 'mail' }, ['a:mail']],
    ['provider with no sites', { provider: 'nobody' }, []],
  ])('%s', (_name, target, expected) => {
    expect(hitsOf(target).sort()).toEqual([...expected].sort());
  });
});

describe('share', () => {
  const N = 10_000;
  const sc = (share: number, name = 'share-test') =>
    scenario({
      name,
      providers,
      sites: manySites(N),
      faults: [fault('half', { provider: 'ovh' }, { share })],
    });
  const hitSet = (e: ReturnType<typeof engine>) => e.faults[0].hitDomains;

  it.each([0, 0.05, 0.3, 0.5, 0.9, 1])('hits ≈ %f of the sites (±2 %%)', (share) => {
    const frac = hitSet(engine(sc(share))).length / N;
    expect(Math.abs(frac - share)).toBeLessThanOrEqual(0.02);
  });

  it('is deterministic for a seed, and differs across seeds', () => {
    const a = hitSet(engine(sc(0.3)));
    expect(hitSet(engine(sc(0.3)))).toEqual(a);
    expect(hitSet(engine(sc(0.3), undefined, 42))).not.toEqual(a);
    // The default seed comes from the scenario name.
    expect(hitSet(engine(sc(0.3, 'other-name')))).not.toEqual(a);
  });

  it('a larger share hits a superset of the sites', () => {
    const small = new Set(hitSet(engine(sc(0.2))));
    const large = new Set(hitSet(engine(sc(0.6))));
    for (const d of small) expect(large.has(d)).toBe(true);
  });

  it('draws per hosting address: sites on one address fail together', () => {
    const n = 2_000;
    const addr = (i: number) => `shared-${i % 40}`;
    const s = scenario({
      providers,
      sites: manySites(n, 'ovh', {}).map((x) => ({
        ...x,
        hosting: { ...x.hosting, plan: 'shared' as const },
      })),
      faults: [fault('srv', { provider: 'ovh', plan: 'shared' }, { share: 0.5 })],
    });
    const eng = engine(s, addr);
    const byAddr = new Map<string, Set<boolean>>();
    for (let i = 0; i < n; i++) {
      const hit = eng.effectOn(i, 'hosting', T0 + 45 * MIN) !== null;
      const set = byAddr.get(addr(i)) ?? new Set<boolean>();
      set.add(hit);
      byAddr.set(addr(i), set);
    }
    for (const states of byAddr.values()) expect(states.size).toBe(1);
    const hitAddrs = [...byAddr.values()].filter((v) => v.has(true)).length;
    expect(hitAddrs).toBeGreaterThan(5);
    expect(hitAddrs).toBeLessThan(35);
  });

  it('draws per domain when the hit is not on hosting', () => {
    const n = 2_000;
    const addr = (i: number) => `shared-${i % 40}`;
    const s = scenario({
      providers,
      sites: manySites(n),
      faults: [fault('dns', { provider: 'ovh', role: 'dns' }, { share: 0.5 })],
    });
    const eng = engine(s, addr);
    const onAddr0 = Array.from(
      { length: n / 40 },
      (_, j) => eng.effectOn(j * 40, 'dns', T0 + 45 * MIN) !== null,
    );
    expect(new Set(onAddr0).size).toBe(2);
  });
});
