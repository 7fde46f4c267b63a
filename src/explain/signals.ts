/**
 * Signature semantics: which of a site's dependency roles a failure can implicate. This is where the
 * domain knowledge lives — a CDN's "origin unreachable" page points past the CDN at the origin's host,
 * a CDN-branded 5xx at the CDN, a DNS failure at the DNS provider, overload at the site, its
 * platform or the servers hosting it (never its network), a mail failure at the mail provider.
 */
import type { ServiceRole } from '../detect/types.ts';
import type { Role } from '../model/component.ts';
import type { IncidentKind } from '../model/incident.ts';
import type { Signature } from '../model/observation.ts';
import type { PageMeaning } from './types.ts';

/** Dependency roles in a fixed order: a role's index is its bit in role masks and its slot code. */
export const ROLES: readonly Role[] = ['hosting', 'dns', 'mail', 'cdn', 'platform', 'component'];
export const HOSTING = 0;
export const DNS = 1;
export const MAIL = 2;
export const CDN = 3;
export const PLATFORM = 4;
export const COMPONENT = 5;
/** Slots are `site * SLOT + role`: 8 keeps the arithmetic a shift. */
export const SLOT = 8;

export function roleIndex(role: Role): number {
  return ROLES.indexOf(role);
}

/** Services in unit order: a unit is `site * 3 + service`. */
export const SERVICES: readonly ServiceRole[] = ['web', 'dns', 'mail'];

/**
 * A service's unit. A certificate checked apart from the web (`tls`) is the web's unit: a refused
 * certificate is the web failing for its HTTPS visitors, read like the web probe's own TLS failure
 * (the edge that serves it, else the platform or the host), and a site failing both counts once.
 */
export function serviceIndex(s: ServiceRole): number {
  return s === 'web' || s === 'tls' ? 0 : s === 'dns' ? 1 : 2;
}

const DNS_SIGS = new Set<Signature>(['nxdomain', 'servfail', 'dns_timeout']);
const NETWORK_SIGS = new Set<Signature>(['connect_timeout', 'read_timeout', 'refused', 'reset']);
const TLS_SIGS = new Set<Signature>(['tls_error', 'tls_expired']);

/** What a failure needs besides its signature to be read. */
export interface Reading {
  role: ServiceRole;
  signature: Signature;
  status?: number;
  meaning?: PageMeaning;
}

function isOverload(f: Reading): boolean {
  return f.signature === 'slow' || f.status === 503 || f.meaning === 'queue';
}

/**
 * The dependency roles (bit mask over {@link ROLES}) a failure implicates, given the roles the site
 * has (`siteMask`). 0 means only the site itself can be at fault.
 */
export function implicated(f: Reading, siteMask: number): number {
  const has = (r: number) => (siteMask >> r) & 1;
  const bit = (r: number) => (has(r) ? 1 << r : 0);
  const sig = f.signature;
  if (sig === 'ok') return 0;
  // Resolution comes first in every probe: a DNS failure is the DNS provider's, whatever the service.
  if (DNS_SIGS.has(sig)) return bit(DNS);
  if (f.role === 'dns') return bit(DNS);
  if (f.role === 'mail') return bit(MAIL);
  // The origin path behind a front end: its host and any declared device on the way.
  const origin = bit(HOSTING) | bit(COMPONENT);
  // A page the CDN signs as its own says who failed, whatever its status: "origin unreachable"
  // points past the edge, any other of its error pages (a 503 included) at the edge itself.
  if (sig === 'cdn_error' && f.meaning !== 'queue')
    return f.meaning === 'origin_unreachable' ? origin : bit(CDN);
  // A 5xx page nobody signs, on a CDN-fronted site, is the edge's own as much as the origin's: a
  // CDN failing with an unbranded error (not every CDN has a page Vigie knows) looks like this.
  // Which one failed is the likelihood's to say — a CDN whose other sites answer loses to the
  // origins' host, a CDN whose sites fail together wins.
  const edge = f.meaning === undefined && (f.status ?? 0) >= 500 ? bit(CDN) : 0;
  // Overload is the site's own, its platform's, or — for a 503 from a site served by a host's
  // servers (a shared-hosting plan's machines) — its host's: never its network's. A slow answer
  // alone never names a host: it is what a loaded monitor sees too (under a CPU hog, a quarter of
  // one host's sites answered "slowly" at once and the host was blamed), so it stays the platform's.
  if (sig === 'slow') return bit(PLATFORM);
  if (isOverload(f)) return (has(PLATFORM) ? bit(PLATFORM) : origin) | edge;
  if (sig === 'http_4xx') return 0;
  if (sig === 'http_5xx') return origin | bit(PLATFORM) | edge;
  if (NETWORK_SIGS.has(sig) || TLS_SIGS.has(sig)) {
    // A CDN-fronted site's connections and certificates are the CDN edge's; a platform's front end
    // runs on the hosting network the map recorded for it.
    if (has(CDN)) return bit(CDN);
    if (has(PLATFORM)) return bit(PLATFORM) | bit(HOSTING);
    return origin;
  }
  return 0;
}

/**
 * The dependency roles (bit mask over {@link ROLES}) a failure shows working — steps of the probe it
 * got past on the sites' own infrastructure: the site's DNS, when the failing probe resolved the
 * name itself (not from the prober's cache; `resolved`) and got addresses; the CDN's edge, when it
 * answered with its "origin unreachable" page. A cause that would have broken one of these roles for
 * the site is contradicted by it: a provider-wide failure would have broken the name servers it runs
 * for the site, so a site whose hosting fails while they answer points at the provider's hosting.
 */
export function passed(f: Reading & { resolved?: boolean }, siteMask: number): number {
  const has = (r: number) => (siteMask >> r) & 1;
  const bit = (r: number) => (has(r) ? 1 << r : 0);
  const sig = f.signature;
  if (sig === 'ok' || DNS_SIGS.has(sig) || f.role === 'dns') return 0;
  const dns = f.resolved ? bit(DNS) : 0;
  const edge = sig === 'cdn_error' && f.meaning === 'origin_unreachable' ? bit(CDN) : 0;
  return dns | edge;
}

/** The incident kind a single failure suggests. */
export function kindOf(f: Reading): IncidentKind {
  const sig = f.signature;
  if (DNS_SIGS.has(sig)) return 'dns';
  if (f.role === 'mail') return 'mail';
  if (sig === 'cdn_error' && f.meaning !== 'queue')
    return f.meaning === 'origin_unreachable' ? 'network' : 'http';
  if (isOverload(f)) return 'overload';
  if (TLS_SIGS.has(sig)) return 'tls';
  if (sig === 'http_5xx' || sig === 'http_4xx') return 'http';
  return 'network';
}

/**
 * A cause's kind from the kinds of the failures it explains. A provider-wide cause whose failures mix
 * DNS timeouts and connection failures is a network failure: DNS only failed because the provider's
 * name servers sit on the same network.
 */
export function dominantKind(counts: Map<IncidentKind, number>, wholeProvider: boolean): IncidentKind {
  if (wholeProvider && (counts.get('network') ?? 0) > 0 && (counts.get('dns') ?? 0) > 0) return 'network';
  let best: IncidentKind = 'network';
  let n = -1;
  for (const [k, c] of counts) {
    if (c > n) {
      best = k;
      n = c;
    }
  }
  return best;
}
