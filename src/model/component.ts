/**
 * Components: anything several sites can depend on and that can fail together.
 * Types only, no I/O.
 */

/** The kinds of shared component Vigie reasons about. */
export type ComponentKind =
  | 'provider' // a whole provider (all of its roles)
  | 'region' // one datacenter/region of a provider
  | 'network' // an autonomous system (AS)
  | 'cdn' // a CDN service
  | 'dns' // an authoritative DNS service
  | 'mail' // a mail service
  | 'segment' // a shared-hosting segment (one address serving many sites)
  | 'platform' // a SaaS platform
  | 'hidden'; // a declared component invisible from outside (shared firewall, switch…)

/** The role a dependency plays for a site. */
export type Role = 'hosting' | 'dns' | 'mail' | 'cdn' | 'platform' | 'component';

/** Hosting plan, inferred from co-hosting. */
export type Plan = 'shared' | 'dedicated';

/**
 * A component. `id` is stable and structured so that it reads well in logs, e.g.
 * `provider:ovh`, `region:ovh/sbg`, `network:as16276`, `segment:127.16.0.4`, `hidden:fw-shared-1`.
 */
export interface Component {
  id: string;
  kind: ComponentKind;
  /** Vigie's provider id (catalog id, or `as<N>` when only the AS is known). */
  provider?: string;
  asn?: number;
  /** Organisation name as the IP-to-AS data spells it. */
  org?: string;
  region?: string;
  /** For `segment`: the shared address. */
  address?: string;
  label: string;
}

/** How a site's dependency on a component was learned. */
export type DependencySource = 'observed' | 'declared';

/** A site → component edge, with the role it plays and the evidence behind it. */
export interface Dependency {
  site: string;
  component: string;
  role: Role;
  source: DependencySource;
  /** 0..1 */
  confidence: number;
  evidence: string[];
}
