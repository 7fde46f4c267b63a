/**
 * PostgreSQL DDL. Differences from SQLite: times are `BIGINT` (ms since the epoch overflow `INTEGER`),
 * transitions are numbered by an identity column, reals are `DOUBLE PRECISION`, and the DDL runs in
 * one transaction.
 */
import { type Kysely, type Migration, sql } from 'kysely';

const V1 = `
  CREATE TABLE sites (
    domain TEXT PRIMARY KEY,
    mail INTEGER NOT NULL DEFAULT 0,
    weight DOUBLE PRECISION,
    tags TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE components (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    provider TEXT,
    asn BIGINT,
    org TEXT,
    region TEXT,
    address TEXT,
    label TEXT NOT NULL
  );
  CREATE TABLE dependencies (
    site TEXT NOT NULL,
    component TEXT NOT NULL,
    role TEXT NOT NULL,
    source TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (site, component, role)
  );
  CREATE INDEX dependencies_component ON dependencies (component);
  CREATE TABLE transitions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site TEXT NOT NULL,
    role TEXT NOT NULL,
    vantage TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at BIGINT NOT NULL,
    signature TEXT NOT NULL,
    observation_time BIGINT NOT NULL
  );
  CREATE INDEX transitions_site_at ON transitions (site, at);
  CREATE INDEX transitions_at ON transitions (at);
  CREATE TABLE current_states (
    site TEXT NOT NULL,
    role TEXT NOT NULL,
    vantage TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    at BIGINT NOT NULL,
    signature TEXT NOT NULL,
    observation_time BIGINT NOT NULL,
    PRIMARY KEY (site, role, vantage)
  );
  CREATE TABLE observations (
    site TEXT NOT NULL,
    vantage TEXT NOT NULL,
    time BIGINT NOT NULL,
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
  );
  CREATE INDEX observations_site_time ON observations (site, time);
  CREATE INDEX observations_time ON observations (time);
  CREATE TABLE rollup_site (
    site TEXT NOT NULL,
    minute BIGINT NOT NULL,
    n INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    degraded INTEGER NOT NULL,
    sum_ms BIGINT NOT NULL,
    max_ms INTEGER NOT NULL,
    PRIMARY KEY (site, minute)
  );
  CREATE TABLE rollup_signature (
    site TEXT NOT NULL,
    minute BIGINT NOT NULL,
    signature TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (site, minute, signature)
  );
  CREATE TABLE rollup_component (
    component TEXT NOT NULL,
    minute BIGINT NOT NULL,
    n INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    degraded INTEGER NOT NULL,
    PRIMARY KEY (component, minute)
  );
  CREATE TABLE last_probe (
    site TEXT PRIMARY KEY,
    at BIGINT NOT NULL
  );
  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    resolved_at BIGINT,
    data TEXT NOT NULL
  );
  CREATE INDEX incidents_started ON incidents (started_at);
`;

/** The alert outbox (events, deliveries per channel) and maintenance windows. */
const V2 = `
  CREATE TABLE alert_events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    fanned INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL
  );
  CREATE INDEX alert_events_fanned ON alert_events (fanned, seq);
  CREATE TABLE alert_deliveries (
    event_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error TEXT,
    merged TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (event_id, channel)
  );
  CREATE INDEX alert_deliveries_status ON alert_deliveries (status, next_at);
  CREATE INDEX alert_deliveries_thread ON alert_deliveries (channel, incident_id);
  CREATE TABLE maintenances (
    id TEXT PRIMARY KEY,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    data TEXT NOT NULL
  );
`;

/** Every migration, applied in name order by Kysely's Migrator. */
export const postgresMigrations: Record<string, Migration> = {
  '0001-initial': {
    up: (db: Kysely<unknown>) =>
      sql
        .raw(V1)
        .execute(db)
        .then(() => {}),
  },
  '0002-alerts': {
    up: (db: Kysely<unknown>) =>
      sql
        .raw(V2)
        .execute(db)
        .then(() => {}),
  },
};
