/**
 * The Bus of a `vigie agent`: observations leave for NATS JetStream in compact batches — one
 * message per batch (every `flushMs` or `maxBatch` observations, whichever comes first), each
 * published with a `Nats-Msg-Id` so that a retried publish is stored once (the stream's duplicate
 * window), several batches in flight at once. A batch not acknowledged by the stream is kept and
 * published again (same id) until it is; memory is bounded by `maxBuffered` observations (beyond,
 * the oldest unpublished batches are dropped and counted — never silently). Every other topic stays
 * in this process. The core's side is `AgentFleet` (src/agents/fleet.ts), which consumes the stream
 * and republishes each observation on the core's own Bus.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { encodeBatch } from '../agents/codec.ts';
import type { Observation } from '../model/observation.ts';
import { type Bus, type Handler, InProcessBus, type Topic, type Topics } from './bus.ts';

export interface JetStreamBusOptions {
  js: JetStreamClient;
  /** Subject of this agent's observations (`<prefix>.obs.<vantage>.<boot>`). */
  subject: string;
  /** Message ids are `<idPrefix>.<first sequence number>` (vantage and boot: unique across restarts). */
  idPrefix: string;
  /** Observations per batch at most (default 500). */
  maxBatch?: number;
  /** A partial batch leaves after this many real ms (default 100). */
  flushMs?: number;
  /** Batches awaiting the stream's acknowledgement at once (default 8). */
  inFlight?: number;
  /** Observations buffered at most, published or not yet (default 200,000). */
  maxBuffered?: number;
  /** Deadline of one publish, real ms (default 5,000). */
  publishTimeoutMs?: number;
  /** Called once the stream has stored a batch: its first sequence number and size (an audit trail). */
  onStored?(seq: number, count: number): void;
  onError?(err: unknown): void;
}

export interface JetStreamBusStats {
  /** Observations the stream acknowledged. */
  stored: number;
  /** Batches the stream acknowledged, and their bytes. */
  batches: number;
  bytes: number;
  /** Observations waiting (in a partial batch, queued, or in flight). */
  buffered: number;
  /** Observations dropped because the buffer was full (the stream unreachable for long). */
  dropped: number;
  /** Publishes retried after an error or a timeout. */
  retries: number;
  /** Acknowledgements saying the stream already had the batch (a retry of a stored batch). */
  duplicates: number;
}

interface Batch {
  seq: number;
  count: number;
  data: Uint8Array;
  sending: boolean;
  /** Real time before which it is not retried. */
  notBefore: number;
}

export class JetStreamBus implements Bus {
  private readonly local = new InProcessBus();
  private pending: Observation[] = [];
  private queue: Batch[] = [];
  private next = 0;
  private sending = 0;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private drained: (() => void)[] = [];
  private readonly s: JetStreamBusStats = {
    stored: 0,
    batches: 0,
    bytes: 0,
    buffered: 0,
    dropped: 0,
    retries: 0,
    duplicates: 0,
  };
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly inFlight: number;
  private readonly maxBuffered: number;

  constructor(private readonly o: JetStreamBusOptions) {
    this.maxBatch = o.maxBatch ?? 500;
    this.flushMs = o.flushMs ?? 100;
    this.inFlight = o.inFlight ?? 8;
    this.maxBuffered = o.maxBuffered ?? 200_000;
  }

  publish<T extends Topic>(topic: T, msg: Topics[T]): void {
    if (topic !== 'observation') return this.local.publish(topic, msg);
    if (this.closed) return;
    this.pending.push(msg as Observation);
    this.s.buffered++;
    if (this.pending.length >= this.maxBatch) this.cut();
    else this.timer ??= setTimeout(() => this.cut(), this.flushMs);
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    return this.local.subscribe(topic, handler);
  }

  stats(): JetStreamBusStats {
    return { ...this.s };
  }

  /** Resolves once everything buffered so far was stored (or `timeoutMs` passed). */
  flush(timeoutMs = 10_000): Promise<boolean> {
    this.cut();
    if (this.s.buffered === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.drained.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Publish what is buffered (waiting up to `timeoutMs`), then stop. */
  async close(timeoutMs = 5_000): Promise<void> {
    await this.flush(timeoutMs);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.local.close();
  }

  /** Close the partial batch and queue it. */
  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const obs = this.pending;
    this.pending = [];
    const seq = this.next;
    this.next += obs.length;
    this.queue.push({ seq, count: obs.length, data: encodeBatch(seq, obs), sending: false, notBefore: 0 });
    // Bounded memory: drop the oldest batches not in flight.
    while (this.s.buffered > this.maxBuffered) {
      const i = this.queue.findIndex((b) => !b.sending);
      if (i < 0) break;
      const [b] = this.queue.splice(i, 1);
      this.s.buffered -= b.count;
      this.s.dropped += b.count;
    }
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    let wait = Number.POSITIVE_INFINITY;
    for (const b of this.queue) {
      if (this.sending >= this.inFlight) break;
      if (b.sending) continue;
      if (b.notBefore > now) {
        wait = Math.min(wait, b.notBefore - now);
        continue;
      }
      this.send(b);
    }
    if (wait < Number.POSITIVE_INFINITY && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, wait);
    }
  }

  private send(b: Batch): void {
    b.sending = true;
    this.sending++;
    this.o.js
      .publish(this.o.subject, b.data, {
        msgID: `${this.o.idPrefix}.${b.seq}`,
        timeout: this.o.publishTimeoutMs ?? 5_000,
      })
      .then(
        (ack) => {
          this.sending--;
          const i = this.queue.indexOf(b);
          if (i >= 0) this.queue.splice(i, 1);
          this.s.buffered -= b.count;
          this.s.stored += b.count;
          this.s.batches++;
          this.s.bytes += b.data.length;
          if (ack.duplicate) this.s.duplicates++;
          this.o.onStored?.(b.seq, b.count);
          if (this.s.buffered === 0 && this.pending.length === 0) {
            for (const d of this.drained.splice(0)) d();
          }
          this.pump();
        },
        (err) => {
          this.sending--;
          b.sending = false;
          this.s.retries++;
          // Back off, so that a server away for a while is not hammered; same id on every retry.
          b.notBefore = Date.now() + Math.min(5_000, 250 * 2 ** Math.min(5, this.s.retries % 8));
          this.o.onError?.(err);
          this.pump();
        },
      );
  }
}
