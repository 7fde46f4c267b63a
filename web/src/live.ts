/**
 * Live updates: one EventSource on `/api/events`. Changes are gathered for a short while and handed
 * over as one batch, so a provider-wide outage (hundreds of transitions a second at replay speed)
 * re-draws the page once and is announced to screen readers as one sentence, not hundreds.
 */
import type { IncidentView, StatusEvent } from './api.ts';
import { count } from './words.ts';

export interface Batch {
  /** Sites whose state changed. */
  sites: Set<string>;
  wentDown: number;
  degraded: number;
  cameBack: number;
  incidents: Map<string, IncidentView>;
  newIncidents: IncidentView[];
  resolved: IncidentView[];
  sitesListChanged: boolean;
  other: boolean;
}

const emptyBatch = (): Batch => ({
  sites: new Set(),
  wentDown: 0,
  degraded: 0,
  cameBack: 0,
  incidents: new Map(),
  newIncidents: [],
  resolved: [],
  sitesListChanged: false,
  other: false,
});

export interface LiveOptions {
  /** Gather changes this long before handing them over (ms). */
  batchMs: number;
  onBatch: (b: Batch) => void;
  onStatus: (text: string, connected: boolean) => void;
}

export class Live {
  private batch = emptyBatch();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seenIncidents = new Map<string, boolean>();
  private paused = false;

  constructor(private readonly o: LiveOptions) {}

  /** Incidents already known (open or not) when the page loaded: not announced as new. */
  know(incidents: readonly IncidentView[]): void {
    for (const i of incidents) this.seenIncidents.set(i.id, i.resolvedAt !== null);
  }

  start(): void {
    const es = new EventSource('./api/events');
    es.onopen = () => this.o.onStatus(this.paused ? 'Live updates paused' : 'Live', true);
    es.onerror = () => this.o.onStatus('Live updates interrupted — reconnecting…', false);
    const on = (type: StatusEvent['type'], f: (data: never) => void) =>
      es.addEventListener(type, (e) => {
        f(JSON.parse((e as MessageEvent<string>).data) as never);
        this.schedule();
      });
    on('transition', (d: Extract<StatusEvent, { type: 'transition' }>['data']) => {
      this.batch.sites.add(d.site);
      const failing = (s: string) => s === 'down' || s === 'degraded';
      if (d.to === 'down' && d.from !== 'down') this.batch.wentDown++;
      else if (d.to === 'degraded' && !failing(d.from)) this.batch.degraded++;
      else if (d.to === 'up' && failing(d.from)) this.batch.cameBack++;
    });
    on('incident', (i: IncidentView) => {
      this.batch.incidents.set(i.id, i);
      const before = this.seenIncidents.get(i.id);
      if (before === undefined) this.batch.newIncidents.push(i);
      else if (!before && i.resolvedAt !== null) this.batch.resolved.push(i);
      this.seenIncidents.set(i.id, i.resolvedAt !== null);
    });
    on('sites', () => {
      this.batch.sitesListChanged = true;
    });
    on('vantage', () => {
      this.batch.other = true;
    });
    on('acknowledged', () => {
      this.batch.other = true;
    });
    // Crowd-report level changes (src/reports), when the server has them.
    es.addEventListener('reports', () => {
      this.batch.other = true;
      this.schedule();
    });
  }

  /** Pausing keeps gathering changes; resuming hands them over at once. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.o.onStatus(paused ? 'Live updates paused' : 'Live', true);
    if (!paused) this.flush();
  }

  private schedule(): void {
    if (this.timer || this.paused) return;
    this.timer = setTimeout(() => this.flush(), this.o.batchMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const b = this.batch;
    this.batch = emptyBatch();
    if (b.sites.size || b.incidents.size || b.sitesListChanged || b.other) this.o.onBatch(b);
  }
}

/** One sentence for the live region: "New incident: … 12 sites went down." */
export function describe(b: Batch): string {
  const parts: string[] = [];
  for (const i of b.newIncidents) parts.push(`New incident: ${i.name}.`);
  for (const i of b.resolved) parts.push(`Resolved: ${i.name}.`);
  if (b.wentDown) parts.push(`${count(b.wentDown, 'site')} went down.`);
  if (b.degraded) parts.push(`${count(b.degraded, 'site')} became slow or degraded.`);
  if (b.cameBack) parts.push(`${count(b.cameBack, 'site')} came back.`);
  return parts.join(' ');
}
