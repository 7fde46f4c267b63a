import { describe, expect, it } from 'vitest';
import { expandDomain, hostnameProblem } from './expand.ts';
import { matchDependencies, matchSites } from './select.ts';
import type { ProviderSpec, Selector, SiteSpec } from './types.ts';

const providers = new Map<string, ProviderSpec>(
  [
    { id: 'ovh', name: 'OVH', asn: 16276, roles: ['hosting', 'dns', 'mail'], regions: ['rbx', 'sbg'] },
    { id: 'cf', name: 'CF', asn: 13335, roles: ['cdn'], regions: [] },
    { id: 'aws', name: 'AWS', asn: 16509, roles: ['hosting', 'dns'], regions: [] },
    { id: 'vclass', name: 'VClass', asn: 64500, roles: ['platform'], regions: [], hostedOn: 'aws' },
  ].map((p) => [p.id, p as ProviderSpec]),
);

const site = (domain: string, extra: Partial<SiteSpec> = {}): SiteSpec => ({
  domain,
  hosting: { provider: 'ovh', region: 'rbx', plan: 'shared' },
  dns: 'ovh',
  shares: [],
  weight: 1,
  ...extra,
});

const sites = [
  site('a.test'),
  site('b.test', { hosting: { provider: 'ovh', region: 'sbg', plan: 'dedicated' }, cdn: 'cf' }),
  site('c.test', { hosting: { provider: 'aws', plan: 'dedicated' }, dns: 'aws', platform: 'vclass' }),
  site('d.test', { shares: ['fw-1'] }),
];

describe('selectors', () => {
  it.each([
    [{ provider: 'ovh' }, [0, 1, 3]],
    [{ provider: 'ovh', region: 'sbg' }, [1]],
    [{ provider: 'ovh', plan: 'shared' }, [0, 3]],
    [{ provider: 'ovh', role: 'dns' }, [0, 1, 3]],
    [{ provider: 'cf' }, [1]],
    [{ component: 'fw-1' }, [3]],
    [{ provider: 'vclass' }, [2]],
    [{ provider: 'aws' }, [2]],
    [{ provider: 'aws', role: 'dns' }, [2]],
    [{ domains: ['b.test', 'c.test'] }, [1, 2]],
    [{ role: 'mail' }, []],
  ] as [Selector, number[]][])('%j hits %j', (sel, expected) => {
    expect(matchSites(sel, sites, providers)).toEqual(expected);
  });

  it('lands a network fault on the platform running on it, not a DNS-only fault', () => {
    expect(matchDependencies({ provider: 'aws' }, sites[2], providers).map((d) => d.role)).toEqual([
      'hosting',
      'dns',
      'platform',
    ]);
    expect(
      matchDependencies({ provider: 'aws', role: 'dns' }, sites[2], providers).map((d) => d.role),
    ).toEqual(['dns']);
  });
});

describe('templates', () => {
  it('expands {n} to 1..count', () => {
    expect(expandDomain('shop-{n}.test', 3)).toEqual(['shop-1.test', 'shop-2.test', 'shop-3.test']);
    expect(expandDomain('x{n}.{n}.Example.', 2)).toEqual(['x1.1.example', 'x2.2.example']);
    expect(expandDomain('shop-{n}.test', 400)).toHaveLength(400);
  });

  it('validates host names', () => {
    expect(hostnameProblem('shop-1.test')).toBeNull();
    expect(hostnameProblem('localhost')).toMatch(/fully qualified/);
    expect(hostnameProblem('a_b.test')).toMatch(/invalid label/);
  });
});
