/** What every server of the world shares: the plan, the fault engine, the clock. */
import type { Clock } from '../../clock/clock.ts';
import type { Effect } from '../scenario/types.ts';
import type { FaultEngine } from './faults/types.ts';
import type { WorldPlan } from './plan.ts';

export interface WorldContext {
  plan: WorldPlan;
  engine: FaultEngine;
  clock: Clock;
  /** The vantage a source address belongs to. */
  vantageOf(address: string | undefined): string | undefined;
  /** Effect of the sender's own network fault now, or null. */
  senderEffect(address: string | undefined): Effect | null;
  /** True when this single exchange is lost to scenario noise (probe_loss). */
  lost(): boolean;
  /** Keep track of sockets held open without answer, to close them at stop. */
  hold(socket: { destroy(): void; once(ev: 'close', f: () => void): unknown }): void;
}

/**
 * A sender's fault as its connections meet it: a vantage that lost its resolver (`dns_servfail`,
 * `dns_timeout`) gets no answer to its DNS queries but still reaches servers by address.
 */
export function onConnections(e: Effect | null): Effect | null {
  return e && (e.kind === 'dns_servfail' || e.kind === 'dns_timeout') ? null : e;
}

/** Normalise `::ffff:127.1.2.3` to `127.1.2.3`. */
export function v4(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}
