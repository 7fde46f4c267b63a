/**
 * The tables as Kysely sees them, shared by every dialect. Each dialect's `migrations.ts` creates them
 * with its own DDL; the column names and meanings are the same. Times are integer ms (`bigint` in
 * PostgreSQL, parsed back to numbers), booleans are 0/1 integers, lists and objects are JSON text.
 */
import type { Generated, Kysely } from 'kysely';

export interface SitesTable {
  domain: string;
  mail: number;
  weight: number | null;
  /** JSON array. */
  tags: string;
}

export interface ComponentsTable {
  id: string;
  kind: string;
  provider: string | null;
  asn: number | null;
  org: string | null;
  region: string | null;
  address: string | null;
  label: string;
}

export interface DependenciesTable {
  site: string;
  component: string;
  role: string;
  source: string;
  confidence: number;
  /** JSON array. */
  evidence: string;
}

export interface TransitionsTable {
  id: Generated<number>;
  site: string;
  role: string;
  /** '' for the agreed state (null in the API): a unique key cannot hold NULLs portably. */
  vantage: string;
  from_state: string;
  to_state: string;
  at: number;
  signature: string;
  observation_time: number;
}

/** The latest transition per site × role × vantage, kept up to date in the same transaction. */
export interface CurrentStatesTable {
  site: string;
  role: string;
  vantage: string;
  from_state: string;
  to_state: string;
  at: number;
  signature: string;
  observation_time: number;
}

export interface ObservationsTable {
  site: string;
  vantage: string;
  time: number;
  kind: string;
  outcome: string;
  signature: string;
  address: string | null;
  status: number | null;
  cdn: string | null;
  ms_dns: number | null;
  ms_connect: number | null;
  ms_tls: number | null;
  ms_ttfb: number | null;
  ms_total: number;
  detail: string | null;
}

export interface RollupSiteTable {
  site: string;
  minute: number;
  n: number;
  failures: number;
  degraded: number;
  sum_ms: number;
  max_ms: number;
}

/** Non-`ok` signature counts of a site's minute: healthy minutes add no row here. */
export interface RollupSignatureTable {
  site: string;
  minute: number;
  signature: string;
  n: number;
}

export interface RollupComponentTable {
  component: string;
  minute: number;
  n: number;
  failures: number;
  degraded: number;
}

export interface LastProbeTable {
  site: string;
  at: number;
}

export interface IncidentsTable {
  id: string;
  started_at: number;
  resolved_at: number | null;
  /** The whole `Incident` as JSON. */
  data: string;
}

/** The alert outbox: events committed with the incident change that causes them. */
export interface AlertEventsTable {
  seq: Generated<number>;
  id: string;
  incident_id: string;
  kind: string;
  at: number;
  created_at: number;
  /** 0/1: turned into deliveries. */
  fanned: number;
  /** JSON payload. */
  data: string;
}

/** One outbox event for one channel. */
export interface AlertDeliveriesTable {
  event_id: string;
  channel: string;
  incident_id: string;
  kind: string;
  status: string;
  attempts: number;
  next_at: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
  /** JSON array of event ids merged into this delivery. */
  merged: string;
}

export interface MaintenancesTable {
  id: string;
  starts_at: number;
  ends_at: number;
  source: string;
  created_at: number;
  /** JSON: title, sites, providers, tags. */
  data: string;
}

/** The database as Kysely types it. */
export interface Schema {
  sites: SitesTable;
  components: ComponentsTable;
  dependencies: DependenciesTable;
  transitions: TransitionsTable;
  current_states: CurrentStatesTable;
  observations: ObservationsTable;
  rollup_site: RollupSiteTable;
  rollup_signature: RollupSignatureTable;
  rollup_component: RollupComponentTable;
  last_probe: LastProbeTable;
  incidents: IncidentsTable;
  alert_events: AlertEventsTable;
  alert_deliveries: AlertDeliveriesTable;
  maintenances: MaintenancesTable;
}

/** Every table, for stats and tests. */
export const TABLES: readonly (keyof Schema)[] = [
  'sites',
  'components',
  'dependencies',
  'transitions',
  'current_states',
  'observations',
  'rollup_site',
  'rollup_signature',
  'rollup_component',
  'last_probe',
  'incidents',
  'alert_events',
  'alert_deliveries',
  'maintenances',
];

/**
 * Rows and bytes per table: the row counts are the same query on every dialect; only how table
 * sizes are read differs, so each backend passes its own `bytes` map.
 */
export async function countTables(
  db: Kysely<Schema>,
  bytes: ReadonlyMap<string, number>,
): Promise<Record<string, { rows: number; bytes: number }>> {
  const out: Record<string, { rows: number; bytes: number }> = {};
  for (const table of TABLES) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    out[table] = { rows: Number(row?.n ?? 0), bytes: Number(bytes.get(table) ?? 0) };
  }
  return out;
}
