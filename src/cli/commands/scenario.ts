/**
 * `vigie scenario check FILE...` and `vigie scenario expand FILE`: validate scenario files and show
 * what they load to. Invalid files raise an InputError (exit 2) listing every problem.
 */
import type { Command } from 'commander';
import { InputError, type InputProblem } from '../../errors.ts';
import { loadScenario } from '../../lab/scenario/load.ts';
import { formatDuration } from '../../lab/scenario/time.ts';
import type { Scenario } from '../../lab/scenario/types.ts';

/** One line describing a loaded scenario, with the probe rate it implies at its default speed. */
export function summarize(s: Scenario): string {
  const probesPerSecond = (s.sites.length * s.speed) / (s.probeIntervalMs / 1000);
  return (
    `${s.file}: ok — ${s.name}: ${s.providers.length} providers, ${s.sites.length} sites, ` +
    `${s.faults.length} faults, ${formatDuration(s.end - s.start)} simulated, speed ${s.speed}, ` +
    `~${probesPerSecond.toFixed(1)} probes/s`
  );
}

/** Register the `scenario` command group. */
export function register(program: Command, _setExitCode: (code: number) => void): void {
  const scenario = program.command('scenario').description('validate and inspect scenario files');

  scenario
    .command('check')
    .description('validate scenario files; print a summary of each valid one')
    .argument('<files...>', 'scenario files (YAML or JSON)')
    .action((files: string[]) => {
      // Check every file before failing, so one run reports all broken files.
      const problems: InputProblem[] = [];
      for (const f of files) {
        try {
          process.stdout.write(`${summarize(loadScenario(f))}\n`);
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          problems.push(...err.problems);
        }
      }
      if (problems.length > 0) throw new InputError(problems);
    });

  scenario
    .command('expand')
    .description('print the normalized scenario (defaults applied, templates expanded, times in ms)')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('--json', 'compact JSON on one line (default: indented)')
    .action((file: string, opts: { json?: boolean }) => {
      const s = loadScenario(file);
      process.stdout.write(`${JSON.stringify(s, null, opts.json ? undefined : 2)}\n`);
    });
}
