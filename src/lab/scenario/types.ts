/**
 * A scenario after loading: validated, defaults applied, templates expanded, times resolved to
 * milliseconds since the epoch. This is what the simulator and the scorer consume; the analysis
 * never sees it.
 */

export type ProviderRole = 'hosting' | 'dns' | 'mail' | 'cdn' | 'platform';
export type Plan = 'shared' | 'dedicated';

export interface ProviderSpec {
  id: string;
  /** Organisation name as the IP-to-AS table shows it. */
  name: string;
  asn: number;
  /** Catalog entry whose fingerprints this provider shows; absent → names under `<id>.test`. */
  catalog?: string;
  roles: ProviderRole[];
  /** Regions (datacenters); each gets its own address block. Empty → one block. */
  regions: string[];
  /** For role platform: provider whose network it runs on. */
  hostedOn?: string;
  /** 1-based line of the provider entry in the scenario file (for error messages). */
  line?: number;
}

export interface SiteSpec {
  domain: string;
  hosting: { provider: string; region?: string; plan: Plan };
  /** Provider of the authoritative DNS (defaults to the hosting provider). */
  dns: string;
  mail?: string;
  cdn?: string;
  platform?: string;
  /** Named hidden components the site depends on. */
  shares: string[];
  weight: number;
  /** 1-based line of the site entry in the scenario file (for error messages). */
  line?: number;
}

export type Effect =
  | { kind: 'blackhole' }
  | { kind: 'refuse' }
  | { kind: 'reset' }
  | { kind: 'http_error'; status: number; page?: string }
  | { kind: 'slow'; latencyMs: number }
  | { kind: 'overload'; latencyMs: number; errorRate: number; queuePage: boolean }
  | { kind: 'dns_servfail' }
  | { kind: 'dns_timeout' }
  | { kind: 'tls_expired' };

export type EffectKind = Effect['kind'];

/** All given keys must match one of a site's dependencies. */
export interface Selector {
  provider?: string;
  region?: string;
  plan?: Plan;
  role?: ProviderRole;
  component?: string;
  domains?: string[];
}

export interface FaultSpec {
  id: string;
  /** ms since epoch */
  at: number;
  /** ms since epoch when recovery starts; null = lasts to the end. */
  until: number | null;
  target: Selector;
  effect: Effect;
  /** Fraction of matching sites hit, 0..1. */
  share: number;
  /** After `until`, hit sites recover one by one, evenly, over this many ms (0 = all at once). */
  recoveryMs: number;
  flap?: { periodMs: number; duty: number };
  line?: number;
}

export interface VantageFaultSpec {
  at: number;
  until: number | null;
  effect: Effect;
}

export interface VantageSpec {
  id: string;
  faults: VantageFaultSpec[];
}

export interface TruthSpec {
  fault: string;
  cause: {
    provider: string;
    region?: string;
    plan?: Plan;
    role?: ProviderRole;
    component?: string;
  };
  not: string[];
  /** 1-based line of the truth entry in the scenario file. */
  line?: number;
}

export interface Scenario {
  name: string;
  title: string;
  timezone: string;
  /** ms since epoch */
  start: number;
  end: number;
  speed: number;
  probeIntervalMs: number;
  providers: ProviderSpec[];
  sites: SiteSpec[];
  faults: FaultSpec[];
  noise: { siteFailures: number; probeLoss: number };
  reports: { baselinePerHour: number; surge: number } | null;
  vantages: VantageSpec[];
  truth: TruthSpec[];
  /** Path the scenario was loaded from. */
  file: string;
}
