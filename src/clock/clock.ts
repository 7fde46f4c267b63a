/**
 * The one way Vigie reads time. Everything that depends on time takes a Clock, so the whole
 * pipeline runs unchanged on the simulated clock of a world.
 */
export interface Clock {
  /** Milliseconds since the epoch on this clock. */
  now(): number;
  /** Resolve after `ms` of this clock's time (scaled to real time for a simulated clock). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Convert a duration on this clock to real milliseconds (for socket timeouts). */
  toReal(ms: number): number;
  /** Clock milliseconds per real millisecond: 1 live, a world's speed in a simulation. */
  readonly speed: number;
}

export class SystemClock implements Clock {
  readonly speed = 1;
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepReal(ms, signal);
  }
  toReal(ms: number): number {
    return ms;
  }
}

/**
 * A clock that runs `speed` times faster than real time from `origin` (simulated ms since the epoch),
 * anchored at a real instant. Two processes given the same origin, anchor and speed agree on the time.
 */
export class ScaledClock implements Clock {
  constructor(
    readonly origin: number,
    readonly speed: number,
    readonly anchor: number = Date.now(),
  ) {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  }

  /** The clock a world describes (`world.json`'s `clock`): every process reading it agrees on the time. */
  static of(c: { origin: number; speed: number; anchor: number }): ScaledClock {
    return new ScaledClock(c.origin, c.speed, c.anchor);
  }
  now(): number {
    return this.origin + (Date.now() - this.anchor) * this.speed;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepReal(ms / this.speed, signal);
  }
  toReal(ms: number): number {
    return ms / this.speed;
  }
}

/** A clock moved by hand, for unit tests of pure logic. */
export class ManualClock implements Clock {
  readonly speed = 1;
  private waiters: { at: number; resolve: () => void }[] = [];
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  toReal(ms: number): number {
    return ms;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ at: this.t + ms, resolve }));
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.waiters.filter((w) => w.at <= this.t);
    this.waiters = this.waiters.filter((w) => w.at > this.t);
    for (const w of due) w.resolve();
  }
}

function sleepReal(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      signal?.removeEventListener('abort', done);
      clearTimeout(timer);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
