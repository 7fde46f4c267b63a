/**
 * The risk model: every candidate cause (risk group) as the set of (site, dependency role) slots it
 * would break, in compact CSR arrays so a million sites and a hundred thousand components fit in a
 * few hundred MB. Groups are derived from the map's components: a provider (all roles), each role of
 * a provider, a provider's region, a provider's hosting plan, a shared address, an AS, a declared
 * component. Groups with exactly the same slots are indistinguishable from outside: the broadest
 * name is kept (an `aliasOf` entry remembers the others).
 */
import type { Component, Dependency, Plan, Role } from '../model/component.ts';
import { finish } from './risk-finish.ts';
import type { RiskModel } from './risk-model.ts';
import { HOSTING, roleIndex, SLOT } from './signals.ts';
import type { Monitored, RiskGroup, SiteMeta } from './types.ts';

export { type RiskModel, unitService } from './risk-model.ts';

/** Growable Int32 buffer: edges are appended millions of times, objects per edge would not fit. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Incremental builder, for callers that hold integers rather than {@link Dependency} records (the
 * scale benchmark, a store loading millions of edges).
 */
export class RiskBuilder {
  private sites: string[] = [];
  private siteIndex = new Map<string, number>();
  private groups: RiskGroup[] = [];
  private groupIndex = new Map<string, number>();
  private components: Component[] = [];
  private componentIndex = new Map<string, number>();
  /** Cache: component * SLOT + role → the groups an edge feeds. */
  private feeds = new Map<number, number[]>();
  private edgeGroup = new IntList();
  private edgeSlot = new IntList();
  private hostingProvider: Int32Array = new Int32Array(0);
  private sharedAt: Int32Array = new Int32Array(0);
  private siteMask: Uint8Array = new Uint8Array(0);

  constructor(private readonly monitored: Monitored = { dns: true, mail: true }) {}

  /** Index of a site, added if new. */
  site(domain: string): number {
    let i = this.siteIndex.get(domain);
    if (i === undefined) {
      i = this.sites.length;
      this.sites.push(domain);
      this.siteIndex.set(domain, i);
    }
    return i;
  }

  /** Index of a component, added if new. */
  component(c: Component): number {
    let i = this.componentIndex.get(c.id);
    if (i === undefined) {
      i = this.components.length;
      this.components.push(c);
      this.componentIndex.set(c.id, i);
    }
    return i;
  }

  /** Components added so far. */
  get componentCount(): number {
    return this.components.length;
  }

  /** A site depends on a component in a role. */
  edge(site: number, component: number, role: Role): void {
    const r = roleIndex(role);
    const key = component * SLOT + r;
    let gs = this.feeds.get(key);
    if (!gs) {
      gs = this.groupsFor(this.components[component], r);
      this.feeds.set(key, gs);
    }
    this.grow(site + 1);
    this.siteMask[site] |= 1 << r;
    const c = this.components[component];
    if (c.kind === 'provider' && r === HOSTING) this.hostingProvider[site] = this.group(provKey(c)) + 1;
    if (c.kind === 'segment' && c.provider) this.sharedAt[site] = this.providerGroup(c.provider, c) + 1;
    for (const g of gs) {
      this.edgeGroup.push(g);
      this.edgeSlot.push(site * SLOT + r);
    }
  }

  /** A hosting plan learned outside the dependency records (a declared origin's plan). */
  plan(site: number, plan: Plan, provider: string): void {
    this.grow(site + 1);
    if (plan === 'shared') this.sharedAt[site] = this.providerGroup(provider) + 1;
  }

  /** Freeze into a {@link RiskModel}. The builder must not be used afterwards. */
  build(): RiskModel {
    this.grow(this.sites.length);
    this.addPlans();
    return finish(this.sites, this.siteIndex, this.groups, this.groupIndex, this, this.monitored);
  }

  /** @internal edges for `finish` */
  get edges(): { group: Int32Array; slot: Int32Array; length: number; siteMask: Uint8Array } {
    return {
      group: this.edgeGroup.data,
      slot: this.edgeSlot.data,
      length: this.edgeGroup.length,
      siteMask: this.siteMask,
    };
  }

  private grow(n: number): void {
    if (n <= this.siteMask.length) return;
    const size = Math.max(n, this.siteMask.length * 2, 1024);
    const m = new Uint8Array(size);
    m.set(this.siteMask);
    this.siteMask = m;
    const h = new Int32Array(size);
    h.set(this.hostingProvider);
    this.hostingProvider = h;
    const s = new Int32Array(size);
    s.set(this.sharedAt);
    this.sharedAt = s;
  }

  /** Shared sites join `plan:<p>/shared`; hosted sites with no front end and no shared address are dedicated. */
  private addPlans(): void {
    const front = (1 << 3) | (1 << 4);
    for (let s = 0; s < this.sites.length; s++) {
      let p = this.sharedAt[s] - 1;
      let plan: Plan = 'shared';
      if (p < 0) {
        p = this.hostingProvider[s] - 1;
        if (p < 0 || this.siteMask[s] & front) continue;
        plan = 'dedicated';
      }
      const prov = this.groups[p];
      const g = this.group(`plan:${prov.provider}/${plan}`, () => ({
        ...prov,
        key: '',
        kind: 'plan',
        plan,
        role: null,
        label: `${display(prov)} ${plan} hosting`,
      }));
      this.edgeGroup.push(g);
      this.edgeSlot.push(s * SLOT + HOSTING);
    }
  }

  private group(key: string, make?: () => RiskGroup): number {
    let g = this.groupIndex.get(key);
    if (g === undefined) {
      if (!make) throw new Error(`unknown group ${key}`);
      g = this.groups.length;
      this.groups.push({ ...make(), key });
      this.groupIndex.set(key, g);
    }
    return g;
  }

  private providerGroup(provider: string, c?: Component): number {
    return this.group(`provider:${provider}`, () => ({
      key: '',
      kind: 'provider',
      provider,
      asn: c?.kind === 'provider' ? (c.asn ?? null) : null,
      name: (c?.kind === 'provider' ? c.org : undefined) ?? provider,
      region: null,
      plan: null,
      role: null,
      component: null,
      label: provider,
    }));
  }

  private groupsFor(c: Component, r: number): number[] {
    const role = ['hosting', 'dns', 'mail', 'cdn', 'platform', 'component'][r] as Role;
    switch (c.kind) {
      case 'provider':
      case 'cdn':
      case 'dns':
      case 'mail':
      case 'platform': {
        const p = c.provider ?? c.id.replace(/^[a-z]+:/, '');
        const whole = this.providerGroup(p, { ...c, kind: 'provider' });
        const base = this.groups[whole];
        if (base.asn === null && c.asn) base.asn = c.asn;
        if (base.name === p && c.org) base.name = c.org;
        if (role === 'component') return [whole];
        const one = this.group(`role:${p}/${role}`, () => ({
          ...base,
          key: '',
          kind: 'role',
          role,
          label: `${p} ${role}`,
        }));
        return [whole, one];
      }
      case 'region': {
        const p = c.provider ?? 'unknown';
        const base = this.groups[this.providerGroup(p)];
        return [
          this.group(`region:${p}/${c.region}`, () => ({
            ...base,
            key: '',
            kind: 'region',
            region: c.region ?? null,
            label: `${p} ${c.region}`,
          })),
        ];
      }
      case 'segment':
        return [
          this.group(`segment:${c.address ?? c.id}`, () => ({
            ...this.groups[this.providerGroup(c.provider ?? 'unknown')],
            key: '',
            kind: 'segment',
            plan: 'shared',
            component: `segment:${c.address ?? c.id}`,
            label: c.label,
          })),
        ];
      case 'network':
        return [
          this.group(`network:as${c.asn}`, () => ({
            key: '',
            kind: 'network',
            provider: `as${c.asn}`,
            asn: c.asn ?? null,
            name: c.org ?? null,
            region: null,
            plan: null,
            role: 'hosting',
            component: `network:as${c.asn}`,
            label: c.label,
          })),
        ];
      default: {
        const name = c.id.replace(/^hidden:/, '');
        return [
          this.group(`hidden:${name}`, () => ({
            key: '',
            kind: 'hidden',
            provider: null,
            asn: null,
            name: null,
            region: null,
            plan: null,
            role: null,
            component: name,
            label: c.label,
          })),
        ];
      }
    }
  }
}

/** How a provider reads in evidence: an AS-only id by its organisation (`FLUXUS (as64512)`). */
function display(g: RiskGroup): string {
  return g.provider && /^as\d+$/.test(g.provider) && g.name && g.name !== g.provider
    ? `${g.name} (${g.provider})`
    : (g.provider ?? g.label);
}

function provKey(c: Component): string {
  return `provider:${c.provider ?? c.id.replace(/^[a-z]+:/, '')}`;
}

/**
 * Build the risk model from the map's components and dependencies (`toDependencies()`), plus
 * per-site metadata the records do not carry (a declared origin's plan).
 */
export function buildRisk(input: {
  components: readonly Component[];
  dependencies: readonly Dependency[];
  /** Monitored sites with no dependency known yet still count (as lone failures). */
  sites?: readonly string[];
  meta?: ReadonlyMap<string, SiteMeta>;
  monitored?: Monitored;
}): RiskModel {
  const b = new RiskBuilder(input.monitored);
  const { components, rename } = unifyByAsn(input.components);
  const byId = new Map(components.map((c) => [c.id, c]));
  for (const s of input.sites ?? []) b.site(s);
  const hosting = new Map<string, string>();
  for (const d of input.dependencies) {
    const id = rename.get(d.component) ?? d.component;
    const c = byId.get(id) ?? fallback(id);
    b.edge(b.site(d.site), b.component(c), d.role);
    if (d.role === 'hosting' && c.kind === 'provider' && c.provider) hosting.set(d.site, c.provider);
  }
  for (const [site, m] of input.meta ?? []) {
    const p = hosting.get(site);
    if (m.plan && p) b.plan(b.site(site), m.plan, p);
  }
  return b.build();
}

/**
 * One provider, one identity. A provider the catalog does not know is named from what was seen: its
 * name servers' or mail hosts' domain (`ns1.fluxus.test` → `fluxus`) for those roles, only its AS
 * (`as64512`) for the hosting network. When exactly one named provider announces from that same AS,
 * the AS-only id is that provider: its hosting, regions and shared segments join its other roles.
 */
export function unifyByAsn(components: readonly Component[]): {
  components: Component[];
  rename: Map<string, string>;
} {
  const named = new Map<number, Set<string>>();
  for (const c of components) {
    if (c.kind !== 'provider' || !c.asn || !c.provider || /^as\d+$/.test(c.provider)) continue;
    const set = named.get(c.asn) ?? new Set<string>();
    set.add(c.provider);
    named.set(c.asn, set);
  }
  const alias = new Map<string, string>();
  for (const c of components) {
    const m = c.kind === 'provider' && c.provider ? /^as(\d+)$/.exec(c.provider) : null;
    const owners = m ? named.get(Number(m[1])) : undefined;
    if (c.provider && owners?.size === 1) alias.set(c.provider, [...owners][0]);
  }
  const rename = new Map<string, string>();
  if (alias.size === 0) return { components: [...components], rename };
  const out: Component[] = [];
  for (const c of components) {
    const to = c.provider ? alias.get(c.provider) : undefined;
    if (!to) {
      out.push(c);
      continue;
    }
    const id =
      c.kind === 'provider' ? `provider:${to}` : c.kind === 'region' ? `region:${to}/${c.region}` : c.id;
    rename.set(c.id, id);
    if (c.kind === 'provider') continue; // the named provider's own component stands for it
    out.push({ ...c, id, provider: to, label: c.label.replace(c.provider as string, to) });
  }
  return { components: out, rename };
}

/** A component referenced by a dependency but not listed: read what its id says. */
function fallback(id: string): Component {
  const [kind, rest = id] = id.split(/:(.*)/s);
  if (kind === 'region') {
    const [provider, region] = rest.split('/');
    return { id, kind: 'region', provider, region, label: rest };
  }
  if (kind === 'hidden') return { id, kind: 'hidden', label: rest };
  return { id, kind: 'provider', provider: rest, label: rest };
}
