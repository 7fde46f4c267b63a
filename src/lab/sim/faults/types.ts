/**
 * The fault engine's contract. The engine is pure: from a scenario (and the address each site is
 * hosted on) it answers, for any simulated instant, which effect reaches which dependency of which
 * site. The world's servers ask it on every request; the ground-truth log and the scorer use the
 * same answers, computed as intervals.
 */
import type { Effect, ProviderRole, Scenario } from '../../scenario/types.ts';

/** Which dependency of a site an effect lands on. `component` = a named hidden component (shares). */
export type DepRole = ProviderRole | 'component';

export interface ActiveEffect {
  /** Fault id (`noise-<n>` for generated noise faults). */
  fault: string;
  effect: Effect;
}

/** A site was hit by a fault on one dependency from `from` to `to` (ms since epoch; `to` null = end). */
export interface TruthInterval {
  fault: string;
  domain: string;
  role: DepRole;
  from: number;
  to: number | null;
}

export interface CrowdReport {
  /** ms since epoch */
  time: number;
  domain: string;
  problem: 'site' | 'login' | 'email' | 'app' | 'other';
  /** A stable pseudonymous reporter id (distinct reporters matter for spike detection). */
  reporter: string;
}

export interface FaultEngineOptions {
  scenario: Scenario;
  /** The address the site's hosting (origin) is on; sites on one shared address fail together. */
  hostingAddress(siteIndex: number): string;
  /** Seed for every random choice; default derived from the scenario name, so any reader agrees. */
  seed?: number;
}

export interface FaultEngine {
  /** The effect reaching site `siteIndex`'s dependency `role` at `t`, or null (first active fault wins). */
  effectOn(siteIndex: number, role: DepRole, t: number): ActiveEffect | null;
  /** The effect of the vantage's own network fault at `t`, or null. */
  vantageEffect(vantageId: string, t: number): Effect | null;
  /** Probability that one probe fails at random (scenario noise.probe_loss). */
  readonly probeLoss: number;
  /** Every (fault, site, role) hit interval, sorted by `from`: the ground truth. Includes noise faults. */
  truth(): TruthInterval[];
  /** Synthetic crowd reports in [from, to), deterministic for a given seed. */
  reports(from: number, to: number): CrowdReport[];
}
