/** Detection's messages: per-site state changes and vantage health changes. */
import type { Signature } from '../model/observation.ts';
import type { RegionalProblem } from './consensus.ts';

export type SiteState = 'up' | 'degraded' | 'down';
/**
 * Which service of a site a state is about. `tls` is the certificate, when it is checked apart from
 * the web (the web probed over plain HTTP, the certificate on its own schedule): a view of its own, so
 * "HTTP up" and "certificate expired" on the same site never take turns on one state.
 */
export type ServiceRole = 'web' | 'dns' | 'mail' | 'tls';

export interface StateTransition {
  site: string;
  role: ServiceRole;
  from: SiteState;
  to: SiteState;
  /** Clock time the new state was confirmed. */
  at: number;
  /** Clock time of the first observation of the run that confirmed it. */
  since: number;
  /** Dominant signature of the confirming observations ('ok' on recovery). */
  signature: Signature;
  /** Vantages whose observations agreed. */
  vantages: string[];
}

/** A site became a path or regional problem — failing from some healthy vantages, fewer than a quorum — or stopped being one (`problem` null). */
export interface PathChange {
  site: string;
  problem: RegionalProblem | null;
  /** Clock time. */
  at: number;
}

export interface VantageHealthChange {
  vantage: string;
  healthy: boolean;
  at: number;
  reason: string;
}
