/**
 * `vigie score SCENARIO RESULT.json`: score a run's output against its scenario's truth, reading
 * nothing else (the ground truth is recomputed from the scenario; the fault engine is deterministic).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { formatScore } from '../../lab/run/summary.ts';
import { loadScenario } from '../../lab/scenario/load.ts';
import { type ScoredIncident, scoreRun } from '../../lab/score/score.ts';
import { resolveScenarioPath } from './sim.ts';

function readResult(path: string): { incidents: ScoredIncident[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read result ${path}: ${(e as Error).message}`);
  }
  const incidents = (data as { incidents?: unknown })?.incidents;
  if (!Array.isArray(incidents)) throw new UsageError(`${path}: not a run result (no incidents list)`);
  for (const [k, i] of incidents.entries()) {
    const x = i as Partial<ScoredIncident>;
    if (typeof x?.id !== 'string' || typeof x.cause !== 'object' || typeof x.detectedAt !== 'string')
      throw new UsageError(`${path}: incidents[${k}]: expected id, cause, detectedAt`);
    if (!Array.isArray(x.affected)) throw new UsageError(`${path}: incidents[${k}]: expected affected`);
  }
  return { incidents: incidents as ScoredIncident[] };
}

export function register(program: Command): void {
  program
    .command('score')
    .description('score a `vigie sim run --json` result against its scenario’s truth')
    .argument('<scenario>', 'scenario file, or the name of a seed scenario')
    .argument('<result>', 'the JSON result of a run (- for standard input)')
    .option('--json', 'print the score as one JSON object')
    .action((file: string, result: string, o: { json?: boolean }) => {
      const scenario = loadScenario(resolveScenarioPath(file));
      if (scenario.truth.length === 0)
        throw new UsageError(`${file}: the scenario has no truth to score against`);
      const score = scoreRun(scenario, readResult(result));
      process.stdout.write(o.json ? `${JSON.stringify(score)}\n` : `${formatScore(score).join('\n')}\n`);
    });
}
