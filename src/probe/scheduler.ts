/**
 * The probe scheduler: every job (site × probe kind × vantage) runs once per interval, at a fixed
 * phase inside the interval derived from its key, so probes spread evenly over the interval (no
 * thundering herd). Due times advance by exactly one interval from the previous *due* time, not
 * from when the probe finished, so the schedule never drifts. Bounded concurrency, a deadline on
 * every probe, jobs added and removed at run time, one-off early re-probes.
 *
 * Memory matters at 100,000 sites: job state lives in typed arrays indexed by job number and a
 * binary min-heap of job numbers ordered by due time — a few dozen bytes per job. A site's name is
 * stored once (interned to a number); its jobs form a list through `nextJob`.
 */
import type { Clock } from '../clock/clock.ts';
import type { ProbeKind } from '../model/observation.ts';

export interface JobRef {
  id: number;
  site: string;
  kind: ProbeKind;
  vantage: string;
  /** Clock time the run was due. */
  due: number;
  /** True for a one-off early re-probe. */
  reprobe: boolean;
}

export interface SchedulerOptions {
  clock: Clock;
  /** Probe interval, in the clock's milliseconds. */
  intervalMs: number;
  /** Most probes in flight at once. */
  concurrency: number;
  /** Deadline of one probe, in the clock's milliseconds. */
  timeoutMs: number;
  /** Run one probe. Must not throw; the signal aborts at the deadline. */
  run(job: JobRef, signal: AbortSignal): Promise<void>;
}

export interface SchedulerStats {
  jobs: number;
  started: number;
  skipped: number;
  inflight: number;
  queued: number;
  /** Lateness (start − due) in real milliseconds. */
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
}

const KINDS: ProbeKind[] = ['dns', 'tcp', 'tls', 'http', 'smtp'];
const GROW = 1024;

/** Lateness histogram: 0.1 ms buckets up to 10 s, then one overflow bucket. */
class Histogram {
  private buckets = new Uint32Array(100_001);
  private n = 0;
  private max = 0;
  add(ms: number): void {
    const b = Math.min(100_000, Math.max(0, Math.round(ms * 10)));
    this.buckets[b]++;
    this.n++;
    if (ms > this.max) this.max = ms;
  }
  quantile(q: number): number {
    if (this.n === 0) return 0;
    let want = Math.ceil(q * this.n);
    for (let i = 0; i < this.buckets.length; i++) {
      want -= this.buckets[i];
      if (want <= 0) return i / 10;
    }
    return this.max;
  }
  get maxMs(): number {
    return this.max;
  }
  reset(): void {
    this.buckets.fill(0);
    this.n = 0;
    this.max = 0;
  }
}

export class Scheduler {
  private readonly o: SchedulerOptions;
  // Sites, interned once: a site's number indexes `siteNames` and `firstJob`.
  private siteIds = new Map<string, number>();
  private siteNames: (string | null)[] = [];
  private firstJob = new Int32Array(GROW).fill(-1);
  private freeSites: number[] = [];
  private vantageIds = new Map<string, number>();
  private vantageNames: string[] = [];
  // Per job, indexed by job id. Jobs of one site form a list through `nextJob`.
  private siteOf = new Int32Array(GROW).fill(-1);
  private nextJob = new Int32Array(GROW).fill(-1);
  private vantage = new Uint16Array(GROW);
  private kind = new Uint8Array(GROW);
  private due = new Float64Array(GROW);
  private running = new Uint8Array(GROW);
  private heapPos = new Int32Array(GROW).fill(-1);
  private jobCount = 0;
  private jobSlots = 0;
  private free: number[] = [];
  // Min-heap of job ids by due time.
  private heap = new Int32Array(GROW);
  private heapSize = 0;
  // One-off re-probes, few at a time.
  private extra: JobRef[] = [];
  private queue: JobRef[] = [];
  private inflight = 0;
  private started = 0;
  private skipped = 0;
  private lateness = new Histogram();
  /** Worst lateness since {@link takeLateness} was last called, real ms. */
  private recentLate = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = true;
  private idle: (() => void) | null = null;
  /** Current in-flight limit (see {@link limit}). */
  private limitTo = Number.POSITIVE_INFINITY;

  constructor(opts: SchedulerOptions) {
    if (!(opts.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be ≥ 1');
    this.o = { ...opts };
  }

  /**
   * Probe every job at this interval from now on (clock ms): each job's next run stays where it is,
   * the ones after it follow the new interval; jobs added later are phased over it.
   */
  retime(intervalMs: number): void {
    if (!(intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    this.o.intervalMs = intervalMs;
  }

  /** The interval in use, clock ms. */
  get intervalMs(): number {
    return this.o.intervalMs;
  }

  /** Add a job; its first run is at its phase within the current interval (or the next). */
  add(site: string, kind: ProbeKind, vantage = 'local'): void {
    if (this.find(site, kind, vantage) >= 0) return;
    let s = this.siteIds.get(site);
    if (s === undefined) {
      s = this.freeSites.pop() ?? this.siteNames.length;
      if (s >= this.firstJob.length) this.firstJob = grown(this.firstJob, -1);
      this.siteNames[s] = site;
      this.firstJob[s] = -1;
      this.siteIds.set(site, s);
    }
    let v = this.vantageIds.get(vantage);
    if (v === undefined) {
      v = this.vantageNames.push(vantage) - 1;
      this.vantageIds.set(vantage, v);
    }
    const id = this.free.pop() ?? this.jobSlots++;
    if (id >= this.kind.length) this.grow();
    this.siteOf[id] = s;
    this.vantage[id] = v;
    this.kind[id] = KINDS.indexOf(kind);
    this.running[id] = 0;
    this.nextJob[id] = this.firstJob[s];
    this.firstJob[s] = id;
    this.jobCount++;
    const now = this.o.clock.now();
    const I = this.o.intervalMs;
    const phase = (jobHash(site, kind, vantage) / 2 ** 32) * I;
    let due = Math.floor(now / I) * I + phase;
    if (due < now) due += I;
    this.due[id] = due;
    this.heapPush(id);
    this.arm();
  }

  /** Remove every job of a site. */
  remove(site: string): void {
    this.extra = this.extra.filter((j) => j.site !== site);
    const s = this.siteIds.get(site);
    if (s === undefined) return;
    for (let id = this.firstJob[s]; id >= 0; ) {
      const next = this.nextJob[id];
      this.heapRemove(id);
      this.siteOf[id] = -1;
      this.nextJob[id] = -1;
      this.free.push(id);
      this.jobCount--;
      id = next;
    }
    this.siteIds.delete(site);
    this.siteNames[s] = null;
    this.firstJob[s] = -1;
    this.freeSites.push(s);
  }

  /** Ids of a site's jobs (the `id` of its {@link JobRef}s), e.g. to drop state kept per job. */
  jobIds(site: string): number[] {
    const out: number[] = [];
    const s = this.siteIds.get(site);
    if (s !== undefined) for (let id = this.firstJob[s]; id >= 0; id = this.nextJob[id]) out.push(id);
    return out;
  }

  /** The site a job id belongs to now, or null (ids of removed jobs are reused). */
  siteOfJob(id: number): string | null {
    const s = id >= 0 && id < this.jobSlots ? this.siteOf[id] : -1;
    return s >= 0 ? this.siteNames[s] : null;
  }

  /** Run one extra probe of a job `delayMs` (clock time) from now, outside its schedule. */
  reprobe(site: string, kind: ProbeKind, vantage = 'local', delayMs = 0): void {
    const id = this.find(site, kind, vantage);
    this.extra.push({ id, site, kind, vantage, due: this.o.clock.now() + delayMs, reprobe: true });
    this.extra.sort((a, b) => a.due - b.due);
    this.arm();
  }

  get size(): number {
    return this.jobCount;
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Stop scheduling; resolves when the probes in flight have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    if (this.inflight > 0) await new Promise<void>((r) => (this.idle = r));
  }

  stats(): SchedulerStats {
    return {
      jobs: this.jobCount,
      started: this.started,
      skipped: this.skipped,
      inflight: this.inflight,
      queued: this.queue.length,
      latenessP50Ms: this.lateness.quantile(0.5),
      latenessP99Ms: this.lateness.quantile(0.99),
      latenessMaxMs: this.lateness.maxMs,
    };
  }

  /** The worst lateness (real ms) since the last call: the self-check reads it window by window. */
  takeLateness(): number {
    const m = this.recentLate;
    this.recentLate = 0;
    return m;
  }

  resetStats(): void {
    this.started = 0;
    this.skipped = 0;
    this.lateness.reset();
  }

  /** The id of a job, or -1. */
  private find(site: string, kind: ProbeKind, vantage: string): number {
    const s = this.siteIds.get(site);
    const v = this.vantageIds.get(vantage);
    if (s === undefined || v === undefined) return -1;
    const k = KINDS.indexOf(kind);
    for (let id = this.firstJob[s]; id >= 0; id = this.nextJob[id])
      if (this.kind[id] === k && this.vantage[id] === v) return id;
    return -1;
  }

  private arm(): void {
    if (this.stopped) return;
    const next = Math.min(
      this.heapSize > 0 ? this.due[this.heap[0]] : Number.POSITIVE_INFINITY,
      this.extra[0]?.due ?? Number.POSITIVE_INFINITY,
    );
    if (next === Number.POSITIVE_INFINITY) return;
    if (this.timer && next >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    const wait = Math.max(0, this.o.clock.toReal(next - this.o.clock.now()));
    this.timer = setTimeout(() => this.tick(), wait);
  }

  private tick(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    if (this.stopped) return;
    const now = this.o.clock.now();
    const I = this.o.intervalMs;
    while (this.heapSize > 0 && this.due[this.heap[0]] <= now) {
      const id = this.heap[0];
      const due = this.due[id];
      // Never drift: the next run is one interval after this one's due time.
      this.due[id] = due + I;
      this.heapSiftDown(0);
      if (this.running[id]) {
        this.skipped++; // the previous run of this job has not finished: skip, do not pile up
        continue;
      }
      this.queue.push({
        id,
        site: this.siteNames[this.siteOf[id]]!,
        kind: KINDS[this.kind[id]],
        vantage: this.vantageNames[this.vantage[id]],
        due,
        reprobe: false,
      });
    }
    while (this.extra.length > 0 && this.extra[0].due <= now) this.queue.push(this.extra.shift()!);
    this.drain();
    this.arm();
  }

  /**
   * Probes in flight at once from now on (at least 1): a monitor that cannot keep up sheds load by
   * lowering it, and restores it when it recovers.
   */
  limit(concurrency: number): void {
    this.limitTo = Math.max(1, Math.floor(concurrency));
  }

  private drain(): void {
    const now = this.o.clock.now();
    while (this.inflight < Math.min(this.o.concurrency, this.limitTo) && this.queue.length > 0) {
      const job = this.queue.shift()!;
      if (!job.reprobe && now - job.due >= this.o.intervalMs) {
        this.skipped++; // waited a whole interval in the queue: its next run is already due
        continue;
      }
      this.launch(job, now);
    }
  }

  private launch(job: JobRef, now: number): void {
    this.inflight++;
    this.started++;
    if (!job.reprobe) {
      this.running[job.id] = 1;
      const late = this.o.clock.toReal(now - job.due);
      this.lateness.add(late);
      if (late > this.recentLate) this.recentLate = late;
    }
    const ctl = new AbortController();
    const deadline = setTimeout(() => ctl.abort(), this.o.clock.toReal(this.o.timeoutMs));
    this.o
      .run(job, ctl.signal)
      .catch(() => {})
      .finally(() => {
        clearTimeout(deadline);
        this.inflight--;
        if (!job.reprobe && this.siteOfJob(job.id) === job.site) this.running[job.id] = 0;
        if (this.stopped) {
          if (this.inflight === 0) this.idle?.();
          return;
        }
        this.drain();
      });
  }

  private grow(): void {
    this.siteOf = grown(this.siteOf, -1);
    this.nextJob = grown(this.nextJob, -1);
    this.vantage = grown(this.vantage);
    this.kind = grown(this.kind);
    this.due = grown(this.due);
    this.running = grown(this.running);
    this.heapPos = grown(this.heapPos, -1);
    this.heap = grown(this.heap);
  }

  private heapPush(id: number): void {
    const i = this.heapSize++;
    this.heap[i] = id;
    this.heapPos[id] = i;
    this.heapSiftUp(i);
  }

  private heapRemove(id: number): void {
    const i = this.heapPos[id];
    if (i < 0) return;
    const last = this.heap[--this.heapSize];
    this.heapPos[id] = -1;
    if (i === this.heapSize) return;
    this.heap[i] = last;
    this.heapPos[last] = i;
    this.heapSiftDown(i);
    this.heapSiftUp(this.heapPos[last]);
  }

  private heapSiftUp(i: number): void {
    const h = this.heap;
    const id = h[i];
    const d = this.due[id];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.due[h[parent]] <= d) break;
      h[i] = h[parent];
      this.heapPos[h[i]] = i;
      i = parent;
    }
    h[i] = id;
    this.heapPos[id] = i;
  }

  private heapSiftDown(i: number): void {
    const h = this.heap;
    const n = this.heapSize;
    const id = h[i];
    const d = this.due[id];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.due[h[c + 1]] < this.due[h[c]]) c++;
      if (this.due[h[c]] >= d) break;
      h[i] = h[c];
      this.heapPos[h[i]] = i;
      i = c;
    }
    h[i] = id;
    this.heapPos[id] = i;
  }
}

type Typed = Int32Array | Uint16Array | Uint8Array | Float64Array;

/** A copy of `a` twice as long, the new half filled with `fill`. */
function grown<T extends Typed>(a: T, fill = 0): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a as never);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/** FNV-1a of `${site}\0${kind}\0${vantage}`, without building the string. */
function jobHash(site: string, kind: string, vantage: string): number {
  let h = 0x811c9dc5;
  h = fnv(h, site);
  h = Math.imul(h, 0x01000193); // the separator: h ^= 0 is a no-op
  h = fnv(h, kind);
  h = Math.imul(h, 0x01000193);
  h = fnv(h, vantage);
  // final avalanche so that similar keys spread over the whole interval
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function fnv(h0: number, s: string): number {
  let h = h0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}
