/**
 * What the mapper finds for each domain: its DNS provider, CDN or platform, hosting network and
 * region, hosting plan, mail provider and TLS issuer — each with the evidence behind it and a
 * confidence in 0..1 — plus what the user declared for what cannot be seen from outside.
 *
 * Provider ids: the catalog id when the catalog recognises the provider (name suffix, AS number,
 * organisation); for names under a domain the catalog does not know, the first label of that
 * domain (`x.vclass.test` → `vclass`); otherwise `as<N>` from the address's AS.
 */
import type { Plan } from '../model/component.ts';

/**
 * Outcome of mapping one domain. Anything but `ok` means the domain's own name could not be
 * resolved to addresses; the other fields then hold whatever was learned before the failure.
 */
export type MapStatus =
  | 'ok'
  | 'invalid_name'
  | 'nxdomain'
  | 'servfail'
  | 'refused'
  | 'timeout'
  | 'truncated'
  | 'cname_loop'
  | 'chain_too_long'
  | 'no_address'
  | 'error';

/** A provider inferred from one or more pieces of evidence. */
export interface ProviderFinding {
  /** Provider id (see the module comment). */
  provider: string;
  asn: number | null;
  /** Organisation as the IP-to-AS data spells it. */
  org: string | null;
  evidence: string[];
  /** 0..1 */
  confidence: number;
}

export interface DnsFinding extends ProviderFinding {
  /** The zone the name servers serve. */
  zone: string;
  nameServers: string[];
}

/** A CDN or platform in front of the site (what answers the site's name). */
export interface FrontFinding extends ProviderFinding {
  /** Addresses of the edges/front ends the name resolves to. */
  addresses: string[];
}

export interface HostingFinding {
  /** Provider of the network the site's addresses are in; null when hidden (behind a CDN). */
  provider: string | null;
  asn: number | null;
  org: string | null;
  addresses: string[];
  region: string | null;
  evidence: string[];
  confidence: number;
  /** True when the site's own server is hidden behind a CDN: `provider` etc. describe nothing. */
  hidden: boolean;
}

export interface PlanFinding {
  /** null when it cannot be told from outside (the origin is hidden behind a CDN or platform). */
  value: Plan | null;
  /** Other mapped domains on the same address. */
  sharedWith: number;
  evidence: string[];
  confidence: number;
}

export interface MailFinding extends ProviderFinding {
  /** MX hosts, by preference. */
  exchanges: string[];
}

export interface HttpFinding {
  address: string;
  status?: number;
  error?: string;
  /** Catalog providers whose header markers were present. */
  markers: string[];
}

export interface TlsFinding {
  /** Organisation (O) of the certificate's issuer, else its common name. */
  issuer: string | null;
  /** Catalog provider issuing its own certificates with that name, if any. */
  provider?: string;
  /** Whether the chain verified against the trusted roots. */
  authorized: boolean;
  error?: string;
}

/** A dependency the user declared (what cannot be seen from outside). */
export interface DeclaredDependency {
  role: 'hosting' | 'platform' | 'component';
  provider?: string;
  region?: string;
  plan?: Plan;
  /**
   * Set when `plan` was told from co-hosting rather than given by the user: it is told again
   * whenever the sites on the origin's address change.
   */
  planTold?: boolean;
  /** For `component`: the name of a hidden shared component (a firewall, a switch…). */
  component?: string;
  /**
   * For `hosting`: the origin's address, when declared by address. The mapper then derives the
   * provider, AS, organisation and region from the IP-to-AS and range data, and the plan from
   * co-hosting, exactly as for a visible server.
   */
  address?: string;
  asn?: number;
  org?: string;
  source: 'declared';
}

export interface DomainMap {
  /** The name queried (lower-case ASCII, punycode for IDNs). */
  domain: string;
  /** The name as given, when it differs (IDN, case, trailing dot). */
  input?: string;
  status: MapStatus;
  /** Why the status is not ok, in words. */
  detail?: string;
  /** CNAME chain from the domain, targets in order. */
  cname: string[];
  dns: DnsFinding | null;
  cdn?: FrontFinding;
  platform?: FrontFinding;
  hosting: HostingFinding | null;
  plan: PlanFinding | null;
  mail?: MailFinding;
  http?: HttpFinding;
  tls?: TlsFinding;
  declared?: DeclaredDependency[];
  /** The lowest confidence among the findings present. */
  confidence: number;
}

/** A whole mapping run. */
export interface MapReport {
  domains: DomainMap[];
  stats: {
    domains: number;
    ok: number;
    ms: number;
    dnsQueries: number;
    httpRequests: number;
    tlsHandshakes: number;
  };
}
