/**
 * Vigie knows when it cannot see. Probes are timed by this process: when its event loop stalls or
 * its scheduler falls behind (a busy machine, a long garbage collection), a live server can look
 * timed out or slow, and confirmation — which relies on re-probing within a sixth of an interval —
 * breaks. The self-check reads two figures, window by window, against limits derived from the
 * probe's own timing (none is tuned to a scenario):
 *
 * - the longest event-loop stall in the window ≥ half the probe deadline: a stall that long leaves a
 *   server half its time to answer, enough to turn an answer arriving in time into a timeout (the
 *   lag guard's own limit for believing a timeout is an answer time of half the deadline). A quarter
 *   was tried first: on a busy but sound machine (the OVH seed's 1,420 sites at ×30, the pipeline's
 *   own rounds and garbage collection) stalls of 130 ms against a 125 ms limit withheld verdicts
 *   most of the run.
 *   Stalls are measured by a 10 ms timer's lateness — `monitorEventLoopDelay` was tried and misses
 *   a single long stall;
 * - scheduler lateness ≥ the re-probe delay (a sixth of the interval): probes no longer start when
 *   detection expects them, so "failed twice in a row" no longer means what it says.
 *
 * When either holds for two readings in a row (one long stall alone is the lag guard's business:
 * it discards the probes that stall overlapped), verdicts are withheld (no new incident opens) and a `health` message says so.
 * When both are back under their limits for {@link SelfHealthOptions.recoverWindows} windows, the
 * pipeline still waits one probe interval — every site re-observed once on a healthy machine —
 * before verdicts count again: what was measured during the trouble is not trusted.
 */
import type { Clock } from '../clock/clock.ts';
import type { SelfHealthState } from '../model/health.ts';
import type { Observation } from '../model/observation.ts';

export interface SelfHealthOptions {
  clock: Clock;
  /** The probe's connect deadline, real ms. */
  deadlineRealMs: number;
  /** The probe interval, real ms. */
  intervalRealMs: number;
  /** Worst scheduler lateness since the last call, real ms. */
  lateness: () => number;
  onChange: (s: SelfHealthState) => void;
  /** Length of one reading, real ms (default 1000). */
  windowMs?: number;
  /** Good windows in a row before trouble is over (default 3). */
  recoverWindows?: number;
}

export class SelfHealth {
  private timer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** Longest timer lateness (real ms) since the last reading. */
  private maxStall = 0;
  private lastTick = 0;
  private troubled = false;
  private good = 0;
  /** Real time until which verdicts stay withheld after the trouble (settling). */
  private settleUntil = 0;
  private since = 0;
  private withheldMs = 0;
  private periods = 0;
  private last: SelfHealthState | null = null;
  private trustedFrom = 0;
  /** Whether the previous reading was over a limit. */
  private lastBad = false;
  /** Reliability as of the last reading (what was last announced). */
  private known = true;
  /** Observations seen (kept for the figures on `/metrics`). */
  observations = 0;

  constructor(private readonly o: SelfHealthOptions) {}

  start(): void {
    const tick = 10;
    this.lastTick = performance.now();
    this.ticker = setInterval(() => {
      const now = performance.now();
      this.maxStall = Math.max(this.maxStall, now - this.lastTick - tick);
      this.lastTick = now;
    }, tick);
    this.ticker.unref();
    this.timer = setInterval(() => this.check(), this.o.windowMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.timer = null;
    this.ticker = null;
    if (!this.reliable()) this.withheldMs += performance.now() - this.since;
  }

  observe(_obs: Observation): void {
    this.observations++;
  }

  /**
   * Clock time from which failures are believed: the end of the last trouble (0: never troubled).
   * A failure last observed before it was measured by a machine that could not tell.
   */
  trustedSince(): number {
    return this.trustedFrom;
  }

  /** Whether verdicts may be published now. */
  reliable(): boolean {
    return !this.troubled && performance.now() >= this.settleUntil;
  }

  /** The latest state (null before any trouble). */
  state(): SelfHealthState | null {
    return this.last;
  }

  /** Time spent withholding (real ms) and how many separate periods. */
  withheld(): { ms: number; periods: number } {
    const open = this.reliable() ? 0 : performance.now() - this.since;
    return { ms: Math.round(this.withheldMs + open), periods: this.periods };
  }

  /** One reading. Public for tests that drive it by hand. */
  check(now = performance.now()): void {
    // A stall still going on when the reading is taken counts too.
    const loop = Math.max(this.maxStall, this.ticker ? performance.now() - this.lastTick - 10 : 0);
    this.maxStall = 0;
    const late = this.o.lateness();
    const loopLimit = this.o.deadlineRealMs / 2;
    const lateLimit = this.o.intervalRealMs / 6;
    // One long stall is the lag guard's business (it discards the probes the stall overlapped); the
    // self-check is about sustained trouble: two bad readings in a row.
    const reading = loop >= loopLimit || late >= lateLimit;
    const bad = reading && this.lastBad;
    this.lastBad = reading;
    const wasReliable = this.known;
    if (bad) {
      this.good = 0;
      if (!this.troubled) {
        this.troubled = true;
        const reason =
          loop >= loopLimit
            ? `event loop stalled ${Math.round(loop)} ms — half the ${Math.round(this.o.deadlineRealMs)} ms probe deadline is ${Math.round(loopLimit)} ms`
            : `probes start ${Math.round(late)} ms late — the re-probe delay is ${Math.round(lateLimit)} ms`;
        this.emit(false, reason, loop, late);
      }
    } else if (this.troubled && ++this.good >= (this.o.recoverWindows ?? 3)) {
      this.troubled = false;
      this.settleUntil = now + this.o.intervalRealMs;
      this.trustedFrom = this.o.clock.now();
    }
    this.known = this.reliable();
    if (wasReliable && !this.known) {
      this.since = now;
      this.periods++;
    } else if (!wasReliable && this.known) {
      this.withheldMs += now - this.since;
      this.emit(true, 'machine answering on time again; every site re-observed since', loop, late);
    }
  }

  private emit(reliable: boolean, reason: string, loop: number, late: number): void {
    this.last = {
      at: this.o.clock.now(),
      reliable,
      reason,
      loopDelayMs: Math.round(loop),
      latenessMs: Math.round(late),
    };
    this.o.onChange(this.last);
  }
}
