/**
 * Alerts wired together: the channels of the configuration, the dispatcher over the store's outbox,
 * the maintenance schedule, the hold while every vantage is unhealthy, and `commit()` — what the
 * pipeline's persistence calls instead of `store.upsertIncidents([i])` so that an incident change
 * and the alert events it causes are committed in one transaction.
 */
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock/clock.ts';
import type { Incident } from '../model/incident.ts';
import type { MaintenanceWindow, OutboxEventInput, Store } from '../store/types.ts';
import { CHANNELS } from './channels/index.ts';
import { NO_ALERTS, redactSettings } from './config.ts';
import { Dispatcher, type RetryPolicy } from './dispatcher.ts';
import { alertEvents } from './events.ts';
import { MaintenanceSchedule } from './maintenance.ts';
import { catalogProviderName, type ProviderName, renderMessage } from './message.ts';
import type { AlertEvent, AlertsConfig, Channel, ChannelKind } from './types.ts';

export interface AlertsOptions {
  store: Store;
  clock: Clock;
  /** Vantage health is read from it: every vantage unhealthy holds sending. */
  bus?: Bus;
  config?: AlertsConfig;
  /** Windows of the configuration's `maintenance:` block (replace the stored ones from config). */
  maintenance?: readonly MaintenanceWindow[];
  /**
   * Base of the incident links (`${publicUrl}/#/incident/${id}`); a function when the URL is known
   * only once the server listens (e.g. `() => page.url`, the page object given to `buildApp`).
   */
  publicUrl: string | (() => string);
  timeZone?: string;
  providerName?: ProviderName;
  log?: (line: string) => void;
  pollMs?: number;
  retry?: Partial<RetryPolicy>;
  attemptTimeoutMs?: number;
  /** How long delivered, merged, suppressed and failed deliveries are kept (clock ms; 30 days). */
  retainMs?: number;
}

/** A configured channel as the API lists it (secrets hidden). */
export interface ChannelInfo {
  name: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
}

/** Outbox events of a change, as the store appends them. */
export function outboxEventsOf(
  prev: Incident | null,
  next: Incident,
  milestones: readonly number[],
): OutboxEventInput[] {
  return alertEvents(prev, next, { milestones }).map((e) => ({
    id: e.id,
    incidentId: e.incidentId,
    kind: e.kind,
    at: e.at,
    data: e,
  }));
}

/**
 * Hold the dispatcher while every vantage the Bus reported on is unhealthy (their verdicts would be
 * the monitor's own trouble); release when one is healthy again. Returns the unsubscribe function.
 */
export function holdOnVantageTrouble(bus: Bus, dispatcher: Pick<Dispatcher, 'hold'>): () => void {
  const healthy = new Map<string, boolean>();
  return bus.subscribe('vantage', (c) => {
    healthy.set(c.vantage, c.healthy);
    const all = [...healthy.values()].every((h) => !h);
    dispatcher.hold(all ? `every vantage unhealthy (${c.vantage}: ${c.reason})` : null);
  });
}

export class Alerts {
  readonly dispatcher: Dispatcher;
  readonly schedule: MaintenanceSchedule;
  readonly #o: AlertsOptions;
  readonly #config: AlertsConfig;
  readonly #channels: Channel[];
  readonly #off: (() => void)[] = [];

  private constructor(o: AlertsOptions) {
    this.#o = o;
    this.#config = o.config ?? NO_ALERTS;
    const url = o.publicUrl;
    const domain = () => hostOf(typeof url === 'function' ? url() : url);
    this.#channels = this.#config.channels.map((c) =>
      CHANNELS[c.kind].create(c.name, c.settings, { domain }),
    );
    this.schedule = new MaintenanceSchedule(o.store);
    this.dispatcher = new Dispatcher({
      store: o.store,
      clock: o.clock,
      channels: this.#channels,
      subscriptions: this.#config.subscriptions,
      render: this.#render(),
      maintenance: this.schedule,
      updateIntervalMs: this.#config.updateIntervalMs,
      retry: o.retry,
      attemptTimeoutMs: o.attemptTimeoutMs,
      pollMs: o.pollMs,
      log: o.log,
    });
  }

  /** Load the maintenance windows (the configuration's replace the stored ones from config) and start. */
  static async start(o: AlertsOptions): Promise<Alerts> {
    const a = new Alerts(o);
    if (o.maintenance) await o.store.replaceMaintenances('config', o.maintenance);
    await a.schedule.reload();
    if (o.bus) a.#off.push(holdOnVantageTrouble(o.bus, a.dispatcher));
    // Sites (and their tags) change while serving; windows change through the API (which reloads
    // at once) or another process sharing the store.
    const timer = setInterval(() => void a.schedule.reload().catch(() => {}), 60_000);
    timer.unref?.();
    // The outbox keeps what is done for `retainMs` (clock time; default 30 days), then forgets it.
    const prune = () =>
      void o.store
        .pruneOutbox(o.clock.now() - (o.retainMs ?? 30 * 86_400_000))
        .catch((e) => (o.log ?? console.error)(`vigie: alerts: cannot prune the outbox: ${e}`));
    const pruner = setInterval(prune, 3_600_000);
    pruner.unref?.();
    a.#off.push(
      () => clearInterval(timer),
      () => clearInterval(pruner),
    );
    a.dispatcher.start();
    return a;
  }

  #render() {
    return {
      publicUrl: this.#o.publicUrl,
      timeZone: this.#o.timeZone,
      providerName: this.#o.providerName ?? catalogProviderName(),
    };
  }

  /** Commit an incident change with its alert events, then wake the dispatcher. */
  async commit(incident: Incident): Promise<void> {
    await this.#o.store.commitIncident(incident, (prev) =>
      outboxEventsOf(prev, incident, this.#config.milestones),
    );
    this.dispatcher.notify();
  }

  subscriptions(): AlertsConfig['subscriptions'] {
    return this.#config.subscriptions;
  }

  channels(): ChannelInfo[] {
    return this.#config.channels.map((c) => ({
      name: c.name,
      kind: c.kind,
      settings: redactSettings(c.kind, c.settings),
    }));
  }

  /**
   * Send a test message on `channel` now (not through the outbox). Resolves with null when
   * delivered, the error message otherwise; undefined for an unknown channel.
   */
  async test(channel: string): Promise<string | null | undefined> {
    const c = this.#channels.find((x) => x.name === channel);
    if (!c) return undefined;
    return sendTest(c, this.#o.clock.now(), this.#render(), this.#o.attemptTimeoutMs);
  }

  async stop(): Promise<void> {
    for (const off of this.#off) off();
    await this.dispatcher.stop();
  }
}

/** A sample incident for test messages: clearly labelled, never stored. */
export function sampleIncident(now: number): Incident {
  return {
    id: 'test',
    cause: {
      provider: 'example',
      asn: 64_496,
      name: 'Example hosting',
      region: null,
      plan: null,
      role: null,
      component: null,
    },
    kind: 'network',
    signature: 'connect_timeout',
    confidence: 0.99,
    startedAt: now - 240_000,
    detectedAt: now - 120_000,
    peakAt: now - 60_000,
    resolvedAt: null,
    affected: ['one.example', 'two.example', 'three.example'],
    exonerated: [{ provider: 'other-cdn', evidence: '0 of 12 of its sites failing' }],
    evidence: ['This is a test message: no incident is under way.'],
    timeline: [{ time: now - 60_000, failing: 3, restored: 0 }],
  };
}

/** Send one test message on `c`; null when delivered, else the error's message. */
export async function sendTest(
  c: Channel,
  now: number,
  render: { publicUrl: string | (() => string); timeZone?: string; providerName?: ProviderName },
  timeoutMs = 10_000,
): Promise<string | null> {
  const incident = sampleIncident(now);
  const event: AlertEvent = {
    id: `test:${now}`,
    incidentId: 'test',
    kind: 'opened',
    at: now,
    value: null,
    incident,
  };
  const message = renderMessage(
    event,
    { first: true, merged: [], sites: 3, test: true },
    {
      ...render,
      providerName: (id) => (id === 'other-cdn' ? 'Other CDN' : (render.providerName?.(id) ?? id)),
    },
  );
  try {
    await c.send(message, AbortSignal.timeout(timeoutMs));
    return null;
  } catch (e) {
    return (e as Error)?.message ?? String(e);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'vigie.invalid';
  } catch {
    return 'vigie.invalid';
  }
}
