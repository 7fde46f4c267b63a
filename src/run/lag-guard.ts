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
  /** The slow threshold, clock ms (the probe context's `slowMs`). */
  slowMs: number;
  /** Tick of the stall detector, real ms (default 10). */
  tickMs?: number;
  /** A tick later than this (real ms) is a stall (default 15). */
  minStallMs?: number;
  /** How long stalls are remembered, real ms (default 30 s). */
  keepMs?: number;
}

export class LagGuard {
  private stalls: { from: number; to: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  discarded = 0;

  constructor(private o: LagGuardOptions) {}

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
    if (!TIMED.has(obs.signature)) return obs;
    const total = obs.timings.total;
    const stalled = this.stalledWithin(arrived - total, arrived);
    if (stalled <= 0) return obs;
    const speed = obs.speed ?? 1;
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
