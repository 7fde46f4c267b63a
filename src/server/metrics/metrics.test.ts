/**
 * `/metrics` as a Prometheus user expects it: prom-client's exposition, the scheduler's and the
 * pipeline's health read from what the pipeline registers, per-provider series, process and
 * event-loop metrics — and `promtool check metrics` passing on it.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture, T0 } from '../../../test/support/server.ts';
import type { Observation } from '../../model/observation.ts';
import type { SchedulerStats } from '../../probe/scheduler.ts';
import type { PipelineFigures, SchedulerFigures } from './probe-metrics.ts';

const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env.VIGIE_REQUIRE_PROMTOOL)
  throw new Error('promtool is missing: apt-get install -y prometheus');

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const obs = (site: string, outcome: Observation['outcome']): Observation => ({
  site,
  vantage: 'paris',
  time: T0,
  kind: 'http',
  outcome,
  signature: outcome === 'down' ? 'connect_timeout' : 'ok',
  status: outcome === 'down' ? undefined : 200,
  timings: { dns: 2, connect: 3, tls: 4, ttfb: 20, total: outcome === 'down' ? 3000 : 40 },
});

describe('/metrics', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await fixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('exposes the scheduler and the pipeline while they are registered', async () => {
    const app = await f.build();
    let stats: SchedulerStats = {
      jobs: 120,
      started: 4000,
      skipped: 7,
      inflight: 3,
      queued: 1,
      latenessP50Ms: 2,
      latenessP99Ms: 40,
      latenessMaxMs: 250,
    };
    // The scheduler's own type is what the registration takes.
    const figures: SchedulerFigures = stats;
    expect(figures.jobs).toBe(120);
    const offScheduler = f.metrics.scheduler(() => stats);
    const pipeline: PipelineFigures = {
      probes: 9000,
      sites: 40,
      mapped: 38,
      rounds: 75,
      maxRoundMs: 180,
      withheldMs: 0,
      withheldPeriods: 0,
    };
    const offPipeline = f.metrics.pipeline(() => pipeline);
    let body = (await app.inject('/metrics')).body;
    expect(value(body, 'vigie_scheduler_jobs')).toBe(120);
    expect(value(body, 'vigie_scheduler_probes_skipped_total')).toBe(7);
    expect(value(body, 'vigie_scheduler_lateness_seconds{stat="p99"}')).toBe(0.04);
    expect(value(body, 'vigie_scheduler_lateness_seconds{stat="max"}')).toBe(0.25);
    expect(value(body, 'vigie_pipeline_rounds_total')).toBe(75);
    expect(value(body, 'vigie_pipeline_round_max_seconds')).toBe(0.18);
    expect(value(body, 'vigie_pipeline_sites_mapped')).toBe(38);
    // Read at each scrape.
    stats = { ...stats, skipped: 9 };
    body = (await app.inject('/metrics')).body;
    expect(value(body, 'vigie_scheduler_probes_skipped_total')).toBe(9);
    // Gone with the pipeline: no zero claiming a scheduler that is not there.
    offScheduler();
    offPipeline();
    body = (await app.inject('/metrics')).body;
    expect(body).not.toContain('vigie_scheduler_');
    expect(body).not.toContain('vigie_pipeline_');
    // A new replay registers again.
    f.metrics.scheduler(() => stats);
    expect(value((await app.inject('/metrics')).body, 'vigie_scheduler_jobs')).toBe(120);
  });

  it('has per-provider series, incidents, vantages, and the process’s event-loop delay', async () => {
    const app = await f.build();
    f.bus.publish('vantage', { vantage: 'paris', healthy: true, at: T0, reason: 'ok' });
    const body = (await app.inject('/metrics')).body;
    expect(value(body, 'vigie_provider_sites{provider="provider:ovh"}')).toBe(6);
    expect(value(body, 'vigie_provider_failing_sites{provider="provider:ovh"}')).toBe(1);
    expect(value(body, 'vigie_provider_status{provider="provider:ovh",state="partial_outage"}')).toBe(1);
    expect(value(body, 'vigie_incidents_open{impact="major"}')).toBe(1);
    expect(value(body, 'vigie_vantage_healthy{vantage="paris"}')).toBe(1);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(body).toMatch(/^process_resident_memory_bytes \d/m);
  });

  it.skipIf(!promtool)('passes promtool check metrics', async () => {
    const app = await f.build();
    f.metrics.scheduler(() => ({
      jobs: 1,
      started: 1,
      skipped: 0,
      inflight: 0,
      queued: 0,
      latenessP50Ms: 0,
      latenessP99Ms: 0,
      latenessMaxMs: 0,
    }));
    f.metrics.pipeline(() => ({
      probes: 1,
      sites: 1,
      mapped: 1,
      rounds: 1,
      maxRoundMs: 1,
      withheldMs: 0,
      withheldPeriods: 0,
    }));
    f.metrics.refused();
    f.bus.publish('observation', obs('shop-1.test', 'down'));
    f.bus.publish('observation', obs('shop-2.test', 'up'));
    const text = (await app.inject('/metrics')).body;
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});
