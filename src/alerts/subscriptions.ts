/** Which subscriptions want an event, and how many of the incident's sites they cover. */
import { causeNames, filtersSites, selectedSites, selectsSite, type TagsOf } from './match.ts';
import type { AlertEvent, Subscription } from './types.ts';

/**
 * Whether `s` wants `e`: its kinds (a crowd-report-only incident only reaches subscriptions that
 * opted into `reported`), its providers, and at least `minSites` of the sites it selects affected.
 */
export function wants(s: Subscription, e: AlertEvent, tagsOf: TagsOf): boolean {
  const i = e.incident;
  if (i.kind === 'reported' ? !s.kinds.includes('reported') : !s.kinds.includes(e.kind)) return false;
  if (s.providers.length) {
    const names = causeNames(i);
    if (!s.providers.some((p) => names.has(p))) return false;
  }
  return selectedSites(s, i, tagsOf) >= Math.max(1, s.minSites);
}

/** Sites of the incident any of `subs` selects ("950 of your sites"). */
export function sitesFor(subs: readonly Subscription[], e: AlertEvent, tagsOf: TagsOf): number {
  if (subs.some((s) => !filtersSites(s))) return e.incident.affected.length;
  let n = 0;
  for (const d of e.incident.affected) if (subs.some((s) => selectsSite(s, d, tagsOf))) n++;
  return n;
}
