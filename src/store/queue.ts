/**
 * A write-behind queue: items pile up in memory and are handed to `write` in one call (one
 * transaction) every `intervalMs`, or as soon as `flushRows` are waiting. Writes never overlap.
 */

/** Settings of a `WriteQueue`. */
export interface WriteQueueOptions {
  intervalMs: number;
  flushRows: number;
  /** `push` waits for the writer when more than this many items are queued. */
  maxQueued: number;
  /** A background write failed (its items are dropped). */
  onError?: (error: unknown) => void;
}

/** Batches items for a writer; see the module comment. */
export class WriteQueue<T> {
  #pending: T[] = [];
  #timer: NodeJS.Timeout | null = null;
  /** The write in progress (or the last one), so writes run one after another. */
  #tail: Promise<void> = Promise.resolve();
  /** A background write's failure, reported by the next `flush()`. */
  #error: unknown = null;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: WriteQueueOptions,
  ) {}

  /** Items waiting to be written. */
  get size(): number {
    return this.#pending.length;
  }

  /** Queue items; resolves at once unless the queue is over `maxQueued` (back-pressure). */
  async push(items: readonly T[]): Promise<void> {
    for (const item of items) this.#pending.push(item);
    if (this.#pending.length >= this.options.flushRows) {
      const drained = this.#drainInBackground();
      if (this.#pending.length > this.options.maxQueued) await drained;
    } else if (this.#timer === null && this.#pending.length > 0) {
      this.#timer = setTimeout(() => void this.#drainInBackground(), this.options.intervalMs);
      // A timer alone must not keep a process alive; `close()` flushes what is left.
      this.#timer.unref();
    }
  }

  /** Write everything queued; rejects if this write, or an earlier background one, failed. */
  async flush(): Promise<void> {
    await this.#drain();
    if (this.#error !== null) {
      const error = this.#error;
      this.#error = null;
      throw error;
    }
  }

  #drainInBackground(): Promise<void> {
    return this.#drain().catch((error: unknown) => {
      this.#error = error;
      this.options.onError?.(error);
    });
  }

  #drain(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const run = async () => {
      while (this.#pending.length > 0) {
        const items = this.#pending;
        this.#pending = [];
        await this.write(items);
      }
    };
    // Chain after the previous write whether it failed or not; its failure was already reported.
    const next = this.#tail.then(run, run);
    this.#tail = next.catch(() => {});
    return next;
  }
}
