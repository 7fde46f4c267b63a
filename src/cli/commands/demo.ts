import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadScenario } from '../../scenario/load.ts';
import { startWorld } from '../../sim/world.ts';
import { portsFrom, positiveNumber } from './sim.ts';

const SEEDS = new URL('../../../scenarios/', import.meta.url).pathname;

/**
 * `vigie demo`: replays the seed scenarios one after another, in a loop, in the simulated world.
 * Until the server lands, the demo is the world alone: it prints how to reach it with dig and curl.
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('SIMULATION: replay the seed incidents one after another in the simulated internet')
    .option('--speed <n>', 'simulated seconds per real second (default: each scenario’s own)', positiveNumber)
    .option('--state-dir <dir>', 'where the world writes world.json, the CA, the AS table', '.state/demo')
    .option(
      '--port-base <n>',
      'ports are base+53, +80, +443, +25, +900 (default 10000; 0 = free ports)',
      Number,
    )
    .option('--once', 'play each scenario once, then stop')
    .action(async (o: { speed?: number; stateDir: string; portBase?: number; once?: boolean }) => {
      const files = readdirSync(SEEDS)
        .filter((f) => f.endsWith('.yaml'))
        .sort();
      let stopping = false;
      let wake: () => void = () => {};
      const onSignal = () => {
        stopping = true;
        wake();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      do {
        for (const f of files) {
          if (stopping) break;
          const scenario = loadScenario(join(SEEDS, f));
          const world = await startWorld(scenario, {
            speed: o.speed,
            stateDir: o.stateDir,
            ports: portsFrom(o.portBase),
          });
          const i = world.info;
          const site = world.plan.sites[0]?.domain ?? 'example.test';
          const addr = world.plan.sites[0]?.frontAddresses[0];
          process.stdout.write(
            [
              '',
              `▶ SIMULATION — replaying "${i.title}" at ×${i.clock.speed} ` +
                `(${Math.round((i.clock.end - i.clock.start) / i.clock.speed / 1000)} s real)`,
              `  resolver   dig @${i.resolver.address} -p ${i.resolver.port} ${site}`,
              `  web        curl -H 'Host: ${site}' http://${addr}:${i.ports.http}/`,
              `  world      ${join(i.stateDir, 'world.json')}`,
              '',
            ].join('\n'),
          );
          await new Promise<void>((resolve) => {
            wake = resolve;
            const t = setInterval(() => {
              if (world.clock.now() >= i.clock.end) {
                clearInterval(t);
                resolve();
              }
            }, 250);
          });
          await world.stop();
        }
      } while (!o.once && !stopping);
    });
}
