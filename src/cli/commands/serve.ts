/**
 * `vigie serve --config vigie.yaml`: watch the configured sites and serve the HTTP API (status,
 * Statuspage-compatible endpoints, Atom, live events, metrics). `vigie serve --hash-token` reads a
 * token on standard input and prints the hash to put in the configuration.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InProcessBus } from '../../bus/bus.ts';
import { type Clock, ScaledClock, SystemClock } from '../../clock/clock.ts';
import { systemResolver } from '../../dns/resolv-conf.ts';
import { UsageError } from '../../errors.ts';
import { TargetPolicy } from '../../net/address-policy.ts';
import { readWorld, startPipeline } from '../../pipeline/service.ts';
import { buildApp } from '../../server/app.ts';
import { hashToken } from '../../server/auth.ts';
import { loadServeConfig } from '../../server/config.ts';
import { ProbeMetrics } from '../../server/metrics/probe-metrics.ts';
import { StatusSnapshot } from '../../server/status/snapshot.ts';
import { openStore } from '../../store/index.ts';

interface ServeOptions {
  config?: string;
  hashToken?: boolean | string;
  probe?: boolean;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('watch sites and serve the HTTP API, Statuspage endpoints, Atom, live events and metrics')
    .option('--config <file>', 'configuration file (YAML); environment variables VIGIE_* override it')
    .option('--hash-token [token]', 'print the hash of an API token (read from standard input if not given)')
    .option('--no-probe', 'serve what the store holds without probing (another process watches)')
    .action(async (o: ServeOptions) => {
      if (o.hashToken !== undefined) {
        const token = typeof o.hashToken === 'string' ? o.hashToken : readFileSync(0, 'utf8').trim();
        if (token.length < 16) throw new UsageError('a token needs at least 16 characters');
        process.stdout.write(`${hashToken(token)}\n`);
        return;
      }
      if (!o.config) throw new UsageError('give --config FILE (or --hash-token)');
      const config = loadServeConfig(o.config);
      const world = config.world ? readWorld(config.world) : null;
      const clock: Clock = world
        ? new ScaledClock(world.clock.origin, world.clock.speed, world.clock.anchor)
        : new SystemClock();
      const policy = new TargetPolicy({ allowPrivate: config.allowPrivate });
      const store = await openStore(config.store, { clock });
      if (config.sites.length) await store.upsertSites(config.sites);

      const bus = new InProcessBus((err, topic) => process.stderr.write(`vigie: ${topic} handler: ${err}\n`));
      const snapshot = new StatusSnapshot({ clock });
      await snapshot.load(store);
      snapshot.attach(bus);
      const metrics = new ProbeMetrics();
      metrics.attach(bus);

      const resolver = config.resolver ?? world?.resolver ?? systemResolver();
      if (o.probe !== false && !resolver)
        throw new UsageError('no resolver: set resolver in the configuration');
      const pipeline =
        o.probe === false || !resolver
          ? null
          : await startPipeline({
              store,
              bus,
              clock,
              policy,
              resolver,
              world,
              vantage: config.vantage,
              intervalMs: config.intervalMs ?? world?.probeIntervalMs ?? 60_000,
              timeoutMs: config.timeoutMs,
              https: config.https,
              onRefused: (r) => {
                metrics.refused();
                const first = r.refused[0];
                process.stderr.write(
                  `vigie: refused ${r.name} → ${first.address}: ${first.ok ? '' : first.reason}\n`,
                );
              },
            });

      const app = await buildApp({
        source: snapshot,
        writer: snapshot,
        store,
        clock,
        tokenHash: config.tokenHash,
        rateLimit: config.rateLimit,
        policy,
        metrics,
        // A replay's times read in the scenario's own zone (09:12 CEST, as the newsrooms reported it).
        page: world ? { ...config.page, timeZone: world.clock.timezone } : config.page,
        onSitesChanged: (c) => {
          pipeline?.add(c.added);
          pipeline?.remove(c.removed);
        },
      });
      await app.listen({ host: config.listen.host, port: config.listen.port });
      const address = app.server.address();
      const where =
        typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
      process.stderr.write(
        `vigie: serving ${snapshot.counts().sites} sites on http://${where} (store ${store.backend}` +
          `${world ? ', SIMULATION' : ''}${config.tokenHash ? '' : ', no token: read-only'})\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await app.close();
      await pipeline?.stop();
      await store.close();
      await bus.close();
    });
}
