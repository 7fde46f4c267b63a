/**
 * `vigie serve --config vigie.yaml`: watch the configured sites and serve the HTTP API (status,
 * Statuspage-compatible endpoints, Atom, live events, metrics). `vigie serve --hash-token` reads a
 * token on standard input and prints the hash to put in the configuration.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { connectNats } from '../../agents/connect.ts';
import { AgentFleet } from '../../agents/fleet.ts';
import { registerAlertMetrics } from '../../alerts/metrics.ts';
import { Alerts } from '../../alerts/service.ts';
import type { Bus } from '../../bus/bus.ts';
import { InProcessBus } from '../../bus/bus.ts';
import { type Clock, ScaledClock, SystemClock } from '../../clock/clock.ts';
import { systemResolver } from '../../dns/resolv-conf.ts';
import { UsageError } from '../../errors.ts';
import { type Declarations, loadDeclarations, parseDeclarations } from '../../map/declare.ts';
import type { WorldInfo } from '../../model/world.ts';
import { TargetPolicy } from '../../net/address-policy.ts';
import { readWorld, realEnvironment, worldEnvironment } from '../../pipeline/environment.ts';
import { probeTimeout } from '../../pipeline/pipeline.ts';
import { type Service, startService } from '../../pipeline/service.ts';
import { slowThresholdFor } from '../../probe/context.ts';
import { ReportService } from '../../reports/service.ts';
import { buildApp } from '../../server/app.ts';
import { hashToken, isLegacyTokenHash } from '../../server/auth.ts';
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
    .option('--hash-token', 'print the hash of an API token read from standard input')
    .option('--no-probe', 'serve what the store holds without probing (another process watches)')
    .action(async (o: ServeOptions) => {
      if (o.hashToken !== undefined) {
        // Only from standard input: a token on the command line is visible to every user in `ps`.
        if (typeof o.hashToken === 'string')
          throw new UsageError(
            'give the token on standard input, not the command line (it would show in ps)',
          );
        const token = readFileSync(0, 'utf8').trim();
        if (token.length < 16) throw new UsageError('a token needs at least 16 characters');
        process.stdout.write(`${hashToken(token)}\n`);
        return;
      }
      if (!o.config) throw new UsageError('give --config FILE (or --hash-token)');
      const config = loadServeConfig(o.config);
      if (config.tokenHash && isLegacyTokenHash(config.tokenHash))
        process.stderr.write(
          'vigie: token_hash is in the older scrypt format; `vigie serve --hash-token` prints the faster one\n',
        );
      const world = config.world ? readWorld(config.world) : null;
      const clock: Clock = world ? ScaledClock.of(world.clock) : new SystemClock();
      const policy = new TargetPolicy({ allowPrivate: config.allowPrivate });
      const store = await openStore(config.store, { clock });
      if (config.sites.length) await store.upsertSites(config.sites);

      const log = (line: string) => process.stderr.write(`vigie: ${line}\n`);
      const bus = new InProcessBus((err, topic) => log(`${topic} handler: ${err}`));
      const snapshot = new StatusSnapshot({ clock });
      await snapshot.load(store);
      snapshot.attach(bus);
      const metrics = new ProbeMetrics();
      metrics.attach(bus);
      const reports = new ReportService({ clock, bus, isWatched: (d) => snapshot.site(d) !== null });

      // Alerts: incident changes committed with their outbox events, delivered after; maintenance
      // windows keep incidents from being published at all.
      const page: { name: string; url?: string; timeZone?: string } = world
        ? { ...config.page, timeZone: world.clock.timezone }
        : { ...config.page };
      const alerts = await Alerts.start({
        store,
        clock,
        bus,
        config: config.alerts,
        maintenance: config.maintenance,
        publicUrl: () => page.url ?? `http://${config.listen.host}:${config.listen.port}`,
        timeZone: page.timeZone,
        log,
      });
      registerAlertMetrics(metrics.registry, () => alerts.dispatcher.stats());
      // Probing spread over `vigie agent` processes: the core's fleet over NATS JetStream.
      const nats = config.agents
        ? await connectNats({
            url: config.agents.url,
            name: 'vigie-core',
            creds: config.agents.creds ?? undefined,
            nkeySeed: config.agents.nkey ?? undefined,
            token: process.env.VIGIE_NATS_TOKEN,
          })
        : null;
      let agentFleet: AgentFleet | null = null;
      const resolver = config.resolver ?? world?.resolver ?? systemResolver();
      if (o.probe !== false && !resolver)
        throw new UsageError('no resolver: set resolver in the configuration');
      // Declared first: the agents' health callback reads it once the service runs.
      let service: Service | null = null;
      service =
        o.probe === false || !resolver
          ? null
          : await startService({
              store,
              bus,
              clock,
              env: world
                ? worldEnvironment(world)
                : realEnvironment({
                    resolver,
                    vantage: config.vantage,
                    asnDb: config.asnDb,
                    rangesDir: config.rangesDir,
                  }),
              policy,
              intervalMs: config.intervalMs ?? world?.probeIntervalMs ?? 60_000,
              timeoutMs: world && config.timeoutMs === 10_000 ? undefined : config.timeoutMs,
              https: config.https,
              mail: config.mail,
              declared: await declarations(config.declarations, world),
              remapEveryMs: config.remapEveryMs,
              reports,
              log,
              commitIncident: (i) => alerts.commit(i),
              publishes: alerts.schedule.publishes,
              ...(nats && config.agents
                ? {
                    fleet: (raw: Bus) => {
                      const speed = clock.speed;
                      const intervalMs = config.intervalMs ?? world?.probeIntervalMs ?? 60_000;
                      agentFleet = new AgentFleet({
                        nc: nats,
                        bus: raw,
                        clock,
                        agents: config.agents!.names,
                        prefix: config.agents!.prefix,
                        perSite: config.agents!.perSite,
                        intervalMs,
                        timeoutMs: probeTimeout(intervalMs, speed),
                        slowMs: slowThresholdFor(speed),
                        // On a fast simulated clock an interval is under a second of real time: an
                        // agent is gone after a real pause, not a scheduling hiccup.
                        goneAfterMs: Math.max(3_000, clock.toReal(intervalMs)),
                        isHealthy: (v) => service?.pipeline.detection.health.isHealthy(v) ?? true,
                        log,
                      });
                      return agentFleet;
                    },
                  }
                : {}),
              onRefused: (r) => {
                metrics.refused();
                const first = r.refused[0];
                log(`refused ${r.name} → ${first.address}: ${first.ok ? '' : first.reason}`);
              },
            });

      if (service) {
        metrics.scheduler(() => service.pipeline.fleet.stats());
        metrics.pipeline(() => service.pipeline.stats());
      }
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
        page,
        alerts,
        reports,
        probe: service ? { context: () => service.pipeline.fleet.probeContext?.() ?? null } : undefined,
        onSitesChanged: (c) => {
          service
            ?.add(c.added)
            .catch((e) => log(`cannot map ${c.added.map((x) => x.domain).join(', ')}: ${e}`));
          service?.remove(c.removed);
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
      // The agents' states (healthy, degraded, gone; heartbeat; probes/s) join the status's vantages,
      // read on each request; a change of state is also published as a vantage health change (live
      // streams, and alerts held while every vantage is unhealthy).
      snapshot.setAgents(() => (agentFleet as AgentFleet | null)?.states() ?? []);
      const told = new Map<string, string>();
      const agentStates = setInterval(() => {
        for (const a of (agentFleet as AgentFleet | null)?.states() ?? []) {
          if (told.get(a.vantage) === `${a.state}|${a.sites}`) continue;
          told.set(a.vantage, `${a.state}|${a.sites}`);
          bus.publish('vantage', {
            vantage: a.vantage,
            healthy: a.state === 'healthy',
            at: clock.now(),
            reason: `agent ${a.state}${a.reason ? `: ${a.reason}` : ''}; ${a.sites} sites`,
          });
        }
      }, 2000);
      agentStates.unref();
      // SIGHUP: read the configuration again; sites added to it are mapped and watched, sites taken
      // out of it are dropped (sites added through the API are the API's to remove).
      let configured = new Set(config.sites.map((s) => s.domain));
      const reload = async () => {
        let next: typeof config;
        try {
          next = loadServeConfig(o.config as string);
        } catch (e) {
          log(`SIGHUP: configuration kept, the new one is invalid:\n${e instanceof Error ? e.message : e}`);
          return;
        }
        const now = new Set(next.sites.map((s) => s.domain));
        const added = next.sites.filter((s) => !configured.has(s.domain));
        const removed = [...configured].filter((d) => !now.has(d));
        configured = now;
        if (added.length) {
          await store.upsertSites(added);
          snapshot.addSites(added);
        }
        if (removed.length) {
          await store.removeSites(removed);
          snapshot.removeSites(removed);
          service?.remove(removed);
        }
        log(`SIGHUP: configuration reloaded: ${added.length} sites added, ${removed.length} removed`);
        if (added.length) await service?.add(added);
      };
      const onHup = () => void reload().catch((e) => log(`SIGHUP: ${e}`));
      process.on('SIGHUP', onHup);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.off('SIGHUP', onHup);
      clearInterval(agentStates);
      await app.close();
      await service?.stop();
      await alerts.stop();
      await nats?.drain();
      await store.close();
      await bus.close();
    });
}

/**
 * What the sites' operators declare: the configured file, or — watching a simulated world — the
 * declarations its operators publish at the control endpoint (what `vigie sim run` reads too).
 */
async function declarations(file: string | null, world: WorldInfo | null): Promise<Declarations | undefined> {
  if (file) return loadDeclarations(file);
  if (!world) return undefined;
  const url = `${world.control}/config/declarations`;
  const res = await fetch(url).catch(() => null);
  return res?.ok ? parseDeclarations(await res.text(), url) : undefined;
}
