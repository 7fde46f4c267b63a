/**
 * The raw v1 format as written (snake_case, unexpanded, clock strings), exactly what `schema.json`
 * admits. Only trusted after schema validation.
 */
import type { Plan, ProviderRole } from './types.ts';

/** A raw effect: `kind` plus the parameters of that kind. */
export interface RawEffect {
  kind: string;
  status?: number;
  page?: string;
  latency_ms?: number;
  error_rate?: number;
  queue_page?: boolean;
}

/** A raw target selector. */
export interface RawSelector {
  provider?: string;
  region?: string;
  plan?: Plan;
  role?: ProviderRole;
  component?: string;
  domains?: string[];
}

/** A raw provider entry. */
export interface RawProvider {
  id: string;
  name?: string;
  asn: number;
  catalog?: string;
  roles: ProviderRole[];
  regions?: string[];
  hosted_on?: string;
}

/** A raw site entry (a template when `count` > 1). */
export interface RawSite {
  domain: string;
  count?: number;
  hosting: string | { provider: string; region?: string; plan?: Plan };
  dns?: string;
  mail?: string;
  cdn?: string;
  platform?: string;
  shares?: string[];
  weight?: number;
}

/** A raw fault entry. */
export interface RawFault {
  id: string;
  at: string;
  until?: string;
  target: RawSelector;
  effect: RawEffect;
  share?: number;
  recovery?: { over: string | number };
  flap?: { period: string | number; duty?: number };
}

/** A raw vantage entry. */
export interface RawVantage {
  id: string;
  faults?: { at: string; until?: string; effect: RawEffect }[];
}

/** A raw truth entry. */
export interface RawTruth {
  fault: string;
  cause: { provider: string; region?: string; plan?: Plan; role?: ProviderRole; component?: string };
  not?: string[];
}

/** A raw scenario document. */
export interface RawScenario {
  version?: 1;
  name: string;
  title?: string;
  description?: string;
  timezone?: string;
  start: string;
  end: string;
  speed?: number;
  probe_interval?: string | number;
  providers: RawProvider[];
  sites: RawSite[];
  faults?: RawFault[];
  noise?: { site_failures?: number; probe_loss?: number };
  reports?: { baseline_per_hour?: number; surge?: number };
  vantages?: RawVantage[];
  truth?: RawTruth[];
}
