/** Incidents: one cause, its affected sites, its timeline. Types only. */
import type { Plan, Role } from './component.ts';

/** `reported`: crowd reports alone (probes see the site up, or cannot probe it): low confidence. */
export type IncidentKind = 'network' | 'http' | 'dns' | 'tls' | 'overload' | 'mail' | 'reported';

export interface Cause {
  provider: string | null;
  asn: number | null;
  name: string | null;
  region: string | null;
  plan: Plan | null;
  role: Exclude<Role, 'component'> | null;
  /** A declared hidden component, or `site:<domain>` for a lone site. */
  component: string | null;
}

export interface Exoneration {
  provider: string;
  evidence: string;
}

export interface TimelinePoint {
  /** ms since epoch */
  time: number;
  failing: number;
  /** 0..1: share of the peak's failing sites restored */
  restored: number;
}

export interface Incident {
  id: string;
  /**
   * The cause as the tracker follows it (`provider:ovh`, `region:ovh/sbg`, `cluster:network/connect_timeout`,
   * `site:a.test`…): what lets a restarted pipeline resume the incident.
   */
  key?: string;
  cause: Cause;
  kind: IncidentKind;
  signature: string;
  confidence: number;
  startedAt: number;
  detectedAt: number;
  peakAt: number | null;
  resolvedAt: number | null;
  affected: string[];
  exonerated: Exoneration[];
  evidence: string[];
  timeline: TimelinePoint[];
  /** Crowd reports about the affected sites, per minute, when the runner attaches them. */
  reports?: IncidentReports;
}

/** Crowd reports per minute over [from, from + counts.length × stepMs) (the shape `src/reports` counts). */
export interface IncidentReports {
  from: number;
  stepMs: number;
  counts: number[];
  total: number;
  /** Start of the busiest minute; null when there is no report. */
  peakAt: number | null;
  peak: number;
  /** Totals per problem (site, login, email, app, other). */
  problems: Record<string, number>;
}
