/**
 * Building a {@link ProbeContext} for one vantage: defaults first, then the resolver client bound to
 * the vantage's source address and the TLS trust built once.
 */
import tls from 'node:tls';
import type { Catalog } from '../catalog/match.ts';
import { MARKER_WINDOW } from '../catalog/template.ts';
import type { Clock } from '../clock/clock.ts';
import { DnsClient } from '../dns/client.ts';
import type { DnsQuerier, DnsServer } from '../dns/types.ts';
import type { ProbeContext, ProbePorts, ProbeTimeouts } from './types.ts';

/** Real-time defaults: generous enough for a loaded machine, short enough to probe thousands of sites. */
export const DEFAULT_TIMEOUTS: ProbeTimeouts = { dns: 2000, connect: 3000, tls: 3000, response: 5000 };
export const DEFAULT_PORTS: ProbePorts = { http: 80, https: 443, smtp: 25 };
/** Clock milliseconds beyond which a success is `slow`. */
export const DEFAULT_SLOW_MS = 5000;

/**
 * The slow threshold for a clock running `speed` times real time: 5 s, but never under 100 real ms —
 * at ×400, 5 s is 12 ms of real time, less than a busy machine's scheduling jitter.
 */
export function slowThresholdFor(speed: number): number {
  return Math.max(DEFAULT_SLOW_MS, 100 * speed);
}

export interface ProbeContextOptions {
  vantage: string;
  localAddress?: string;
  /** The resolver to query; a client sending from `localAddress` is made for it. */
  resolver: DnsServer | DnsQuerier;
  ports?: Partial<ProbePorts>;
  /** Extra CA to trust (PEM), e.g. a world's `ca.pem`. */
  ca?: string;
  timeouts?: Partial<ProbeTimeouts>;
  slowMs?: number;
  bodyCap?: number;
  clock: Clock;
  catalog: Catalog;
}

/** A context and what to release when the vantage stops probing. */
export interface OwnedProbeContext {
  ctx: ProbeContext;
  close(): Promise<void>;
}

function isQuerier(r: DnsServer | DnsQuerier): r is DnsQuerier {
  return typeof (r as DnsQuerier).query === 'function';
}

/** A context for one vantage, with defaults filled in. */
export function createProbeContext(o: ProbeContextOptions): OwnedProbeContext {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  let client: DnsClient | null = null;
  let resolver: DnsQuerier;
  if (isQuerier(o.resolver)) resolver = o.resolver;
  else {
    // Two attempts fit in the DNS budget: one lost datagram is not an outage.
    client = new DnsClient({
      server: o.resolver,
      localAddress: o.localAddress,
      timeoutMs: Math.max(1, Math.floor(timeouts.dns / 2)),
      retries: 1,
    });
    resolver = client;
  }
  const ctx: ProbeContext = {
    vantage: o.vantage,
    localAddress: o.localAddress,
    resolver,
    ports: { ...DEFAULT_PORTS, ...o.ports },
    secureContext: tls.createSecureContext(o.ca ? { ca: [...tls.rootCertificates, o.ca] } : {}),
    timeouts,
    slowMs: o.slowMs ?? DEFAULT_SLOW_MS,
    bodyCap: o.bodyCap ?? MARKER_WINDOW,
    clock: o.clock,
    catalog: o.catalog,
  };
  return { ctx, close: async () => void (await client?.close()) };
}
