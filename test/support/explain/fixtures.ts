/**
 * Test and benchmark helper: what the map would hand over for a small world described like a scenario
 * (`hosting`, `dns`, `mail`, `cdn`, `platform`, `shares`) — components and dependencies as
 * `toDependencies()` shapes them, including its blind spots (a CDN hides the origin unless declared;
 * a platform's hosting is the network it runs on). Not used by the pipeline.
 */

import type { SiteMeta } from '../../../src/explain/types.ts';
import type { Component, Dependency, Plan, Role } from '../../../src/model/component.ts';

export interface FixtureProvider {
  id: string;
  asn?: number;
  org?: string;
  /** For a platform: the provider whose network it runs on. */
  hostedOn?: string;
}

export interface FixtureSite {
  domain: string;
  hosting?: { provider: string; region?: string; plan?: Plan; address?: string };
  dns?: string;
  mail?: string;
  cdn?: string;
  /** Behind a CDN: whether the origin was declared (default true). */
  declaredOrigin?: boolean;
  platform?: string;
  shares?: string[];
}

export interface FixtureMap {
  components: Component[];
  dependencies: Dependency[];
  meta: Map<string, SiteMeta>;
}

/** Expand `name-{n}` templates: `many('shop-{n}.test', 3, …)`. */
export function many(template: string, count: number, spec: Omit<FixtureSite, 'domain'>): FixtureSite[] {
  return Array.from({ length: count }, (_, i) => ({
    ...spec,
    domain: template.replace('{n}', String(i + 1)),
  }));
}

/** The map's view of a world. Shared sites get addresses of 8 sites each unless given one. */
export function mapWorld(providers: readonly FixtureProvider[], sites: readonly FixtureSite[]): FixtureMap {
  const prov = new Map(providers.map((p) => [p.id, p]));
  const components = new Map<string, Component>();
  const dependencies: Dependency[] = [];
  const meta = new Map<string, SiteMeta>();
  const sharedCount = new Map<string, number>();
  const add = (c: Component) => {
    if (!components.has(c.id)) components.set(c.id, c);
    return c.id;
  };
  const provider = (id: string) => {
    const p = prov.get(id);
    return add({
      id: `provider:${id}`,
      kind: 'provider',
      provider: id,
      ...(p?.asn ? { asn: p.asn } : {}),
      ...(p?.org ? { org: p.org } : {}),
      label: id,
    });
  };
  for (const s of sites) {
    const dep = (component: string, role: Role, source: 'observed' | 'declared' = 'observed') =>
      dependencies.push({ site: s.domain, component, role, source, confidence: 0.9, evidence: [] });
    const h = s.hosting;
    if (s.dns ?? h?.provider) dep(provider((s.dns ?? h?.provider) as string), 'dns');
    if (s.mail) dep(provider(s.mail), 'mail');
    if (s.cdn) dep(provider(s.cdn), 'cdn');
    if (s.platform) dep(provider(s.platform), 'platform');
    for (const c of s.shares ?? [])
      dep(add({ id: `hidden:${c}`, kind: 'hidden', label: c }), 'component', 'declared');
    // Where the site's own server is: hidden behind a CDN unless declared; a platform's network.
    const hostingProvider = s.platform ? prov.get(s.platform)?.hostedOn : h?.provider;
    const visible = !s.cdn || s.declaredOrigin !== false;
    if (!hostingProvider || !visible) continue;
    const source = s.cdn ? 'declared' : 'observed';
    dep(provider(hostingProvider), 'hosting', source);
    const p = prov.get(hostingProvider);
    if (p?.asn && !s.cdn) {
      dep(add({ id: `network:as${p.asn}`, kind: 'network', asn: p.asn, label: `AS${p.asn}` }), 'hosting');
    }
    if (h?.region && !s.platform) {
      const id = `region:${hostingProvider}/${h.region}`;
      dep(
        add({ id, kind: 'region', provider: hostingProvider, region: h.region, label: id }),
        'hosting',
        source,
      );
    }
    if (h?.plan === 'shared' && !s.platform) {
      if (s.cdn) meta.set(s.domain, { plan: 'shared' });
      else {
        const k = `${hostingProvider}/${h.region ?? ''}`;
        const n = sharedCount.get(k) ?? 0;
        sharedCount.set(k, n + 1);
        const address = h.address ?? `${k}#${Math.floor(n / 8)}`;
        dep(
          add({
            id: `segment:${address}`,
            kind: 'segment',
            provider: hostingProvider,
            address,
            label: address,
          }),
          'hosting',
        );
      }
    }
  }
  return { components: [...components.values()], dependencies, meta };
}
