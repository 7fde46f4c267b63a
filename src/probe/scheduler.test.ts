import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../clock/clock.ts';
import { type JobRef, Scheduler } from './scheduler.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(opts: {
  speed?: number;
  intervalMs?: number;
  concurrency?: number;
  timeoutMs?: number;
  runMs?: number;
}) {
  const clock = new ScaledClock(Date.UTC(2021, 0, 1), opts.speed ?? 60);
  const runs: { job: JobRef; at: number; real: number; aborted?: boolean }[] = [];
  let inflight = 0;
  let maxInflight = 0;
  const s = new Scheduler({
    clock,
    intervalMs: opts.intervalMs ?? 60_000,
    concurrency: opts.concurrency ?? 64,
    timeoutMs: opts.timeoutMs ?? 10_000,
    async run(job, signal) {
      const rec: { job: JobRef; at: number; real: number; aborted?: boolean } = {
        job,
        at: clock.now(),
        real: Date.now(),
      };
      runs.push(rec);
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, opts.runMs ?? 1);
        signal.addEventListener('abort', () => {
          rec.aborted = true;
          clearTimeout(t);
          resolve();
        });
      });
      inflight--;
    },
  });
  return { clock, s, runs, max: () => maxInflight };
}

describe('Scheduler', () => {
  it('runs every job once per interval, spread evenly, never drifting', async () => {
    const { s, runs } = setup({ speed: 60 }); // one simulated minute per real second
    for (let i = 0; i < 600; i++) s.add(`site-${i}.test`, 'http');
    s.start();
    await sleep(3100);
    await s.stop();
    const byJob = new Map<number, number[]>();
    for (const r of runs) byJob.set(r.job.id, [...(byJob.get(r.job.id) ?? []), r.job.due]);
    expect(byJob.size).toBe(600);
    for (const dues of byJob.values()) {
      expect(dues.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < dues.length; i++) expect(dues[i] - dues[i - 1]).toBe(60_000);
    }
    // Even spread: per tenth of the interval, the starts of the first interval are close to 60.
    const first = runs.filter((r) => r.job.due < runs[0].job.due + 60_000);
    const buckets = new Array(10).fill(0);
    for (const r of first) buckets[Math.floor(((r.job.due % 60_000) / 60_000) * 10)]++;
    for (const b of buckets) expect(b).toBeGreaterThan(30);
    expect(s.stats().skipped).toBe(0);
    expect(s.stats().latenessP99Ms).toBeLessThan(200);
  });

  it('runs at a new interval once retimed, jobs added later phased over it', async () => {
    const { s, runs } = setup({ speed: 600 }); // one simulated minute per 100 real ms
    s.retime(120_000);
    expect(s.intervalMs).toBe(120_000);
    for (let i = 0; i < 50; i++) s.add(`site-${i}.test`, 'tls');
    s.start();
    await sleep(700);
    await s.stop();
    const byJob = new Map<number, number[]>();
    for (const r of runs) byJob.set(r.job.id, [...(byJob.get(r.job.id) ?? []), r.job.due]);
    expect(byJob.size).toBe(50);
    for (const dues of byJob.values()) {
      expect(dues.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < dues.length; i++) expect(dues[i] - dues[i - 1]).toBe(120_000);
    }
    expect(() => s.retime(0)).toThrow(RangeError);
  });

  it('bounds concurrency and enforces the deadline', async () => {
    const { s, runs, max } = setup({
      speed: 60,
      intervalMs: 6_000,
      concurrency: 5,
      timeoutMs: 3_000,
      runMs: 10_000,
    });
    for (let i = 0; i < 20; i++) s.add(`s${i}.test`, 'http');
    s.start();
    await sleep(400);
    await s.stop();
    expect(max()).toBeLessThanOrEqual(5);
    expect(runs.length).toBeGreaterThan(5);
    expect(runs.every((r) => r.aborted)).toBe(true); // every run hit its 3 s (50 ms real) deadline
  });

  it('skips a run whose previous run has not finished instead of piling up', async () => {
    const { s } = setup({ speed: 60, intervalMs: 1_000, timeoutMs: 100_000, runMs: 200 });
    s.add('slow.test', 'http');
    s.start();
    await sleep(600);
    await s.stop();
    expect(s.stats().skipped).toBeGreaterThan(5);
  });

  it('accepts jobs added and removed at run time, and early re-probes', async () => {
    const { s, runs } = setup({ speed: 600, intervalMs: 60_000 });
    s.add('a.test', 'http');
    s.start();
    await sleep(150);
    s.add('b.test', 'dns', 'paris');
    s.remove('a.test');
    const removedAt = Date.now();
    s.reprobe('b.test', 'dns', 'paris', 1_000);
    await sleep(400);
    await s.stop();
    expect(
      runs.some((r) => r.job.site === 'b.test' && r.job.kind === 'dns' && r.job.vantage === 'paris'),
    ).toBe(true);
    expect(runs.some((r) => r.job.reprobe && r.job.site === 'b.test')).toBe(true);
    expect(runs.some((r) => r.job.site === 'a.test')).toBe(true);
    const lateA = runs.filter((r) => r.job.site === 'a.test' && r.real > removedAt + 1);
    expect(lateA.length).toBe(0);
    expect(s.size).toBe(1);
  });

  it('sheds load: a lowered in-flight limit holds until it is restored', async () => {
    const { s, runs, max } = setup({ speed: 60, concurrency: 8, runMs: 30 });
    for (let i = 0; i < 40; i++) s.add(`site-${i}.test`, 'http', 'local');
    s.limit(2);
    s.start();
    await sleep(400);
    expect(max()).toBeLessThanOrEqual(2);
    const before = runs.length;
    s.limit(8);
    await sleep(400);
    await s.stop();
    expect(runs.length).toBeGreaterThan(before);
    expect(max()).toBeGreaterThan(2);
  });
});
