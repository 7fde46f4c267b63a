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
  | 'slow'
  /** An SMTP server answered its banner with a 4xx (temporary) or 5xx (permanent) reply. */
  | 'smtp_4xx'
  | 'smtp_5xx'
  /**
   * The probe could not be made for a local reason (no such source address, out of file
   * descriptors): says something about the vantage, nothing about the site.
   */
  | 'probe_error';

/**
 * Phase timings in real milliseconds, as measured on the sockets; a phase not reached is absent.
 * `ttfb` runs from the request written to the first byte of the answer. On a simulated clock,
 * multiply by the clock's `speed` for durations on the pipeline's clock.
 */
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
  /** The phase that failed (or, for `slow`, the last one reached). */
  phase?: ProbePhase;
  /** Address family probed. */
  family?: 4 | 6;
  /** Every address the name resolved to (dns probes, and http probes that resolved). */
  addresses?: string[];
  /** TTL of the address records, seconds (lets a scheduler cache resolution). */
  ttl?: number;
  /** `http` or `https`, for http probes. */
  scheme?: 'http' | 'https';
  /** For `cdn_error`: what the recognised page means (the explain stage blames origin or edge from it). */
  meaning?: 'origin_unreachable' | 'edge_error' | 'queue';
  /** A waiting-room / queue page was served: overload evidence, not an outage. */
  queue?: boolean;
  /** The provider whose header fingerprint the response carries (a CDN or platform front end). */
  front?: string;
  /** Selected response headers (server, retry-after, location, and the catalog's fingerprint headers). */
  headers?: Record<string, string>;
  /** TLS: issuer organisation (else common name) of the certificate presented. */
  issuer?: string;
  /** TLS: the certificate's notAfter, ms since the epoch. */
  certExpiry?: number;
}

export type ProbePhase = 'dns' | 'connect' | 'tls' | 'response';
