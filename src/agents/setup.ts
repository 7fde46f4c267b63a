/**
 * What the core creates on the NATS server before agents can work: the observations stream (file
 * storage, a duplicate window for `Nats-Msg-Id`, bounded by age and size), the assignment bucket,
 * and the core's durable pull consumer. Creating them again is harmless (same configuration).
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { Names } from './subjects.ts';

export interface StreamLimits {
  /** Observations older than this are discarded, ms (default 24 h: a core may be down that long). */
  maxAgeMs?: number;
  /** Size limit of the stream, bytes (default 8 GiB). */
  maxBytes?: number;
  /** Window within which a republished batch (same `Nats-Msg-Id`) is stored once, ms (default 10 min). */
  duplicateWindowMs?: number;
}

/** Create (or confirm) the observations stream and the core's durable consumer on it. */
export async function ensureStream(
  jsm: JetStreamManager,
  names: Names,
  durable: string,
  limits: StreamLimits = {},
): Promise<void> {
  const config = {
    name: names.stream,
    subjects: [names.allObservations],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(limits.maxAgeMs ?? 24 * 3_600_000),
    max_bytes: limits.maxBytes ?? 8 * 1024 ** 3,
    duplicate_window: nanos(limits.duplicateWindowMs ?? 10 * 60_000),
  };
  try {
    await jsm.streams.info(names.stream);
  } catch {
    await jsm.streams.add(config);
  }
  try {
    await jsm.consumers.info(names.stream, durable);
  } catch {
    await jsm.consumers.add(names.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(30_000),
      // Batches handed out and not yet acknowledged, at most (≈ 500 observations each).
      max_ack_pending: 2_000,
    });
  }
}

/** Delete what {@link ensureStream} and the assignment bucket created (tests, `--reset`). */
export async function deleteAll(jsm: JetStreamManager, names: Names): Promise<void> {
  for (const s of [names.stream, `KV_${names.bucket}`]) {
    await jsm.streams.delete(s).catch(() => false);
  }
}
