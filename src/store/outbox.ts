/**
 * The alert outbox and maintenance windows over the shared Kysely schema: portable queries only
 * (the DDL is per dialect, in `sqlite/migrations.ts` and `postgres/migrations.ts`).
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Incident } from '../model/index.ts';
import type {
  AlertDelivery,
  DeliveryQuery,
  MaintenanceQuery,
  MaintenanceWindow,
  OutboxEvent,
  OutboxEventInput,
  OutboxStore,
} from './outbox-types.ts';
import type { AlertDeliveriesTable, AlertEventsTable, MaintenancesTable, Schema } from './schema.ts';

function eventFromRow(r: Selectable<AlertEventsTable>): OutboxEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    incidentId: r.incident_id,
    kind: r.kind,
    at: r.at,
    data: JSON.parse(r.data),
    fanned: r.fanned === 1,
  };
}

function deliveryToRow(d: AlertDelivery): AlertDeliveriesTable {
  return {
    event_id: d.eventId,
    channel: d.channel,
    incident_id: d.incidentId,
    kind: d.kind,
    status: d.status,
    attempts: d.attempts,
    next_at: d.nextAt,
    created_at: d.createdAt,
    delivered_at: d.deliveredAt,
    last_error: d.lastError,
    merged: JSON.stringify(d.merged),
  };
}

function deliveryFromRow(r: AlertDeliveriesTable): AlertDelivery {
  return {
    eventId: r.event_id,
    channel: r.channel,
    incidentId: r.incident_id,
    kind: r.kind,
    status: r.status as AlertDelivery['status'],
    attempts: r.attempts,
    nextAt: r.next_at,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
    lastError: r.last_error,
    merged: JSON.parse(r.merged) as string[],
  };
}

function maintenanceFromRow(r: MaintenancesTable): MaintenanceWindow {
  const data = JSON.parse(r.data) as Pick<MaintenanceWindow, 'title' | 'sites' | 'providers' | 'tags'>;
  return {
    id: r.id,
    title: data.title,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    sites: data.sites,
    providers: data.providers,
    tags: data.tags,
    source: r.source as MaintenanceWindow['source'],
    createdAt: r.created_at,
  };
}

function maintenanceToRow(m: MaintenanceWindow): MaintenancesTable {
  return {
    id: m.id,
    starts_at: m.startsAt,
    ends_at: m.endsAt,
    source: m.source,
    created_at: m.createdAt,
    data: JSON.stringify({ title: m.title, sites: m.sites, providers: m.providers, tags: m.tags }),
  };
}

async function upsertIncident(trx: Transaction<Schema>, i: Incident): Promise<void> {
  await trx
    .insertInto('incidents')
    .values({ id: i.id, started_at: i.startedAt, resolved_at: i.resolvedAt, data: JSON.stringify(i) })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        started_at: eb.ref('excluded.started_at'),
        resolved_at: eb.ref('excluded.resolved_at'),
        data: eb.ref('excluded.data'),
      })),
    )
    .execute();
}

/** The {@link OutboxStore} methods over `db`; `now` stamps new rows. */
export function outboxStore(db: Kysely<Schema>, now: () => number): OutboxStore {
  return {
    async commitIncident(incident, derive) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('incidents')
          .select('data')
          .where('id', '=', incident.id)
          .executeTakeFirst();
        const previous = row ? (JSON.parse(row.data) as Incident) : null;
        const events: readonly OutboxEventInput[] = derive(previous);
        await upsertIncident(trx, incident);
        const appended: OutboxEvent[] = [];
        for (const e of events) {
          const inserted = await trx
            .insertInto('alert_events')
            .values({
              id: e.id,
              incident_id: e.incidentId,
              kind: e.kind,
              at: e.at,
              created_at: now(),
              fanned: 0,
              data: JSON.stringify(e.data),
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .returningAll()
            .executeTakeFirst();
          if (inserted) appended.push(eventFromRow(inserted));
        }
        return appended;
      });
    },

    async outboxEvents(query = {}) {
      let q = db
        .selectFrom('alert_events')
        .selectAll()
        .orderBy('seq')
        .limit(query.limit ?? 1_000);
      if (query.fanned !== undefined) q = q.where('fanned', '=', query.fanned ? 1 : 0);
      if (query.incidentId !== undefined) q = q.where('incident_id', '=', query.incidentId);
      return (await q.execute()).map(eventFromRow);
    },

    async fanOutEvent(eventId, deliveries, superseded) {
      await db.transaction().execute(async (trx) => {
        for (const d of deliveries) {
          await trx
            .insertInto('alert_deliveries')
            .values(deliveryToRow(d))
            .onConflict((oc) => oc.columns(['event_id', 'channel']).doNothing())
            .execute();
        }
        for (const s of superseded) {
          await trx
            .updateTable('alert_deliveries')
            .set({ status: 'merged' })
            .where('event_id', '=', s.eventId)
            .where('channel', '=', s.channel)
            .where('status', '=', 'pending')
            .execute();
        }
        await trx.updateTable('alert_events').set({ fanned: 1 }).where('id', '=', eventId).execute();
      });
    },

    async alertDeliveries(query: DeliveryQuery = {}) {
      let q = db
        .selectFrom('alert_deliveries')
        .selectAll()
        .limit(query.limit ?? 1_000);
      q = query.latestDelivered
        ? q.orderBy('delivered_at', 'desc').orderBy('created_at', 'desc')
        : q.orderBy('created_at').orderBy('event_id');
      if (query.status?.length) q = q.where('status', 'in', [...query.status]);
      if (query.channel !== undefined) q = q.where('channel', '=', query.channel);
      if (query.incidentId !== undefined) q = q.where('incident_id', '=', query.incidentId);
      if (query.dueBy !== undefined) q = q.where('next_at', '<=', query.dueBy);
      return (await q.execute()).map(deliveryFromRow);
    },

    async pruneOutbox(olderThan) {
      return db.transaction().execute(async (trx) => {
        const d = await trx
          .deleteFrom('alert_deliveries')
          .where('status', '!=', 'pending')
          .where('created_at', '<', olderThan)
          .executeTakeFirst();
        const e = await trx
          .deleteFrom('alert_events')
          .where('fanned', '=', 1)
          .where('created_at', '<', olderThan)
          .where('id', 'not in', (eb) =>
            eb.selectFrom('alert_deliveries').select('event_id').where('status', '=', 'pending'),
          )
          .executeTakeFirst();
        return Number(d.numDeletedRows) + Number(e.numDeletedRows);
      });
    },

    async updateDelivery(key, patch) {
      const set: Partial<AlertDeliveriesTable> = {};
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.attempts !== undefined) set.attempts = patch.attempts;
      if (patch.nextAt !== undefined) set.next_at = patch.nextAt;
      if (patch.deliveredAt !== undefined) set.delivered_at = patch.deliveredAt;
      if (patch.lastError !== undefined) set.last_error = patch.lastError;
      if (Object.keys(set).length === 0) return;
      await db
        .updateTable('alert_deliveries')
        .set(set)
        .where('event_id', '=', key.eventId)
        .where('channel', '=', key.channel)
        .execute();
    },

    async saveMaintenance(m) {
      const row = maintenanceToRow(m);
      await db
        .insertInto('maintenances')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            source: row.source,
            data: row.data,
          }),
        )
        .execute();
    },

    async replaceMaintenances(source, windows) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('maintenances').where('source', '=', source).execute();
        for (const m of windows) {
          await trx
            .insertInto('maintenances')
            .values(maintenanceToRow({ ...m, source }))
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        }
      });
    },

    async deleteMaintenance(id) {
      const r = await db.deleteFrom('maintenances').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async maintenances(query: MaintenanceQuery = {}) {
      let q = db.selectFrom('maintenances').selectAll().orderBy('starts_at').orderBy('id');
      if (query.endsAfter !== undefined) q = q.where('ends_at', '>', query.endsAfter);
      if (query.source !== undefined) q = q.where('source', '=', query.source);
      return (await q.execute()).map(maintenanceFromRow);
    },
  };
}
