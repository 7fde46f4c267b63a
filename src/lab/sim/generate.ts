/**
 * Random scenarios for benchmarks and tests: `generateScenario({sites, seed})` writes a valid v1
 * scenario (YAML text and the raw object) with Zipf-sized providers from the catalog (with their
 * regions), a few providers outside it, shared and dedicated hosting, CDNs, SaaS platforms and mail
 * providers. Deterministic for a seed. Dedicated sites are kept to a minority because the world
 * binds two listeners per hosting address and file descriptors are finite.
 */
import { stringify } from 'yaml';
import { loadCatalog } from '../../catalog/load.ts';
import type { Catalog } from '../../catalog/match.ts';
import type { RawProvider, RawScenario, RawSite } from '../scenario/raw.ts';

export interface GenerateOptions {
  sites: number;
  seed: number;
  name?: string;
  /**
   * Share of directly visible sites on dedicated hosting (default 0.1). Origins behind a CDN or a
   * platform are always dedicated: on a shared address they would thin out the visible co-hosting
   * the plan is inferred from. With the default shares about 28 % of sites are dedicated.
   */
  dedicated?: number;
  /** Share of sites behind a CDN (default 0.15). */
  cdn?: number;
  /** Share of sites on a SaaS platform (default 0.05). */
  platform?: number;
  /** Share of sites with mail (default 0.5). */
  mail?: number;
  /** Sites per scenario entry (a `{n}` template), on average (default 40). */
  groupSize?: number;
  catalog?: Catalog;
}

export interface GeneratedScenario {
  text: string;
  raw: RawScenario;
}

/** Hosting providers from the catalog, most popular first, with the regions the world will give them. */
const HOSTING: { id: string; regions?: string[]; mail?: boolean }[] = [
  { id: 'ovh', regions: ['rbx', 'gra', 'sbg', 'bhs'], mail: true },
  { id: 'aws', regions: ['us-east-1', 'eu-west-1', 'eu-west-3'] },
  { id: 'hetzner', regions: ['fsn', 'nbg', 'hel'], mail: true },
  { id: 'gcp', regions: ['us-central1', 'europe-west1'] },
  { id: 'azure', regions: ['eastus', 'westeurope'] },
  { id: 'ionos', mail: true },
  { id: 'scaleway', regions: ['par', 'ams'] },
  { id: 'gandi', mail: true },
  { id: 'digitalocean', regions: ['fra1', 'nyc3'] },
  { id: 'o2switch', mail: true },
  { id: 'linode', regions: ['eu-central', 'us-east'] },
  { id: 'infomaniak', mail: true },
  { id: 'godaddy', mail: true },
  { id: 'namecheap', mail: true },
];
/** Ceiling on the share of dedicated sites, whatever the options. */
const MAX_DEDICATED = 0.28;
const DNS_ONLY = ['cloudflare', 'ns1', 'ultradns', 'dnsimple'];
const CDNS = ['cloudflare', 'fastly', 'akamai', 'cloudfront', 'bunny'];
const MAIL_ONLY = ['google-workspace', 'microsoft-365', 'zoho-mail', 'proton-mail'];
/** Providers outside the catalog: their names are under `<id>.test`. */
const LOCAL_HOSTS = 3;
const PLATFORMS: { id: string; catalog?: string; on: string }[] = [
  { id: 'shopify', catalog: 'shopify', on: 'gcp' },
  { id: 'saas-classroom', on: 'aws' },
  { id: 'saas-ent', on: 'scaleway' },
];

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateScenario(opts: GenerateOptions): GeneratedScenario {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const catalog = opts.catalog ?? loadCatalog();
  const dedicated = opts.dedicated ?? 0.1;
  const cdnShare = opts.cdn ?? 0.15;
  const platformShare = opts.platform ?? 0.05;
  const mailShare = opts.mail ?? 0.5;
  const groupSize = Math.max(2, opts.groupSize ?? 40);

  const providers = new Map<string, RawProvider>();
  const usedAsns = new Set<number>();
  const claimed = new Set<number>();
  const catalogIds = [
    ...HOSTING.map((h) => h.id),
    ...DNS_ONLY,
    ...CDNS,
    ...MAIL_ONLY,
    ...PLATFORMS.flatMap((p) => (p.catalog ? [p.catalog] : [])),
  ];
  for (const id of catalogIds) for (const asn of catalog.get(id)?.asns ?? []) claimed.add(asn);
  /** An AS number of the entry that no other chosen provider announces, so every provider has its own. */
  const asnFor = (id: string): number => {
    const asns = catalog.get(id)?.asns ?? [];
    const others = new Set<number>();
    for (const other of catalogIds)
      if (other !== id) for (const a of catalog.get(other)?.asns ?? []) others.add(a);
    const asn =
      asns.find((a) => !others.has(a) && !usedAsns.has(a)) ?? asns.find((a) => !usedAsns.has(a)) ?? asns[0];
    usedAsns.add(asn);
    return asn;
  };
  const addCatalog = (id: string, roles: RawProvider['roles'], regions?: string[]) => {
    const p = providers.get(id);
    if (p) {
      for (const r of roles) if (!p.roles.includes(r)) p.roles.push(r);
      return;
    }
    const e = catalog.get(id);
    if (!e) throw new Error(`catalog has no ${id}`);
    providers.set(id, {
      id,
      name: e.name,
      asn: asnFor(id),
      catalog: id,
      roles: [...roles],
      ...(regions ? { regions } : {}),
    });
  };

  const hosts: { id: string; regions: string[]; mail: boolean }[] = [];
  for (const h of HOSTING) {
    addCatalog(h.id, h.mail ? ['hosting', 'dns', 'mail'] : ['hosting', 'dns'], h.regions);
    hosts.push({ id: h.id, regions: h.regions ?? [], mail: !!h.mail });
  }
  for (let i = 1; i <= LOCAL_HOSTS; i++) {
    const id = `hostco-${i}`;
    let asn = 64511 + i;
    while (claimed.has(asn) || usedAsns.has(asn)) asn++;
    usedAsns.add(asn);
    const regions = i === 1 ? ['north', 'south'] : undefined;
    providers.set(id, {
      id,
      name: `HOSTCO ${i} SAS`,
      asn,
      roles: ['hosting', 'dns', 'mail'],
      ...(regions ? { regions } : {}),
    });
    hosts.splice(2 * i, 0, { id, regions: regions ?? [], mail: true });
  }
  for (const id of DNS_ONLY) addCatalog(id, ['dns']);
  for (const id of CDNS) addCatalog(id, ['cdn']);
  for (const id of MAIL_ONLY) addCatalog(id, ['mail']);
  for (const p of PLATFORMS) {
    let asn = 65001 + providers.size;
    while (claimed.has(asn) || usedAsns.has(asn)) asn++;
    usedAsns.add(asn);
    providers.set(p.id, {
      id: p.id,
      name: p.catalog ? catalog.get(p.catalog)!.name : p.id.toUpperCase(),
      asn: p.catalog ? asnFor(p.catalog) : asn,
      ...(p.catalog ? { catalog: p.catalog } : {}),
      roles: ['platform'],
      hosted_on: p.on,
    });
  }

  // Zipf popularity of hosting providers (s = 1.1).
  const weights = hosts.map((_, i) => 1 / (i + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const zipf = () => {
    let x = rand() * total;
    for (let i = 0; i < hosts.length; i++) {
      x -= weights[i];
      if (x <= 0) return hosts[i];
    }
    return hosts[hosts.length - 1];
  };
  const mailProviders = [...MAIL_ONLY, ...hosts.filter((h) => h.mail).map((h) => h.id)];

  const sites: RawSite[] = [];
  let left = opts.sites;
  /** Dedicated sites allowed in all: the world's file descriptors (2 listeners per dedicated site). */
  const dedicatedBudget = Math.floor(MAX_DEDICATED * opts.sites);
  let dedicatedSoFar = 0;
  for (let g = 1; left > 0; g++) {
    // At least two sites per entry, so a shared group never ends up alone on its address.
    let count = Math.min(left, 2 + Math.floor(rand() * (2 * groupSize - 3)));
    if (left - count === 1) count++;
    left -= count;
    let r = rand();
    const wantsDedicated = r < platformShare + cdnShare || rand() < dedicated;
    const overBudget = dedicatedSoFar + count > dedicatedBudget;
    if (overBudget) r = 1; // a plain shared group instead
    const site: RawSite = { domain: `g${g}-{n}.test`, count, hosting: { provider: '' } };
    if (r < platformShare) {
      const p = pick(PLATFORMS);
      const host = providers.get(p.on)!;
      site.hosting = {
        provider: p.on,
        ...(host.regions?.length ? { region: host.regions[0] } : {}),
        plan: 'dedicated',
      };
      site.platform = p.id;
      site.dns = rand() < 0.5 ? p.on : pick(DNS_ONLY);
    } else {
      const h = zipf();
      const behindCdn = r < platformShare + cdnShare;
      const plan = behindCdn || (wantsDedicated && !overBudget) ? 'dedicated' : 'shared';
      site.hosting = { provider: h.id, ...(h.regions.length ? { region: pick(h.regions) } : {}), plan };
      if (behindCdn) {
        site.cdn = rand() < 0.6 ? 'cloudflare' : pick(CDNS);
        site.dns = site.cdn === 'cloudflare' || rand() < 0.3 ? 'cloudflare' : h.id;
      } else {
        site.dns = rand() < 0.7 ? h.id : pick(DNS_ONLY);
      }
    }
    if (site.hosting.plan === 'dedicated') dedicatedSoFar += count;
    if (rand() < mailShare) site.mail = pick(mailProviders);
    sites.push(site);
  }
  const raw: RawScenario = {
    name: opts.name ?? `generated-${opts.sites}-${opts.seed}`,
    title: `Generated world: ${opts.sites} sites (seed ${opts.seed})`,
    timezone: 'UTC',
    start: '2024-01-01T00:00',
    end: '2024-01-01T06:00',
    speed: 1,
    probe_interval: '60s',
    providers: [...providers.values()],
    sites,
  };
  return { text: stringify(raw, { lineWidth: 0 }), raw };
}
