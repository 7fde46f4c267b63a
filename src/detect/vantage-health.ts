/**
 * Vantage health: Vigie must notice when its own vantage (or that vantage's resolver) is the broken
 * part, never blame the world for it. A vantage is unhealthy when, over a short recent window:
 * - failures are implausibly spread: most of the independent groups it watches (sites grouped by
 *   the provider that answers them) fail at once — real outages spare most providers; or
 * - other vantages see the same world mostly working while this one sees it mostly failing.
 * The window is kept shorter than the detector's re-probe delay, so a vantage's failure is
 * recognised before its observations could confirm any site down.
 */
import type { Observation } from '../model/observation.ts';
import type { VantageHealthChange } from './types.ts';

export interface VantageHealthOptions {
  /** The group a site belongs to (e.g. the provider answering it); undefined → its own group. */
  groupOf(site: string): string | undefined;
  /** Length of the recent window, in clock ms. */
  windowMs: number;
  /** Clock ms per real ms (the pipeline clock's speed; default 1). */
  speed?: number;
  emit(change: VantageHealthChange): void;
  /** Groups with at least this many observations in the window count (default 2). */
  minObservations?: number;
  /** At least this many groups must be seen to judge spread (default 3). */
  minGroups?: number;
  /** Share of groups failing (each > half of its observations) that is implausible (default 0.8). */
  spread?: number;
  /** Excess failure share over the other vantages' median that condemns a vantage (default 0.5). */
  excess?: number;
  /**
   * Verdicts a vantage's failure share is judged on at least (default 8: the window, or the last 8
   * when the window holds fewer); a vantage is compared with others only once it has that many:
   * on a loaded machine most verdicts are withheld as the machine's own lag, and "100 % failing
   * here" on one or two answers condemned sound vantages — leaving one broken vantage to decide.
   */
  minSample?: number;
}

interface Recent {
  time: number[];
  group: string[];
  failed: boolean[];
  head: number;
  healthy: boolean;
  lastEval: number;
}

export class VantageHealth {
  private vantages = new Map<string, Recent>();

  constructor(private o: VantageHealthOptions) {}

  isHealthy(vantage: string): boolean {
    return this.vantages.get(vantage)?.healthy ?? true;
  }

  /** Record an observation; returns whether the vantage is healthy now. */
  observe(obs: Observation): boolean {
    let r = this.vantages.get(obs.vantage);
    if (!r) {
      r = { time: [], group: [], failed: [], head: 0, healthy: true, lastEval: -Infinity };
      this.vantages.set(obs.vantage, r);
    }
    // Judge by when the outcome became known: a timed-out probe arrives a whole deadline after it
    // started, and keyed by its start it would land behind newer successes and outlive the window.
    const now = obs.time + obs.timings.total * (this.o.speed ?? 1);
    r.time.push(now);
    r.group.push(this.o.groupOf(obs.site) ?? obs.site);
    r.failed.push(obs.outcome === 'down');
    // Drop what fell out of the window (amortised: compact when half the array is dead), keeping
    // at least the last `minSample` verdicts: a window that holds one or two is no sample.
    const keep = this.o.minSample ?? 8;
    while (r.head < r.time.length - keep && r.time[r.head] < now - this.o.windowMs) r.head++;
    if (r.head > 1024 && r.head * 2 > r.time.length) {
      r.time = r.time.slice(r.head);
      r.group = r.group.slice(r.head);
      r.failed = r.failed.slice(r.head);
      r.head = 0;
    }
    if (now - r.lastEval >= this.o.windowMs / 20) {
      r.lastEval = now;
      this.evaluate(obs.vantage, r, now);
    }
    return r.healthy;
  }

  private failShare(r: Recent): number {
    let f = 0;
    for (let i = r.head; i < r.failed.length; i++) if (r.failed[i]) f++;
    const n = r.failed.length - r.head;
    return n === 0 ? 0 : f / n;
  }

  private evaluate(vantage: string, r: Recent, now: number): void {
    const minObs = this.o.minObservations ?? 2;
    const minSample = this.o.minSample ?? 8;
    const groups = new Map<string, [number, number]>();
    for (let i = r.head; i < r.time.length; i++) {
      const g = groups.get(r.group[i]) ?? [0, 0];
      g[0]++;
      if (r.failed[i]) g[1]++;
      groups.set(r.group[i], g);
    }
    let seen = 0;
    let failing = 0;
    for (const [n, f] of groups.values()) {
      if (n < minObs) continue;
      seen++;
      if (f * 2 > n) failing++;
    }
    const mine = this.failShare(r);
    const others = [...this.vantages]
      .filter(
        ([id, o]) =>
          id !== vantage &&
          o.healthy &&
          o.time.length - o.head >= minSample &&
          o.time[o.time.length - 1] >= now - this.o.windowMs,
      )
      .map(([, o]) => this.failShare(o))
      .sort((a, b) => a - b);
    const median =
      others.length && r.time.length - r.head >= minSample ? others[Math.floor(others.length / 2)] : null;
    const excessBad = median !== null && mine - median >= (this.o.excess ?? 0.5);
    // A wide spread is implausible only when no other healthy vantage sees the same: a big
    // provider's outage spans most of the few groups a world has, from every vantage alike.
    const corroborated = median !== null && mine - median < (this.o.excess ?? 0.5) / 2;
    const spreadBad =
      seen >= (this.o.minGroups ?? 3) && failing >= (this.o.spread ?? 0.8) * seen && !corroborated;
    // Hysteresis: a condemned vantage is cleared only on positive evidence of health, never for
    // lack of data (a dead vantage soon sees few distinct groups in its window).
    const evidence = seen >= (this.o.minGroups ?? 3) ? failing < (this.o.spread ?? 0.8) * seen : mine < 0.5;
    const healthy = r.healthy ? !(spreadBad || excessBad) : !(spreadBad || excessBad) && evidence;
    if (healthy === r.healthy) return;
    r.healthy = healthy;
    const reason = healthy
      ? `recovered: ${failing} of ${seen} provider groups failing, ${(mine * 100).toFixed(0)} % of probes`
      : spreadBad
        ? `implausible spread: ${failing} of ${seen} provider groups failing at once from this vantage`
        : `${(mine * 100).toFixed(0)} % of probes failing here vs ${((median ?? 0) * 100).toFixed(0)} % from other vantages`;
    this.o.emit({ vantage, healthy, at: now, reason });
  }
}
