/**
 * The alert outbox and maintenance windows as the store keeps them. The store knows nothing of
 * alert semantics: an event is an id, an incident, a kind, a time and a JSON payload; `src/alerts`
 * gives them meaning.
 */
import type { Incident } from '../model/index.ts';

/** An event to append to the outbox with the incident change that causes it. */
export interface OutboxEventInput {
  /** Unique and deterministic: a second append of the same id is ignored. */
  id: string;
  incidentId: string;
  kind: string;
  /** Clock time of the change. */
  at: number;
  /** JSON-serialisable payload. */
  data: unknown;
}

/** An event in the outbox. */
export interface OutboxEvent extends OutboxEventInput {
  /** Order of appending. */
  seq: number;
  /** Turned into deliveries (one per channel that wants it) yet. */
  fanned: boolean;
}

/**
 * `pending`: to send (at `nextAt` or later); `delivered`; `merged`: a later delivery to the same
 * channel and incident carries it; `suppressed`: not sent (maintenance, vantage trouble); `failed`:
 * given up after the last retry.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'merged' | 'suppressed' | 'failed';

/** One event for one channel. */
export interface AlertDelivery {
  eventId: string;
  channel: string;
  incidentId: string;
  kind: string;
  status: DeliveryStatus;
  attempts: number;
  /** Clock time the next attempt is due. */
  nextAt: number;
  createdAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  /** Events this delivery stands for besides its own (merged updates), oldest first. */
  merged: string[];
}

/** Filter for `alertDeliveries()`, oldest first unless `latestDelivered`. */
export interface DeliveryQuery {
  status?: readonly DeliveryStatus[];
  channel?: string;
  incidentId?: string;
  /** Only deliveries due at or before this clock time. */
  dueBy?: number;
  /** Most recently delivered first (with `status: ['delivered']`). */
  latestDelivered?: boolean;
  /** Default 1,000. */
  limit?: number;
}

/** A maintenance window: what is under maintenance, when. */
export interface MaintenanceWindow {
  id: string;
  title: string;
  /** Clock ms, inclusive. */
  startsAt: number;
  /** Clock ms, exclusive. */
  endsAt: number;
  /** Site domains. */
  sites: string[];
  /** Provider ids (`ovh`) or component ids (`region:ovh/sbg`). */
  providers: string[];
  /** Site tags. */
  tags: string[];
  /** Declared in the configuration (replaced at start-up) or through the API. */
  source: 'config' | 'api';
  createdAt: number;
}

/** Filter for `maintenances()`. */
export interface MaintenanceQuery {
  /** Only windows not ended by this time. */
  endsAfter?: number;
  source?: MaintenanceWindow['source'];
}

/** The outbox and maintenance part of the Store. */
export interface OutboxStore {
  /**
   * Insert or replace `incident` and append the events its change causes, in one transaction:
   * `derive` gets the version stored before (null when new) and returns the events. Returns the
   * events appended (those whose id was already there are left out).
   */
  commitIncident(
    incident: Incident,
    derive: (previous: Incident | null) => readonly OutboxEventInput[],
  ): Promise<OutboxEvent[]>;
  /** Outbox events, in order of appending. */
  outboxEvents(query?: { fanned?: boolean; incidentId?: string; limit?: number }): Promise<OutboxEvent[]>;
  /**
   * In one transaction: add the deliveries of an event (existing ones kept), mark `superseded`
   * pending deliveries `merged`, and mark the event fanned out.
   */
  fanOutEvent(
    eventId: string,
    deliveries: readonly AlertDelivery[],
    superseded: readonly { eventId: string; channel: string }[],
  ): Promise<void>;
  alertDeliveries(query?: DeliveryQuery): Promise<AlertDelivery[]>;
  /**
   * Forget what is done: deliveries no longer pending created before `olderThan`, and fanned-out
   * events before it with no pending delivery. Returns how many rows went.
   */
  pruneOutbox(olderThan: number): Promise<number>;
  /** Change a delivery's status, attempts, due time, error. */
  updateDelivery(
    key: { eventId: string; channel: string },
    patch: Partial<Pick<AlertDelivery, 'status' | 'attempts' | 'nextAt' | 'deliveredAt' | 'lastError'>>,
  ): Promise<void>;

  /** Insert or replace a maintenance window by id. */
  saveMaintenance(window: MaintenanceWindow): Promise<void>;
  /** Replace every window of `source` with `windows` (configuration at start-up). */
  replaceMaintenances(
    source: MaintenanceWindow['source'],
    windows: readonly MaintenanceWindow[],
  ): Promise<void>;
  /** Returns whether it existed. */
  deleteMaintenance(id: string): Promise<boolean>;
  /** Windows, earliest start first. */
  maintenances(query?: MaintenanceQuery): Promise<MaintenanceWindow[]>;
}
