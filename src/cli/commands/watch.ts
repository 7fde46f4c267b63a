/**
 * `vigie watch`: probe sites on a schedule, detect state changes, store them. Every confirmed
 * transition is committed to the store before it is printed, so a transition that was reported is
 * never lost, even to kill -9; on restart the sites and their states come back from the store and
 * probing resumes within one interval.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AsnTable } from '../../asn/table.ts';
import { InProcessBus } from '../../bus/bus.ts';
import { loadCatalog } from '../../catalog/load.ts';
import { type Clock, ScaledClock, SystemClock } from '../../clock/clock.ts';
import type { StateTransition } from '../../detect/types.ts';
import { DnsClient } from '../../dns/client.ts';
import { parseServer, systemResolver } from '../../dns/resolv-conf.ts';
import { UsageError } from '../../errors.ts';
import { TargetPolicy } from '../../net/address-policy.ts';
import { guardResolver } from '../../net/guard-resolver.ts';
import { createProbeContext, type OwnedProbeContext } from '../../probe/context.ts';
import type { WorldInfo } from '../../sim/files.ts';
import { DEFAULT_STORE_URL, openStore } from '../../store/index.ts';
import { Detection, Probing } from '../../watch/watch.ts';
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

function readWorldInfo(dir: string): WorldInfo {
  const path = dir.endsWith('.json') ? dir : join(dir, 'world.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as WorldInfo;
  } catch (e) {
    throw new UsageError(`cannot read world description ${path}: ${(e as Error).message}`);
  }
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
      const world = o.world ? readWorldInfo(o.world) : null;
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

      const real = (ms: number) => clock.toReal(ms);
      const ca = world ? readFileSync(world.caFile, 'utf8') : undefined;
      const vantages = world?.vantages.length ? world.vantages : [{ id: 'local', address: undefined }];
      // Outside a simulated world, never probe private, loopback, link-local or metadata addresses:
      // every resolution is filtered, so a name re-resolving to one is caught at probe time.
      const policy = new TargetPolicy({ allowPrivate: !!world || !!o.allowPrivate });
      const clients: DnsClient[] = [];
      const contexts: OwnedProbeContext[] = vantages.map((v) =>
        createProbeContext({
          vantage: v.id,
          localAddress: v.address,
          resolver: guardResolver(
            track(
              clients,
              new DnsClient({
                server: resolver,
                localAddress: v.address,
                timeoutMs: real(o.timeout / 4),
                retries: 1,
              }),
            ),
            policy,
            (r) =>
              process.stderr.write(
                `refused ${r.name}: ${r.refused.map((x) => `${x.address} (${x.ok ? '' : x.reason})`).join(', ')}\n`,
              ),
          ),
          ports: world
            ? { http: world.ports.http, https: world.ports.https, smtp: world.ports.smtp }
            : undefined,
          ca,
          timeouts: {
            dns: real(o.timeout / 2),
            connect: real(o.timeout),
            tls: real(o.timeout),
            response: real(o.timeout),
          },
          clock,
          catalog: loadCatalog(),
        }),
      );
      const bus = new InProcessBus((err, topic) => process.stderr.write(`vigie: ${topic} handler: ${err}\n`));
      const probing = new Probing({
        clock,
        bus,
        vantages: contexts.map((c) => c.ctx),
        intervalMs,
        timeoutMs: o.timeout * 2,
        concurrency: o.concurrency,
      });
      const detection = new Detection({
        bus,
        clock,
        intervalMs,
        asn: world ? AsnTable.load(world.asnDb) : undefined,
        reprobe: (s, k, v, d) => probing.reprobe(s, k, v, d),
      });
      // Resume: the agreed state of each site and role, as last stored.
      const current = await store.currentStates();
      detection.detector.restore(
        current
          .filter((c) => c.vantage === null && c.to !== 'unknown' && c.role === 'web')
          .map((c) => ({
            site: c.site,
            role: c.role,
            state: c.to as 'up' | 'degraded' | 'down',
            since: c.observationTime,
          })),
      );
      // Transitions are committed before they are reported; writes are chained to keep their order.
      let writes: Promise<void> = Promise.resolve();
      bus.subscribe('transition', (t: StateTransition) => {
        writes = writes.then(async () => {
          await store.recordTransitions([
            {
              site: t.site,
              role: t.role,
              vantage: null,
              from: t.from,
              to: t.to,
              at: t.at,
              signature: t.signature,
              observationTime: t.since,
            },
          ]);
          process.stdout.write(
            o.json
              ? `${JSON.stringify(t)}\n`
              : `${new Date(t.at).toISOString()}  ${t.site}  ${t.role}  ${t.from} → ${t.to}  ${t.signature}\n`,
          );
        });
      });
      bus.subscribe('vantage', (c) =>
        process.stderr.write(`vantage ${c.vantage} ${c.healthy ? 'healthy' : 'UNHEALTHY'}: ${c.reason}\n`),
      );
      bus.subscribe('observation', (obs) => void store.addObservations([obs]));
      probing.add(sites.map((s) => ({ domain: s.domain, secure: o.https })));
      probing.start();
      process.stderr.write(
        `watching ${sites.length} sites from ${vantages.map((v) => v.id).join(', ')} every ${intervalMs / 1000} s` +
          ` (store ${store.backend}, ${current.length} stored states)\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await probing.stop();
      detection.close();
      await writes;
      await store.close();
      await Promise.all(contexts.map((c) => c.close()));
      await Promise.all(clients.map((c) => c.close()));
    });
}

function track<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}
