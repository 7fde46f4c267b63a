/**
 * `vigie watch`: probe sites on a schedule, detect state changes, store them. Every confirmed
 * transition is committed to the store before it is printed, so a transition that was reported is
 * never lost, even to kill -9; on restart the sites and their states come back from the store and
 * probing resumes within one interval.
 */
import type { Command } from 'commander';
import { InProcessBus } from '../../bus/bus.ts';
import { type Clock, ScaledClock, SystemClock } from '../../clock/clock.ts';
import type { StateTransition } from '../../detect/types.ts';
import { parseServer, systemResolver } from '../../dns/resolv-conf.ts';
import { UsageError } from '../../errors.ts';
import { TargetPolicy } from '../../net/address-policy.ts';
import { readWorld, startPipeline } from '../../pipeline/service.ts';
import { DEFAULT_STORE_URL, openStore } from '../../store/index.ts';
import { duration, positiveInt, readList } from '../args.ts';

interface WatchOptions {
  file?: string;
  world?: string;
  resolver?: string;
  store: string;
  interval?: number;
  timeout: number;
  concurrency: number;
  https?: boolean;
  json?: boolean;
  allowPrivate?: boolean;
}

export function register(program: Command): void {
  program
    .command('watch')
    .description('probe sites on a schedule, detect and store state changes (resumes from the store)')
    .argument('[domain...]', 'domains to add to the watched set')
    .option('--file <list>', 'add domains from a file, one per line (- for standard input)')
    .option('--world <dir>', 'watch a simulated world (its world.json: resolver, ports, CA, clock, vantages)')
    .option('--resolver <addr[:port]>', 'DNS resolver (default: the world’s, or /etc/resolv.conf)')
    .option('--store <url>', 'sqlite:PATH or postgres://…', DEFAULT_STORE_URL)
    .option('--interval <duration>', 'probe interval per site (default: the world’s, else 60s)', duration)
    .option('--timeout <duration>', 'deadline of one probe, in the clock’s time', duration, 10_000)
    .option('--concurrency <n>', 'probes in flight at once', positiveInt, 256)
    .option('--https', 'probe the web over HTTPS')
    .option('--json', 'print transitions as JSON lines')
    .option(
      '--allow-private',
      'probe private, loopback and link-local addresses too (refused by default outside a world)',
    )
    .action(async (domains: string[], o: WatchOptions) => {
      const world = o.world ? readWorld(o.world) : null;
      const clock: Clock = world
        ? new ScaledClock(world.clock.origin, world.clock.speed, world.clock.anchor)
        : new SystemClock();
      const resolver = o.resolver ? parseServer(o.resolver) : (world?.resolver ?? systemResolver());
      if (!resolver) throw new UsageError('no resolver: give --resolver ADDR[:PORT]');
      const intervalMs = o.interval ?? world?.probeIntervalMs ?? 60_000;
      const store = await openStore(o.store, { clock });
      const added = [...domains, ...(o.file ? readList(o.file) : [])];
      if (added.length) await store.upsertSites(added.map((domain) => ({ domain })));
      const sites = await store.listSites();
      if (sites.length === 0) throw new UsageError('nothing to watch: give domains, or --file LIST');

      const bus = new InProcessBus((err, topic) => process.stderr.write(`vigie: ${topic} handler: ${err}\n`));
      bus.subscribe('vantage', (c) =>
        process.stderr.write(`vantage ${c.vantage} ${c.healthy ? 'healthy' : 'UNHEALTHY'}: ${c.reason}\n`),
      );
      // Outside a simulated world, never probe private, loopback, link-local or metadata addresses:
      // every resolution is filtered, so a name re-resolving to one is caught at probe time.
      const pipeline = await startPipeline({
        store,
        bus,
        clock,
        policy: new TargetPolicy({ allowPrivate: !!world || !!o.allowPrivate }),
        resolver,
        world,
        vantage: 'local',
        intervalMs,
        timeoutMs: o.timeout,
        https: !!o.https,
        concurrency: o.concurrency,
        onRefused: (r) =>
          process.stderr.write(
            `refused ${r.name}: ${r.refused.map((x) => `${x.address} (${x.ok ? '' : x.reason})`).join(', ')}\n`,
          ),
        // Printed only once committed: a transition that was reported survives kill -9.
        onCommitted: (t: StateTransition) =>
          process.stdout.write(
            o.json
              ? `${JSON.stringify(t)}\n`
              : `${new Date(t.at).toISOString()}  ${t.site}  ${t.role}  ${t.from} → ${t.to}  ${t.signature}\n`,
          ),
      });
      const vantages = world?.vantages.length ? world.vantages.map((v) => v.id) : ['local'];
      process.stderr.write(
        `watching ${sites.length} sites from ${vantages.join(', ')} every ${intervalMs / 1000} s (store ${store.backend})\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await pipeline.stop();
      await store.close();
    });
}
