/**
 * The Store: everything Vigie keeps between runs, behind one narrow interface. Two backends implement
 * it (SQLite, the embedded default, and PostgreSQL) and both pass the same conformance suite
 * (`conformance.ts`). Times are integer milliseconds since the epoch on the pipeline's clock.
 */
import type {
  Component,
  Dependency,
  Incident,
  Observation,
  Outcome,
  Signature,
  Site,
} from '../model/index.ts';
import type { OutboxStore } from './outbox-types.ts';

export type * from './outbox-types.ts';

/** What a site is watched for: its web front, its DNS, its mail, its certificate (checked apart from the web). */
export type WatchRole = 'web' | 'dns' | 'mail' | 'tls';

/** The state a site (or one vantage's view of it) is in for one role. */
export type SiteState = Outcome | 'unknown';

/**
 * A confirmed change of state. `vantage` is null for the state agreed across vantages, a vantage id
 * for one vantage's own view.
 */
export interface StateTransition {
  site: string;
  role: WatchRole;
  vantage: string | null;
  from: SiteState;
  to: SiteState;
  /** When the transition was confirmed. */
  at: number;
  /** The failure signature that drove it (`ok` on recovery). */
  signature: Signature;
  /** Time of the observation that confirmed it. */
  observationTime: number;
}

/** The latest transition of one site × role × vantage: where the detector resumes after a restart. */
export type CurrentState = StateTransition;

/** Filter for `transitions()`; `since` is inclusive, `until` exclusive. */
export interface TransitionQuery {
  site?: string;
  role?: WatchRole;
  since?: number;
  until?: number;
  /** Default 1,000. */
  limit?: number;
  /** Default `asc` (oldest first). */
  order?: 'asc' | 'desc';
}

/** One site's observations during one minute. */
export interface SiteRollup {
  site: string;
  /** Start of the minute (ms, a multiple of 60,000). */
  minute: number;
  count: number;
  /** Observations whose outcome was `down`. */
  failures: number;
  /** Observations whose outcome was `degraded`. */
  degraded: number;
  /** Sum and maximum of `timings.total`, so a mean is `sumMs / count`. */
  sumMs: number;
  maxMs: number;
  /** Counts of every signature other than `ok`. */
  signatures: Partial<Record<Signature, number>>;
  /** The most frequent signature other than `ok` (ties: alphabetical), null when all were `ok`. */
  dominant: Signature | null;
}

/**
 * One component's observations during one minute, counted through the dependencies of the sites
 * observed (a site depending on a component in several roles counts once).
 */
export interface ComponentRollup {
  component: string;
  minute: number;
  count: number;
  failures: number;
  degraded: number;
}

/** Time range of a rollup query: `from` inclusive, `to` exclusive. */
export type RollupQuery =
  | { site: string; from: number; to: number }
  | { component: string; from: number; to: number };

/** Filter for raw observations; `from` inclusive, `to` exclusive. */
export interface ObservationQuery {
  site?: string;
  from?: number;
  to?: number;
  /** Default 10,000. */
  limit?: number;
}

/** Filter for `dependencies()`; without a filter, every dependency. */
export interface DependencyQuery {
  site?: string;
  component?: string;
}

/** Filter for `incidents()`. */
export interface IncidentQuery {
  /** Only incidents not yet resolved. */
  open?: boolean;
  /** Only incidents started at or after this time. */
  since?: number;
  /** Default 1,000. */
  limit?: number;
}

/** Size of one table, its indexes included. */
export interface TableStats {
  rows: number;
  bytes: number;
}

/** What the store holds, per table, for capacity planning (bytes per site per day). */
export interface StoreStats {
  backend: 'sqlite' | 'postgres';
  tables: Record<string, TableStats>;
  totalBytes: number;
}

/** Options shared by every backend. */
export interface StoreOptions {
  /** The pipeline's clock (only `now` is used): decides what falls inside the raw window. */
  clock?: { now(): number };
  /** How long raw observations are kept; older ones are only rolled up. Default 2 days. */
  rawRetentionMs?: number;
  /** Queued observations are written at least this often. Default 1,000 ms. */
  flushIntervalMs?: number;
  /** …or as soon as this many are queued. Default 5,000. */
  flushRows?: number;
  /** `addObservations` waits for the writer once this many are queued. Default 50,000. */
  maxQueuedRows?: number;
  /** A background flush failed: its rows are dropped and the error is also thrown by `flush()`. */
  onError?: (error: unknown) => void;
}

/** The store every stage talks to (the alert outbox and maintenance windows: `outbox-types.ts`). */
export interface Store extends OutboxStore {
  readonly backend: 'sqlite' | 'postgres';

  /** Bring the schema up to date (idempotent; `openStore` calls it). */
  migrate(): Promise<void>;
  /** Flush queued writes, then release the connection(s). */
  close(): Promise<void>;

  /** Insert or replace sites by domain. */
  upsertSites(sites: readonly Site[]): Promise<void>;
  /** Forget sites and their dependencies (their history stays). */
  removeSites(domains: readonly string[]): Promise<void>;
  listSites(): Promise<Site[]>;
  getSite(domain: string): Promise<Site | null>;

  /** Insert or replace components by id. */
  upsertComponents(components: readonly Component[]): Promise<void>;
  /** Every component, or those with the given ids. */
  listComponents(ids?: readonly string[]): Promise<Component[]>;

  /**
   * Replace everything known about the dependencies of `sites` with `dependencies`, in one
   * transaction. Every dependency must belong to one of `sites`.
   */
  replaceDependencies(sites: readonly string[], dependencies: readonly Dependency[]): Promise<void>;
  dependencies(query?: DependencyQuery): Promise<Dependency[]>;

  /**
   * Record confirmed transitions. Written at once, not queued: when the promise resolves the
   * transaction is committed and survives the process being killed (`kill -9`).
   */
  recordTransitions(transitions: readonly StateTransition[]): Promise<void>;
  /** The latest transition per site × role × vantage (vantage null: the agreed state). */
  currentStates(): Promise<CurrentState[]>;
  transitions(query?: TransitionQuery): Promise<StateTransition[]>;

  /**
   * Queue observations: they update the per-minute rollups (per site and per component) and, when
   * inside the raw window, are kept as they are. Written in batches, one transaction per batch.
   */
  addObservations(observations: readonly Observation[]): Promise<void>;
  /** Write everything queued so far; resolves once committed. */
  flush(): Promise<void>;
  /** Time of the latest observation written, per site: where the scheduler resumes. */
  lastProbeTimes(): Promise<Map<string, number>>;
  rollups(query: { site: string; from: number; to: number }): Promise<SiteRollup[]>;
  rollups(query: { component: string; from: number; to: number }): Promise<ComponentRollup[]>;
  /** Raw observations still in the window, oldest first. */
  observations(query?: ObservationQuery): Promise<Observation[]>;
  /** Delete raw observations older than `olderThan` (default: now − retention); returns how many. */
  pruneObservations(olderThan?: number): Promise<number>;

  /** Insert or replace incidents by id. */
  upsertIncidents(incidents: readonly Incident[]): Promise<void>;
  /** Incidents, most recently started first. */
  incidents(query?: IncidentQuery): Promise<Incident[]>;

  /** Rows and bytes per table. Flushes first. */
  stats(): Promise<StoreStats>;
}
