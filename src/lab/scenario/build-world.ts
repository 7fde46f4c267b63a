/**
 * Providers and sites: cross-references, roles, regions, defaults and template expansion.
 */

import type { PathSeg, ProblemList } from '../../config/yaml.ts';
import { expandDomain, hostnameProblem, TEMPLATE, templateProblem } from './expand.ts';
import type { RawProvider, RawSite } from './raw.ts';
import type { ProviderRole, ProviderSpec, SiteSpec } from './types.ts';
import { suggest } from './validate.ts';

/** Providers and expanded sites, with the indexes later checks need. */
export interface World {
  providers: ProviderSpec[];
  byId: Map<string, ProviderSpec>;
  sites: SiteSpec[];
  /** Expanded domain → index in `sites`. */
  domains: Map<string, number>;
  /** Union of the sites' `shares`. */
  components: Set<string>;
}

/** Normalize providers; duplicates and bad `hosted_on` are reported. */
export function buildProviders(raw: readonly RawProvider[], pl: ProblemList): Map<string, ProviderSpec> {
  const byId = new Map<string, ProviderSpec>();
  const firstIndex = new Map<string, number>();
  raw.forEach((p, i) => {
    const prev = firstIndex.get(p.id);
    if (prev !== undefined) {
      pl.add(
        ['providers', i, 'id'],
        `provider '${p.id}' is already defined at line ${pl.lineOf(['providers', prev])}`,
      );
      return;
    }
    firstIndex.set(p.id, i);
    byId.set(p.id, {
      id: p.id,
      name: p.name ?? p.id,
      asn: p.asn,
      ...(p.catalog !== undefined ? { catalog: p.catalog } : {}),
      roles: [...p.roles],
      regions: [...(p.regions ?? [])],
      ...(p.hosted_on !== undefined ? { hostedOn: p.hosted_on } : {}),
      line: pl.lineOf(['providers', i]),
    });
  });
  raw.forEach((p, i) => {
    if (p.hosted_on === undefined || firstIndex.get(p.id) !== i) return;
    const path = ['providers', i, 'hosted_on'];
    if (p.hosted_on === p.id) pl.add(path, `a provider cannot be hosted on itself`);
    else if (!byId.has(p.hosted_on)) pl.add(path, unknownProvider(p.hosted_on, byId));
    else {
      // A chain of platforms must end on a real network.
      const seen = new Set([p.id]);
      let cur = byId.get(p.hosted_on);
      while (cur?.hostedOn !== undefined && !seen.has(cur.id)) {
        seen.add(cur.id);
        cur = byId.get(cur.hostedOn);
      }
      if (cur && seen.has(cur.id)) pl.add(path, `hosted_on forms a cycle (${[...seen].join(' → ')})`);
    }
  });
  return byId;
}

/** The message for a reference to a provider that does not exist. */
export function unknownProvider(id: string, byId: ReadonlyMap<string, ProviderSpec>): string {
  const hint = suggest(id, [...byId.keys()]);
  return `unknown provider '${id}'${hint ? ` (did you mean '${hint}'?)` : ''}; providers: ${[...byId.keys()].join(', ')}`;
}

/**
 * Expand and normalize sites. Defaults: count 1, plan `dedicated`, region = the provider's first
 * region when it has some, dns = the hosting provider (which is then given role `dns` if it lacked
 * it, since the format makes it serve that zone), weight 1, shares [].
 */
export function buildSites(raw: readonly RawSite[], byId: Map<string, ProviderSpec>, pl: ProblemList): World {
  const sites: SiteSpec[] = [];
  const domains = new Map<string, number>();
  const components = new Set<string>();
  const impliedDns = new Set<string>();

  raw.forEach((s, i) => {
    const base: PathSeg[] = ['sites', i];
    const line = pl.lineOf(base);
    const hosting = typeof s.hosting === 'string' ? { provider: s.hosting } : s.hosting;
    const hostingPath: PathSeg[] =
      typeof s.hosting === 'string' ? [...base, 'hosting'] : [...base, 'hosting', 'provider'];
    const hostProvider = checkRef(hosting.provider, 'hosting', hostingPath, byId, pl);

    let region = hosting.region;
    if (hostProvider) {
      if (region !== undefined && hostProvider.regions.length === 0) {
        pl.add([...base, 'hosting', 'region'], `provider '${hostProvider.id}' declares no regions`);
      } else if (region !== undefined && !hostProvider.regions.includes(region)) {
        const hint = suggest(region, hostProvider.regions);
        pl.add(
          [...base, 'hosting', 'region'],
          `region '${region}' is not one of provider '${hostProvider.id}' (${hostProvider.regions.join(', ')})` +
            (hint ? `; did you mean '${hint}'?` : ''),
        );
      } else if (region === undefined && hostProvider.regions.length > 0) {
        // Deterministic default: the first region listed.
        region = hostProvider.regions[0];
      }
    }

    let dns = s.dns;
    if (dns === undefined) {
      dns = hosting.provider;
      if (hostProvider && !hostProvider.roles.includes('dns')) impliedDns.add(hostProvider.id);
    } else checkRef(dns, 'dns', [...base, 'dns'], byId, pl);
    if (s.mail !== undefined) checkRef(s.mail, 'mail', [...base, 'mail'], byId, pl);
    if (s.cdn !== undefined) checkRef(s.cdn, 'cdn', [...base, 'cdn'], byId, pl);
    if (s.platform !== undefined) checkRef(s.platform, 'platform', [...base, 'platform'], byId, pl);
    for (const c of s.shares ?? []) components.add(c);

    const count = s.count ?? 1;
    const names = domainsOf(s, count, [...base, 'domain'], pl);
    const clashes: string[] = [];
    for (const domain of names) {
      const prev = domains.get(domain);
      if (prev !== undefined) {
        clashes.push(domain);
        if (clashes.length === 1) {
          const other = sites[prev].line;
          pl.add(
            [...base, 'domain'],
            `domain '${domain}' is defined twice (also by the site at line ${other})` +
              (names.length > 1 ? ` after expanding "${s.domain}"` : ''),
          );
        }
        continue;
      }
      domains.set(domain, sites.length);
      sites.push({
        domain,
        hosting: {
          provider: hosting.provider,
          ...(region !== undefined ? { region } : {}),
          plan: hosting.plan ?? 'dedicated',
        },
        dns,
        ...(s.mail !== undefined ? { mail: s.mail } : {}),
        ...(s.cdn !== undefined ? { cdn: s.cdn } : {}),
        ...(s.platform !== undefined ? { platform: s.platform } : {}),
        shares: [...(s.shares ?? [])],
        weight: s.weight ?? 1,
        line,
      });
    }
  });

  for (const id of impliedDns) byId.get(id)?.roles.push('dns');
  return { providers: [...byId.values()], byId, sites, domains, components };
}

function domainsOf(s: RawSite, count: number, path: PathSeg[], pl: ProblemList): string[] {
  const bad = templateProblem(s.domain);
  if (bad) {
    pl.add(path, bad);
    return [];
  }
  if (count > 1 && !s.domain.includes(TEMPLATE)) {
    pl.add(
      path,
      `count is ${count} but "${s.domain}" has no ${TEMPLATE}: every copy would be the same domain`,
    );
    return [];
  }
  const names = expandDomain(s.domain, count);
  for (const n of names) {
    const why = hostnameProblem(n);
    if (why) {
      // One message per entry: a bad template would otherwise repeat `count` times.
      pl.add(path, why + (n !== s.domain ? ` (expanded from "${s.domain}")` : ''));
      return [];
    }
  }
  return names;
}

function checkRef(
  id: string,
  role: ProviderRole,
  path: PathSeg[],
  byId: ReadonlyMap<string, ProviderSpec>,
  pl: ProblemList,
): ProviderSpec | undefined {
  const p = byId.get(id);
  if (!p) {
    pl.add(path, unknownProvider(id, byId));
    return undefined;
  }
  if (!p.roles.includes(role)) {
    pl.add(path, `provider '${id}' does not have role ${role} (its roles: ${p.roles.join(', ')})`);
  }
  return p;
}
