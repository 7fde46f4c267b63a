/**
 * The scheduler's and the pipeline's health as Prometheus metrics, read at scrape time from the
 * functions the running pipeline registers. The series exist only while something is registered:
 * a zero would claim a scheduler that is not there.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

/** What `src/probe/scheduler.ts`'s `SchedulerStats` carries (structurally the same). */
export interface SchedulerFigures {
  jobs: number;
  started: number;
  skipped: number;
  inflight: number;
  queued: number;
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
}

/** The part of `src/pipeline/pipeline.ts`'s `PipelineStats` exposed (structurally the same). */
export interface PipelineFigures {
  probes: number;
  sites: number;
  mapped: number;
  rounds: number;
  /** Longest inference round, real ms. */
  maxRoundMs: number;
  /** Time the self-check withheld verdicts (the machine could not measure), ms. */
  withheldMs: number;
  withheldPeriods: number;
}

type Def = {
  name: string;
  help: string;
  counter?: boolean;
  labels?: string[];
  read: (x: never) => [Record<string, string>, number][];
};

const one = (v: number): [Record<string, string>, number][] => [[{}, v]];

const SCHEDULER: Def[] = [
  {
    name: 'vigie_scheduler_jobs',
    help: 'Probe jobs scheduled (site × kind × vantage)',
    read: (s: SchedulerFigures) => one(s.jobs),
  },
  {
    name: 'vigie_scheduler_probes_started_total',
    help: 'Probes started by the scheduler',
    counter: true,
    read: (s: SchedulerFigures) => one(s.started),
  },
  {
    name: 'vigie_scheduler_probes_skipped_total',
    help: 'Probes skipped because the previous probe of the same job was still running',
    counter: true,
    read: (s: SchedulerFigures) => one(s.skipped),
  },
  {
    name: 'vigie_scheduler_inflight',
    help: 'Probes in flight',
    read: (s: SchedulerFigures) => one(s.inflight),
  },
  {
    name: 'vigie_scheduler_queued',
    help: 'Probes due and waiting for a slot',
    read: (s: SchedulerFigures) => one(s.queued),
  },
  {
    name: 'vigie_scheduler_lateness_seconds',
    help: 'Lateness of probe starts (start minus due time), real seconds, by statistic (p50, p99, max)',
    labels: ['stat'],
    read: (s: SchedulerFigures) => [
      [{ stat: 'p50' }, s.latenessP50Ms / 1000],
      [{ stat: 'p99' }, s.latenessP99Ms / 1000],
      [{ stat: 'max' }, s.latenessMaxMs / 1000],
    ],
  },
];

const PIPELINE: Def[] = [
  {
    name: 'vigie_pipeline_sites',
    help: 'Sites the pipeline watches',
    read: (p: PipelineFigures) => one(p.sites),
  },
  {
    name: 'vigie_pipeline_sites_mapped',
    help: 'Sites whose dependencies are mapped',
    read: (p: PipelineFigures) => one(p.mapped),
  },
  {
    name: 'vigie_pipeline_probes_total',
    help: 'Probes observed by the pipeline',
    counter: true,
    read: (p: PipelineFigures) => one(p.probes),
  },
  {
    name: 'vigie_pipeline_rounds_total',
    help: 'Inference rounds run',
    counter: true,
    read: (p: PipelineFigures) => one(p.rounds),
  },
  {
    name: 'vigie_pipeline_round_max_seconds',
    help: 'Longest inference round so far, real seconds',
    read: (p: PipelineFigures) => one(p.maxRoundMs / 1000),
  },
  {
    name: 'vigie_pipeline_withheld_seconds_total',
    help: 'Time verdicts were withheld because the machine itself could not measure (self-check), seconds',
    counter: true,
    read: (p: PipelineFigures) => one(p.withheldMs / 1000),
  },
  {
    name: 'vigie_pipeline_withheld_periods_total',
    help: 'Periods in which verdicts were withheld by the self-check',
    counter: true,
    read: (p: PipelineFigures) => one(p.withheldPeriods),
  },
];

/** One registered source and the metrics it feeds. */
class Source<T> {
  private read: (() => T) | null = null;
  private metrics: Metric[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly defs: Def[],
  ) {}

  set(read: () => T): () => void {
    if (!this.read) this.create();
    this.read = read;
    return () => {
      if (this.read !== read) return;
      this.read = null;
      for (const m of this.metrics) this.registry.removeSingleMetric((m as unknown as { name: string }).name);
      this.metrics = [];
    };
  }

  private create(): void {
    const self = this;
    for (const d of this.defs) {
      const config = {
        name: d.name,
        help: d.help,
        labelNames: d.labels ?? [],
        registers: [this.registry],
        collect(this: Gauge | Counter) {
          if (!self.read) return;
          const values = (d.read as (x: T) => [Record<string, string>, number][])(self.read());
          this.reset();
          for (const [labels, v] of values) {
            // A counter is set by resetting and adding: the source keeps the running total.
            if (this instanceof Counter) this.inc(labels, Math.max(0, v));
            else this.set(labels, v);
          }
        },
      };
      this.metrics.push(d.counter ? new Counter(config) : new Gauge(config));
    }
  }
}

/** The scheduler and pipeline sources of one registry. */
export class PipelineMetrics {
  private readonly schedulerSource: Source<SchedulerFigures>;
  private readonly pipelineSource: Source<PipelineFigures>;

  constructor(registry: Registry) {
    this.schedulerSource = new Source(registry, SCHEDULER);
    this.pipelineSource = new Source(registry, PIPELINE);
  }

  scheduler(read: () => SchedulerFigures): () => void {
    return this.schedulerSource.set(read);
  }

  pipeline(read: () => PipelineFigures): () => void {
    return this.pipelineSource.set(read);
  }
}
