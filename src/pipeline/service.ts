/**
 * The watching service `vigie watch` and `vigie serve` run: probing from each vantage through a
 * resolver guarded by the target policy, detection resumed from the store, transitions committed to
 * the store — with the sites able to change while it runs (the API adds and removes them).
 * Incidents published on the Bus's `incident` topic (by `vigie demo`'s replays) are committed too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnTable } from '../asn/table.ts';
import type { Bus } from '../bus/bus.ts';
import { loadCatalog } from '../catalog/load.ts';
import type { Clock } from '../clock/clock.ts';
import type { StateTransition } from '../detect/types.ts';
import { DnsClient } from '../dns/client.ts';
import type { DnsServer } from '../dns/types.ts';
import { UsageError } from '../errors.ts';
import type { Site } from '../model/site.ts';
import type { WorldInfo } from '../model/world.ts';
import type { TargetPolicy } from '../net/address-policy.ts';
import { guardResolver, type RefusedResolution } from '../net/guard-resolver.ts';
import { createProbeContext, slowThresholdFor } from '../probe/context.ts';
import type { Store } from '../store/types.ts';
import { Detection, Probing } from './watch.ts';

export interface PipelineOptions {
  store: Store;
  bus: Bus;
  clock: Clock;
  policy: TargetPolicy;
  resolver: DnsServer;
  world: WorldInfo | null;
  vantage: string;
  intervalMs: number;
  timeoutMs: number;
  https: boolean;
  onRefused: (r: RefusedResolution) => void;
  /** Probes in flight at once (default 256). */
  concurrency?: number;
  /** A transition, once committed to the store (never before: a reported transition survives kill -9). */
  onCommitted?: (t: StateTransition) => void;
}

export interface Pipeline {
  add(sites: readonly Site[]): void;
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
      .then(() => store.upsertIncidents([i]))
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

/** A world's description from its state directory (or the world.json file itself). */
export function readWorld(dir: string): WorldInfo {
  const path = dir.endsWith('.json') ? dir : join(dir, 'world.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as WorldInfo;
  } catch (e) {
    throw new UsageError(`cannot read world description ${path}: ${(e as Error).message}`);
  }
}

export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const real = (ms: number) => o.clock.toReal(ms);
  const vantages = o.world?.vantages.length ? o.world.vantages : [{ id: o.vantage, address: undefined }];
  const clients: DnsClient[] = [];
  const catalog = loadCatalog();
  const ca = o.world ? readFileSync(o.world.caFile, 'utf8') : undefined;
  const contexts = vantages.map((v) => {
    const client = new DnsClient({
      server: o.resolver,
      localAddress: v.address,
      timeoutMs: Math.max(1, Math.floor(real(o.timeoutMs / 2) / 2)),
      retries: 1,
    });
    clients.push(client);
    return createProbeContext({
      vantage: v.id,
      localAddress: v.address,
      // Every resolution passes the policy: a name re-resolving to a private address is refused here.
      resolver: guardResolver(client, o.policy, o.onRefused),
      ports: o.world
        ? { http: o.world.ports.http, https: o.world.ports.https, smtp: o.world.ports.smtp }
        : undefined,
      ca,
      timeouts: {
        dns: real(o.timeoutMs / 2),
        connect: real(o.timeoutMs),
        tls: real(o.timeoutMs),
        response: real(o.timeoutMs),
      },
      slowMs: slowThresholdFor(o.world?.clock.speed ?? 1),
      clock: o.clock,
      catalog,
    }).ctx;
  });
  const probing = new Probing({
    clock: o.clock,
    bus: o.bus,
    vantages: contexts,
    intervalMs: o.intervalMs,
    timeoutMs: o.timeoutMs * 2,
    concurrency: o.concurrency ?? 256,
  });
  const detection = new Detection({
    bus: o.bus,
    clock: o.clock,
    intervalMs: o.intervalMs,
    asn: o.world ? AsnTable.load(o.world.asnDb) : undefined,
    reprobe: (s, k, v, d) => probing.reprobe(s, k, v, d),
  });
  const current = await o.store.currentStates();
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
  const persisted = persist(o.bus, o.store, o.onCommitted);
  const add = (sites: readonly Site[]) =>
    probing.add(
      sites.map((s) => ({ domain: s.domain, secure: o.https, kinds: s.mail ? ['http', 'smtp'] : ['http'] })),
    );
  add(await o.store.listSites());
  probing.start();
  return {
    add,
    remove: (domains) => {
      for (const d of domains) probing.remove(d);
    },
    async stop() {
      await probing.stop();
      detection.close();
      await persisted.stop();
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
