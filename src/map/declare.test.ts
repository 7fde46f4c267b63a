import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { parseDeclarations } from './declare.ts';
import { toDependencies } from './dependencies.ts';
import type { DomainMap } from './types.ts';

describe('declarations', () => {
  it('reads origins, platforms and hidden components', () => {
    const d = parseDeclarations(
      '- domain: Shop.Example\n  origin: {provider: ovh, region: gra, plan: shared}\n  components: [fw-1]\n- {domain: a.example, platform: vclass}\n',
      'decl.yaml',
    );
    expect(d.get('shop.example')).toEqual([
      { role: 'hosting', provider: 'ovh', region: 'gra', plan: 'shared', source: 'declared' },
      { role: 'component', component: 'fw-1', source: 'declared' },
    ]);
    expect(d.get('a.example')).toEqual([{ role: 'platform', provider: 'vclass', source: 'declared' }]);
  });

  it('reports every problem with file and line', () => {
    try {
      parseDeclarations(
        '- domain: ok.example\n- domain: "bad..x"\n  origin: {region: gra, plan: huge}\n  extra: 1\n',
        'd.yaml',
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const lines = (e as InputError).problems.map((p) => `${p.line}:${p.field}`);
      expect(lines).toEqual(
        expect.arrayContaining(['2:[1].domain', '3:[1].origin.provider', '3:[1].origin.plan', '4:[1].extra']),
      );
    }
  });

  it('become declared dependencies next to observed ones', () => {
    const m: DomainMap = {
      domain: 'shop.example',
      status: 'ok',
      cname: [],
      dns: {
        provider: 'cloudflare',
        asn: 13335,
        org: 'CLOUDFLARENET',
        evidence: ['ns'],
        confidence: 0.95,
        zone: 'shop.example',
        nameServers: [],
      },
      cdn: {
        provider: 'cloudflare',
        asn: 13335,
        org: 'CLOUDFLARENET',
        evidence: ['cname'],
        confidence: 0.95,
        addresses: ['127.0.0.1'],
      },
      hosting: {
        provider: null,
        asn: null,
        org: null,
        addresses: [],
        region: null,
        evidence: [],
        confidence: 0,
        hidden: true,
      },
      plan: null,
      declared: [{ role: 'hosting', provider: 'ovh', region: 'gra', source: 'declared' }],
      confidence: 0.95,
    };
    const g = toDependencies([m]);
    expect(g.dependencies.map((d) => `${d.component} ${d.role} ${d.source}`)).toEqual([
      'provider:cloudflare dns observed',
      'provider:cloudflare cdn observed',
      'provider:ovh hosting declared',
      'region:ovh/gra hosting declared',
    ]);
    expect(g.components.map((c) => c.id)).toEqual(['provider:cloudflare', 'provider:ovh', 'region:ovh/gra']);
  });
});
