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
import type { Cause } from '../../model/incident.ts';
import { TargetPolicy } from '../../net/address-policy.ts';
import { readWorld, realEnvironment, worldEnvironment } from '../../pipeline/environment.ts';
import { startService } from '../../pipeline/service.ts';
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
  http?: boolean;
  json?: boolean;
  allowPrivate?: boolean;
  asnDb?: string;
  ranges?: string;
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
    .option('--https', 'probe the web over HTTPS (default: where the map finds a certificate)')
    .option('--http', 'probe the web over plain HTTP only')
    .option('--json', 'print transitions, incidents and summaries as JSON lines')
    .option('--asn-db <file>', 'IP-to-AS CSV (default: the bundled database)')
    .option('--ranges <dir>', 'provider range files, for regions')
    .option(
      '--allow-private',
      'probe private, loopback and link-local addresses too (refused by default outside a world)',
    )
    .action(async (domains: string[], o: WatchOptions) => {
      const world = o.world ? readWorld(o.world) : null;
      const clock: Clock = world ? ScaledClock.of(world.clock) : new SystemClock();
      const resolver = o.resolver ? parseServer(o.resolver) : (world?.resolver ?? systemResolver());
      if (!resolver) throw new UsageError('no resolver: give --resolver ADDR[:PORT]');
      const intervalMs = o.interval ?? world?.probeIntervalMs ?? 60_000;
      const store = await openStore(o.store, { clock });
      const added = [...domains, ...(o.file ? readList(o.file) : [])];
      if (added.length) await store.upsertSites(added.map((domain) => ({ domain })));
      const sites = await store.listSites();
      if (sites.length === 0) throw new UsageError('nothing to watch: give domains, or --file LIST');

      const bus = new InProcessBus((err, topic) => process.stderr.write(`vigie: ${topic} handler: ${err}\n`));
      const line = (text: string, json: object) =>
        process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`);
      bus.subscribe('vantage', (c) =>
        process.stderr.write(`vantage ${c.vantage} ${c.healthy ? 'healthy' : 'UNHEALTHY'}: ${c.reason}\n`),
      );
      bus.subscribe('health', (h) =>
        process.stderr.write(
          `self-check: ${h.reliable ? 'reliable' : 'WITHHOLDING verdicts'}: ${h.reason}\n`,
        ),
      );
      // Incidents as they open, change cause and resolve (not every curve update).
      const told = new Map<string, string>();
      bus.subscribe('incident', (i) => {
        const state = `${i.resolvedAt === null ? 'open' : 'resolved'}|${i.key ?? ''}`;
        if (told.get(i.id) === state) return;
        told.set(i.id, state);
        line(
          `${new Date(i.resolvedAt ?? i.detectedAt).toISOString()}  incident ${i.id} ${i.resolvedAt === null ? 'open' : 'resolved'}: ` +
            `${describeCause(i.cause)} (${i.kind}, ${i.affected.length} site${i.affected.length === 1 ? '' : 's'}, confidence ${Math.round(i.confidence * 100)} %)`,
          { type: 'incident', incident: i },
        );
      });
      const env = world
        ? worldEnvironment(world)
        : realEnvironment({ resolver, vantage: 'local', asnDb: o.asnDb, rangesDir: o.ranges });
      // Outside a simulated world, never probe private, loopback, link-local or metadata addresses:
      // every resolution is filtered, so a name re-resolving to one is caught at probe time.
      const service = await startService({
        store,
        bus,
        clock,
        env,
        policy: new TargetPolicy({ allowPrivate: !!world || !!o.allowPrivate }),
        intervalMs,
        timeoutMs: o.timeout,
        https: o.https ? true : o.http ? false : 'auto',
        concurrency: o.concurrency,
        log: (l) => process.stderr.write(`${l}\n`),
        onRefused: (r) =>
          process.stderr.write(
            `refused ${r.name}: ${r.refused.map((x) => `${x.address} (${x.ok ? '' : x.reason})`).join(', ')}\n`,
          ),
        // Printed only once committed: a transition that was reported survives kill -9.
        onCommitted: (t: StateTransition) =>
          line(`${new Date(t.at).toISOString()}  ${t.site}  ${t.role}  ${t.from} → ${t.to}  ${t.signature}`, {
            type: 'transition',
            ...t,
          }),
      });
      process.stderr.write(
        `watching ${sites.length} sites from ${env.vantages.map((v) => v.id).join(', ')} every ${intervalMs / 1000} s (store ${store.backend})\n`,
      );
      // A summary line every interval: what is failing, how punctual probing is.
      const summary = setInterval(
        () => {
          // A site whose certificate is refused fails for its HTTPS visitors, its HTTP up or not.
          const failing = new Set(
            [...service.pipeline.detection.detector.failing()]
              .filter((f) => f.role === 'web' || f.role === 'tls')
              .map((f) => f.site),
          );
          const st = service.pipeline.stats();
          const sch = service.pipeline.fleet.stats();
          const open = service.pipeline.incidents().filter((i) => i.resolvedAt === null).length;
          const at = new Date(clock.now()).toISOString();
          line(
            `${at}  ${st.sites} sites: ${failing.size} failing; ${open} open incident${open === 1 ? '' : 's'}; ` +
              `${st.probes} probes, lateness p99 ${Math.round(sch.latenessP99Ms)} ms, ${sch.skipped} skipped`,
            {
              type: 'summary',
              at,
              sites: st.sites,
              failing: failing.size,
              open,
              probes: st.probes,
              skipped: sch.skipped,
            },
          );
        },
        Math.max(1000, clock.toReal(intervalMs)),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(summary);
      await service.stop();
      await store.close();
    });
}

/** A cause in a few words: `OVH SAS (AS16276) region sbg`, `site a.test`. */
function describeCause(c: Cause): string {
  if (c.component?.startsWith('site:')) return `site ${c.component.slice(5)}`;
  if (c.component?.startsWith('cluster:'))
    return `sites failing alike (${c.component.slice(8)}), cause not established`;
  const who = c.name && c.asn ? `${c.name} (AS${c.asn})` : (c.provider ?? c.component ?? 'unknown');
  const parts = [c.role, c.region && `region ${c.region}`, c.plan && `${c.plan} plan`, c.component].filter(
    Boolean,
  );
  return [who, ...parts].join(' ');
}
