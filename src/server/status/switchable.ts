/**
 * One server over a succession of states: `vigie demo` replays one scenario after another, each with
 * its own clock, store, snapshot and crowd-report service, behind the same HTTP API and the same live
 * streams. The API is built once over these forwarding parts; `switchTo` moves it to the next replay.
 * Live streams stay open across a switch (they hear a `sites` event listing what left and what came),
 * and the version keeps increasing, so no cache keyed on it can serve the previous replay.
 */
import type { Clock } from '../../clock/clock.ts';
import type { RegionalProblem } from '../../detect/consensus.ts';
import type { ReportService } from '../../reports/service.ts';
import type { Store } from '../../store/types.ts';
import type { RiskSource } from '../risk-cache.ts';
import type { StatusSnapshot } from './snapshot.ts';
import type {
  Acknowledgement,
  ComponentView,
  IncidentView,
  SiteCounts,
  SiteQuery,
  SiteVantageResult,
  SiteView,
  StatusEvent,
  StatusSource,
  StatusWriter,
  VantageSeen,
  VantageSiteQuery,
  VantageSiteRow,
  VantageSummary,
} from './types.ts';

/** What one replay serves. */
export interface ServedParts {
  clock: Pick<Clock, 'now'>;
  store: Store;
  snapshot: StatusSnapshot;
  reports: ReportService;
  risk: RiskSource;
}

/** An object forwarding every property read to whatever `target()` is now (methods bound to it). */
export function forwarding<T extends object>(target: () => T): T {
  return new Proxy({} as T, {
    get(_, key) {
      const t = target();
      const v = Reflect.get(t, key, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
    has: (_, key) => Reflect.has(target(), key),
  });
}

export class SwitchableServer implements StatusSource, StatusWriter {
  private parts: ServedParts;
  private base = 0;
  private off: () => void;
  private readonly listeners = new Set<(e: StatusEvent) => void>();
  readonly clock: { now(): number } = { now: () => this.parts.clock.now() };
  readonly store: Store = forwarding(() => this.parts.store);
  readonly reports: ReportService = forwarding(() => this.parts.reports);
  readonly risk: RiskSource = forwarding(() => this.parts.risk);

  constructor(initial: ServedParts) {
    this.parts = initial;
    this.off = initial.snapshot.onChange((e) => this.emit(e));
  }

  get current(): ServedParts {
    return this.parts;
  }

  /** Serve `next` from now on; returns what was served before (for the caller to close). */
  switchTo(next: ServedParts): ServedParts {
    const prev = this.parts;
    const domains = (s: StatusSnapshot) => s.sites({ offset: 0, limit: Number.MAX_SAFE_INTEGER }).items;
    const removed = domains(prev.snapshot).map((s) => s.domain);
    this.off();
    this.base += prev.snapshot.version() + 1;
    this.parts = next;
    this.off = next.snapshot.onChange((e) => this.emit(e));
    this.emit({
      type: 'sites',
      data: { added: domains(next.snapshot).map((s) => s.domain), removed },
    });
    return prev;
  }

  // --- StatusSource ---------------------------------------------------------------------------

  version(): number {
    return this.base + this.parts.snapshot.version();
  }
  updatedAt(): number {
    return this.parts.snapshot.updatedAt();
  }
  counts(): SiteCounts {
    return this.parts.snapshot.counts();
  }
  sites(query: SiteQuery): { total: number; items: SiteView[] } {
    return this.parts.snapshot.sites(query);
  }
  site(domain: string): SiteView | null {
    return this.parts.snapshot.site(domain);
  }
  components(): readonly ComponentView[] {
    return this.parts.snapshot.components();
  }
  component(id: string): ComponentView | null {
    return this.parts.snapshot.component(id);
  }
  incidents(filter: 'open' | 'resolved' | 'all'): readonly IncidentView[] {
    return this.parts.snapshot.incidents(filter);
  }
  incident(id: string): IncidentView | null {
    return this.parts.snapshot.incident(id);
  }
  vantages(): VantageSummary[] {
    return this.parts.snapshot.vantages();
  }
  vantageSites(vantage: string, query: VantageSiteQuery): { total: number; items: VantageSiteRow[] } | null {
    return this.parts.snapshot.vantageSites(vantage, query);
  }
  siteVantages(domain: string): SiteVantageResult[] {
    return this.parts.snapshot.siteVantages(domain);
  }
  paths(domain?: string): RegionalProblem[] {
    return this.parts.snapshot.paths(domain);
  }
  incidentVantages(id: string): VantageSeen[] {
    return this.parts.snapshot.incidentVantages(id);
  }
  onChange(listener: (event: StatusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- StatusWriter ---------------------------------------------------------------------------

  addSites(sites: Parameters<StatusWriter['addSites']>[0]): void {
    this.parts.snapshot.addSites(sites);
  }
  removeSites(domains: readonly string[]): void {
    this.parts.snapshot.removeSites(domains);
  }
  acknowledge(id: string, note: string): Acknowledgement | null {
    return this.parts.snapshot.acknowledge(id, note);
  }

  private emit(e: StatusEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a closed stream must not stop the others
      }
    }
  }
}
