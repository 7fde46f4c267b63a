/**
 * From what the sockets saw to a signature and an outcome. Pure: the probers measure, this decides,
 * and the table is tested on its own.
 */
import type { Catalog, HeaderBag } from '../catalog/match.ts';
import type { DnsResult } from '../dns/types.ts';
import type { Observation, ProbePhase, Signature } from '../model/observation.ts';

/** How a probe phase failed: an error code from the socket (or ours), and whether our timer fired. */
export interface Failure {
  phase: ProbePhase;
  /** `ECONNREFUSED`, `ECONNRESET`, `CERT_HAS_EXPIRED`, … or `TIMEOUT`, `EMPTY` (closed without answer). */
  code: string;
  timedOut: boolean;
}

/** The verdict on one answer: signature, outcome and what the answer said about who failed. */
export type Verdict = Pick<Observation, 'signature' | 'outcome' | 'cdn' | 'meaning' | 'queue' | 'detail'>;

/** Errors that say the vantage could not probe, not that the site failed. */
const LOCAL_CODES = new Set([
  'EADDRNOTAVAIL',
  'EADDRINUSE',
  'EMFILE',
  'ENFILE',
  'ENOBUFS',
  'ENOMEM',
  'EINVAL',
  'EACCES',
  'EPERM',
  'ECLOSED',
  'ESOCKET',
  'EBADADDRESS',
  'ERR_SOCKET_BAD_PORT',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_ARG_TYPE',
]);
/** The network said no route, or the kernel gave up on SYNs: as silent as a dropped SYN. */
const UNREACHABLE = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'EMPTY']);

/** Signature of a failed connect, handshake or exchange. */
export function failureSignature(f: Failure): Signature {
  if (LOCAL_CODES.has(f.code)) return 'probe_error';
  switch (f.phase) {
    case 'dns':
      return 'dns_timeout';
    case 'connect':
      if (f.timedOut || UNREACHABLE.has(f.code)) return 'connect_timeout';
      if (f.code === 'ECONNREFUSED') return 'refused';
      return 'reset';
    case 'tls':
      // Accepted, then no ServerHello: the server holds the connection without answering.
      if (f.timedOut) return 'read_timeout';
      if (f.code === 'CERT_HAS_EXPIRED') return 'tls_expired';
      if (BROKEN.has(f.code)) return 'reset';
      return 'tls_error';
    default:
      if (f.timedOut) return 'read_timeout';
      return 'reset';
  }
}

/** Signature of a resolution that gave no address, or null when it gave some. */
export function dnsFailure(
  r: DnsResult,
  addressCount: number,
): { signature: Signature; detail: string } | null {
  switch (r.kind) {
    case 'timeout':
      return { signature: 'dns_timeout', detail: `no answer from the resolver in ${r.ms} ms` };
    case 'error':
      if (r.code === 'EBADNAME') return { signature: 'nxdomain', detail: `${r.code}: ${r.message}` };
      return {
        signature: LOCAL_CODES.has(r.code) ? 'probe_error' : 'dns_timeout',
        detail: `${r.code}: ${r.message}`,
      };
    default:
      if (r.rcode === 'NXDOMAIN') return { signature: 'nxdomain', detail: 'NXDOMAIN' };
      // A resolver refusing us is as useless as one failing: both are SERVFAIL from a site's side.
      if (r.rcode !== 'NOERROR') return { signature: 'servfail', detail: r.rcode };
      if (addressCount === 0) return { signature: 'nxdomain', detail: 'NOERROR, no address (NODATA)' };
      return null;
  }
}

/** Waiting-room pages that no catalog entry claims (self-hosted queues, the world's generic one). */
const QUEUE_MARKER = /waiting room|you are (?:now )?in line|placed in (?:a |the )?queue|queue-it/i;

/**
 * Verdict on an HTTP answer. `clockMs` is the probe's duration on the pipeline's clock, compared
 * with `slowMs` (also clock time), so a latency scaled down by a simulation's speed still counts.
 */
export function classifyHttp(
  status: number,
  body: string,
  headers: HeaderBag,
  clockMs: number,
  slowMs: number,
  catalog: Catalog,
): Verdict {
  const page = catalog.errorPage(status, body, headers);
  if (page) {
    const queue = page.meaning === 'queue';
    return {
      signature: 'cdn_error',
      outcome: queue ? 'degraded' : 'down',
      cdn: page.provider,
      meaning: page.meaning,
      queue: queue || undefined,
      detail: page.evidence,
    };
  }
  if (status >= 400) {
    const queue = (status === 503 || status === 429) && QUEUE_MARKER.test(body.slice(0, 1024));
    return {
      signature: status >= 500 ? 'http_5xx' : 'http_4xx',
      // Shedding load is not being down: a queue page or a 429 says the service is alive, overloaded.
      outcome: queue || status === 429 ? 'degraded' : 'down',
      queue: queue || undefined,
      detail: queue ? 'queue page' : undefined,
    };
  }
  if (status < 100) return { signature: 'reset', outcome: 'down', detail: `bad status ${status}` };
  return successVerdict(clockMs, slowMs);
}

/** Verdict on an SMTP banner reply code. */
export function classifySmtp(code: number, clockMs: number, slowMs: number): Verdict {
  if (code >= 500) return { signature: 'smtp_5xx', outcome: 'down' };
  // 421 is how mail servers say "too busy": overloaded, alive.
  if (code >= 400) return { signature: 'smtp_4xx', outcome: code === 421 ? 'degraded' : 'down' };
  if (code !== 220) return { signature: 'smtp_5xx', outcome: 'down', detail: `unexpected banner ${code}` };
  return successVerdict(clockMs, slowMs);
}

/** A success, unless slower than the threshold (both in clock milliseconds). */
export function successVerdict(clockMs: number, slowMs: number): Verdict {
  return clockMs > slowMs
    ? { signature: 'slow', outcome: 'degraded', detail: `${Math.round(clockMs)} ms > ${slowMs} ms` }
    : { signature: 'ok', outcome: 'up' };
}
