/**
 * Evaluation only: how well a mapping matches a scenario's sites. The mapper never sees a scenario;
 * tests and the benchmark call this to measure it.
 *
 * A mapped provider equals a scenario provider when the catalog id equals the provider's `catalog`
 * (or its `id`, for a provider outside the catalog, whose names are under `<id>.test`), or the AS
 * number equals, or the organisation equals. Fields that cannot be seen from outside are not
 * scored (they come from declarations): hosting, region, plan and platform of a site behind a CDN
 * (its origin is hidden), and the plan of a site behind a platform.
 */

import type { DomainMap, ProviderFinding } from '../../map/types.ts';
import type { ProviderSpec, Scenario } from '../scenario/types.ts';

export const FIELDS = ['dns', 'cdn', 'platform', 'hosting', 'region', 'plan', 'mail'] as const;
export type Field = (typeof FIELDS)[number];

export interface Miss {
  domain: string;
  field: Field;
  expected: string;
  got: string;
}

export interface Score {
  sites: number;
  /** Sites with every scored field right. */
  exact: number;
  /** exact / sites */
  accuracy: number;
  fields: Record<Field, { right: number; total: number; accuracy: number }>;
  /** The first misses, for diagnosis. */
  misses: Miss[];
}

/** Does `f` designate `spec`? */
export function sameProvider(
  f: Pick<ProviderFinding, 'provider' | 'asn' | 'org'> | null | undefined,
  spec: ProviderSpec,
): boolean {
  if (!f) return false;
  if (spec.catalog !== undefined ? f.provider === spec.catalog : f.provider === spec.id) return true;
  if (f.asn !== null && f.asn === spec.asn) return true;
  return f.org !== null && f.org === spec.name;
}

/** Score every site of `scenario` against `maps` (by domain; a site not mapped counts as all wrong). */
export function scoreMapping(scenario: Scenario, maps: readonly DomainMap[], keepMisses = 50): Score {
  const byDomain = new Map(maps.map((m) => [m.domain, m]));
  const providers = new Map(scenario.providers.map((p) => [p.id, p]));
  const fields = Object.fromEntries(
    FIELDS.map((f) => [f, { right: 0, total: 0, accuracy: 1 }]),
  ) as Score['fields'];
  const misses: Miss[] = [];
  let exact = 0;
  const show = (f: ProviderFinding | null | undefined) => (f ? `${f.provider}/AS${f.asn ?? '?'}` : 'none');
  for (const site of scenario.sites) {
    const m = byDomain.get(site.domain);
    const ok = m?.status === 'ok';
    let allRight = true;
    const check = (field: Field, right: boolean, expected: string, got: string) => {
      fields[field].total++;
      if (right) fields[field].right++;
      else {
        allRight = false;
        if (misses.length < keepMisses)
          misses.push({ domain: site.domain, field, expected, got: m && !ok ? `${m.status}: ${got}` : got });
      }
    };
    const optional = (field: Field, id: string | undefined, got: ProviderFinding | undefined) => {
      const spec = id ? providers.get(id) : undefined;
      check(field, ok && (spec ? sameProvider(got, spec) : !got), id ?? 'none', show(got));
    };
    const dnsSpec = providers.get(site.dns)!;
    check('dns', ok && sameProvider(m!.dns, dnsSpec), site.dns, show(m?.dns));
    optional('cdn', site.cdn, m?.cdn);
    optional('mail', site.mail, m?.mail);
    if (!site.cdn) {
      optional('platform', site.platform, m?.platform);
      const host = providers.get(site.hosting.provider)!;
      const h = m?.hosting;
      check(
        'hosting',
        ok && !!h && !h.hidden && sameProvider(h as ProviderFinding, host),
        host.id,
        h ? `${h.provider}/AS${h.asn}` : 'none',
      );
      check(
        'region',
        ok && (h?.region ?? null) === (site.hosting.region ?? null),
        site.hosting.region ?? 'none',
        h?.region ?? 'none',
      );
      if (!site.platform)
        check(
          'plan',
          ok && m?.plan?.value === site.hosting.plan,
          site.hosting.plan,
          m?.plan?.value ?? 'none',
        );
    }
    if (allRight) exact++;
  }
  for (const f of FIELDS) fields[f].accuracy = fields[f].total ? fields[f].right / fields[f].total : 1;
  const sites = scenario.sites.length;
  return { sites, exact, accuracy: sites ? exact / sites : 1, fields, misses };
}
