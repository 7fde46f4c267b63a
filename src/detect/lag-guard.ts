/**
 * The monitor's own stalls. Every vantage of a run shares this process; when its event loop stalls
 * (garbage collection, a long inference round, a CPU-starved machine), probes in flight measure the
 * stall, not the site: a success looks `slow`, a deadline fires early. The brief's rule applies —
 * Vigie must notice when its own vantage is the broken part — so a failing observation whose verdict
 * the stall alone could explain is turned into `probe_error` (about the vantage, never the site)
 * before detection sees it.
 */
import type { Observation, Signature } from '../model/observation.ts';

const TIMED = new Set<Signature>(['slow', 'connect_timeout', 'read_timeout', 'dns_timeout']);

export interface LagGuardOptions {
  /** Clock ms per real ms (the pipeline clock's speed; default 1). */
  speed?: number;
  /** The slow threshold, clock ms (the probe context's `slowMs`). */
  slowMs: number;
  /** The mail probes' slow threshold, clock ms (default: `slowMs`). */
  mailSlowMs?: number;
  /** Tick of the stall detector, real ms (default 10). */
  tickMs?: number;
  /** A tick later than this (real ms) is a stall (default 15). */
  minStallMs?: number;
  /** How long stalls are remembered, real ms (default 30 s). */
  keepMs?: number;
  /**
   * The machine's current answer time: answered probes (any vantage) that arrived within this many
   * real ms make the contemporaneous baseline a `slow` verdict is judged against (default 1000).
   */
  baselineMs?: number;
  /** A `slow` verdict needs at least this many times the baseline (default 3). */
  baselineFactor?: number;
  /**
   * Real-ms deadlines of the probe phases. A timeout is not believed while the machine's recent
   * answers (resolutions, for a DNS timeout) took half the deadline or more in one case out of ten:
   * a machine that slow cannot tell a dead server from its own backlog.
   */
  deadlines?: { dns: number; connect: number };
}

/**
 * What an answer costs on this machine right now: the median real duration of the answered probes
 * that arrived recently, from every vantage. When the machine is loaded (both the world and the
 * monitor share two cores), every answer is late at once — a site is slow only when it is much
 * slower than its contemporaries: if everything is slow, it is us, not them.
 */
export class AnswerBaseline {
  private at = new Float64Array(512);
  private ms = new Float64Array(512);
  private n = 0;
  private head = 0;
  private cached = -1;
  private cachedQ = 0.5;
  private cachedAt = Number.NEGATIVE_INFINITY;

  constructor(private windowMs = 1000) {}

  add(total: number, arrived: number): void {
    this.at[this.head] = arrived;
    this.ms[this.head] = total;
    this.head = (this.head + 1) % this.at.length;
    this.n = Math.min(this.n + 1, this.at.length);
    if (arrived - this.cachedAt > 20) this.cachedAt = Number.NEGATIVE_INFINITY;
  }

  /** Median real ms of the answers that arrived within the window before `now` (at least the last 16). */
  median(now: number): number {
    return this.quantile(now, 0.5);
  }

  /** The `q` quantile of the same (cached for 20 ms per quantile asked). */
  quantile(now: number, q: number): number {
    if (this.n === 0) return 0;
    if (now - this.cachedAt <= 20 && this.cachedQ === q && this.cached >= 0) return this.cached;
    const xs: number[] = [];
    const cap = this.at.length;
    for (let k = 1; k <= this.n; k++) {
      const i = (this.head - k + cap) % cap;
      if (k > 16 && this.at[i] < now - this.windowMs) break;
      xs.push(this.ms[i]);
    }
    xs.sort((a, b) => a - b);
    this.cached = xs[Math.min(xs.length - 1, Math.floor(xs.length * q))];
    this.cachedAt = now;
    this.cachedQ = q;
    return this.cached;
  }
}

export class LagGuard {
  private stalls: { from: number; to: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  private baseline: AnswerBaseline;
  discarded = 0;
  /** `slow` verdicts the machine's own answer time explains. */
  discardedSlow = 0;

  private resolutions: AnswerBaseline;
  /** SMTP dialogues answered: mail's own pulse (a dialogue is several round trips, not one). */
  private mail: AnswerBaseline;
  /** Timeouts the machine's own backlog explains. */
  discardedTimeouts = 0;

  constructor(private o: LagGuardOptions) {
    this.baseline = new AnswerBaseline(o.baselineMs ?? 1000);
    this.resolutions = new AnswerBaseline(o.baselineMs ?? 1000);
    this.mail = new AnswerBaseline(o.baselineMs ?? 1000);
  }

  start(): void {
    const tick = this.o.tickMs ?? 10;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const late = now - this.last - tick;
      if (late > (this.o.minStallMs ?? 15)) this.stalls.push({ from: now - late, to: now });
      this.last = now;
      const keep = now - (this.o.keepMs ?? 30_000);
      while (this.stalls.length && this.stalls[0].to < keep) this.stalls.shift();
    }, tick);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stalled real ms within [from, to]. */
  stalledWithin(from: number, to: number): number {
    let s = 0;
    for (const x of this.stalls) {
      if (x.to <= from || x.from >= to) continue;
      s += Math.min(x.to, to) - Math.max(x.from, from);
    }
    return s;
  }

  /**
   * The observation as detection should see it, judged on arrival: a timing verdict that would not
   * stand without the stalls overlapping the probe becomes `probe_error`.
   */
  check(obs: Observation, arrived = performance.now()): Observation {
    const total = obs.timings.total;
    const speed = this.o.speed ?? 1;
    // Web answers (with or without an error status) are the machine's pulse.
    const answered = obs.kind === 'http' && (obs.status !== undefined || obs.signature === 'slow');
    // Judged against the others first, then counted among them.
    const base = answered ? this.baseline.median(arrived) : 0;
    if (answered) this.baseline.add(total, arrived);
    const mailAnswered = obs.kind === 'smtp' && (obs.status !== undefined || obs.signature === 'slow');
    const mailBase = mailAnswered ? this.mail.median(arrived) : 0;
    if (mailAnswered) this.mail.add(total, arrived);
    const resolved = obs.timings.dns !== undefined && obs.addresses !== undefined && obs.addresses.length > 0;
    if (resolved && obs.signature !== 'dns_timeout') this.resolutions.add(obs.timings.dns as number, arrived);
    if (!TIMED.has(obs.signature)) return obs;
    const d = this.o.deadlines;
    if (d && obs.signature !== 'slow') {
      const dns = obs.signature === 'dns_timeout';
      const p90 = (dns ? this.resolutions : this.baseline).quantile(arrived, 0.9);
      const deadline = dns ? d.dns : d.connect;
      if (p90 >= deadline / 2) {
        this.discardedTimeouts++;
        return {
          ...obs,
          signature: 'probe_error',
          detail: `${obs.signature}, while one ${dns ? 'resolution' : 'answer'} in ten takes ${Math.round(p90)} ms here (deadline ${Math.round(deadline)} ms): this machine is too slow to judge`,
        };
      }
    }
    if (obs.signature === 'slow' && obs.kind === 'http') {
      // Slower than the threshold, but is it slower than everything else answering right now?
      if (total < base * (this.o.baselineFactor ?? 3) || (total - base) * speed <= this.o.slowMs / 2) {
        this.discardedSlow++;
        return {
          ...obs,
          signature: 'probe_error',
          detail: `answered in ${Math.round(total)} ms while this machine answers in ${Math.round(base)} ms (median): slow here, not there`,
        };
      }
    }
    if (obs.signature === 'slow' && obs.kind === 'smtp') {
      const slowMs = this.o.mailSlowMs ?? this.o.slowMs;
      if (total < mailBase * (this.o.baselineFactor ?? 3) || (total - mailBase) * speed <= slowMs / 2) {
        this.discardedSlow++;
        return {
          ...obs,
          signature: 'probe_error',
          detail: `mail answered in ${Math.round(total)} ms while this machine's mail dialogues take ${Math.round(mailBase)} ms (median): slow here, not there`,
        };
      }
    }
    const stalled = this.stalledWithin(arrived - total, arrived);
    if (stalled <= 0) return obs;
    // slow: would it still be over the threshold without the stall? A deadline: a stall of a fifth
    // of it is enough to make it fire for a server that was only a little late.
    const spoiled =
      obs.signature === 'slow' ? (total - stalled) * speed <= this.o.slowMs : stalled >= total / 5;
    if (!spoiled) return obs;
    this.discarded++;
    return {
      ...obs,
      signature: 'probe_error',
      detail: `monitor stalled ${Math.round(stalled)} ms during the probe (${obs.signature})`,
    };
  }
}
