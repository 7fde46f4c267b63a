/**
 * The watching service `vigie watch` and `vigie serve` run: the one pipeline over the sites in the
 * store, resumed from it after a restart (site states, open incidents under their ids), with every
 * transition and incident committed to the store — and sites able to come and go while it runs (the
 * API adds and removes them; each new one is mapped and joins the inference at once).
 */
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock/clock.ts';
import type { StateTransition } from '../detect/types.ts';
import type { Declarations } from '../map/declare.ts';
import type { DependencyGraph } from '../map/dependencies.ts';
import type { DomainMap } from '../map/types.ts';
import type { Incident } from '../model/incident.ts';
import type { Site } from '../model/site.ts';
import type { TargetPolicy } from '../net/address-policy.ts';
import type { RefusedResolution } from '../net/guard-resolver.ts';
import type { ReportService } from '../reports/service.ts';
import type { Store } from '../store/types.ts';
import type { Environment } from './environment.ts';
import type { ProbeFleet } from './fleet.ts';
import { Pipeline } from './pipeline.ts';
import { roundTraceFromEnv } from './trace.ts';

export { readWorld } from './environment.ts';

export interface ServiceOptions {
  store: Store;
  bus: Bus;
  clock: Clock;
  env: Environment;
  /** Which resolved addresses may be probed (outside a world: public ones only, unless allowed). */
  policy: TargetPolicy;
  onRefused?: (r: RefusedResolution) => void;
  intervalMs: number;
  /** Deadline of one probe, clock ms (default: the pipeline's). */
  timeoutMs?: number;
  https: boolean | 'auto';
  mail?: boolean;
  declared?: Declarations;
  remapEveryMs?: number;
  /** Probes in flight at once (default 256). */
  concurrency?: number;
  reports?: ReportService;
  fleet?: (bus: Bus) => ProbeFleet;
  /** A transition, once committed to the store (never before: a reported transition survives kill -9). */
  onCommitted?: (t: StateTransition) => void;
  /** Commit an incident change (default: upsert it; alerts add its outbox events in the same transaction). */
  commitIncident?: (i: Incident) => Promise<void>;
  /** Whether an incident may be published at all (maintenance windows say no). */
  publishes?: (i: Incident) => boolean;
  log?: (line: string) => void;
}

export interface Service {
  readonly pipeline: Pipeline;
  /** Map and watch these sites; resolves once they are mapped and in the inference. */
  add(sites: readonly Site[]): Promise<void>;
  remove(domains: readonly string[]): void;
  stop(): Promise<void>;
}

/**
 * Commit what the pipeline publishes on the Bus to the store: transitions and incidents in order,
 * observations as they come. The snapshot reads the same topics from the Bus directly.
 */
export function persist(
  bus: Bus,
  store: Store,
  onCommitted: (t: StateTransition) => void = () => {},
  /** How an incident change is committed (alerts commit it with its outbox events, in one transaction). */
  commitIncident: (i: Incident) => Promise<void> = (i) => store.upsertIncidents([i]),
): { stop(): Promise<void> } {
  let writes: Promise<void> = Promise.resolve();
  const offTransition = bus.subscribe('transition', (t) => {
    writes = writes
      .then(() =>
        store.recordTransitions([
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
        ]),
      )
      .then(() => onCommitted(t))
      .catch((e) => void process.stderr.write(`vigie: cannot record a transition: ${e}\n`));
  });
  const offIncident = bus.subscribe('incident', (i) => {
    writes = writes
      .then(() => commitIncident(i))
      .catch((e) => void process.stderr.write(`vigie: cannot record an incident: ${e}\n`));
  });
  const offObservation = bus.subscribe('observation', (obs) => void store.addObservations([obs]));
  return {
    async stop() {
      offTransition();
      offIncident();
      offObservation();
      await writes;
    },
  };
}

/** Start watching the store's sites (and those added later), resumed from what the store holds. */
export async function startService(o: ServiceOptions): Promise<Service> {
  const pipeline = new Pipeline({
    ...roundTraceFromEnv(),
    clock: o.clock,
    bus: o.bus,
    env: o.env,
    intervalMs: o.intervalMs,
    timeoutMs: o.timeoutMs,
    https: o.https,
    mail: o.mail,
    policy: o.policy,
    onRefused: o.onRefused,
    declared: o.declared,
    remapEveryMs: o.remapEveryMs,
    concurrency: o.concurrency ?? 256,
    reports: o.reports,
    fleet: o.fleet,
    publishes: o.publishes,
    log: o.log,
  });
  // Resume: each site's last state, and every incident (open ones continue under their ids).
  const current = await o.store.currentStates();
  pipeline.detection.detector.restore(
    current
      .filter((c) => c.vantage === null && c.to !== 'unknown' && c.role === 'web')
      .map((c) => ({
        site: c.site,
        role: c.role,
        state: c.to as 'up' | 'degraded' | 'down',
        since: c.observationTime,
      })),
  );
  pipeline.resume(await o.store.incidents());
  // The map the store holds is read at once; the sites are mapped again in the background.
  pipeline.resumeMap({
    components: await o.store.listComponents(),
    dependencies: await o.store.dependencies(),
  });
  const persisted = persist(o.bus, o.store, o.onCommitted, o.commitIncident);
  const mapped = async (maps: DomainMap[], graph: DependencyGraph) => {
    const domains = maps.map((m) => m.domain);
    await o.store.upsertComponents(graph.components);
    const mine = new Set(domains);
    await o.store.replaceDependencies(
      domains,
      graph.dependencies.filter((d) => mine.has(d.site)),
    );
  };
  const add = async (sites: readonly Site[], probeFirst = false) => {
    await pipeline.add(
      sites.map((s) => ({ domain: s.domain })),
      mapped,
      probeFirst,
    );
  };
  pipeline.start();
  const initial = await o.store.listSites();
  // The first map runs in the background: the API answers meanwhile.
  // Sites resumed from the store are probed at once; their map follows.
  const first = add(initial, true).catch((e) => o.log?.(`mapping failed: ${e}`));
  return {
    pipeline,
    add: (sites) => add(sites),
    remove: (domains) => pipeline.remove(domains),
    async stop() {
      await first;
      await pipeline.stop();
      await persisted.stop();
    },
  };
}
