/**
 * Alerts: what an incident change tells subscribers, how it is addressed, and the channels that
 * carry it. Types only.
 */
import type { Incident } from '../model/incident.ts';

/**
 * What happened to an incident. `opened`, `cause`, `reopened`, `resolved` and `reported` are sent at
 * once; `peak` and `restoration` are updates, rate-limited and merged per channel and incident.
 */
export type AlertKind = 'opened' | 'cause' | 'peak' | 'restoration' | 'reopened' | 'resolved' | 'reported';

export const ALERT_KINDS: readonly AlertKind[] = [
  'opened',
  'cause',
  'peak',
  'restoration',
  'reopened',
  'resolved',
  'reported',
];

/** Kinds that pass the per-channel rate limit (the others wait and merge). */
export const URGENT_KINDS: ReadonlySet<AlertKind> = new Set([
  'opened',
  'cause',
  'reopened',
  'resolved',
  'reported',
]);

/** One alert event, as the outbox keeps it: the change and the incident as it was then. */
export interface AlertEvent {
  /** Deterministic per change: the idempotency key receivers deduplicate on. */
  id: string;
  incidentId: string;
  kind: AlertKind;
  /** Clock time of the change. */
  at: number;
  /** For `restoration`: the milestone crossed (0..1). For `peak`: the failing count announced. */
  value: number | null;
  /** The incident right after the change. */
  incident: Incident;
}

/** The channels Vigie can deliver to; each has one module in `channels/`. */
export type ChannelKind = 'webhook' | 'slack' | 'email' | 'ntfy';

/** A rendered alert, handed to a channel. */
export interface AlertMessage {
  /** The event delivered (the latest of those merged): the idempotency key. */
  eventId: string;
  incidentId: string;
  kind: AlertKind;
  /** Other events this message stands for (merged updates), oldest first. */
  merged: string[];
  /** Nothing was delivered about this incident to this channel before: it starts the thread. */
  first: boolean;
  /** One line: "OVHcloud (AS16276) stopped answering — 950 of your sites; Cloudflare cleared". */
  title: string;
  /** A few plain-text lines (title excluded). */
  lines: string[];
  /** The incident page. */
  url: string;
  /** Clock time of the change. */
  at: number;
  incident: Incident;
  /** `true` for `vigie alerts test`. */
  test?: boolean;
}

/** A channel: sends one message or throws (the dispatcher retries). */
export interface Channel {
  readonly kind: ChannelKind;
  readonly name: string;
  send(message: AlertMessage, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

/** What a channel factory is given besides its settings. */
export interface ChannelContext {
  /** Host name used in email Message-IDs (from the public URL; read at every message). */
  domain: () => string;
}

/** A channel kind: the JSON Schema of its settings and how to build it. */
export interface ChannelFactory {
  /** JSON Schema (draft 2020-12) of `settings`; secrets are already resolved when `create` runs. */
  settingsSchema: object;
  /** Settings holding secrets: never echoed (API, logs). */
  secrets: readonly string[];
  create(name: string, settings: Record<string, unknown>, ctx: ChannelContext): Channel;
}

/** Which events a subscription wants, sent to one channel. */
export interface Subscription {
  name: string;
  channel: string;
  /** Provider ids or component ids (`provider:ovh`, `region:ovh/sbg`…); empty: any. */
  providers: string[];
  /** Site domains; empty: any. */
  sites: string[];
  /** Site tags; empty: any. */
  tags: string[];
  /** Fewest affected sites (among those the subscription selects). Default 1. */
  minSites: number;
  /** Kinds wanted; default every kind except `reported` (crowd-report-only is opt-in). */
  kinds: AlertKind[];
}

/** A configured channel: its kind, name and resolved settings. */
export interface ChannelConfig {
  name: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
}

/** The `alerts:` block, parsed. */
export interface AlertsConfig {
  channels: ChannelConfig[];
  subscriptions: Subscription[];
  /** Shortest time between two updates per channel and incident (clock ms; default 5 min). */
  updateIntervalMs: number;
  /** Restoration shares announced (default 0.5, 0.9, 1). */
  milestones: number[];
}
