import { describe, expect, it } from 'vitest';
import type { Component, Dependency } from '../model/component.ts';
import { buildRisk, unifyByAsn } from './risk.ts';

const dep = (site: string, component: string, role: Dependency['role']): Dependency => ({
  site,
  component,
  role,
  source: 'observed',
  confidence: 1,
  evidence: [],
});

describe('unifyByAsn', () => {
  const components: Component[] = [
    {
      id: 'provider:as64512',
      kind: 'provider',
      provider: 'as64512',
      asn: 64512,
      org: 'FLUXUS',
      label: 'as64512',
    },
    {
      id: 'provider:fluxus',
      kind: 'provider',
      provider: 'fluxus',
      asn: 64512,
      org: 'FLUXUS',
      label: 'fluxus',
    },
    {
      id: 'segment:127.16.0.4',
      kind: 'segment',
      provider: 'as64512',
      address: '127.16.0.4',
      label: 'as64512 shared 127.16.0.4',
    },
    { id: 'provider:ovh', kind: 'provider', provider: 'ovh', asn: 16276, label: 'ovh' },
  ];

  it('names an AS-only provider after the one named provider announcing from that AS', () => {
    const { components: out, rename } = unifyByAsn(components);
    expect(rename.get('provider:as64512')).toBe('provider:fluxus');
    expect(out.map((c) => c.id)).toEqual(['provider:fluxus', 'segment:127.16.0.4', 'provider:ovh']);
    expect(out.find((c) => c.kind === 'segment')?.provider).toBe('fluxus');
  });

  it('puts the hosting, the shared plan and the DNS of one provider under one identity', () => {
    const sites = ['a.test', 'b.test', 'c.test'];
    const model = buildRisk({
      components,
      dependencies: sites.flatMap((s) => [
        dep(s, 'provider:as64512', 'hosting'),
        dep(s, 'segment:127.16.0.4', 'hosting'),
        dep(s, 'provider:fluxus', 'dns'),
      ]),
      sites,
    });
    const keys = model.groups.map((g) => g.key);
    expect(keys).toContain('plan:fluxus/shared');
    expect(keys.some((k) => k.includes('as64512') && !k.startsWith('network:'))).toBe(false);
  });

  it('leaves an AS two named providers announce from alone', () => {
    const two = [...components, { ...components[1], id: 'provider:other', provider: 'other' }];
    expect(unifyByAsn(two).rename.size).toBe(0);
  });
});
