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
  private feeds: (number[] | undefined)[] = [];
  /** Cache: component → its provider group + 1 (a provider), −(that + 1) (a shared segment), 0. */
  private providerOf: (number | undefined)[] = [];
  private edgeGroup = new IntList();
  private edgeSlot = new IntList();
  private hostingProvider: Int32Array = new Int32Array(0);
  private sharedAt: Int32Array = new Int32Array(0);
  private siteMask: Uint8Array = new Uint8Array(0);

  constructor(private readonly monitored: Monitored = { dns: true, mail: true }) {}

  /**
   * Take these sites, indexed in order, before any other (`index`: domain → position in `sites`,
   * adopted as is — the caller must not change it afterwards).
   */
  adopt(sites: string[], index: Map<string, number>): void {
    if (this.sites.length) throw new Error('adopt before any site');
    this.sites = sites;
    this.siteIndex = index;
  }

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

  /** A component by its index. */
  componentAt(i: number): Component {
    return this.components[i];
  }

  /** Components added so far. */
  get componentCount(): number {
    return this.components.length;
  }

  /** A site depends on a component in a role. */
  edge(site: number, component: number, role: Role): void {
    this.edgeAt(site, component, roleIndex(role));
  }

  /**
   * Make the groups a component feeds in a role now. Groups are described by the components that
   * made them first: priming them in a fixed order makes the model independent of the edges' order.
   */
  prime(component: number, role: number): void {
    this.feedsOf(component, role);
  }

  private feedsOf(component: number, r: number): number[] {
    const key = component * SLOT + r;
    let gs = this.feeds[key];
    if (!gs) {
      gs = this.groupsFor(this.components[component], r);
      this.feeds[key] = gs;
    }
    return gs;
  }

  /** {@link edge} with the role as its index. */
  edgeAt(site: number, component: number, r: number): void {
    const gs = this.feedsOf(component, r);
    this.grow(site + 1);
    this.siteMask[site] |= 1 << r;
    let p = this.providerOf[component];
    if (p === undefined) {
      const c = this.components[component];
      // The provider group a hosting edge (+1) or a shared segment (-1) names; 0: none.
      p =
        c.kind === 'provider'
          ? this.group(provKey(c)) + 1
          : c.kind === 'segment' && c.provider
            ? -(this.providerGroup(c.provider, c) + 1)
            : 0;
      this.providerOf[component] = p;
    }
    if (p > 0 && r === HOSTING) this.hostingProvider[site] = p;
    else if (p < 0) this.sharedAt[site] = -p;
    const slot = site * SLOT + r;
    for (let i = 0; i < gs.length; i++) {
      this.edgeGroup.push(gs[i]);
      this.edgeSlot.push(slot);
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

  /**
   * Shared sites join `plan:<p>/shared`; hosted sites with no front end and no shared address are
   * dedicated. Plan groups are made in key order, whatever the sites' order.
   */
  private addPlans(): void {
    const front = (1 << 3) | (1 << 4);
    // Per site: provider group * 2 + (0 shared, 1 dedicated), or -1.
    const code = new Int32Array(this.sites.length).fill(-1);
    const needed = new Map<string, number>();
    for (let s = 0; s < this.sites.length; s++) {
      let p = this.sharedAt[s] - 1;
      let dedicated = 0;
      if (p < 0) {
        p = this.hostingProvider[s] - 1;
        if (p < 0 || this.siteMask[s] & front) continue;
        dedicated = 1;
      }
      code[s] = p * 2 + dedicated;
      needed.set(`plan:${this.groups[p].provider}/${dedicated ? 'dedicated' : 'shared'}`, code[s]);
    }
    const groupOf = new Map<number, number>();
    for (const key of [...needed.keys()].sort()) {
      const c = needed.get(key) as number;
      const prov = this.groups[c >> 1];
      const plan: Plan = c & 1 ? 'dedicated' : 'shared';
      const g = this.group(key, () => ({
        ...prov,
        key: '',
        kind: 'plan',
        plan,
        role: null,
        label: `${display(prov)} ${plan} hosting`,
      }));
      groupOf.set(c, g);
    }
    for (let s = 0; s < this.sites.length; s++) {
      if (code[s] < 0) continue;
      this.edgeGroup.push(groupOf.get(code[s]) as number);
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
 * per-site metadata the records do not carry (a declared origin's plan). The same model a
 * {@link LiveRisk} holding these sites gives, however it came to hold them.
 */
export function buildRisk(input: {
  components: readonly Component[];
  dependencies: readonly Dependency[];
  /** Monitored sites with no dependency known yet still count (as lone failures). */
  sites?: readonly string[];
  meta?: ReadonlyMap<string, SiteMeta>;
  monitored?: Monitored;
}): RiskModel {
  const live = new LiveRisk(input.monitored);
  live.describe(new Map(input.components.map((c) => [c.id, c])));
  for (const s of input.sites ?? []) live.site(s);
  const bySite = new Map<string, Dependency[]>();
  for (const d of input.dependencies) {
    const list = bySite.get(d.site);
    if (list) list.push(d);
    else bySite.set(d.site, [d]);
  }
  for (const [site, deps] of bySite) live.set(site, deps, input.meta?.get(site)?.plan ?? null);
  return live.model();
}

/**
 * The risk model of a changing set of sites. Each site's dependencies are kept as integers; setting
 * or removing a site touches that site only, and {@link model} freezes the whole anew from them
 * (no string or object work per dependency). The model depends only on the sites held, their
 * dependencies and the components' descriptions — not on the order they came in: groups are made
 * in component-id order (so ties between groups break alike), sites keep the order they were
 * first set in.
 */
export class LiveRisk {
  private described: ReadonlyMap<string, Component> = new Map();
  private readonly compIds: string[] = [];
  private readonly compIndex = new Map<string, number>();
  /** Internal site index → domain, null once removed (compacted away when frozen). */
  private readonly names: (string | null)[] = [];
  private readonly index = new Map<string, number>();
  /** Per site: component * SLOT + role of each dependency, in the records' order. */
  private readonly edges: (Int32Array | null)[] = [];
  private readonly plans: (Plan | null)[] = [];
  private holes = 0;
  private frozen: RiskModel | null = null;

  constructor(private readonly monitored: Monitored = { dns: true, mail: true }) {}

  /** How components are described (id → component); read when the model is frozen. */
  describe(components: ReadonlyMap<string, Component>): void {
    this.described = components;
    this.frozen = null;
  }

  /** Whether a site is held. */
  has(domain: string): boolean {
    return this.index.has(domain);
  }

  /** Hold a site, with no dependency if it is new (a lone site). */
  site(domain: string): void {
    if (this.index.has(domain)) return;
    this.index.set(domain, this.names.length);
    this.names.push(domain);
    this.edges.push(null);
    this.plans.push(null);
    this.frozen = null;
  }

  /** A site's dependencies (all of them, replacing what was held) and a declared origin's plan. */
  set(
    domain: string,
    deps: readonly Pick<Dependency, 'component' | 'role'>[],
    plan: Plan | null = null,
  ): void {
    this.site(domain);
    const s = this.index.get(domain) as number;
    const e = new Int32Array(deps.length);
    for (let i = 0; i < deps.length; i++) {
      const id = deps[i].component;
      let c = this.compIndex.get(id);
      if (c === undefined) {
        c = this.compIds.length;
        this.compIds.push(id);
        this.compIndex.set(id, c);
      }
      e[i] = c * SLOT + roleIndex(deps[i].role);
    }
    this.edges[s] = e;
    this.plans[s] = plan;
    this.frozen = null;
  }

  /** Stop holding a site. */
  remove(domain: string): void {
    const s = this.index.get(domain);
    if (s === undefined) return;
    this.index.delete(domain);
    this.names[s] = null;
    this.edges[s] = null;
    this.plans[s] = null;
    this.holes++;
    this.frozen = null;
  }

  /** The model of the sites held now (cached until something changes). */
  model(): RiskModel {
    if (this.frozen) return this.frozen;
    const { components, rename } = unifyByAsn([...this.described.values()]);
    const byId = new Map(components.map((c) => [c.id, c]));
    const b = new RiskBuilder(this.monitored);
    if (this.holes > 0) this.compact();
    b.adopt(this.names.slice() as string[], new Map(this.index));
    // Components in use, and the (component, role) pairs each site's edges name.
    const C = this.compIds.length;
    const used = new Uint8Array(C * SLOT);
    for (const e of this.edges) if (e) for (let i = 0; i < e.length; i++) used[e[i]] = 1;
    const eff = new Int32Array(C).fill(-1);
    const pairs: { id: string; c: number; r: number }[] = [];
    for (let c = 0; c < C; c++) {
      for (let r = 0; r < SLOT; r++) {
        if (!used[c * SLOT + r]) continue;
        if (eff[c] < 0) {
          const id = rename.get(this.compIds[c]) ?? this.compIds[c];
          eff[c] = b.component(byId.get(id) ?? fallback(id));
        }
        pairs.push({ id: rename.get(this.compIds[c]) ?? this.compIds[c], c: eff[c], r });
      }
    }
    pairs.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : x.r - y.r));
    for (const p of pairs) b.prime(p.c, p.r);
    for (let site = 0; site < this.names.length; site++) {
      const e = this.edges[site];
      let hostedBy: string | null = null;
      if (e)
        for (let i = 0; i < e.length; i++) {
          const c = eff[(e[i] / SLOT) | 0];
          const r = e[i] % SLOT;
          b.edgeAt(site, c, r);
          const comp = b.componentAt(c);
          if (r === HOSTING && comp.kind === 'provider' && comp.provider) hostedBy = comp.provider;
        }
      const plan = this.plans[site];
      if (plan && hostedBy) b.plan(site, plan, hostedBy);
    }
    this.frozen = b.build();
    return this.frozen;
  }

  /** Drop removed sites' places (their order kept). */
  private compact(): void {
    let w = 0;
    for (let s = 0; s < this.names.length; s++) {
      const name = this.names[s];
      if (name === null) continue;
      this.names[w] = name;
      this.edges[w] = this.edges[s];
      this.plans[w] = this.plans[s];
      this.index.set(name, w++);
    }
    this.names.length = w;
    this.edges.length = w;
    this.plans.length = w;
    this.holes = 0;
  }
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
