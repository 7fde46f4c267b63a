/**
 * The outbox dispatcher: turns committed alert events into deliveries (one per channel whose
 * subscriptions want the event), rate-limits and merges updates (at most one message per channel
 * and incident per `updateIntervalMs`, unless the cause changes, the incident reopens or resolves),
 * sends with retries (exponential backoff with full jitter, a deadline per attempt), and marks each
 * delivery delivered. Each channel has its own worker: a dead channel waits out its backoff while
 * the others deliver. Everything it decides is in the store first, so a process killed at any
 * point resumes where it stopped; a delivery sent but not yet marked (a crash in that instant) is
 * sent again with the same idempotency key (the event id) for the receiver to deduplicate.
 *
 * Times: due times and rate-limit windows are on the pipeline's clock (simulated in replays);
 * backoff and deadlines are real time.
 */
import type { Clock } from '../clock/clock.ts';
import type { AlertDelivery, OutboxEvent, Store } from '../store/types.ts';
import type { MaintenanceSchedule } from './maintenance.ts';
import type { TagsOf } from './match.ts';
import { type RenderOptions, renderMessage } from './message.ts';
import { sitesFor, wants } from './subscriptions.ts';
import { type AlertEvent, type Channel, type Subscription, URGENT_KINDS } from './types.ts';

export interface RetryPolicy {
  /** First backoff, real ms (default 1,000). */
  baseMs: number;
  /** Longest backoff, real ms (default 10 min). */
  maxMs: number;
  /** Attempts before a delivery is given up as `failed` (default 12). */
  maxAttempts: number;
}

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  channels: readonly Channel[];
  subscriptions: readonly Subscription[];
  render: RenderOptions;
  maintenance?: MaintenanceSchedule;
  /** Tags of watched sites (default: the maintenance schedule's, else none). */
  tagsOf?: TagsOf;
  /** Clock ms between two updates per channel and incident (default 5 min). */
  updateIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Deadline of one attempt, real ms (default 10 s). */
  attemptTimeoutMs?: number;
  /** How often the outbox is read when nothing wakes the dispatcher, real ms (default 1 s). */
  pollMs?: number;
  /** One line per delivery failure, hold and release (secrets never appear: channels are named). */
  log?: (line: string) => void;
  random?: () => number;
}

/** Counters for `/metrics` and the API. */
export interface DispatcherStats {
  sent: Record<string, number>;
  errors: Record<string, number>;
  failed: Record<string, number>;
  merged: number;
  suppressed: number;
  held: boolean;
}

const key = (d: { eventId: string; channel: string }) => `${d.eventId}\n${d.channel}`;

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #retry: RetryPolicy;
  readonly #channels: Map<string, Channel>;
  readonly #busy = new Set<string>();
  readonly #inflight = new Set<string>();
  /** Channel → real time (performance.now) before which it is not tried again. */
  readonly #pausedUntil = new Map<string, number>();
  readonly #events = new Map<string, AlertEvent>();
  readonly #stats: DispatcherStats;
  #held: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  readonly #workers = new Set<Promise<void>>();

  constructor(o: DispatcherOptions) {
    this.#o = o;
    this.#retry = { baseMs: 1_000, maxMs: 600_000, maxAttempts: 12, ...o.retry };
    this.#channels = new Map(o.channels.map((c) => [c.name, c]));
    const zero = () => Object.fromEntries(o.channels.map((c) => [c.name, 0]));
    this.#stats = { sent: zero(), errors: zero(), failed: zero(), merged: 0, suppressed: 0, held: false };
  }

  get #tagsOf(): TagsOf {
    return this.#o.tagsOf ?? this.#o.maintenance?.tagsOf ?? (() => []);
  }

  /** Read the outbox every `pollMs` (and whenever {@link notify} is called). */
  start(): void {
    this.#stopped = false;
    const tick = () => {
      this.notify();
      this.#timer = setTimeout(tick, this.#o.pollMs ?? 1_000);
      this.#timer.unref?.();
    };
    tick();
  }

  /** Wake the dispatcher now (after a commit). */
  notify(): void {
    if (this.#stopped) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    this.#pass = this.pass()
      .catch((e) => this.#log(`vigie: alerts: cannot read the outbox: ${(e as Error).message}`))
      .finally(() => {
        this.#pass = null;
        if (this.#again) {
          this.#again = false;
          this.notify();
        }
      });
  }

  /** Stop reading; waits for attempts in flight. Channels are closed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#pass;
    await Promise.all(this.#workers);
    for (const c of this.#channels.values()) await c.close?.();
  }

  /** Hold every delivery (e.g. while every vantage is unhealthy); `null` releases. */
  hold(reason: string | null): void {
    if ((reason === null) === (this.#held === null)) return;
    this.#held = reason;
    this.#stats.held = reason !== null;
    this.#log(reason ? `vigie: alerts held: ${reason}` : 'vigie: alerts released');
    if (reason === null) this.notify();
  }

  stats(): DispatcherStats {
    return structuredClone(this.#stats);
  }

  /** One pass: fan new events out, then start a worker for every idle channel with due deliveries. */
  async pass(): Promise<void> {
    for (;;) {
      const events = await this.#o.store.outboxEvents({ fanned: false, limit: 200 });
      for (const e of events) await this.#fanOut(e);
      if (events.length < 200) break;
    }
    if (this.#held) return;
    for (const name of this.#channels.keys()) {
      if (this.#busy.has(name) || (this.#pausedUntil.get(name) ?? 0) > performance.now()) continue;
      this.#busy.add(name);
      const w: Promise<void> = this.#work(name)
        .catch((e) => this.#log(`vigie: alerts: channel ${name}: ${(e as Error).message}`))
        .finally(() => {
          this.#busy.delete(name);
          this.#workers.delete(w);
        });
      this.#workers.add(w);
    }
  }

  /** Passes until no event is waiting and no delivery is due (tests, benches); false on timeout. */
  async settle(timeoutMs = 30_000): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (performance.now() < end) {
      await this.pass();
      await Promise.all(this.#workers);
      const waiting = await this.#o.store.outboxEvents({ fanned: false, limit: 1 });
      const due = await this.#o.store.alertDeliveries({
        status: ['pending'],
        dueBy: this.#o.clock.now(),
        limit: 1,
      });
      if (waiting.length === 0 && (due.length === 0 || this.#held)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  async #fanOut(row: OutboxEvent): Promise<void> {
    const e = row.data as AlertEvent;
    // A cache, bounded: what falls out is read again from the outbox when needed.
    if (this.#events.size >= 10_000) this.#events.clear();
    this.#events.set(e.id, e);
    const now = this.#o.clock.now();
    const deliveries: AlertDelivery[] = [];
    const superseded: { eventId: string; channel: string }[] = [];
    const window = this.#o.maintenance?.underMaintenance(e.incident, e.at) ?? null;
    for (const channel of this.#channels.keys()) {
      const subs = this.#o.subscriptions.filter((s) => s.channel === channel && wants(s, e, this.#tagsOf));
      if (subs.length === 0) continue;
      const d: AlertDelivery = {
        eventId: e.id,
        channel,
        incidentId: e.incidentId,
        kind: e.kind,
        status: 'pending',
        attempts: 0,
        nextAt: now,
        createdAt: now,
        deliveredAt: null,
        lastError: null,
        merged: [],
      };
      if (window) {
        d.status = 'suppressed';
        d.lastError = `under maintenance: ${window.id}`;
        this.#stats.suppressed++;
        deliveries.push(d);
        continue;
      }
      // Updates not sent yet to this channel about this incident are merged into this one.
      const pending = await this.#o.store.alertDeliveries({
        channel,
        incidentId: e.incidentId,
        status: ['pending'],
      });
      let urgent = URGENT_KINDS.has(e.kind);
      for (const p of pending) {
        if (this.#inflight.has(key(p))) continue;
        superseded.push({ eventId: p.eventId, channel });
        d.merged.push(...p.merged, p.eventId);
        if (URGENT_KINDS.has(p.kind as AlertEvent['kind'])) urgent = true;
        this.#stats.merged++;
      }
      if (!urgent) {
        const [last] = await this.#o.store.alertDeliveries({
          channel,
          incidentId: e.incidentId,
          status: ['delivered'],
          latestDelivered: true,
          limit: 1,
        });
        if (last?.deliveredAt != null)
          d.nextAt = Math.max(now, last.deliveredAt + (this.#o.updateIntervalMs ?? 300_000));
      }
      deliveries.push(d);
    }
    await this.#o.store.fanOutEvent(e.id, deliveries, superseded);
  }

  async #event(d: AlertDelivery): Promise<AlertEvent | null> {
    const hit = this.#events.get(d.eventId);
    if (hit) return hit;
    const rows = await this.#o.store.outboxEvents({ incidentId: d.incidentId });
    for (const r of rows) this.#events.set(r.id, r.data as AlertEvent);
    return this.#events.get(d.eventId) ?? null;
  }

  /** Deliver what is due on one channel, oldest first; stop at the first failure (backoff). */
  async #work(name: string): Promise<void> {
    const channel = this.#channels.get(name) as Channel;
    const due = await this.#o.store.alertDeliveries({
      channel: name,
      status: ['pending'],
      dueBy: this.#o.clock.now(),
      limit: 20,
    });
    for (const d of due) {
      if (this.#held || this.#stopped) return;
      const e = await this.#event(d);
      if (!e) {
        await this.#o.store.updateDelivery(d, {
          status: 'failed',
          lastError: 'event missing from the outbox',
        });
        continue;
      }
      const [previous] = await this.#o.store.alertDeliveries({
        channel: name,
        incidentId: d.incidentId,
        status: ['delivered'],
        limit: 1,
      });
      const subs = this.#o.subscriptions.filter((s) => s.channel === name);
      const message = renderMessage(
        e,
        { first: !previous, merged: d.merged, sites: sitesFor(subs, e, this.#tagsOf) },
        this.#o.render,
      );
      this.#inflight.add(key(d));
      try {
        await channel.send(message, AbortSignal.timeout(this.#o.attemptTimeoutMs ?? 10_000));
        await this.#o.store.updateDelivery(d, {
          status: 'delivered',
          attempts: d.attempts + 1,
          deliveredAt: this.#o.clock.now(),
          lastError: null,
        });
        this.#stats.sent[name]++;
      } catch (err) {
        const attempts = d.attempts + 1;
        const reason = (err as Error)?.message ?? String(err);
        this.#stats.errors[name]++;
        if (attempts >= this.#retry.maxAttempts) {
          this.#stats.failed[name]++;
          await this.#o.store.updateDelivery(d, { status: 'failed', attempts, lastError: reason });
          this.#log(
            `vigie: alert ${d.eventId} to ${name} failed for good after ${attempts} attempts: ${reason}`,
          );
          continue;
        }
        // Full jitter: uniformly up to the exponential bound, so retries of many deliveries spread out.
        const bound = Math.min(this.#retry.maxMs, this.#retry.baseMs * 2 ** (attempts - 1));
        const waitMs = Math.max(10, bound * (this.#o.random ?? Math.random)());
        await this.#o.store.updateDelivery(d, {
          attempts,
          lastError: reason,
          nextAt: this.#o.clock.now() + waitMs / this.#o.clock.toReal(1),
        });
        this.#pausedUntil.set(name, performance.now() + waitMs);
        this.#log(
          `vigie: alert ${d.eventId} to ${name} failed (attempt ${attempts}): ${reason}; retry in ${(waitMs / 1000).toFixed(1)} s`,
        );
        return;
      } finally {
        this.#inflight.delete(key(d));
      }
    }
  }

  #log(line: string): void {
    (this.#o.log ?? ((l: string) => void process.stderr.write(`${l}\n`)))(line);
  }
}
