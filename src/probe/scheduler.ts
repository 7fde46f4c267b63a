/**
 * The probe scheduler: every job (site × probe kind × vantage) runs once per interval, at a fixed
 * phase inside the interval derived from its key, so probes spread evenly over the interval (no
 * thundering herd). Due times advance by exactly one interval from the previous *due* time, not
 * from when the probe finished, so the schedule never drifts. Bounded concurrency, a deadline on
 * every probe, jobs added and removed at run time, one-off early re-probes.
 *
 * Memory matters at 100,000 sites: job state lives in typed arrays indexed by job number and a
 * binary min-heap of job numbers ordered by due time — a few dozen bytes per job.
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
  // Per job, indexed by job id.
  private sites: (string | null)[] = [];
  private vantages: string[] = [];
  private kind = new Uint8Array(GROW);
  private due = new Float64Array(GROW);
  private running = new Uint8Array(GROW);
  private heapPos = new Int32Array(GROW).fill(-1);
  private free: number[] = [];
  private byKey = new Map<string, number>();
  private bySite = new Map<string, string[]>();
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
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = true;
  private idle: (() => void) | null = null;

  constructor(opts: SchedulerOptions) {
    if (!(opts.intervalMs > 0)) throw new RangeError('intervalMs must be > 0');
    if (!(opts.concurrency >= 1)) throw new RangeError('concurrency must be ≥ 1');
    this.o = opts;
  }

  /** Add a job; its first run is at its phase within the current interval (or the next). */
  add(site: string, kind: ProbeKind, vantage = 'local'): void {
    const key = `${site}\u0000${kind}\u0000${vantage}`;
    if (this.byKey.has(key)) return;
    const id = this.free.pop() ?? this.sites.length;
    if (id >= this.kind.length) this.grow();
    this.sites[id] = site;
    this.vantages[id] = vantage;
    this.kind[id] = KINDS.indexOf(kind);
    this.running[id] = 0;
    this.byKey.set(key, id);
    const keys = this.bySite.get(site);
    if (keys) keys.push(key);
    else this.bySite.set(site, [key]);
    const now = this.o.clock.now();
    const I = this.o.intervalMs;
    const phase = (hash(key) / 2 ** 32) * I;
    let due = Math.floor(now / I) * I + phase;
    if (due < now) due += I;
    this.due[id] = due;
    this.heapPush(id);
    this.arm();
  }

  /** Remove every job of a site. */
  remove(site: string): void {
    for (const key of this.bySite.get(site) ?? []) {
      const id = this.byKey.get(key)!;
      this.byKey.delete(key);
      this.heapRemove(id);
      this.sites[id] = null;
      this.free.push(id);
    }
    this.bySite.delete(site);
    this.extra = this.extra.filter((j) => j.site !== site);
  }

  /** Run one extra probe of a job `delayMs` (clock time) from now, outside its schedule. */
  reprobe(site: string, kind: ProbeKind, vantage = 'local', delayMs = 0): void {
    const id = this.byKey.get(`${site}\u0000${kind}\u0000${vantage}`) ?? -1;
    this.extra.push({ id, site, kind, vantage, due: this.o.clock.now() + delayMs, reprobe: true });
    this.extra.sort((a, b) => a.due - b.due);
    this.arm();
  }

  get size(): number {
    return this.byKey.size;
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
      jobs: this.byKey.size,
      started: this.started,
      skipped: this.skipped,
      inflight: this.inflight,
      queued: this.queue.length,
      latenessP50Ms: this.lateness.quantile(0.5),
      latenessP99Ms: this.lateness.quantile(0.99),
      latenessMaxMs: this.lateness.maxMs,
    };
  }

  resetStats(): void {
    this.started = 0;
    this.skipped = 0;
    this.lateness.reset();
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
        site: this.sites[id]!,
        kind: KINDS[this.kind[id]],
        vantage: this.vantages[id],
        due,
        reprobe: false,
      });
    }
    while (this.extra.length > 0 && this.extra[0].due <= now) this.queue.push(this.extra.shift()!);
    this.drain();
    this.arm();
  }

  private drain(): void {
    const now = this.o.clock.now();
    while (this.inflight < this.o.concurrency && this.queue.length > 0) {
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
      this.lateness.add(this.o.clock.toReal(now - job.due));
    }
    const ctl = new AbortController();
    const deadline = setTimeout(() => ctl.abort(), this.o.clock.toReal(this.o.timeoutMs));
    this.o
      .run(job, ctl.signal)
      .catch(() => {})
      .finally(() => {
        clearTimeout(deadline);
        this.inflight--;
        if (!job.reprobe && job.id >= 0 && this.sites[job.id] === job.site) this.running[job.id] = 0;
        if (this.stopped) {
          if (this.inflight === 0) this.idle?.();
          return;
        }
        this.drain();
      });
  }

  private grow(): void {
    const n = this.kind.length * 2;
    const k = new Uint8Array(n);
    k.set(this.kind);
    this.kind = k;
    const d = new Float64Array(n);
    d.set(this.due);
    this.due = d;
    const r = new Uint8Array(n);
    r.set(this.running);
    this.running = r;
    const p = new Int32Array(n).fill(-1);
    p.set(this.heapPos);
    this.heapPos = p;
    const h = new Int32Array(n);
    h.set(this.heap);
    this.heap = h;
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

function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // final avalanche so that similar keys spread over the whole interval
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
