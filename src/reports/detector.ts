/**
 * Spike detection over counted reports: per site a sparse per-minute series, a learnt baseline and the
 * last few reporters; a spike test over the latest window for one site or any set of sites (a
 * provider's). Learning lags behind the clock (`learnLagMin`) so that minutes later found to be in an
 * outage (`exclude`) or in a spike are never learnt. Memory is bounded: at most `maxSites` sites and
 * `maxEntries` minute entries over all series (least recently reported first to lose history).
 * Pure logic on an injected clock; no I/O.
 */
import { Baseline, type BaselineOptions, DEFAULT_BASELINE } from './baseline.ts';
import { RecentReporters } from './recent.ts';
import { MinuteSeries } from './series.ts';
import { DEFAULT_RULES, minCount, type SpikeRules, spikeLevel } from './spike.ts';
import { type Level, PROBLEMS, type Problem, type ReportCurve, type SpikeView } from './types.ts';

const MIN = 60_000;

export interface DetectorOptions {
  /** Length of the spike test's window, minutes (≤ the intake's dedup window, so counts are distinct reporters). */
  windowMin: number;
  /** Per-minute history kept for curves, minutes. */
  retentionMin: number;
  /** Minutes are learnt this long after they end. */
  learnLagMin: number;
  /**
   * Spike minutes are skipped only once a site has this much exposure learnt (minutes), and for at
   * most `maxSkipMin` in a row: a young baseline, or a lasting change of level, is learnt (winsorised)
   * rather than flagged for ever.
   */
  matureMin: number;
  maxSkipMin: number;
  maxSites: number;
  maxEntries: number;
  /** Longest curve one call returns, minutes. */
  maxCurveMin: number;
  rules: SpikeRules;
  baseline: BaselineOptions;
}

export const DEFAULT_DETECTOR: DetectorOptions = {
  windowMin: 10,
  retentionMin: 48 * 60,
  learnLagMin: 60,
  matureMin: 24 * 60,
  maxSkipMin: 6 * 60,
  maxSites: 200_000,
  maxEntries: 4_000_000,
  maxCurveMin: 7 * 24 * 60,
  rules: DEFAULT_RULES,
  baseline: DEFAULT_BASELINE,
};

class SiteState {
  readonly recent = new RecentReporters();
  level: Level = 'none';
  /** Spike minutes skipped in a row by learning. */
  skipped = 0;
  /** Excluded minute ranges, flat [from, to) pairs, sorted, not yet learnt. */
  excluded: number[] = [];
  constructor(
    readonly series: MinuteSeries,
    readonly baseline: Baseline,
    public learntUntil: number,
  ) {}
}

export class ReportDetector {
  readonly options: DetectorOptions;
  private readonly sites = new Map<string, SiteState>();
  private readonly prior: Baseline;
  private readonly start: number;
  private entries = 0;

  constructor(
    private readonly clock: { now(): number },
    options: Partial<DetectorOptions> = {},
  ) {
    this.options = { ...DEFAULT_DETECTOR, ...options };
    this.prior = new Baseline(this.options.baseline);
    this.start = Math.floor(clock.now() / MIN);
  }

  /** Sites tracked and minute entries held (for the memory bound, and metrics). */
  stats(): { sites: number; entries: number } {
    return { sites: this.sites.size, entries: this.entries };
  }

  /** Domains with any report in the latest window, or not at level `none` at the last evaluation. */
  *active(now = this.clock.now()): Iterable<string> {
    const from = Math.floor(now / MIN) - this.options.windowMin + 1;
    for (const [d, s] of this.sites) if (s.level !== 'none' || (s.series.last ?? -1) >= from) yield d;
  }

  /** Count one report (already accepted by the intake). */
  record(domain: string, problem: number, at: number, reporter: number, network: number): void {
    const minute = Math.floor(at / MIN);
    let s = this.sites.get(domain);
    if (!s) {
      if (this.sites.size >= this.options.maxSites) this.dropSite(this.leastRecent(1)[0]);
      const since = Math.max(this.start, minute - 60 * 24 * 60);
      s = new SiteState(
        new MinuteSeries(this.options.retentionMin),
        new Baseline(this.options.baseline),
        since,
      );
      this.sites.set(domain, s);
    }
    const before = s.series.size;
    s.series.add(minute, problem);
    s.recent.add(minute, reporter, network);
    this.entries += s.series.size - before;
    if (this.entries > this.options.maxEntries) this.shed();
  }

  /** Never learn from these minutes of these sites (an outage the runner knows of). */
  exclude(domains: Iterable<string>, from: number, to: number): void {
    const a = Math.floor(from / MIN);
    const b = Math.ceil(to / MIN);
    for (const d of domains) {
      const s = this.sites.get(d);
      if (!s || b <= s.learntUntil) continue;
      s.excluded = mergeRange(s.excluded, Math.max(a, s.learntUntil), b);
    }
  }

  /** The spike test on one site over the window ending at `now`. */
  spike(domain: string, now = this.clock.now()): SpikeView {
    return this.aggregate([domain], now);
  }

  /**
   * The spike test on a set of sites taken together (a provider's, a region's): counts and expectations
   * summed, over-dispersion by moment matching, distinct reporters and networks across the set.
   */
  aggregate(domains: Iterable<string>, now = this.clock.now()): SpikeView {
    const o = this.options;
    const nowMin = Math.floor(now / MIN);
    const from = nowMin - o.windowMin + 1;
    const to = nowMin + 1;
    const cap = Math.max(
      o.rules.strong.minReporters,
      o.rules.strong.minNetworks,
      o.rules.moderate.minReporters,
    );
    const distinct = { ids: [] as number[], nets: [] as number[] };
    let count = 0;
    let mean = 0;
    let extraVar = 0;
    for (const d of domains) {
      const s = this.sites.get(d);
      const b = s ? this.learn(s, nowMin) : this.prior;
      const e = b.expected(from, to);
      // A young baseline (little learnt yet) also looks at the not-yet-learnt minutes before the
      // window: a busy site seen for an hour is busy, not spiking.
      if (s && b.exposure() < o.matureMin && from - s.learntUntil >= 30)
        e.mean = Math.max(e.mean, (s.series.sum(s.learntUntil, from) / (from - s.learntUntil)) * (to - from));
      mean += e.mean;
      extraVar += (e.mean * e.mean) / e.shape;
      if (!s) continue;
      count += s.series.sum(from, to);
      s.recent.collect(from, distinct, cap);
    }
    const shape = extraVar > 0 ? (mean * mean) / extraVar : Number.POSITIVE_INFINITY;
    const seen = { count, reporters: distinct.ids.length, networks: distinct.nets.length };
    const { level, p } = spikeLevel(seen, mean, shape, o.rules);
    return { level, count, expected: mean, p, from: from * MIN, to: to * MIN };
  }

  /** The level last evaluated for a site (what `evaluate` compares against). */
  level(domain: string): Level {
    return this.sites.get(domain)?.level ?? 'none';
  }

  /** Test every active site; return those whose level changed (and remember the new level). */
  evaluate(now = this.clock.now()): { domain: string; from: Level; spike: SpikeView }[] {
    const out: { domain: string; from: Level; spike: SpikeView }[] = [];
    for (const d of [...this.active(now)]) {
      const s = this.sites.get(d)!;
      const spike = this.spike(d, now);
      if (spike.level !== s.level) {
        out.push({ domain: d, from: s.level, spike });
        s.level = spike.level;
      }
    }
    return out;
  }

  /** Reports per minute over [from, to) for one site or the sum over several. */
  curve(domains: string | Iterable<string>, from: number, to: number): ReportCurve {
    const a = Math.floor(from / MIN);
    const b = Math.min(Math.ceil(to / MIN), a + this.options.maxCurveMin);
    const counts = new Array<number>(Math.max(0, b - a)).fill(0);
    const problems = Object.fromEntries(PROBLEMS.map((p) => [p, 0])) as Record<Problem, number>;
    for (const d of typeof domains === 'string' ? [domains] : domains) {
      this.sites.get(d)?.series.forEach(a, b, (m, total, byProblem) => {
        counts[m - a] += total;
        for (let p = 0; p < PROBLEMS.length; p++) problems[PROBLEMS[p]] += byProblem[p];
      });
    }
    let peak = 0;
    let peakAt: number | null = null;
    let total = 0;
    for (let i = 0; i < counts.length; i++) {
      total += counts[i];
      if (counts[i] > peak) {
        peak = counts[i];
        peakAt = (a + i) * MIN;
      }
    }
    return { from: a * MIN, stepMs: MIN, counts, total, peakAt, peak, problems };
  }

  /** Learn the site's minutes up to `nowMin − learnLagMin`; returns its baseline. */
  private learn(s: SiteState, nowMin: number): Baseline {
    const o = this.options;
    const until = nowMin - o.learnLagMin;
    if (until <= s.learntUntil) return s.baseline;
    const b = s.baseline;
    let cursor = s.learntUntil;
    const quiet = (x: number, y: number) => {
      for (const [p, q] of minus(x, y, s.excluded)) b.observe(p, q, 0);
    };
    s.series.forEach(s.learntUntil, until, (m, total) => {
      quiet(cursor, m);
      cursor = m + 1;
      if (inRanges(m, s.excluded)) return;
      if (this.spikeAt(s, m)) {
        if (b.exposure() >= o.matureMin && s.skipped < o.maxSkipMin) {
          s.skipped++;
          return;
        }
      } else s.skipped = 0;
      b.observe(m, m + 1, Math.min(total, b.cap(m)));
    });
    quiet(cursor, until);
    s.learntUntil = until;
    s.excluded = trimRanges(s.excluded, until);
    const keepFrom = Math.min(nowMin - o.retentionMin, until - o.windowMin);
    this.entries -= s.series.trimBefore(keepFrom);
    return b;
  }

  /** Whether the window ending at minute m was a spike (then m is not learnt). */
  private spikeAt(s: SiteState, m: number): boolean {
    const from = m - this.options.windowMin + 1;
    const count = s.series.sum(from, m + 1);
    if (count < minCount(this.options.rules)) return false;
    const e = s.baseline.expected(from, m + 1);
    // Reporters and networks are unknown in the past: count them as distinct (errs towards not learning).
    return (
      spikeLevel({ count, reporters: count, networks: count }, e.mean, e.shape, this.options.rules).level !==
      'none'
    );
  }

  /** Over the entry budget: the least recently reported sites lose their curve history, then themselves. */
  private shed(): void {
    const target = this.options.maxEntries * 0.9;
    const nowMin = Math.floor(this.clock.now() / MIN);
    const order = this.leastRecent(this.sites.size);
    for (const d of order) {
      if (this.entries <= target) return;
      const s = this.sites.get(d)!;
      const keep = Math.max(s.learntUntil, nowMin - this.options.learnLagMin) - this.options.windowMin;
      this.entries -= s.series.trimBefore(keep);
    }
    for (const d of order) {
      if (this.entries <= target) return;
      this.dropSite(d);
    }
  }

  /** The `n` sites reported least recently (a scan: only when a cap is hit). */
  private leastRecent(n: number): string[] {
    return [...this.sites]
      .sort((a, b) => (a[1].series.last ?? -1) - (b[1].series.last ?? -1))
      .slice(0, n)
      .map(([d]) => d);
  }

  private dropSite(domain: string): void {
    const s = this.sites.get(domain);
    if (!s) return;
    this.entries -= s.series.size;
    this.sites.delete(domain);
  }
}

/** [x, y) minus sorted flat ranges, as segments. */
function minus(x: number, y: number, ranges: number[]): [number, number][] {
  const out: [number, number][] = [];
  let c = x;
  for (let i = 0; i < ranges.length && c < y; i += 2) {
    const [a, b] = [ranges[i], ranges[i + 1]];
    if (b <= c) continue;
    if (a >= y) break;
    if (a > c) out.push([c, a]);
    c = Math.max(c, b);
  }
  if (c < y) out.push([c, y]);
  return out;
}

function inRanges(m: number, ranges: number[]): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (m >= ranges[i] && m < ranges[i + 1]) return true;
  return false;
}

/** Insert [a, b) into sorted flat ranges, merging overlaps. */
function mergeRange(ranges: number[], a: number, b: number): number[] {
  if (b <= a) return ranges;
  const pairs: [number, number][] = [[a, b]];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i], ranges[i + 1]]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [p, q] of pairs) {
    const n = out.length;
    if (n && p <= out[n - 1]) out[n - 1] = Math.max(out[n - 1], q);
    else out.push(p, q);
  }
  return out;
}

function trimRanges(ranges: number[], until: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) if (ranges[i + 1] > until) out.push(ranges[i], ranges[i + 1]);
  return out;
}
