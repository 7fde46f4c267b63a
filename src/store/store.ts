/**
 * The Store over any Kysely backend. All queries here are portable; what differs between SQLite and
 * PostgreSQL (DDL, connection set-up, sizes) lives in the backend.
 */
import { VigieError } from '../errors.ts';
import type { Component, Dependency, Incident, Observation, Site } from '../model/index.ts';
import { aggregate } from './aggregate.ts';
import type { Backend } from './backend.ts';
import { outboxStore } from './outbox.ts';
import type { OutboxStore } from './outbox-types.ts';
import { WriteQueue } from './queue.ts';
import { readRollups } from './rollups.ts';
import {
  chunks,
  componentFromRow,
  componentToRow,
  dependencyFromRow,
  dependencyToRow,
  observationFromRow,
  siteFromRow,
  siteToRow,
  transitionFromRow,
  transitionToRow,
} from './rows.ts';
import type {
  ComponentRollup,
  CurrentState,
  DependencyQuery,
  IncidentQuery,
  ObservationQuery,
  RollupQuery,
  SiteRollup,
  StateTransition,
  Store,
  StoreOptions,
  StoreStats,
  TransitionQuery,
} from './types.ts';
import { writeFlush } from './write.ts';

const DAY_MS = 86_400_000;
/** Dependencies changed by another process are picked up after this long (real time). */
const DEPENDENCY_CACHE_MS = 60_000;

/** A `Store` over a `Backend`; built by `openStore`. */
export class KyselyStore implements Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly #b: Backend;
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #queue: WriteQueue<Observation>;
  /** site → distinct components it depends on, for component rollups. */
  #componentsOf: Map<string, string[]> | null = null;
  #componentsLoadedAt = 0;
  #closed = false;
  readonly #outbox: OutboxStore;

  constructor(backend: Backend, options: StoreOptions = {}) {
    this.#b = backend;
    this.backend = backend.name;
    const clock = options.clock;
    this.#now = clock ? () => clock.now() : Date.now;
    this.#retentionMs = options.rawRetentionMs ?? 2 * DAY_MS;
    this.#outbox = outboxStore(backend.db, this.#now);
    this.#queue = new WriteQueue((items) => this.#writeObservations(items), {
      intervalMs: options.flushIntervalMs ?? 1_000,
      flushRows: options.flushRows ?? 5_000,
      maxQueued: options.maxQueuedRows ?? 50_000,
      onError: options.onError,
    });
  }

  migrate(): Promise<void> {
    return this.#b.migrate();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#queue.flush();
    } finally {
      this.#closed = true;
      await this.#b.close();
    }
  }

  // ── sites, components, dependencies ──────────────────────────────────────────────────────────

  async upsertSites(sites: readonly Site[]): Promise<void> {
    await this.#b.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(sites.map(siteToRow), this.#b.maxParams)) {
        await trx
          .insertInto('sites')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('domain').doUpdateSet((eb) => ({
              mail: eb.ref('excluded.mail'),
              weight: eb.ref('excluded.weight'),
              tags: eb.ref('excluded.tags'),
            })),
          )
          .execute();
      }
    });
  }

  async removeSites(domains: readonly string[]): Promise<void> {
    await this.#b.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(
        domains.map((d) => ({ d })),
        this.#b.maxParams,
      )) {
        const list = chunk.map((x) => x.d);
        await trx.deleteFrom('sites').where('domain', 'in', list).execute();
        await trx.deleteFrom('dependencies').where('site', 'in', list).execute();
        await trx.deleteFrom('last_probe').where('site', 'in', list).execute();
      }
    });
    this.#componentsOf = null;
  }

  async listSites(): Promise<Site[]> {
    const rows = await this.#b.db.selectFrom('sites').selectAll().orderBy('domain').execute();
    return rows.map(siteFromRow);
  }

  async getSite(domain: string): Promise<Site | null> {
    const row = await this.#b.db
      .selectFrom('sites')
      .selectAll()
      .where('domain', '=', domain)
      .executeTakeFirst();
    return row ? siteFromRow(row) : null;
  }

  async upsertComponents(components: readonly Component[]): Promise<void> {
    await this.#b.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(components.map(componentToRow), this.#b.maxParams)) {
        await trx
          .insertInto('components')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              kind: eb.ref('excluded.kind'),
              provider: eb.ref('excluded.provider'),
              asn: eb.ref('excluded.asn'),
              org: eb.ref('excluded.org'),
              region: eb.ref('excluded.region'),
              address: eb.ref('excluded.address'),
              label: eb.ref('excluded.label'),
            })),
          )
          .execute();
      }
    });
  }

  async listComponents(ids?: readonly string[]): Promise<Component[]> {
    let q = this.#b.db.selectFrom('components').selectAll().orderBy('id');
    if (ids !== undefined) {
      if (ids.length === 0) return [];
      q = q.where('id', 'in', ids);
    }
    return (await q.execute()).map(componentFromRow);
  }

  async replaceDependencies(sites: readonly string[], dependencies: readonly Dependency[]): Promise<void> {
    const allowed = new Set(sites);
    const stray = dependencies.find((d) => !allowed.has(d.site));
    if (stray) {
      throw new VigieError(
        'VIGIE_STORE_DEPENDENCY_SITE',
        `dependency ${stray.site} → ${stray.component} belongs to a site not being replaced`,
      );
    }
    await this.#b.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(
        sites.map((s) => ({ s })),
        this.#b.maxParams,
      )) {
        await trx
          .deleteFrom('dependencies')
          .where(
            'site',
            'in',
            chunk.map((x) => x.s),
          )
          .execute();
      }
      for (const chunk of chunks(dependencies.map(dependencyToRow), this.#b.maxParams)) {
        await trx.insertInto('dependencies').values(chunk).execute();
      }
    });
    this.#componentsOf = null;
  }

  async dependencies(query: DependencyQuery = {}): Promise<Dependency[]> {
    let q = this.#b.db
      .selectFrom('dependencies')
      .selectAll()
      .orderBy('site')
      .orderBy('component')
      .orderBy('role');
    if (query.site !== undefined) q = q.where('site', '=', query.site);
    if (query.component !== undefined) q = q.where('component', '=', query.component);
    return (await q.execute()).map(dependencyFromRow);
  }

  // ── state transitions ─────────────────────────────────────────────────────────────────────────

  async recordTransitions(transitions: readonly StateTransition[]): Promise<void> {
    if (transitions.length === 0) return;
    const rows = transitions.map(transitionToRow);
    // One row per key for the upsert (PostgreSQL refuses to update a row twice in one statement).
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const key = `${r.site}\n${r.role}\n${r.vantage}`;
      const seen = latest.get(key);
      if (!seen || r.at >= seen.at) latest.set(key, r);
    }
    await this.#b.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(rows, this.#b.maxParams)) {
        await trx.insertInto('transitions').values(chunk).execute();
      }
      for (const chunk of chunks([...latest.values()], this.#b.maxParams)) {
        await trx
          .insertInto('current_states')
          .values(chunk)
          .onConflict((oc) =>
            oc
              .columns(['site', 'role', 'vantage'])
              .doUpdateSet((eb) => ({
                from_state: eb.ref('excluded.from_state'),
                to_state: eb.ref('excluded.to_state'),
                at: eb.ref('excluded.at'),
                signature: eb.ref('excluded.signature'),
                observation_time: eb.ref('excluded.observation_time'),
              }))
              .where((eb) => eb('excluded.at', '>=', eb.ref('current_states.at'))),
          )
          .execute();
      }
    });
  }

  async currentStates(): Promise<CurrentState[]> {
    const rows = await this.#b.db
      .selectFrom('current_states')
      .selectAll()
      .orderBy('site')
      .orderBy('role')
      .orderBy('vantage')
      .execute();
    return rows.map(transitionFromRow);
  }

  async transitions(query: TransitionQuery = {}): Promise<StateTransition[]> {
    const order = query.order ?? 'asc';
    let q = this.#b.db
      .selectFrom('transitions')
      .selectAll()
      .orderBy('at', order)
      .orderBy('id', order)
      .limit(query.limit ?? 1_000);
    if (query.site !== undefined) q = q.where('site', '=', query.site);
    if (query.role !== undefined) q = q.where('role', '=', query.role);
    if (query.since !== undefined) q = q.where('at', '>=', query.since);
    if (query.until !== undefined) q = q.where('at', '<', query.until);
    return (await q.execute()).map(transitionFromRow);
  }

  // ── observations and rollups ──────────────────────────────────────────────────────────────────

  addObservations(observations: readonly Observation[]): Promise<void> {
    if (this.#closed) return Promise.reject(new VigieError('VIGIE_STORE_CLOSED', 'the store is closed'));
    return this.#queue.push(observations);
  }

  flush(): Promise<void> {
    return this.#queue.flush();
  }

  async #writeObservations(observations: Observation[]): Promise<void> {
    const componentsOf = await this.#componentIndex();
    const rows = aggregate(
      observations,
      (site) => componentsOf.get(site) ?? [],
      this.#now() - this.#retentionMs,
    );
    await this.#b.db.transaction().execute((trx) => writeFlush(trx, rows, this.#b.maxParams));
  }

  async #componentIndex(): Promise<Map<string, string[]>> {
    if (this.#componentsOf && Date.now() - this.#componentsLoadedAt < DEPENDENCY_CACHE_MS) {
      return this.#componentsOf;
    }
    const rows = await this.#b.db.selectFrom('dependencies').select(['site', 'component']).execute();
    const index = new Map<string, string[]>();
    for (const { site, component } of rows) {
      const list = index.get(site);
      if (!list) index.set(site, [component]);
      else if (!list.includes(component)) list.push(component);
    }
    this.#componentsOf = index;
    this.#componentsLoadedAt = Date.now();
    return index;
  }

  async lastProbeTimes(): Promise<Map<string, number>> {
    const rows = await this.#b.db.selectFrom('last_probe').selectAll().execute();
    return new Map(rows.map((r) => [r.site, r.at]));
  }

  rollups(query: { site: string; from: number; to: number }): Promise<SiteRollup[]>;
  rollups(query: { component: string; from: number; to: number }): Promise<ComponentRollup[]>;
  async rollups(query: RollupQuery): Promise<SiteRollup[] | ComponentRollup[]> {
    return readRollups(this.#b.db, query);
  }

  async observations(query: ObservationQuery = {}): Promise<Observation[]> {
    let q = this.#b.db
      .selectFrom('observations')
      .selectAll()
      .orderBy('time')
      .limit(query.limit ?? 10_000);
    if (query.site !== undefined) q = q.where('site', '=', query.site);
    if (query.from !== undefined) q = q.where('time', '>=', query.from);
    if (query.to !== undefined) q = q.where('time', '<', query.to);
    return (await q.execute()).map(observationFromRow);
  }

  async pruneObservations(olderThan?: number): Promise<number> {
    const limit = olderThan ?? this.#now() - this.#retentionMs;
    const result = await this.#b.db.deleteFrom('observations').where('time', '<', limit).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // ── incidents ─────────────────────────────────────────────────────────────────────────────────

  async upsertIncidents(incidents: readonly Incident[]): Promise<void> {
    const rows = incidents.map((i) => ({
      id: i.id,
      started_at: i.startedAt,
      resolved_at: i.resolvedAt,
      data: JSON.stringify(i),
    }));
    await this.#b.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(rows, this.#b.maxParams)) {
        await trx
          .insertInto('incidents')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              started_at: eb.ref('excluded.started_at'),
              resolved_at: eb.ref('excluded.resolved_at'),
              data: eb.ref('excluded.data'),
            })),
          )
          .execute();
      }
    });
  }

  async incidents(query: IncidentQuery = {}): Promise<Incident[]> {
    let q = this.#b.db
      .selectFrom('incidents')
      .select('data')
      .orderBy('started_at', 'desc')
      .orderBy('id')
      .limit(query.limit ?? 1_000);
    if (query.open) q = q.where('resolved_at', 'is', null);
    if (query.since !== undefined) q = q.where('started_at', '>=', query.since);
    return (await q.execute()).map((r) => JSON.parse(r.data) as Incident);
  }

  // ── alert outbox and maintenance windows (outbox.ts) ─────────────────────────────────────────

  commitIncident: OutboxStore['commitIncident'] = (i, derive) => this.#outbox.commitIncident(i, derive);
  outboxEvents: OutboxStore['outboxEvents'] = (q) => this.#outbox.outboxEvents(q);
  fanOutEvent: OutboxStore['fanOutEvent'] = (id, d, s) => this.#outbox.fanOutEvent(id, d, s);
  alertDeliveries: OutboxStore['alertDeliveries'] = (q) => this.#outbox.alertDeliveries(q);
  updateDelivery: OutboxStore['updateDelivery'] = (k, p) => this.#outbox.updateDelivery(k, p);
  pruneOutbox: OutboxStore['pruneOutbox'] = (t) => this.#outbox.pruneOutbox(t);
  saveMaintenance: OutboxStore['saveMaintenance'] = (m) => this.#outbox.saveMaintenance(m);
  replaceMaintenances: OutboxStore['replaceMaintenances'] = (s, w) => this.#outbox.replaceMaintenances(s, w);
  deleteMaintenance: OutboxStore['deleteMaintenance'] = (id) => this.#outbox.deleteMaintenance(id);
  maintenances: OutboxStore['maintenances'] = (q) => this.#outbox.maintenances(q);

  async stats(): Promise<StoreStats> {
    await this.flush();
    const tables = await this.#b.tableStats();
    const totalBytes = Object.values(tables).reduce((sum, t) => sum + t.bytes, 0);
    return { backend: this.backend, tables, totalBytes };
  }
}
