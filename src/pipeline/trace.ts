/**
 * Traces for diagnosis: with `VIGIE_TRACE_ROUNDS=FILE` in the environment, every evaluation round
 * appends one JSON line to FILE — what it read failing, the causes inferred, the incidents followed;
 * with `VIGIE_TRACE_TRANSITIONS=FILE` (`vigie sim run`), every confirmed change of a site's service
 * (web, dns, mail, tls) does. Off by default; meant for a developer asking why a run concluded what
 * it did.
 */
import { appendFileSync } from 'node:fs';
import type { Bus } from '../bus/bus.ts';
import type { RoundTrace } from '../explain/rounds.ts';

export function roundTraceFromEnv(env = process.env): { traceRounds?: (r: RoundTrace) => void } {
  const file = env.VIGIE_TRACE_ROUNDS;
  if (!file) return {};
  return { traceRounds: (r) => appendFileSync(file, `${JSON.stringify(r)}\n`) };
}

/** With `VIGIE_TRACE_TRANSITIONS=FILE`: append every state transition on the Bus to FILE; returns the unsubscribe. */
export function traceTransitionsFromEnv(bus: Bus, env = process.env): () => void {
  const file = env.VIGIE_TRACE_TRANSITIONS;
  if (!file) return () => {};
  return bus.subscribe('transition', (t) => appendFileSync(file, `${JSON.stringify(t)}\n`));
}
