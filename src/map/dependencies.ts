/**
 * Mapping results as model records: the components (provider, region, network, segment, hidden…)
 * and the site → component dependencies the explain stage reasons over. Observed findings become
 * `source: observed` with their confidence and evidence; declarations become `source: declared`.
 */
import type { Component, Dependency, Role } from '../model/component.ts';
import type { DomainMap } from './types.ts';

/** Components and dependencies of a run. Components are deduplicated by id. */
export interface DependencyGraph {
  components: Component[];
  dependencies: Dependency[];
}

/** Build the graph for every domain mapped `ok` (others have nothing trustworthy to depend on). */
export function toDependencies(maps: readonly DomainMap[]): DependencyGraph {
  const components = new Map<string, Component>();
  const dependencies: Dependency[] = [];
  for (const m of maps) {
    const own = siteDependencies(m);
    for (const d of own.dependencies) dependencies.push(d);
    // A component seen by several sites is described as the first of them saw it.
    for (const c of own.components) if (!components.has(c.id)) components.set(c.id, c);
  }
  return { components: [...components.values()], dependencies };
}

/**
 * One site's part of the graph: its dependencies, and the components they name as this site's map
 * describes them (each once, in the order first named). Nothing for a site not mapped `ok`.
 */
export function siteDependencies(m: DomainMap): DependencyGraph {
  const components = new Map<string, Component>();
  const dependencies: Dependency[] = [];
  const comp = (c: Component) => {
    if (!components.has(c.id)) components.set(c.id, c);
    return c.id;
  };
  const provider = (id: string, asn: number | null, org: string | null) =>
    comp({
      id: `provider:${id}`,
      kind: 'provider',
      provider: id,
      ...(asn ? { asn } : {}),
      ...(org ? { org } : {}),
      label: id,
    });
  const region = (p: string, r: string) =>
    comp({ id: `region:${p}/${r}`, kind: 'region', provider: p, region: r, label: `${p} ${r}` });
  /** A shared-hosting address: the sites a provider's shared plan puts on it fail together. */
  const segment = (p: string, a: string) =>
    comp({ id: `segment:${a}`, kind: 'segment', provider: p, address: a, label: `${p} shared ${a}` });
  if (m.status !== 'ok') return { components: [], dependencies };
  const dep = (
    component: string,
    role: Role,
    confidence: number,
    evidence: string[],
    source: 'observed' | 'declared' = 'observed',
  ) => dependencies.push({ site: m.domain, component, role, source, confidence, evidence });
  if (m.dns) dep(provider(m.dns.provider, m.dns.asn, m.dns.org), 'dns', m.dns.confidence, m.dns.evidence);
  if (m.cdn) dep(provider(m.cdn.provider, m.cdn.asn, m.cdn.org), 'cdn', m.cdn.confidence, m.cdn.evidence);
  if (m.platform)
    dep(provider(m.platform.provider, null, null), 'platform', m.platform.confidence, m.platform.evidence);
  if (m.mail)
    dep(provider(m.mail.provider, m.mail.asn, m.mail.org), 'mail', m.mail.confidence, m.mail.evidence);
  const h = m.hosting;
  if (h && !h.hidden && h.provider) {
    dep(provider(h.provider, h.asn, h.org), 'hosting', h.confidence, h.evidence);
    if (h.asn) {
      const id = comp({
        id: `network:as${h.asn}`,
        kind: 'network',
        asn: h.asn,
        ...(h.org ? { org: h.org } : {}),
        label: `AS${h.asn}${h.org ? ` ${h.org}` : ''}`,
      });
      dep(id, 'hosting', h.confidence, h.evidence.slice(0, 1));
    }
    if (h.region) dep(region(h.provider, h.region), 'hosting', h.confidence, h.evidence);
    if (m.plan?.value === 'shared')
      for (const a of h.addresses) dep(segment(h.provider, a), 'hosting', m.plan.confidence, m.plan.evidence);
  }
  for (const d of m.declared ?? []) {
    const why = ['declared'];
    if (d.role === 'component' && d.component) {
      dep(
        comp({ id: `hidden:${d.component}`, kind: 'hidden', label: d.component }),
        'component',
        1,
        why,
        'declared',
      );
    } else if (d.provider) {
      if (d.address) why.push(`origin ${d.address}${d.asn ? ` in AS${d.asn}` : ''}`);
      dep(
        provider(d.provider, d.asn ?? null, d.org ?? null),
        d.role === 'platform' ? 'platform' : 'hosting',
        1,
        why,
        'declared',
      );
      if (d.role === 'hosting' && d.address && d.plan === 'shared')
        dep(segment(d.provider, d.address), 'hosting', 1, why, 'declared');
      if (d.role === 'hosting' && d.region) {
        dep(region(d.provider, d.region), 'hosting', 1, why, 'declared');
      }
    }
  }
  return { components: [...components.values()], dependencies };
}
