import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../../errors.ts';
import { runScenario } from '../../lab/run/run.ts';
import { formatSummary } from '../../lab/run/summary.ts';
import { loadScenario } from '../../lab/scenario/load.ts';
import { scoreRun } from '../../lab/score/score.ts';
import { DEFAULT_PORTS, startWorld } from '../../lab/sim/world.ts';
import { duration } from '../args.ts';

/** Scenario argument: a path, or the name of a seed scenario in `scenarios/`. */
export function resolveScenarioPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const seed = new URL(`../../../scenarios/${arg}.yaml`, import.meta.url).pathname;
  if (existsSync(seed)) return seed;
  throw new UsageError(`scenario not found: ${arg} (give a file, or a seed name such as ovh-backbone-2021)`);
}

export function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function portBase(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65000)
    throw new InvalidArgumentError('must be 0 or a port number ≤ 65000');
  return n;
}

/** Ports from a base: DNS base+53, HTTP base+80, HTTPS base+443, SMTP base+25, control base+900. */
export function portsFrom(base: number | undefined) {
  if (base === undefined) return { ...DEFAULT_PORTS };
  if (base === 0) return { dns: 0, http: 0, https: 0, smtp: 0, control: 0 };
  return { dns: base + 53, http: base + 80, https: base + 443, smtp: base + 25, control: base + 900 };
}

export function register(program: Command): void {
  const sim = program.command('sim').description('the simulated internet');
  sim
    .command('run')
    .description(
      'start a scenario’s world, run the whole pipeline against it until its end, print incidents and score',
    )
    .argument('<scenario>', 'scenario file, or the name of a seed scenario')
    .option('--speed <n>', 'simulated seconds per real second (default: the scenario’s)', positiveNumber)
    .option('--json', 'print one JSON object on stdout (progress and logs on stderr)')
    .option('--truth-out <file>', 'have the world write its ground truth to this file')
    .option(
      '--timeout <duration>',
      'probe deadline in simulated time (default: 15 s, ≥ 0.5 s real)',
      duration,
    )
    .option('--no-mail', 'do not probe mail (SMTP)')
    .option('--https', 'probe the web over HTTPS (default: where the map finds a certificate)')
    .option('--http', 'probe the web over plain HTTP only')
    .option(
      '--baseline <method>',
      'also run this baseline inference on the same failures (score: SCORE, NSDI 2005)',
      (v: string) => {
        if (v !== 'score') throw new InvalidArgumentError('the only baseline is score');
        return v as 'score';
      },
    )
    .option(
      '--agents <n>',
      'probe from N `vigie agent` processes over NATS JetStream (the scenario’s first N vantages)',
      positiveNumber,
    )
    .option('--nats <url>', 'NATS server for --agents', 'nats://127.0.0.1:4222')
    .option('--config <file>', 'a vigie.yaml whose alerts: and maintenance: blocks are exercised on the run')
    .option('--quiet', 'no progress on stderr')
    .action(
      async (
        file: string,
        o: {
          speed?: number;
          json?: boolean;
          truthOut?: string;
          timeout?: number;
          mail: boolean;
          https?: boolean;
          http?: boolean;
          quiet?: boolean;
          baseline?: 'score';
          agents?: number;
          nats: string;
          config?: string;
        },
      ) => {
        const scenario = loadScenario(resolveScenarioPath(file));
        const log = o.quiet ? undefined : (l: string) => process.stderr.write(`${l}\n`);
        const out = await runScenario({
          scenario,
          speed: o.speed,
          timeoutMs: o.timeout,
          mail: o.mail,
          https: o.https ? true : o.http ? false : 'auto',
          truthOut: o.truthOut,
          baseline: o.baseline,
          alertsFile: o.config,
          ...(o.agents ? { agents: { count: Math.floor(o.agents), nats: o.nats } } : {}),
          log,
        });
        // The score is computed apart from the pipeline, from the scenario and the output only.
        if (scenario.truth.length > 0) out.score = scoreRun(scenario, out);
        process.stdout.write(o.json ? `${JSON.stringify(out)}\n` : formatSummary(out));
      },
    );
  sim
    .command('serve')
    .description('start the world of a scenario: DNS, HTTP(S), SMTP on loopback, faults on a simulated clock')
    .argument('<scenario>', 'scenario file, or the name of a seed scenario')
    .option('--speed <n>', 'simulated seconds per real second (default: the scenario’s)', positiveNumber)
    .option(
      '--state-dir <dir>',
      'where to write world.json, the CA, the AS table and range files',
      '.state/world',
    )
    .option(
      '--port-base <n>',
      'ports are base+53 (DNS), +80, +443, +25, +900; 0 = free ports (default 10000)',
      portBase,
    )
    .option('--truth-out <file>', 'write the ground truth (which site was hit when) to this file')
    .option('--exit-at-end', 'stop when the scenario ends (default: keep serving)')
    .action(
      async (
        file: string,
        o: { speed?: number; stateDir: string; portBase?: number; truthOut?: string; exitAtEnd?: boolean },
      ) => {
        const scenario = loadScenario(resolveScenarioPath(file));
        const world = await startWorld(scenario, {
          speed: o.speed,
          stateDir: o.stateDir,
          ports: portsFrom(o.portBase),
          truthOut: o.truthOut,
          log: (l) => process.stderr.write(`${l}\n`),
        });
        const i = world.info;
        process.stdout.write(`${JSON.stringify(i)}\n`);
        process.stderr.write(
          [
            `world "${i.title}" running at ×${i.clock.speed} (${new Date(i.clock.start).toISOString()} → ${new Date(i.clock.end).toISOString()})`,
            `  resolver   ${i.resolver.address} port ${i.resolver.port}   e.g. dig @${i.resolver.address} -p ${i.resolver.port} ${world.plan.sites[0]?.domain ?? 'example.test'}`,
            `  http/https ports ${i.ports.http}/${i.ports.https}, smtp ${i.ports.smtp}, CA ${i.caFile}`,
            `  described in ${join(i.stateDir, 'world.json')}; control ${i.control}`,
            '  Ctrl-C to stop',
          ].join('\n') + '\n',
        );
        await new Promise<void>((resolve) => {
          const done = () => resolve();
          process.once('SIGINT', done);
          process.once('SIGTERM', done);
          if (o.exitAtEnd) {
            const t = setInterval(() => {
              if (world.clock.now() >= i.clock.end) {
                clearInterval(t);
                done();
              }
            }, 200);
          }
        });
        await world.stop();
      },
    );
}
