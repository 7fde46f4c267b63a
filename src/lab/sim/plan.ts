/**
 * The world plan: a pure, deterministic function of a scenario and the catalog that says which
 * address every provider, site, name server, mail host and CDN edge gets, and which DNS records
 * exist. The servers serve it; the fault engine uses its hosting addresses; nothing here does I/O.
 *
 * Address layout (all inside 127.0.0.0/8, see README "Simulated world"):
 * - 127.1.0.0/16: the world's own infrastructure (resolver, control endpoint, vantages);
 * - from 127.16.0.0: one /16 block per provider region (or per provider without regions), or
 *   several consecutive /16s when a region needs more than ~64,000 addresses;
 * - inside a block, the first 256 addresses hold the provider's infrastructure (name servers, mail
 *   hosts, CDN edges, platform front ends), hosting addresses follow.
 */
import type { CatalogEntry } from '../../catalog/types.ts';
import type { ProviderSpec, Scenario, SiteSpec } from '../scenario/types.ts';
import type { DepRole } from './faults/types.ts';
import { fnv1a, intToIp, ipToInt } from './ip.ts';

export const INFRA_BASE = ipToInt('127.1.0.0');
export const FIRST_BLOCK = ipToInt('127.16.0.0');
const BLOCK_SIZE = 65536;
const INFRA_SLOTS = 256;
/** Virtual hosts per shared-hosting address (real shared hosts put hundreds on one address). */
export const SITES_PER_SHARED_ADDRESS = 150;
const CDN_EDGES = 4;
const PLATFORM_FRONTS = 2;

export interface Block {
  provider: string;
  region: string | null;
  asn: number;
  org: string;
  /** First address (as an integer) and number of addresses. */
  start: number;
  size: number;
}

export interface HostAddress {
  host: string;
  address: string;
}

export interface PlannedProvider {
  spec: ProviderSpec;
  catalog?: CatalogEntry;
  nameServers: HostAddress[];
  mailHosts: HostAddress[];
  /** Addresses of CDN edges or platform front ends, when the provider has those roles. */
  edges: string[];
  /** Template of the CNAME target for sites using this CDN/platform; `{label}` is replaced. */
  cnameTemplate?: string;
}

export type Front = 'hosting' | 'cdn' | 'platform';

export interface PlannedSite {
  index: number;
  domain: string;
  spec: SiteSpec;
  /** Address of the site's own server (its origin when it sits behind a CDN or platform). */
  hostingAddress: string;
  /** What answers the site's name: its own server, a CDN edge or a platform front end. */
  front: Front;
  frontAddresses: string[];
}

/** What listens on an address. */
export interface Binding {
  kind: 'hosting' | 'cdn' | 'platform' | 'ns' | 'mx';
  provider: string;
  /** Sites served here (hosting, cdn, platform); empty for ns and mx. */
  sites: number[];
  host?: string;
}

/** One DNS name and its data. `authority` is the provider whose name servers are authoritative. */
export interface NameData {
  authority: string;
  /** The site this name belongs to, and which of its dependencies a fault must hit to break it. */
  site?: number;
  role?: DepRole;
  a?: string[];
  cname?: string;
  ns?: string[];
  mx?: { preference: number; exchange: string }[];
}

export interface Zone {
  apex: string;
  authority: string;
  site?: number;
}

export interface WorldPlan {
  scenario: Scenario;
  resolver: string;
  control: string;
  vantages: { id: string; address: string }[];
  blocks: Block[];
  providers: Map<string, PlannedProvider>;
  sites: PlannedSite[];
  siteByDomain: Map<string, number>;
  names: Map<string, NameData>;
  zones: Map<string, Zone>;
  bindings: Map<string, Binding>;
}

export type CatalogLookup = (id: string) => CatalogEntry | undefined;

/** Build the plan. Throws on an address space overflow (more than ~15 million sites). */
export function buildPlan(scenario: Scenario, catalog: CatalogLookup): WorldPlan {
  const b = new PlanBuilder(scenario, catalog);
  return b.build();
}

class PlanBuilder {
  private blocks: Block[] = [];
  private nextBlock = FIRST_BLOCK;
  /** Per block key: next free infrastructure slot and next free hosting address. */
  private infraNext = new Map<string, number>();
  private hostNext = new Map<string, number>();
  private blockOf = new Map<string, Block>();
  private providers = new Map<string, PlannedProvider>();
  private names = new Map<string, NameData>();
  private zones = new Map<string, Zone>();
  private bindings = new Map<string, Binding>();

  constructor(
    private scenario: Scenario,
    private catalog: CatalogLookup,
  ) {}

  build(): WorldPlan {
    const s = this.scenario;
    this.allocateBlocks();
    for (const p of s.providers) this.planProviderInfra(p);
    const sites = this.planSites();
    const siteByDomain = new Map(sites.map((x) => [x.domain, x.index]));
    for (const site of sites) this.planSiteNames(site);
    return {
      scenario: s,
      resolver: intToIp(INFRA_BASE + 53),
      control: intToIp(INFRA_BASE + 1),
      vantages: s.vantages.map((v, i) => ({ id: v.id, address: intToIp(INFRA_BASE + 256 + 1 + i) })),
      blocks: this.blocks,
      providers: this.providers,
      sites,
      siteByDomain,
      names: this.names,
      zones: this.zones,
      bindings: this.bindings,
    };
  }

  /** One block per region (or per provider); sized for the hosting addresses it will need. */
  private allocateBlocks(): void {
    const need = new Map<string, number>();
    const sharedCount = new Map<string, number>();
    for (const site of this.scenario.sites) {
      const key = blockKey(site.hosting.provider, site.hosting.region ?? null);
      if (site.hosting.plan === 'shared') sharedCount.set(key, (sharedCount.get(key) ?? 0) + 1);
      else need.set(key, (need.get(key) ?? 0) + 1);
    }
    for (const [key, n] of sharedCount) need.set(key, (need.get(key) ?? 0) + sharedAddressCount(n));
    for (const p of this.scenario.providers) {
      if (p.hostedOn) continue; // a platform runs inside its host's blocks
      const regions = p.regions.length > 0 ? p.regions : [null];
      for (const region of regions) {
        const key = blockKey(p.id, region);
        const addresses = INFRA_SLOTS + Math.ceil(((need.get(key) ?? 0) * 256) / 254) + 256;
        const size = Math.ceil(addresses / BLOCK_SIZE) * BLOCK_SIZE;
        if (this.nextBlock + size > 0x7fffffff) throw new RangeError('world too large for 127.0.0.0/8');
        const block: Block = { provider: p.id, region, asn: p.asn, org: p.name, start: this.nextBlock, size };
        this.nextBlock += size;
        this.blocks.push(block);
        this.blockOf.set(key, block);
        this.infraNext.set(key, 2);
        this.hostNext.set(key, INFRA_SLOTS);
      }
    }
  }

  /** The block holding a provider's infrastructure: its first region, or its host's for a platform. */
  private infraBlockKey(p: ProviderSpec): string {
    if (p.hostedOn) {
      const host = this.spec(p.hostedOn);
      return blockKey(host.id, host.regions[0] ?? null);
    }
    return blockKey(p.id, p.regions[0] ?? null);
  }

  private takeInfra(key: string): string {
    const block = this.blockOf.get(key)!;
    const slot = this.infraNext.get(key)!;
    if (slot >= INFRA_SLOTS - 1) throw new RangeError(`too many infrastructure addresses in ${key}`);
    this.infraNext.set(key, slot + 1);
    return intToIp(block.start + slot);
  }

  private takeHost(key: string): string {
    const block = this.blockOf.get(key);
    if (!block) throw new RangeError(`no address block for ${key}`);
    let off = this.hostNext.get(key)!;
    while ((off & 255) === 0 || (off & 255) === 255) off++;
    if (off >= block.size) throw new RangeError(`address block for ${key} is full`);
    this.hostNext.set(key, off + 1);
    return intToIp(block.start + off);
  }

  private spec(id: string): ProviderSpec {
    const p = this.scenario.providers.find((x) => x.id === id);
    if (!p) throw new Error(`unknown provider ${id}`);
    return p;
  }

  private planProviderInfra(p: ProviderSpec): void {
    const entry = p.catalog ? this.catalog(p.catalog) : undefined;
    const key = this.infraBlockKey(p);
    const own = `${p.id}.test`;
    const planned: PlannedProvider = { spec: p, catalog: entry, nameServers: [], mailHosts: [], edges: [] };
    // Every provider gets name servers: it is authoritative at least for its own names.
    const nsHosts = entry?.world.nsHosts.length ? entry.world.nsHosts : [`ns1.${own}`, `ns2.${own}`];
    for (const host of nsHosts) {
      const address = this.takeInfra(key);
      planned.nameServers.push({ host: host.toLowerCase(), address });
      this.bindings.set(address, { kind: 'ns', provider: p.id, sites: [], host });
    }
    if (p.roles.includes('mail')) {
      const mx = entry?.world.mxHosts.length ? entry.world.mxHosts : [`mx1.${own}`, `mx2.${own}`];
      for (const host of mx) {
        const address = this.takeInfra(key);
        planned.mailHosts.push({ host: host.toLowerCase(), address });
        this.bindings.set(address, { kind: 'mx', provider: p.id, sites: [], host });
      }
    }
    const fronts = p.roles.includes('cdn') ? CDN_EDGES : p.roles.includes('platform') ? PLATFORM_FRONTS : 0;
    for (let i = 0; i < fronts; i++) {
      const address = this.takeInfra(key);
      planned.edges.push(address);
      this.bindings.set(address, {
        kind: p.roles.includes('cdn') ? 'cdn' : 'platform',
        provider: p.id,
        sites: [],
      });
    }
    if (fronts > 0) {
      planned.cnameTemplate =
        entry?.world.cnameTemplate ?? (p.roles.includes('platform') ? `{label}.${own}` : undefined);
    }
    this.providers.set(p.id, planned);
    // Infrastructure names resolve through the provider's own name servers.
    for (const h of [...planned.nameServers, ...planned.mailHosts]) {
      this.addName(h.host, { authority: p.id, a: [h.address] });
    }
  }

  private planSites(): PlannedSite[] {
    const sites = this.scenario.sites;
    // Shared sites of one provider region are spread round-robin over a few addresses.
    const sharedGroups = new Map<string, number[]>();
    sites.forEach((site, i) => {
      if (site.hosting.plan !== 'shared') return;
      const key = blockKey(site.hosting.provider, site.hosting.region ?? null);
      const g = sharedGroups.get(key) ?? [];
      g.push(i);
      sharedGroups.set(key, g);
    });
    const hostingAddress: string[] = new Array(sites.length);
    for (const [key, members] of sharedGroups) {
      const addrs = Array.from({ length: sharedAddressCount(members.length) }, () => this.takeHost(key));
      members.forEach((siteIndex, j) => {
        hostingAddress[siteIndex] = addrs[j % addrs.length];
      });
    }
    return sites.map((spec, index) => {
      const key = blockKey(spec.hosting.provider, spec.hosting.region ?? null);
      const addr = hostingAddress[index] ?? this.takeHost(key);
      this.bind(addr, 'hosting', spec.hosting.provider, index);
      let front: Front = 'hosting';
      let frontAddresses = [addr];
      const via = spec.cdn ?? spec.platform;
      if (via) {
        front = spec.cdn ? 'cdn' : 'platform';
        const edges = this.providers.get(via)!.edges;
        // Two edges per site, chosen by hash, like anycast/DNS load balancing would spread them.
        const h = fnv1a(spec.domain);
        frontAddresses =
          edges.length <= 2 ? [...edges] : [edges[h % edges.length], edges[(h + 1) % edges.length]];
        for (const e of edges) this.bind(e, front, via, index);
      }
      return { index, domain: spec.domain, spec, hostingAddress: addr, front, frontAddresses };
    });
  }

  private bind(address: string, kind: Binding['kind'], provider: string, site: number): void {
    let b = this.bindings.get(address);
    if (!b) {
      b = { kind, provider, sites: [] };
      this.bindings.set(address, b);
    }
    b.sites.push(site);
  }

  private planSiteNames(site: PlannedSite): void {
    const spec = site.spec;
    const apex = spec.domain;
    const dns = this.providers.get(spec.dns)!;
    this.zones.set(apex, { apex, authority: spec.dns, site: site.index });
    const base = { authority: spec.dns, site: site.index, role: 'dns' as const };
    const apexData: NameData = { ...base, ns: dns.nameServers.map((n) => n.host) };
    const via = spec.cdn ?? spec.platform;
    const viaPlan = via ? this.providers.get(via)! : undefined;
    if (viaPlan?.cnameTemplate) {
      // The site reaches its CDN or platform through a CNAME into the provider's own zone.
      const target = viaPlan.cnameTemplate.replace('{label}', apex.replaceAll('.', '-')).toLowerCase();
      apexData.cname = target;
      this.addName(target, {
        authority: via!,
        site: site.index,
        role: spec.cdn ? 'cdn' : 'platform',
        a: site.frontAddresses,
      });
    } else {
      apexData.a = site.frontAddresses;
    }
    if (spec.mail) {
      const mail = this.providers.get(spec.mail)!;
      apexData.mx = mail.mailHosts.map((m, i) => ({ preference: 10 * (i + 1), exchange: m.host }));
    }
    this.names.set(apex, apexData);
    this.names.set(`www.${apex}`, { ...base, cname: apex });
  }

  /** Add a provider-side name; its zone is the registrable part (last two labels). */
  private addName(name: string, data: NameData): void {
    const n = name.toLowerCase();
    if (!this.names.has(n)) this.names.set(n, data);
    const apex = n.split('.').slice(-2).join('.');
    if (!this.zones.has(apex)) this.zones.set(apex, { apex, authority: data.authority });
  }
}

function blockKey(provider: string, region: string | null): string {
  return region ? `${provider}/${region}` : provider;
}

export function sharedAddressCount(sites: number): number {
  return Math.max(1, Math.ceil(sites / SITES_PER_SHARED_ADDRESS));
}

/** The zone a name falls in: the longest known apex that is a suffix of it. */
export function zoneOf(plan: WorldPlan, name: string): Zone | undefined {
  let n = name;
  for (;;) {
    const z = plan.zones.get(n);
    if (z) return z;
    const dot = n.indexOf('.');
    if (dot < 0) return undefined;
    n = n.slice(dot + 1);
  }
}

/** The block (provider, region) containing an address, if any. */
export function blockOfAddress(plan: WorldPlan, address: string): Block | undefined {
  const n = ipToInt(address);
  return plan.blocks.find((b) => n >= b.start && n < b.start + b.size);
}
