/**
 * Round traces for diagnosis: with `VIGIE_TRACE_ROUNDS=FILE` in the environment, every evaluation
 * round appends one JSON line to FILE — what it read failing, the causes inferred, the incidents
 * followed. Off by default; meant for a developer asking why a run concluded what it did.
 */
import { appendFileSync } from 'node:fs';
import type { RoundTrace } from '../explain/rounds.ts';

export function roundTraceFromEnv(env = process.env): { traceRounds?: (r: RoundTrace) => void } {
  const file = env.VIGIE_TRACE_ROUNDS;
  if (!file) return {};
  return { traceRounds: (r) => appendFileSync(file, `${JSON.stringify(r)}\n`) };
}
