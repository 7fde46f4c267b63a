/** Conversions between model records and table rows; shared by every dialect. */
import type { Selectable } from 'kysely';
import type {
  Component,
  ComponentKind,
  Dependency,
  DependencySource,
  Observation,
  Outcome,
  ProbeKind,
  Role,
  Signature,
  Site,
} from '../model/index.ts';
import type {
  ComponentsTable,
  CurrentStatesTable,
  DependenciesTable,
  ObservationsTable,
  SitesTable,
  TransitionsTable,
} from './schema.ts';
import type { SiteState, StateTransition, WatchRole } from './types.ts';

export function siteToRow(site: Site): SitesTable {
  return {
    domain: site.domain,
    mail: site.mail ? 1 : 0,
    weight: site.weight ?? null,
    tags: JSON.stringify(site.tags ?? []),
  };
}

export function siteFromRow(row: SitesTable): Site {
  const site: Site = { domain: row.domain };
  if (row.mail) site.mail = true;
  if (row.weight !== null) site.weight = row.weight;
  const tags = JSON.parse(row.tags) as string[];
  if (tags.length > 0) site.tags = tags;
  return site;
}

export function componentToRow(c: Component): ComponentsTable {
  return {
    id: c.id,
    kind: c.kind,
    provider: c.provider ?? null,
    asn: c.asn ?? null,
    org: c.org ?? null,
    region: c.region ?? null,
    address: c.address ?? null,
    label: c.label,
  };
}

export function componentFromRow(row: ComponentsTable): Component {
  const c: Component = { id: row.id, kind: row.kind as ComponentKind, label: row.label };
  if (row.provider !== null) c.provider = row.provider;
  if (row.asn !== null) c.asn = row.asn;
  if (row.org !== null) c.org = row.org;
  if (row.region !== null) c.region = row.region;
  if (row.address !== null) c.address = row.address;
  return c;
}

export function dependencyToRow(d: Dependency): DependenciesTable {
  return {
    site: d.site,
    component: d.component,
    role: d.role,
    source: d.source,
    confidence: d.confidence,
    evidence: JSON.stringify(d.evidence),
  };
}

export function dependencyFromRow(row: DependenciesTable): Dependency {
  return {
    site: row.site,
    component: row.component,
    role: row.role as Role,
    source: row.source as DependencySource,
    confidence: row.confidence,
    evidence: JSON.parse(row.evidence) as string[],
  };
}

export function transitionToRow(t: StateTransition): Omit<TransitionsTable, 'id'> {
  return {
    site: t.site,
    role: t.role,
    vantage: t.vantage ?? '',
    from_state: t.from,
    to_state: t.to,
    at: t.at,
    signature: t.signature,
    observation_time: t.observationTime,
  };
}

export function transitionFromRow(row: Selectable<TransitionsTable> | CurrentStatesTable): StateTransition {
  return {
    site: row.site,
    role: row.role as WatchRole,
    vantage: row.vantage === '' ? null : row.vantage,
    from: row.from_state as SiteState,
    to: row.to_state as SiteState,
    at: row.at,
    signature: row.signature as Signature,
    observationTime: row.observation_time,
  };
}

export function observationFromRow(row: ObservationsTable): Observation {
  const o: Observation = {
    site: row.site,
    vantage: row.vantage,
    time: row.time,
    kind: row.kind as ProbeKind,
    outcome: row.outcome as Outcome,
    signature: row.signature as Signature,
    timings: { total: row.ms_total },
  };
  if (row.address !== null) o.address = row.address;
  if (row.status !== null) o.status = row.status;
  if (row.cdn !== null) o.cdn = row.cdn;
  if (row.ms_dns !== null) o.timings.dns = row.ms_dns;
  if (row.ms_connect !== null) o.timings.connect = row.ms_connect;
  if (row.ms_tls !== null) o.timings.tls = row.ms_tls;
  if (row.ms_ttfb !== null) o.timings.ttfb = row.ms_ttfb;
  if (row.detail !== null) o.detail = row.detail;
  return o;
}

/** Split `rows` so that no statement binds more than `maxParams` parameters. */
export function chunks<T extends object>(rows: readonly T[], maxParams: number): T[][] {
  if (rows.length === 0) return [];
  const perRow = Object.keys(rows[0]).length;
  const size = Math.max(1, Math.floor(maxParams / perRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
