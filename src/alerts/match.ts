/**
 * Who an incident concerns: the names its cause answers to (for subscriptions' and maintenance
 * windows' `providers`), and which of its sites a filter by site and tag selects.
 */
import type { Incident } from '../model/incident.ts';
import { causeComponents } from '../server/status/derive.ts';

/** Tags of a watched site (none when unknown). */
export type TagsOf = (domain: string) => readonly string[];

/** Provider id, raw component and every component id the cause names (`provider:ovh`, `region:ovh/sbg`…). */
export function causeNames(i: Incident): Set<string> {
  const c = i.cause;
  const out = new Set(causeComponents(c));
  if (c.provider) out.add(c.provider);
  if (c.component) out.add(c.component);
  if (c.asn !== null) out.add(`AS${c.asn}`);
  return out;
}

/** A filter on sites: by domain or by tag; both empty selects every site. */
export interface SiteFilter {
  sites: readonly string[];
  tags: readonly string[];
}

/** Whether the filter selects sites by name or tag at all. */
export function filtersSites(f: SiteFilter): boolean {
  return f.sites.length > 0 || f.tags.length > 0;
}

/** Whether `domain` is selected by the filter (always, for a filter on nothing). */
export function selectsSite(f: SiteFilter, domain: string, tagsOf: TagsOf): boolean {
  if (!filtersSites(f)) return true;
  if (f.sites.includes(domain)) return true;
  return f.tags.length > 0 && tagsOf(domain).some((t) => f.tags.includes(t));
}

/** How many of the incident's sites the filter selects. */
export function selectedSites(f: SiteFilter, i: Incident, tagsOf: TagsOf): number {
  if (!filtersSites(f)) return i.affected.length;
  let n = 0;
  for (const d of i.affected) if (selectsSite(f, d, tagsOf)) n++;
  return n;
}
