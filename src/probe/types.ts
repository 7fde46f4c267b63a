/**
 * The probers' one interface: a target, a context (who probes, from where, with what), an optional
 * abort signal owned by the caller — and an {@link Observation} back, always. A prober never throws:
 * a failure is the failing phase, a signature and the timings, as data.
 */
import type tls from 'node:tls';
import type { Catalog } from '../catalog/match.ts';
import type { Clock } from '../clock/clock.ts';
import type { DnsQuerier } from '../dns/types.ts';
import type { Observation, ProbeKind } from '../model/observation.ts';

/** What to probe. */
export interface ProbeTarget {
  /** The site's domain: the name resolved, the Host header and the TLS server name. */
  site: string;
  kind: ProbeKind;
  /**
   * Addresses already resolved (e.g. cached by the scheduler for the record's TTL): the probe skips
   * DNS and uses the first. For `smtp`, the mail host's addresses.
   */
  addresses?: string[];
  /** Port, instead of the context's default for the kind. */
  port?: number;
  /** `http` probes: over TLS (HTTPS) instead of plain HTTP. */
  secure?: boolean;
  /** Address family to resolve and probe (default 4). */
  family?: 4 | 6;
}

/** Per-phase timeouts, in REAL milliseconds (a scheduler on a simulated clock converts with `clock.toReal`). */
export interface ProbeTimeouts {
  /** Whole resolution, retries included. */
  dns: number;
  connect: number;
  /** TLS handshake, from the TCP connection to the handshake's end. */
  tls: number;
  /** From the request written (or the connection, for an SMTP banner) to the answer read. */
  response: number;
}

/** Ports probed by default, per protocol. */
export interface ProbePorts {
  http: number;
  https: number;
  smtp: number;
}

/** Everything a prober needs besides its target. One context per vantage, shared by its probes. */
export interface ProbeContext {
  /** Vantage id, copied into every observation. */
  vantage: string;
  /** Source address of the vantage's sockets (the world tells vantages apart by it). */
  localAddress?: string;
  /** The configured resolver, sending from the vantage's address. */
  resolver: DnsQuerier;
  ports: ProbePorts;
  /** Trust for TLS (system roots plus the configured CA), built once: parsing roots per handshake is costly. */
  secureContext: tls.SecureContext;
  timeouts: ProbeTimeouts;
  /** A success slower than this, in the CLOCK's milliseconds, is `slow` (default 5,000). */
  slowMs: number;
  /** Bytes of an HTTP body read at most (error-page markers sit in the first KiB). */
  bodyCap: number;
  clock: Clock;
  catalog: Catalog;
}

/**
 * One protocol's prober. `signal` aborts the probe (the caller owns the overall deadline); an
 * aborted probe still resolves, with the signature of the phase it was in.
 */
export type Prober = (target: ProbeTarget, ctx: ProbeContext, signal?: AbortSignal) => Promise<Observation>;
