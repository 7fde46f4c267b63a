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

/** Normalise `::ffff:127.1.2.3` to `127.1.2.3`. */
export function v4(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}
