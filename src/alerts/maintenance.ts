/**
 * Maintenance windows: a site, provider or tag under maintenance opens no incident and sends no
 * alert. `MaintenanceSchedule` keeps the windows in memory (loaded from the store, reloaded when the
 * API changes them) so the checks are synchronous and cheap on the pipeline's path.
 */
import type { Incident } from '../model/incident.ts';
import type { Site } from '../model/site.ts';
import type { MaintenanceWindow, Store } from '../store/types.ts';
import { causeNames, type TagsOf } from './match.ts';

const isIncident = (x: Incident | Site | string): x is Incident => typeof x === 'object' && 'cause' in x;

/** Windows active at `time`. */
export function activeAt(windows: readonly MaintenanceWindow[], time: number): MaintenanceWindow[] {
  return windows.filter((w) => w.startsAt <= time && time < w.endsAt);
}

/**
 * The window `target` is under at `time`, or null. An incident is under maintenance when its cause
 * is a provider or component under maintenance, or when every affected site is (by name or tag). A
 * site (or domain) is when its name or one of its tags is, or one of `providersOf(domain)`.
 */
export function underMaintenance(
  target: Incident | Site | string,
  time: number,
  windows: readonly MaintenanceWindow[],
  tagsOf: TagsOf = () => [],
  providersOf: (domain: string) => readonly string[] = () => [],
): MaintenanceWindow | null {
  const active = activeAt(windows, time);
  if (active.length === 0) return null;
  const siteWindow = (domain: string, tags: readonly string[]) =>
    active.find(
      (w) =>
        w.sites.includes(domain) ||
        w.tags.some((t) => tags.includes(t)) ||
        providersOf(domain).some((p) => w.providers.includes(p)),
    ) ?? null;
  if (typeof target === 'string') return siteWindow(target, tagsOf(target));
  if (!isIncident(target)) return siteWindow(target.domain, target.tags ?? tagsOf(target.domain));
  const names = causeNames(target);
  const byCause = active.find((w) => w.providers.some((p) => names.has(p)));
  if (byCause) return byCause;
  if (target.affected.length === 0) return null;
  let first: MaintenanceWindow | null = null;
  for (const d of target.affected) {
    const w = siteWindow(d, tagsOf(d));
    if (!w) return null;
    first ??= w;
  }
  return first;
}

/** The windows in force, from the store; `reload()` after a change. */
export class MaintenanceSchedule {
  #windows: MaintenanceWindow[] = [];
  #tags = new Map<string, readonly string[]>();
  #version = 0;

  constructor(private readonly store: Pick<Store, 'maintenances' | 'listSites'>) {}

  /** Load (or reload) the windows and the sites' tags. */
  async reload(): Promise<void> {
    const [windows, sites] = await Promise.all([this.store.maintenances(), this.store.listSites()]);
    this.#windows = windows;
    this.#tags = new Map(sites.filter((s) => s.tags?.length).map((s) => [s.domain, s.tags as string[]]));
    this.#version++;
  }

  /** Changes with every reload (cached bodies listing the windows compare it). */
  version(): number {
    return this.#version;
  }

  windows(): readonly MaintenanceWindow[] {
    return this.#windows;
  }

  tagsOf: TagsOf = (domain) => this.#tags.get(domain) ?? [];

  /** The window `target` is under at `time`, or null (see {@link underMaintenance}). */
  underMaintenance(target: Incident | Site | string, time: number): MaintenanceWindow | null {
    return underMaintenance(target, time, this.#windows, this.tagsOf);
  }

  /**
   * The publication gate the pipeline calls before it opens or publishes an incident: false for an
   * incident under maintenance when it was detected (so the same incident is gated the same way on
   * every round).
   */
  publishes = (incident: Incident): boolean => this.underMaintenance(incident, incident.detectedAt) === null;
}
