/**
 * `vigie demo`: the server and the simulated internet, replaying the seed incidents one after another
 * in a loop — clearly labelled SIMULATION. Each replay runs Vigie's real pipeline against the
 * scenario's world (a child process: map → probe → detect → infer → explain → incidents) and
 * publishes it into the server (store, status snapshot, live events), with the world's crowd reports
 * posted through the real HTTP intake. Each replay starts from a fresh SQLite store in the state
 * directory; the dashboard follows from one replay to the next without a reload.
 */
import { readdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { SystemClock } from '../../clock/clock.ts';
import { VigieError } from '../../errors.ts';
import { closeParts, replay } from '../../lab/run/replay.ts';
import { loadScenario } from '../../lab/scenario/load.ts';
import { ReportService } from '../../reports/service.ts';
import { buildApp } from '../../server/app.ts';
import { ProbeMetrics } from '../../server/metrics/probe-metrics.ts';
import { normalizePublicUrl } from '../../server/public-url.ts';
import { StoreRiskSource } from '../../server/risk-cache.ts';
import { ProbeContextSlot } from '../../server/routes/probe.ts';
import { StatusSnapshot } from '../../server/status/snapshot.ts';
import { SwitchableServer } from '../../server/status/switchable.ts';
import type { PageInfo } from '../../server/statuspage.ts';
import { openStore } from '../../store/index.ts';
import { duration } from '../args.ts';
import { positiveNumber, resolveScenarioPath } from './sim.ts';

const SEEDS = new URL('../../../scenarios/', import.meta.url).pathname;
const FIRST = 'ovh-backbone-2021.yaml';

interface DemoOptions {
  speed?: number;
  stateDir: string;
  portBase?: number;
  host: string;
  port: number;
  once?: boolean;
  scenario?: string;
  pause: number;
  tokenHash?: string;
  verbose?: boolean;
  publicUrl?: string;
  config?: string;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'SIMULATION: serve the dashboard while replaying the seed incidents in the simulated internet, in a loop',
    )
    .option('--speed <n>', 'simulated seconds per real second (default: each scenario’s own)', positiveNumber)
    .option('--scenario <name|file>', 'replay just this scenario (a seed name or a file)')
    .option('--once', 'play the list once, then stop')
    .option('--host <host>', 'address to serve on', 'localhost')
    .option('--port <n>', 'port to serve on (0: a free one)', port, 8080)
    .option(
      '--pause <duration>',
      'how long the end of each replay stays on screen before the next (real time)',
      duration,
      10_000,
    )
    .option('--state-dir <dir>', 'worlds’ files and the replays’ SQLite stores', '.state/demo')
    .option('--port-base <n>', 'world ports are base+53, +80, +443, +25, +900 (default: free ports)', Number)
    .option('--token-hash <hash>', 'accept writes with this API token (`vigie serve --hash-token`)')
    .option(
      '--public-url <url>',
      'public base URL of outward links (page.url, shortlinks, Atom); default: the address served',
      (v: string) => {
        try {
          return normalizePublicUrl(v);
        } catch (e) {
          throw new InvalidArgumentError((e as Error).message);
        }
      },
    )
    .option(
      '--config <file>',
      'a vigie.yaml whose alerts: and maintenance: blocks are exercised on the replays',
    )
    .option('--verbose', 'print the pipeline’s and the world’s own progress lines too')
    .action(async (o: DemoOptions) => {
      const files = o.scenario
        ? [resolveScenarioPath(o.scenario)]
        : readdirSync(SEEDS)
            .filter((f) => f.endsWith('.yaml'))
            // The OVH backbone outage first (what the README's dashboard tour describes), then the rest.
            .sort((a, b) => Number(b === FIRST) - Number(a === FIRST) || a.localeCompare(b))
            .map((f) => join(SEEDS, f));
      // Every scenario is checked before anything starts (exit 2 with located errors).
      const scenarios = files.map((f) => loadScenario(f));
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const err = (line: string) => process.stderr.write(`${line}\n`);

      // Until the first world is up, the server serves an empty state.
      const idleClock = new SystemClock();
      const idleStore = await openStore('sqlite::memory:', { clock: idleClock });
      const idleSnapshot = new StatusSnapshot({ clock: idleClock });
      const server = new SwitchableServer({
        clock: idleClock,
        store: idleStore,
        snapshot: idleSnapshot,
        reports: new ReportService({ clock: idleClock, isWatched: () => false }),
        risk: new StoreRiskSource(idleStore, idleClock),
      });
      const page: Partial<PageInfo> = { name: 'SIMULATION — starting the simulated internet…' };
      const metrics = new ProbeMetrics();
      const probeSlot = new ProbeContextSlot();
      const app = await buildApp({
        publicUrl: o.publicUrl,
        probe: { context: probeSlot.get },
        source: server,
        writer: server,
        store: server.store,
        clock: server.clock,
        risk: server.risk,
        reports: server.reports,
        tokenHash: o.tokenHash ?? null,
        metrics,
        page,
        rateLimit: false,
      });
      try {
        await app.listen({ host: o.host, port: o.port });
      } catch (e) {
        const code = (e as { code?: string }).code;
        await app.close();
        await closeParts(server.current);
        if (code === 'EADDRINUSE')
          throw new VigieError(
            'VIGIE_PORT_IN_USE',
            `port ${o.port} is already in use on ${o.host} (try --port N)`,
          );
        throw e;
      }
      const address = app.server.address();
      const actual = typeof address === 'object' && address ? address.port : o.port;
      const shown =
        isIP(o.host) === 6 ? `[${o.host}]` : o.host === '0.0.0.0' || o.host === '::' ? 'localhost' : o.host;
      const url = `http://${shown}:${actual}/`;
      // Reports are posted from 127.200.x.y: the server must be reachable over IPv4 loopback.
      const intakeHost =
        isIP(o.host) === 4
          ? o.host
          : o.host === '0.0.0.0' || o.host === 'localhost' || o.host === '::'
            ? '127.0.0.1'
            : null;
      out('Vigie demo — SIMULATION: seed incidents replayed in a simulated internet on loopback.');
      out(`Dashboard: ${url}   (API: ${url}api/v2/summary.json; Ctrl-C to stop)`);
      if (!intakeHost) err(`vigie: serving on ${o.host}: the simulated crowd reports are not posted`);

      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let close: (() => Promise<void>) | null = null;
      let loop = 0;
      let failed = 0;
      try {
        do {
          loop++;
          for (const [k, scenario] of scenarios.entries()) {
            if (abort.signal.aborted) break;
            await close?.();
            close = null;
            let r: Awaited<ReturnType<typeof replay>>;
            try {
              r = await replay({
                scenario,
                speed: o.speed,
                stateDir: o.stateDir,
                portBase: o.portBase,
                server,
                page,
                intake: intakeHost ? { host: intakeHost, port: actual } : null,
                metrics,
                probeSlot,
                alertsFile: o.config,
                position: scenarios.length > 1 ? { index: k + 1, total: scenarios.length } : undefined,
                // Incident ids name the scenario, and the round of the loop after the first.
                label: loop > 1 ? `${scenario.name}-r${loop}` : scenario.name,
                signal: abort.signal,
                log: out,
                debug: o.verbose ? err : undefined,
              });
            } catch (e) {
              // One replay failing (a world that did not start…) does not take the server down.
              err(`vigie: the replay of ${scenario.name} failed: ${e instanceof Error ? e.message : e}`);
              failed++;
              await sleep(o.pause, abort.signal);
              continue;
            }
            close = r.close;
            const opened = r.incidents.filter((i) => !i.cause.component?.startsWith('site:'));
            const rep = r.reports;
            out(
              `■ ${scenario.name}: ${r.sites} sites, ${r.probes.toLocaleString('en')} probes in ${r.realSeconds} s; ` +
                `${opened.length} incident${opened.length === 1 ? '' : 's'} (+${r.incidents.length - opened.length} single-site)` +
                (rep ? `; crowd reports: ${rep.accepted} counted of ${rep.received}` : ''),
            );
            if (abort.signal.aborted) break;
            await sleep(o.pause, abort.signal);
          }
        } while (!o.once && !abort.signal.aborted);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await app.close();
        await close?.();
        await closeParts(server.current);
      }
      if (failed)
        throw new VigieError('VIGIE_REPLAY_FAILED', `${failed} replay${failed > 1 ? 's' : ''} failed`);
    });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
