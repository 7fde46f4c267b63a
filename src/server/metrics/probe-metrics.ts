/**
 * The pipeline's metrics, in a prom-client registry of their own (no global registry): probes in
 * blackbox_exporter's vocabulary, aggregated per vantage and kind — blackbox answers one scrape per
 * target; with 100,000 sites that is 100,000 series per metric, so `/metrics` keeps the aggregate and
 * per-target series are what `/probe?target=…` is for — plus the scheduler's and the pipeline's own
 * figures, read at scrape time from the functions the pipeline registers.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Bus } from '../../bus/bus.ts';
import type { Observation } from '../../model/observation.ts';
import { type PipelineFigures, PipelineMetrics, type SchedulerFigures } from './pipeline-metrics.ts';

export type { PipelineFigures, SchedulerFigures } from './pipeline-metrics.ts';

/** Seconds: from a fast loopback answer to a probe's longest deadline. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** blackbox's HTTP phase names, from Vigie's phase timings. */
export const HTTP_PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;

/** blackbox's HTTP phases of one observation, in real seconds (absent phases left out). */
export function httpPhases(o: Observation): Partial<Record<(typeof HTTP_PHASES)[number], number>> {
  const t = o.timings;
  const known = (t.dns ?? 0) + (t.connect ?? 0) + (t.tls ?? 0) + (t.ttfb ?? 0);
  const out: Partial<Record<(typeof HTTP_PHASES)[number], number>> = {};
  const set = (k: (typeof HTTP_PHASES)[number], ms: number | undefined) => {
    if (ms !== undefined) out[k] = ms / 1000;
  };
  set('resolve', t.dns);
  set('connect', t.connect);
  set('tls', t.tls);
  set('processing', t.ttfb);
  if (t.ttfb !== undefined) set('transfer', Math.max(0, t.total - known));
  return out;
}

export class ProbeMetrics {
  /** Everything this object measures; `/metrics` renders it beside the server's own registry. */
  readonly registry = new Registry();
  /** Latest probe of each site per vantage and kind: 1 succeeded, 0 failed. */
  private latest = new Map<
    string,
    { vantage: string; kind: string; sites: Map<string, number>; ok: number }
  >();
  private readonly duration: Histogram<'vantage' | 'kind'>;
  private readonly phases: Histogram<'vantage' | 'phase'>;
  private readonly signatures: Counter<'vantage' | 'kind' | 'signature'>;
  private readonly statusClasses: Counter<'vantage' | 'kind' | 'code'>;
  private readonly refusals: Counter;
  private readonly pipelineMetrics: PipelineMetrics;

  constructor() {
    const registers = [this.registry];
    const series = () => this.latest.values();
    new Gauge({
      name: 'probe_success',
      help: 'Share of sites whose latest probe succeeded (blackbox probe_success, averaged over sites)',
      labelNames: ['vantage', 'kind'],
      registers,
      collect() {
        for (const s of series()) this.set({ vantage: s.vantage, kind: s.kind }, s.ok / (s.sites.size || 1));
      },
    });
    new Gauge({
      name: 'probe_targets',
      help: 'Sites probed, per vantage and probe kind',
      labelNames: ['vantage', 'kind'],
      registers,
      collect() {
        for (const s of series()) this.set({ vantage: s.vantage, kind: s.kind }, s.sites.size);
      },
    });
    this.duration = new Histogram({
      name: 'probe_duration_seconds',
      help: 'Duration of probes, seconds',
      labelNames: ['vantage', 'kind'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.phases = new Histogram({
      name: 'probe_http_duration_seconds',
      help: 'Duration of successful HTTP probes by phase (resolve, connect, tls, processing, transfer), seconds',
      labelNames: ['vantage', 'phase'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.signatures = new Counter({
      name: 'vigie_probe_signatures_total',
      help: 'Probes by outcome signature (ok, connect_timeout, cdn_error…)',
      labelNames: ['vantage', 'kind', 'signature'],
      registers,
    });
    this.statusClasses = new Counter({
      name: 'vigie_probe_http_status_total',
      help: 'HTTP answers by status class',
      labelNames: ['vantage', 'kind', 'code'],
      registers,
    });
    this.refusals = new Counter({
      name: 'vigie_target_refusals_total',
      help: 'Resolutions refused by the target policy (private, loopback, link-local, metadata addresses)',
      registers,
    });
    this.pipelineMetrics = new PipelineMetrics(this.registry);
  }

  /** Follow the observations on the bus; returns the unsubscribe function. */
  attach(bus: Bus): () => void {
    return bus.subscribe('observation', (o) => this.observe(o));
  }

  /** A resolution refused by the target policy (counted as `vigie_target_refusals_total`). */
  refused(): void {
    this.refusals.inc();
  }

  /**
   * Read the probe scheduler's figures at each scrape (`vigie_scheduler_*`): lateness, probes
   * started and skipped, in flight, queued. The latest registration wins (a new replay replaces
   * the last); returns the function that removes it.
   */
  scheduler(read: () => SchedulerFigures): () => void {
    return this.pipelineMetrics.scheduler(read);
  }

  /** Read the pipeline's figures at each scrape (`vigie_pipeline_*`): rounds, round time, probes… */
  pipeline(read: () => PipelineFigures): () => void {
    return this.pipelineMetrics.pipeline(read);
  }

  observe(o: Observation): void {
    const key = `${o.vantage}\0${o.kind}`;
    let s = this.latest.get(key);
    if (!s) {
      s = { vantage: o.vantage, kind: o.kind, sites: new Map(), ok: 0 };
      this.latest.set(key, s);
    }
    // probe_error says nothing about the site: like blackbox's failed-to-probe, not counted as down.
    const success = o.outcome !== 'down' ? 1 : 0;
    s.ok += success - (s.sites.get(o.site) ?? 0);
    s.sites.set(o.site, success);
    const labels = { vantage: o.vantage, kind: o.kind };
    // Observations carry real milliseconds (see PhaseTimings).
    this.duration.observe(labels, o.timings.total / 1000);
    this.signatures.inc({ ...labels, signature: o.signature });
    if (o.status) this.statusClasses.inc({ ...labels, code: `${Math.floor(o.status / 100)}xx` });
    if (o.kind === 'http' && o.outcome !== 'down')
      for (const [phase, v] of Object.entries(httpPhases(o)))
        this.phases.observe({ vantage: o.vantage, phase }, v);
  }
}
