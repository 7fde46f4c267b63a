/**
 * Which dependencies of which sites a fault's selector reaches, and which of those sites its `share`
 * keeps. Pure functions of the scenario and the seed.
 */
import type { Plan, ProviderSpec, Selector, SiteSpec } from '../../scenario/types.ts';
import { hash, pairHash, unit } from './rand.ts';
import type { DepRole } from './types.ts';
import type { Units } from './units.ts';

/** Dependency roles in a fixed order; a role's index is its bit in role masks and its slot in the engine. */
export const ROLES: readonly DepRole[] = ['hosting', 'dns', 'mail', 'cdn', 'platform', 'component'];
export const NROLES = 6;

export function roleIndex(role: DepRole): number {
  switch (role) {
    case 'hosting':
      return 0;
    case 'dns':
      return 1;
    case 'mail':
      return 2;
    case 'cdn':
      return 3;
    case 'platform':
      return 4;
    case 'component':
      return 5;
    default:
      return -1;
  }
}

/** One dependency of a site, with the attributes a selector can match. */
export interface Dependency {
  role: DepRole;
  /** The provider serving it (absent for a component). */
  provider?: string;
  /** For a platform: the provider whose network the platform runs on. */
  network?: string;
  /** Hosting only. */
  region?: string;
  /** Hosting only. */
  plan?: Plan;
  /** Component only: the name from `shares`. */
  component?: string;
}

/** Every dependency of a site, in a fixed order: hosting, dns, mail, cdn, platform, components. */
export function siteDependencies(site: SiteSpec, providers: ReadonlyMap<string, ProviderSpec>): Dependency[] {
  const deps: Dependency[] = [
    {
      role: 'hosting',
      provider: site.hosting.provider,
      region: site.hosting.region,
      plan: site.hosting.plan,
    },
    { role: 'dns', provider: site.dns },
  ];
  if (site.mail) deps.push({ role: 'mail', provider: site.mail });
  if (site.cdn) deps.push({ role: 'cdn', provider: site.cdn });
  if (site.platform) {
    deps.push({ role: 'platform', provider: site.platform, network: providers.get(site.platform)?.hostedOn });
  }
  for (const name of new Set(site.shares)) deps.push({ role: 'component', component: name });
  return deps;
}

/** True when the selector names nothing but (possibly) domains: it then aims at the sites' hosting. */
function onlyDomains(sel: Selector): boolean {
  return (
    sel.provider === undefined &&
    sel.region === undefined &&
    sel.plan === undefined &&
    sel.role === undefined &&
    sel.component === undefined
  );
}

/**
 * Whether `sel` reaches dependency `dep` of `site`. All given keys must match:
 * - `domains`: the site's domain is listed;
 * - `component`: only component dependencies of that name. A hidden component sits on the site's hosting
 *   path, so `provider` / `region` / `plan` / `role` given alongside `component` are checked against the
 *   site's hosting ({provider: ovh, component: fw-1} = OVH's firewall fw-1). Without `component`, a selector
 *   never reaches a component dependency;
 * - `role`: the dependency's role;
 * - `provider`: the dependency's provider, or — for a platform, unless `role: platform` is given — the
 *   network the platform runs on (`hosted_on`);
 * - `region`, `plan`: hosting only (other dependencies have neither);
 * - a selector with no key but `domains` (or no key at all) reaches the hosting dependency.
 */
export function selectorMatches(sel: Selector, dep: Dependency, site: SiteSpec): boolean {
  if (sel.domains !== undefined && !sel.domains.includes(site.domain)) return false;
  return matchesBesidesDomains(sel, dep, site);
}

function matchesBesidesDomains(sel: Selector, dep: Dependency, site: SiteSpec): boolean {
  if (onlyDomains(sel)) return dep.role === 'hosting';
  if (sel.component !== undefined) {
    if (dep.role !== 'component' || dep.component !== sel.component) return false;
    const h = site.hosting;
    if (sel.provider !== undefined && sel.provider !== h.provider) return false;
    if (sel.region !== undefined && sel.region !== h.region) return false;
    if (sel.plan !== undefined && sel.plan !== h.plan) return false;
    if (sel.role !== undefined && sel.role !== 'hosting') return false;
    return true;
  }
  if (dep.role === 'component') return false;
  if (sel.role !== undefined && sel.role !== dep.role) return false;
  if (sel.provider !== undefined && sel.provider !== dep.provider) {
    const viaNetwork = dep.role === 'platform' && sel.role !== 'platform' && sel.provider === dep.network;
    if (!viaNetwork) return false;
  }
  if (sel.region !== undefined && (dep.role !== 'hosting' || sel.region !== dep.region)) return false;
  if (sel.plan !== undefined && (dep.role !== 'hosting' || sel.plan !== dep.plan)) return false;
  return true;
}

/** The roles of `deps` that `sel` reaches (deduplicated, in dependency order). */
export function matchedRoles(sel: Selector, deps: readonly Dependency[], site: SiteSpec): DepRole[] {
  if (sel.domains !== undefined && !sel.domains.includes(site.domain)) return [];
  const mask = roleMask(sel, deps, site);
  return ROLES.filter((_, r) => mask & (1 << r));
}

/** The roles `sel` reaches as a bit mask over ROLES (domains not checked). */
function roleMask(sel: Selector, deps: readonly Dependency[], site: SiteSpec): number {
  let mask = 0;
  for (const dep of deps) if (matchesBesidesDomains(sel, dep, site)) mask |= 1 << roleIndex(dep.role);
  return mask;
}

/** Whether a unit is among the `share` fraction a fault hits: hash(seed, "share", fault, unit) < share. */
export function inShare(shareHash: number, unitHash: number, share: number): boolean {
  if (share >= 1) return true;
  if (share <= 0) return false;
  return unit(pairHash(shareHash, unitHash)) < share;
}

/** The sites one fault hits, as parallel columns (`count` rows). */
export interface Hits {
  count: number;
  site: Int32Array;
  /** Bit mask over ROLES of the dependencies hit. */
  roles: Uint8Array;
  /** The unit the site was drawn per (see Units). */
  unit: Int32Array;
}

/**
 * Every site a selector reaches, restricted to `share` of them. `deps[i]` are site i's dependencies.
 * The share is drawn per unit: the hosting address when the fault hits the site's hosting (a server
 * dies with all its virtual hosts), otherwise the domain.
 */
export function selectHits(
  seed: number,
  faultId: string,
  sel: Selector,
  share: number,
  sites: readonly SiteSpec[],
  deps: readonly Dependency[][],
  units: Units,
): Hits {
  const n = sites.length;
  const hits: Hits = { count: 0, site: new Int32Array(n), roles: new Uint8Array(n), unit: new Int32Array(n) };
  const shareHash = hash(seed, 'share', faultId);
  const domainSet = sel.domains ? new Set(sel.domains) : null;
  const hostingBit = 1 << roleIndex('hosting');
  for (let i = 0; i < n; i++) {
    const site = sites[i];
    if (domainSet && !domainSet.has(site.domain)) continue;
    const mask = roleMask(sel, deps[i], site);
    if (mask === 0) continue;
    const u = mask & hostingBit ? units.addressUnit(i) : units.domainUnit(i);
    if (!inShare(shareHash, units.hash(u), share)) continue;
    const k = hits.count++;
    hits.site[k] = i;
    hits.roles[k] = mask;
    hits.unit[k] = u;
  }
  return hits;
}
