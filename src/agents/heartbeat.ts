/**
 * Heartbeats: every few seconds an agent says it is alive, what it has applied, and how it keeps up —
 * probes started and skipped over the last window, lateness, what waits to be published. The core
 * marks an agent gone when they stop, and degraded when they say it cannot keep up.
 */

/** What an agent sends on `<prefix>.hb.<vantage>` (JSON). Counts are over the last window. */
export interface HeartbeatMessage {
  vantage: string;
  boot: string;
  /** Assignment version applied (0: waiting for one). */
  version: number;
  sites: number;
  jobs: number;
  /** Probes started, and scheduled probes skipped (the agent fell a whole interval behind), this window. */
  started: number;
  skipped: number;
  inflight: number;
  /** p99 of (start − due) this window, real ms. */
  latenessP99Ms: number;
  /** Observations stored by the stream since the agent started; waiting; dropped (buffer full) since it started. */
  stored: number;
  buffered: number;
  dropped: number;
  retries: number;
  /** Length of the window, real ms. */
  windowMs: number;
}

/** Calls `beat` every period (real ms); the period can change while it runs. */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private period = 0;
  private last = Date.now();

  constructor(private readonly beat: (windowMs: number) => void) {}

  start(periodMs: number): void {
    if (this.timer && periodMs === this.period) return;
    this.stop();
    this.period = periodMs;
    const tick = () => {
      const now = Date.now();
      const windowMs = now - this.last;
      this.last = now;
      this.beat(windowMs);
    };
    this.timer = setInterval(tick, periodMs);
    this.timer.unref?.();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Why an agent is degraded, from its heartbeat (null: it keeps up). */
export function degradedReason(h: HeartbeatMessage, intervalRealMs: number): string | null {
  if (h.skipped > 0) return `${h.skipped} scheduled probes skipped (cannot keep up)`;
  if (h.latenessP99Ms > Math.max(1_000, intervalRealMs / 10)) {
    return `probes start late (p99 ${(h.latenessP99Ms / 1000).toFixed(1)} s)`;
  }
  if (h.dropped > 0) return `${h.dropped} observations dropped since the last heartbeat (stream unreachable)`;
  if (h.buffered > 50_000) return `${h.buffered} observations waiting to be published`;
  return null;
}
