/**
 * What the explain stage takes in and hands out. The pipeline feeds the mapped dependencies once
 * (they change slowly) and every evaluation round the services the detect stage says are failing;
 * it gets back causes at the right granularity, with evidence, and incidents over time.
 */
import type { ServiceRole } from '../detect/types.ts';
import type { Plan, Role } from '../model/component.ts';
import type { Cause, IncidentKind } from '../model/incident.ts';
import type { Signature } from '../model/observation.ts';

/** What a CDN's error page means (the catalog's `ErrorPageMeaning`, copied: explain does not read the catalog). */
export type PageMeaning = 'origin_unreachable' | 'edge_error' | 'queue';

/** One failing service of one site, as the detect stage confirmed it. */
export interface FailingService {
  site: string;
  role: ServiceRole;
  state: 'degraded' | 'down';
  signature: Signature;
  /** Clock time the failure began (the transition's `since`). */
  since: number;
  /** HTTP status when one was received (503 tells overload from a plain server error). */
  status?: number;
  /** For `cdn_error`: what the recognised error page means. Absent: treated as the CDN's own error. */
  meaning?: PageMeaning;
  /**
   * The latest failing probe resolved the name itself (not from the prober's cache) and got
   * addresses: the site's DNS answered while the service failed.
   */
  resolved?: boolean;
}

/**
 * The kinds of risk group inference chooses from. `provider` is the whole provider (every role),
 * `role` one service of it (provider + hosting / dns / mail / cdn / platform), `plan` one hosting plan
 * of a provider, `segment` one shared address, `network` an AS, `hidden` a declared component.
 */
export type GroupKind = 'provider' | 'role' | 'region' | 'plan' | 'segment' | 'network' | 'hidden';

/** A candidate cause: a set of (site, dependency role) slots that fail together when it fails. */
export interface RiskGroup {
  /** Stable key: `provider:ovh`, `role:ovh/dns`, `region:ovh/sbg`, `plan:fluxus/shared`, `segment:<addr>`, `network:as16276`, `hidden:<name>`. */
  key: string;
  kind: GroupKind;
  provider: string | null;
  asn: number | null;
  /** Organisation name, as the IP-to-AS data spells it (else the provider id). */
  name: string | null;
  region: string | null;
  plan: Plan | null;
  role: Exclude<Role, 'component'> | null;
  /** Declared component name, or `segment:<addr>` / `network:as<N>` for groups narrower than a role. */
  component: string | null;
  label: string;
}

/** Per-site hosting metadata the map knows beyond the dependency records (declared plans). */
export interface SiteMeta {
  plan?: Plan | null;
}

/** Which services are probed. A dns/mail slot predicts its own service's failure only when probed. */
export interface Monitored {
  dns: boolean;
  mail: boolean;
}

/** A cause inference settled on, with the failures it explains. */
export interface InferredCause {
  /** Index of the group in the risk model. */
  group: number;
  key: string;
  cause: Cause;
  kind: IncidentKind;
  /** Dominant signature among the failures it explains. */
  signature: Signature;
  /** Failing units it explains (indices into the round's failures). */
  failures: number[];
  /** Distinct sites among them. */
  sites: string[];
  /** Its predicted services failing / predicted services (hit ratio = failing / total). */
  failing: number;
  total: number;
  /** Log-likelihood gain over "noise only", net of the prior cost. */
  gain: number;
  confidence: number;
}

/** A failing site no shared component explains. */
export interface LoneFailure {
  site: string;
  failures: number[];
  kind: IncidentKind;
  signature: Signature;
}

/** The result of one inference round. */
export interface Inference {
  method: string;
  causes: InferredCause[];
  lone: LoneFailure[];
  /** The round's failures, as given (causes and lone failures index into it). */
  input: readonly FailingService[];
}
