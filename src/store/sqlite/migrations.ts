/**
 * SQLite DDL. Differences from PostgreSQL: `INTEGER PRIMARY KEY` (the rowid) numbers transitions, and
 * keyed tables are `WITHOUT ROWID` so the primary key is the table (no second copy of the key in an
 * index: rollups are the bulk of the data kept long-term).
 */
import { type Kysely, type Migration, sql } from 'kysely';

const V1 = [
  `CREATE TABLE sites (
    domain TEXT PRIMARY KEY,
    mail INTEGER NOT NULL DEFAULT 0,
    weight REAL,
    tags TEXT NOT NULL DEFAULT '[]'
  ) WITHOUT ROWID`,
  `CREATE TABLE components (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    provider TEXT,
    asn INTEGER,
    org TEXT,
    region TEXT,
    address TEXT,
    label TEXT NOT NULL
  ) WITHOUT ROWID`,
  `CREATE TABLE dependencies (
    site TEXT NOT NULL,
    component TEXT NOT NULL,
    role TEXT NOT NULL,
    source TEXT NOT NULL,
    confidence REAL NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (site, component, role)
  ) WITHOUT ROWID`,
  'CREATE INDEX dependencies_component ON dependencies (component)',
  `CREATE TABLE transitions (
    id INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    role TEXT NOT NULL,
    vantage TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at INTEGER NOT NULL,
    signature TEXT NOT NULL,
    observation_time INTEGER NOT NULL
  )`,
  'CREATE INDEX transitions_site_at ON transitions (site, at)',
  'CREATE INDEX transitions_at ON transitions (at)',
  `CREATE TABLE current_states (
    site TEXT NOT NULL,
    role TEXT NOT NULL,
    vantage TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at INTEGER NOT NULL,
    signature TEXT NOT NULL,
    observation_time INTEGER NOT NULL,
    PRIMARY KEY (site, role, vantage)
  ) WITHOUT ROWID`,
  `CREATE TABLE observations (
    site TEXT NOT NULL,
    vantage TEXT NOT NULL,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    signature TEXT NOT NULL,
    address TEXT,
    status INTEGER,
    cdn TEXT,
    ms_dns INTEGER,
    ms_connect INTEGER,
    ms_tls INTEGER,
    ms_ttfb INTEGER,
    ms_total INTEGER NOT NULL,
    detail TEXT
  )`,
  'CREATE INDEX observations_site_time ON observations (site, time)',
  'CREATE INDEX observations_time ON observations (time)',
  `CREATE TABLE rollup_site (
    site TEXT NOT NULL,
    minute INTEGER NOT NULL,
    n INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    degraded INTEGER NOT NULL,
    sum_ms INTEGER NOT NULL,
    max_ms INTEGER NOT NULL,
    PRIMARY KEY (site, minute)
  ) WITHOUT ROWID`,
  `CREATE TABLE rollup_signature (
    site TEXT NOT NULL,
    minute INTEGER NOT NULL,
    signature TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (site, minute, signature)
  ) WITHOUT ROWID`,
  `CREATE TABLE rollup_component (
    component TEXT NOT NULL,
    minute INTEGER NOT NULL,
    n INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    degraded INTEGER NOT NULL,
    PRIMARY KEY (component, minute)
  ) WITHOUT ROWID`,
  `CREATE TABLE last_probe (
    site TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  ) WITHOUT ROWID`,
  `CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    resolved_at INTEGER,
    data TEXT NOT NULL
  ) WITHOUT ROWID`,
  'CREATE INDEX incidents_started ON incidents (started_at)',
];

/** The alert outbox (events, deliveries per channel) and maintenance windows. */
const V2 = [
  `CREATE TABLE alert_events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    fanned INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
  )`,
  'CREATE INDEX alert_events_fanned ON alert_events (fanned, seq)',
  `CREATE TABLE alert_deliveries (
    event_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    last_error TEXT,
    merged TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (event_id, channel)
  ) WITHOUT ROWID`,
  'CREATE INDEX alert_deliveries_status ON alert_deliveries (status, next_at)',
  'CREATE INDEX alert_deliveries_thread ON alert_deliveries (channel, incident_id)',
  `CREATE TABLE maintenances (
    id TEXT PRIMARY KEY,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL
  ) WITHOUT ROWID`,
];

/** Every migration, applied in name order by Kysely's Migrator. */
export const sqliteMigrations: Record<string, Migration> = {
  '0001-initial': { up: (db) => run(db, V1) },
  '0002-alerts': { up: (db) => run(db, V2) },
};

async function run(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  // better-sqlite3 prepares one statement at a time.
  for (const s of statements) await sql.raw(s).execute(db);
}
