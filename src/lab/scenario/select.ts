/**
 * Fault selectors: which sites a fault's `target` hits, and on which of their dependencies.
 * The loader uses this to reject selectors that match nothing; the fault engine can use the same
 * answers so that "matches" means one thing everywhere.
 */
import type { Plan, ProviderRole, ProviderSpec, Selector, SiteSpec } from './types.ts';

/**
 * One thing a site depends on. `via` is the network the provider runs on (its `hosted_on`; the
 * format intends it for platforms, and the loader applies it to any provider that declares it).
 */
export interface SiteDependency {
  role: ProviderRole | 'component';
  provider?: string;
  via?: string;
  region?: string;
  plan?: Plan;
  component?: string;
}

/** Every dependency of a site: hosting (the origin behind a CDN), DNS, mail, CDN, platform, shares. */
export function siteDependencies(
  site: SiteSpec,
  providers: ReadonlyMap<string, ProviderSpec>,
): SiteDependency[] {
  const dep = (role: ProviderRole, provider: string, extra: Partial<SiteDependency> = {}): SiteDependency => {
    const via = providers.get(provider)?.hostedOn;
    return { role, provider, ...(via !== undefined ? { via } : {}), ...extra };
  };
  const deps: SiteDependency[] = [
    dep('hosting', site.hosting.provider, {
      plan: site.hosting.plan,
      ...(site.hosting.region !== undefined ? { region: site.hosting.region } : {}),
    }),
    dep('dns', site.dns),
  ];
  if (site.mail) deps.push(dep('mail', site.mail));
  if (site.cdn) deps.push(dep('cdn', site.cdn));
  if (site.platform) deps.push(dep('platform', site.platform));
  for (const c of site.shares) deps.push({ role: 'component', component: c });
  return deps;
}

const DEP_KEYS = ['provider', 'region', 'plan', 'role'] as const;

/**
 * The dependencies of `site` that `sel` hits; empty when the site is not targeted.
 * - `provider`, `region`, `plan`, `role` must all hold for one same dependency. `provider` also
 *   hits a provider running on that provider's network (`hosted_on`, typically a platform), unless
 *   `region` narrows the fault or `role` names another service than the network (role `hosting`
 *   is the network, so it still reaches them).
 * - `component` hits the site's shared component of that name; with dependency keys too, the site
 *   must have the component and the fault lands on the dependencies those keys select.
 * - `domains` only restricts which sites are hit.
 */
export function matchDependencies(
  sel: Selector,
  site: SiteSpec,
  providers: ReadonlyMap<string, ProviderSpec>,
): SiteDependency[] {
  if (sel.domains && !sel.domains.includes(site.domain)) return [];
  if (sel.component !== undefined && !site.shares.includes(sel.component)) return [];
  const deps = siteDependencies(site, providers);
  const narrowsDeps = DEP_KEYS.some((k) => sel[k] !== undefined);
  if (!narrowsDeps) {
    if (sel.component !== undefined) return deps.filter((d) => d.component === sel.component);
    return deps.filter((d) => d.role !== 'component');
  }
  return deps.filter((d) => {
    if (d.role === 'component') return false;
    // A fault on a network (no narrower key than `role: hosting`) carries what runs on it.
    const onNetwork =
      sel.provider !== undefined &&
      d.via === sel.provider &&
      sel.region === undefined &&
      sel.plan === undefined &&
      (sel.role === undefined || sel.role === 'hosting');
    if (onNetwork) return true;
    if (sel.provider !== undefined && d.provider !== sel.provider) return false;
    if (sel.role !== undefined && d.role !== sel.role) return false;
    if (sel.region !== undefined && d.region !== sel.region) return false;
    if (sel.plan !== undefined && d.plan !== sel.plan) return false;
    return true;
  });
}

/** Indexes of the sites `sel` hits. */
export function matchSites(
  sel: Selector,
  sites: readonly SiteSpec[],
  providers: ReadonlyMap<string, ProviderSpec>,
): number[] {
  const out: number[] = [];
  sites.forEach((s, i) => {
    if (matchDependencies(sel, s, providers).length > 0) out.push(i);
  });
  return out;
}
