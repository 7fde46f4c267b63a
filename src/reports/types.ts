/** Crowd reports: what the intake takes, what detection answers. Types only. */

/** What a reporter says is broken (Downdetector's vocabulary, reduced). */
export const PROBLEMS = ['site', 'login', 'email', 'app', 'other'] as const;
export type Problem = (typeof PROBLEMS)[number];

/** Index of each problem in per-minute count vectors. */
export const PROBLEM_INDEX: Record<Problem, number> = { site: 0, login: 1, email: 2, app: 3, other: 4 };

/** One report as the public submits it. */
export interface ReportInput {
  domain: string;
  problem: Problem;
  /** Free-form place the reporter is in (e.g. a city), if given. */
  vantage?: string;
  /** ISO 3166-1 alpha-2, if given. */
  country?: string;
}

/** Who sent it, as the HTTP layer sees it. Never stored: only a keyed hash of it is. */
export interface ReportSource {
  address: string;
  userAgent: string;
}

export type AcceptResult =
  | { status: 'accepted' }
  /** Not counted again: this reporter (or too many from its network) already reported this site lately. */
  | { status: 'duplicate'; reason: 'reporter' | 'network' }
  | { status: 'rate_limited'; scope: 'reporter' | 'network'; retryAfterMs: number }
  /** Not a watched site: nothing counted. */
  | { status: 'unknown_site' };

/** Downdetector-like levels. */
export type Level = 'none' | 'moderate' | 'strong';

/** The spike test over the latest window, for one site or an aggregate of sites. */
export interface SpikeView {
  level: Level;
  /** Counted reports in the window (each a distinct reporter for a site: counts are deduplicated). */
  count: number;
  /** Expected count in the window from the baseline. */
  expected: number;
  /** P(X ≥ count) under the baseline (negative binomial). */
  p: number;
  /** The window, [from, to) in clock ms. */
  from: number;
  to: number;
}

/** Reports per minute over [from, to): what an incident carries. */
export interface ReportCurve {
  from: number;
  /** Minute step (60,000 ms). */
  stepMs: number;
  /** counts[i] = counted reports in [from + i·step, from + (i+1)·step). */
  counts: number[];
  total: number;
  /** Start of the busiest minute (the earliest if tied); null when there is no report. */
  peakAt: number | null;
  peak: number;
  /** Totals per problem over the range. */
  problems: Record<Problem, number>;
}

/** A change of level, published on the Bus (`report` topic) and the live event stream. */
export interface ReportLevelChange {
  /** A site domain, or `provider:<id>` for an aggregate the runner asked about. */
  subject: string;
  from: Level;
  to: Level;
  at: number;
  spike: SpikeView;
}
