/** Observations: what one probe saw, from one vantage, at one time. Types only. */

export type ProbeKind = 'dns' | 'tcp' | 'tls' | 'http' | 'smtp';

export type Outcome = 'up' | 'degraded' | 'down';

/** How a failure looks from outside. */
export type Signature =
  | 'ok'
  | 'nxdomain'
  | 'servfail'
  | 'dns_timeout'
  | 'refused'
  | 'connect_timeout'
  | 'reset'
  | 'tls_error'
  | 'tls_expired'
  | 'http_4xx'
  | 'http_5xx'
  | 'cdn_error'
  | 'read_timeout'
  | 'slow';

/** Phase timings in milliseconds; a phase not reached is absent. */
export interface PhaseTimings {
  dns?: number;
  connect?: number;
  tls?: number;
  ttfb?: number;
  total: number;
}

export interface Observation {
  site: string;
  /** Every observation carries its vantage: nothing assumes a single process. */
  vantage: string;
  /** Milliseconds since the epoch, on the clock the pipeline runs on (simulated or real). */
  time: number;
  kind: ProbeKind;
  outcome: Outcome;
  signature: Signature;
  /** The address probed, when one was reached. */
  address?: string;
  /** HTTP status, when one was received. */
  status?: number;
  /** For `cdn_error`: the catalog id of the CDN whose page was recognised. */
  cdn?: string;
  timings: PhaseTimings;
  detail?: string;
}
