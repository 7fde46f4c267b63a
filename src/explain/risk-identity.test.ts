import { describe, expect, it } from 'vitest';
import { rng } from '../../test/support/explain/simulate.ts';
import { population } from '../../test/support/map-population.ts';
import { assignPlans } from '../map/cohost.ts';
import { toDependencies } from '../map/dependencies.ts';
import { MapGraph } from '../map/graph.ts';
import type { DomainMap } from '../map/types.ts';
import type { Component, Dependency } from '../model/component.ts';
import { explainAll } from './evidence.ts';
import { infer } from './infer.ts';
import { buildRisk, LiveRisk, type RiskModel, unifyByAsn } from './risk.ts';
import { SLOT } from './signals.ts';
import type { FailingService } from './types.ts';

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

describe('the risk model updated site by site', () => {
  const monitored = { dns: false, mail: true };

  /** What the pipeline does on a change: the graph first, then only the sites it rebuilt. */
  const apply = (graphs: MapGraph, live: LiveRisk, changed: Iterable<string>) => {
    live.describe(graphs.components);
    for (const d of changed) {
      if (graphs.maps.has(d)) live.set(d, graphs.dependenciesOf(d));
      else live.remove(d);
    }
  };

  /** From scratch on fresh copies of the same maps, as before: plans, graph, model. */
  const scratch = (graphs: MapGraph) => {
    const maps = structuredClone([...graphs.maps.values()]);
    assignPlans(maps);
    const graph = toDependencies(maps);
    return {
      maps,
      graph,
      model: buildRisk({ ...graph, sites: maps.map((m) => m.domain), monitored }),
    };
  };

  const named = (model: RiskModel, failures: FailingService[]) => {
    const r = infer(model, failures);
    return {
      causes: r.causes.map((c) => ({ ...c, sites: [...c.sites].sort() })),
      lone: [...r.lone].sort(),
      evidence: explainAll(model, r),
    };
  };

  it('is identical to one built from scratch after any sequence of adds, removals and re-maps', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = rng(seed);
      const pop = population(seed, 300);
      const graphs = new MapGraph();
      const live = new LiveRisk(monitored);
      const gone: string[] = [];
      const pick = () => [...graphs.maps.keys()][Math.floor(r() * graphs.maps.size)];
      for (let step = 0; step < 60; step++) {
        const x = r();
        if (x < 0.4 || graphs.maps.size < 10) {
          const batch = Array.from({ length: 1 + Math.floor(r() * (step === 0 ? 200 : 6)) }, () =>
            pop.site(),
          );
          // A site removed earlier may come back.
          if (gone.length && r() < 0.3) batch.push(pop.moved({ ...batch[0], domain: gone.pop() as string }));
          apply(graphs, live, graphs.set(batch));
        } else if (x < 0.7) {
          const domains = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, pick))];
          gone.push(...domains);
          const changed = graphs.remove(domains);
          for (const d of domains) changed.add(d);
          apply(graphs, live, changed);
        } else {
          const batch = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, pick))].map((d) =>
            // Moved to another host, or mapped again unchanged.
            r() < 0.7 ? pop.moved(graphs.maps.get(d) as DomainMap) : structuredClone(graphs.maps.get(d)),
          ) as DomainMap[];
          apply(graphs, live, graphs.set(batch));
        }
        if (step % 6 !== 5) continue;
        const ref = scratch(graphs);
        // The map: the same plans and the same graph as assignPlans + toDependencies over all maps.
        expect(structuredClone([...graphs.maps.values()])).toEqual(ref.maps);
        expect(graphs.graph().dependencies).toEqual(ref.graph.dependencies);
        const byId = (cs: readonly Component[]) => [...cs].sort((a, b) => a.id.localeCompare(b.id));
        expect(byId(graphs.graph().components)).toEqual(byId(ref.graph.components));
        // The model: every array inference and evidence read, index for index.
        const model = live.model();
        expect(model).toEqual(ref.model);
        // And what a round reads from it.
        const failures: FailingService[] = [];
        const hit = model.groups[Math.floor(r() * model.groups.length)].key;
        const g = model.groupIndex.get(hit) as number;
        for (let i = model.groupStart[g]; i < model.groupStart[g + 1]; i++) {
          const site = model.sites[(model.groupSlots[i] / SLOT) | 0];
          failures.push({ site, role: 'web', state: 'down', signature: 'connect_timeout', since: 0 });
        }
        for (const site of model.sites)
          if (r() < 0.02) failures.push({ site, role: 'web', state: 'down', signature: 'refused', since: 0 });
        expect(named(model, failures)).toEqual(named(ref.model, failures));
      }
    }
  });

  it("tells a neighbour's plan again when a site joins or leaves its address", () => {
    const site = (domain: string, address: string): DomainMap => ({
      domain,
      status: 'ok',
      cname: [],
      dns: null,
      hosting: {
        provider: 'fluxus',
        asn: 64512,
        org: 'FLUXUS',
        addresses: [address],
        region: null,
        evidence: [],
        confidence: 0.9,
        hidden: false,
      },
      plan: null,
      confidence: 0.9,
    });
    const graphs = new MapGraph();
    const live = new LiveRisk(monitored);
    const plans = () => {
      const m = live.model();
      const g = m.groupIndex.get('plan:fluxus/shared');
      const members = g === undefined ? [] : [...m.groupSlots.subarray(m.groupStart[g], m.groupStart[g + 1])];
      return members.map((slot) => m.sites[(slot / SLOT) | 0]);
    };
    apply(graphs, live, graphs.set([site('a.test', '127.16.0.4'), site('z.test', '127.16.0.9')]));
    expect(graphs.maps.get('a.test')?.plan?.value).toBe('dedicated');
    expect(plans()).toEqual([]);
    // b joins a's address: a's plan changes too, though a was not in the batch.
    const changed = graphs.set([site('b.test', '127.16.0.4')]);
    expect([...changed].sort()).toEqual(['a.test', 'b.test']);
    apply(graphs, live, changed);
    expect(graphs.maps.get('a.test')?.plan?.value).toBe('shared');
    expect(plans()).toEqual(['a.test', 'b.test']);
    expect(graphs.dependenciesOf('a.test').some((d) => d.component === 'segment:127.16.0.4')).toBe(true);
    // b moves away: a is alone again.
    apply(graphs, live, graphs.set([site('b.test', '127.16.0.7')]));
    expect(graphs.maps.get('a.test')?.plan?.value).toBe('dedicated');
    expect(plans()).toEqual([]);
    // b comes back, then is removed.
    apply(graphs, live, graphs.set([site('b.test', '127.16.0.4')]));
    expect(plans()).toEqual(['a.test', 'b.test']);
    const left = graphs.remove(['b.test']);
    left.add('b.test');
    apply(graphs, live, left);
    expect(graphs.maps.get('a.test')?.plan?.value).toBe('dedicated');
    expect(live.model().siteIndex.has('b.test')).toBe(false);
    expect(live.model()).toEqual(scratch(graphs).model);
  });

  it("tells a declared origin's plan again as its address fills, but keeps the plan a user gave", () => {
    const behind = (domain: string, address: string, plan?: 'dedicated'): DomainMap => ({
      domain,
      status: 'ok',
      cname: [],
      dns: null,
      cdn: { provider: 'cdn', asn: 13335, org: null, evidence: [], confidence: 1, addresses: ['127.0.0.9'] },
      hosting: null,
      plan: null,
      declared: [
        { role: 'hosting', provider: 'fluxus', address, ...(plan ? { plan } : {}), source: 'declared' },
      ],
      confidence: 1,
    });
    const graphs = new MapGraph();
    graphs.set([behind('a.test', '127.16.0.4'), behind('u.test', '127.16.0.4', 'dedicated')]);
    graphs.set([behind('b.test', '127.16.0.5')]);
    expect(graphs.maps.get('a.test')?.declared?.[0].plan).toBe('shared');
    expect(graphs.maps.get('u.test')?.declared?.[0].plan).toBe('dedicated');
    expect(graphs.maps.get('b.test')?.declared?.[0].plan).toBe('dedicated');
    graphs.set([behind('c.test', '127.16.0.5')]);
    expect(graphs.maps.get('b.test')?.declared?.[0].plan).toBe('shared');
    graphs.remove(['c.test']);
    expect(graphs.maps.get('b.test')?.declared?.[0].plan).toBe('dedicated');
  });
});
