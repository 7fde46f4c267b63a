/**
 * The core's side of a distributed deployment: an {@link AgentFleet} is a ProbeFleet whose probes
 * run in `vigie agent` processes. It assigns each site to `perSite` vantages (rendezvous hashing,
 * staggered phases), writes each agent's assignment to the KV bucket, consumes the observations
 * stream with a durable pull consumer and republishes every observation on the core's Bus —
 * idempotently (ids are vantage + agent boot + sequence; a bounded window drops what was already
 * handed on) and acknowledging a batch only once detection has it. Observations from a vantage it
 * does not know are refused. An agent whose heartbeats stop is marked gone and its sites go to the
 * others; per-vantage state is in {@link AgentFleet.states}.
 */
import { type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock/clock.ts';
import type { ProbeKind } from '../model/observation.ts';
import type { ProbeFleet, WatchedSite } from '../pipeline/fleet.ts';
import type { SchedulerStats } from '../probe/scheduler.ts';
import { type AssignmentManifest, assignSites, chunkSites, type SiteSpec, vantagesOf } from './assign.ts';
import { decodeBatch } from './codec.ts';
import { SeenWindow } from './dedupe.ts';
import type { HeartbeatMessage } from './heartbeat.ts';
import { AgentRegistry, type VantageState } from './registry.ts';
import { ensureStream, type StreamLimits } from './setup.ts';
import { checkToken, Names } from './subjects.ts';

export interface AgentFleetOptions {
  /** The core's connection (the fleet does not close it). */
  nc: NatsConnection;
  /** Where observations are republished (detection listens there). */
  bus: Bus;
  clock: Clock;
  /** The vantages (agent names) allowed to send observations. */
  agents: readonly string[];
  /** Deployment prefix of subjects, stream and bucket (default `vigie`). */
  prefix?: string;
  /** Vantages per site (default 3, or fewer when fewer are alive). */
  perSite?: number;
  /** Probe interval and deadline, clock ms; slow threshold, clock ms. */
  intervalMs: number;
  timeoutMs: number;
  slowMs: number;
  /** Probes in flight at most in each agent (default 1,024). */
  concurrency?: number;
  /** Real ms between an agent's heartbeats (default interval / 10, within 200 ms – 5 s). */
  heartbeatMs?: number;
  /** Real ms without a heartbeat after which an agent is gone (default: 80 % of an interval, at least 3 heartbeats). */
  goneAfterMs?: number;
  /** Name of the durable consumer (default `core`). */
  durable?: string;
  limits?: StreamLimits & { ackWaitMs?: number };
  /** Detection's vantage health: an agent whose observations it finds implausible shows degraded. */
  isHealthy?(vantage: string): boolean;
  /** Ask every vantage of a site for a re-probe when one is asked (default true). */
  crossCheck?: boolean;
  /** Called with each observation's id as it is handed on (`<vantage>.<boot>`, sequence): tests and audits. */
  trace?(source: string, seq: number): void;
  log?(line: string): void;
}

/** What ingestion saw since the fleet started. */
export interface IngestStats {
  batches: number;
  /** Observations handed to the Bus. */
  observations: number;
  /** Observations already handed on (redelivered or republished) and dropped. */
  duplicates: number;
  /** Batches refused: unknown vantage, or not an observation batch. */
  refused: number;
  malformed: number;
}

export class AgentFleet implements ProbeFleet {
  readonly names: Names;
  private readonly perSite: number;
  private readonly heartbeatMs: number;
  private readonly registry: AgentRegistry;
  private readonly seen = new SeenWindow();
  private readonly sites = new Map<string, SiteSpec>();
  private readonly durable: string;
  private readonly log: (line: string) => void;
  private kv: KV | null = null;
  private hbSub: Subscription | null = null;
  private messages: ConsumerMessages | null = null;
  private timers: NodeJS.Timeout[] = [];
  private rebalanceTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private version = Date.now();
  /** Per vantage: the digest of its last written assignment and the versions whose chunks exist. */
  private written = new Map<string, { digest: string; versions: { version: number; chunks: number }[] }>();
  private refusedFrom = new Set<string>();
  private readonly ingest: IngestStats = {
    batches: 0,
    observations: 0,
    duplicates: 0,
    refused: 0,
    malformed: 0,
  };
  private stopped = false;
  /** Resolves once the stream, bucket and consumer are ready and consumption has begun. */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly o: AgentFleetOptions) {
    this.names = new Names(o.prefix);
    for (const a of o.agents) checkToken('agent name', a);
    this.perSite = o.perSite ?? 3;
    this.durable = checkToken('durable', o.durable ?? 'core');
    const intervalReal = o.clock.toReal(o.intervalMs);
    this.heartbeatMs = o.heartbeatMs ?? Math.min(5_000, Math.max(200, intervalReal / 10));
    this.log = o.log ?? (() => {});
    this.registry = new AgentRegistry({
      vantages: o.agents,
      goneAfterMs: o.goneAfterMs ?? Math.max(3 * this.heartbeatMs, 0.8 * intervalReal),
      intervalRealMs: intervalReal,
      isHealthy: o.isHealthy,
    });
  }

  add(sites: readonly WatchedSite[]): void {
    for (const s of sites) {
      // A site already assigned keeps its kinds and gains the new ones (a map adds its mail).
      const was = this.sites.get(s.domain);
      const kinds = was ? [...new Set([...(was.kinds ?? ['http']), ...(s.kinds ?? ['http'])])] : s.kinds;
      this.sites.set(s.domain, { domain: s.domain, kinds, secure: s.secure ?? was?.secure });
    }
    this.rebalanceSoon();
  }

  remove(domain: string): void {
    if (this.sites.delete(domain)) this.rebalanceSoon();
  }

  /**
   * A re-probe asked of one vantage (detection, after a first failure there) is asked of the
   * site's other vantages too, unless `crossCheck` is off: the failure is re-checked from elsewhere
   * at once, instead of waiting for their own slots.
   */
  reprobe(domain: string, kind: ProbeKind, vantage: string | undefined, delayMs: number): void {
    const all = vantagesOf(domain, this.registry.alive(), this.perSite);
    const to =
      vantage === undefined ? all : this.o.crossCheck === false ? [vantage] : [...new Set([vantage, ...all])];
    const msg = JSON.stringify({ d: domain, k: kind, ms: delayMs });
    for (const v of to) if (this.registry.known(v)) this.o.nc.publish(this.names.reprobe(v), msg);
  }

  /** The vantages probing `site` now, in slot order (its views from any other vantage are stale). */
  vantagesFor(site: string): string[] {
    return vantagesOf(site, this.registry.alive(), this.perSite);
  }

  /** The vantages alive now (all configured ones before any has been heard from). */
  vantages(): string[] {
    const alive = this.registry.alive();
    return alive.length ? alive : this.registry.all();
  }

  start(): void {
    this.ready = this.init();
    this.ready.catch((e) => this.log(`agent fleet cannot start: ${(e as Error).message ?? e}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    await this.ready.catch(() => {});
    this.hbSub?.unsubscribe();
    // Messages delivered but not handled are not acknowledged: the next core gets them again.
    await this.messages?.close().catch(() => {});
    await this.writing;
  }

  /** Per-vantage state for the API and dashboard: healthy, degraded or gone, last heartbeat, probes/s. */
  states(): VantageState[] {
    return this.registry.states();
  }

  ingestStats(): IngestStats {
    return { ...this.ingest };
  }

  /** Scheduling figures summed over the agents' last heartbeats (window counts, worst lateness). */
  stats(): SchedulerStats {
    const hs: HeartbeatMessage[] = this.registry.lastHeartbeats();
    const sum = (f: (h: HeartbeatMessage) => number) => hs.reduce((a, h) => a + f(h), 0);
    const p99 = Math.max(0, ...hs.map((h) => h.latenessP99Ms));
    return {
      jobs: sum((h) => h.jobs),
      started: sum((h) => h.started),
      skipped: sum((h) => h.skipped),
      inflight: sum((h) => h.inflight),
      queued: 0,
      latenessP50Ms: 0,
      latenessP99Ms: p99,
      latenessMaxMs: p99,
    };
  }

  /** Probes run in other processes: this one's lateness says nothing about them. */
  takeLateness(): number {
    return 0;
  }

  private async init(): Promise<void> {
    const { nc } = this.o;
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, this.names, this.durable, this.o.limits);
    if (this.o.limits?.ackWaitMs) {
      const { nanos } = await import('@nats-io/nats-core');
      await jsm.consumers.update(this.names.stream, this.durable, {
        ack_wait: nanos(this.o.limits.ackWaitMs),
      });
    }
    this.kv = await new Kvm(nc).create(this.names.bucket, { history: 1, allow_direct: true } as never);
    // Assignments left by a previous core: their chunks are purged once replaced.
    for (const v of this.registry.all()) {
      const e = await this.kv.get(v);
      if (e && e.length > 0) {
        const m = e.json<AssignmentManifest>();
        this.written.set(v, { digest: '', versions: [{ version: m.version, chunks: m.chunks }] });
        this.version = Math.max(this.version, m.version);
      }
    }
    if (this.stopped) return;
    this.hbSub = nc.subscribe(this.names.allHeartbeats, {
      callback: (err, m) => void (err || this.onHeartbeat(m.subject, m.data)),
    });
    const consumer = await jetstream(nc).consumers.get(this.names.stream, this.durable);
    this.messages = await consumer.consume({ max_messages: 256 });
    void (async () => {
      for await (const m of this.messages!) this.onMessage(m);
    })().catch((e) => this.log(`observation consumer ended: ${(e as Error).message ?? e}`));
    this.timers.push(setInterval(() => this.sweep(), this.heartbeatMs));
    // Give every running agent one heartbeat to be heard before the first assignment, so that a
    // restarted core does not pile every site on the first agent it hears from.
    this.rebalanceSoon(1.5 * this.heartbeatMs);
  }

  private onHeartbeat(subject: string, data: Uint8Array): void {
    const vantage = subject.slice(subject.lastIndexOf('.') + 1);
    if (!this.registry.known(vantage)) return this.refuse(vantage);
    let h: HeartbeatMessage;
    try {
      h = JSON.parse(new TextDecoder().decode(data)) as HeartbeatMessage;
    } catch {
      return;
    }
    // The vantage is the subject's (the server's permissions bind it), never the message's.
    h.vantage = vantage;
    if (this.registry.heartbeat(h)) {
      this.log(`agent ${vantage} is here (boot ${h.boot})`);
      this.rebalanceSoon();
    } else if (h.version === 0 && this.written.has(vantage)) {
      // Alive but without an assignment (restarted, missed the notice): tell it again.
      this.o.nc.publish(this.names.assignNotice(vantage), '');
    }
  }

  private onMessage(m: JsMsg): void {
    const p = this.names.parseObservations(m.subject);
    if (!p || !this.registry.known(p.vantage)) {
      this.ingest.refused++;
      this.refuse(p?.vantage ?? m.subject);
      m.term();
      return;
    }
    let batch: ReturnType<typeof decodeBatch>;
    try {
      batch = decodeBatch(m.data, p.vantage);
    } catch {
      this.ingest.malformed++;
      m.term();
      return;
    }
    const source = `${p.vantage}.${p.boot}`;
    let n = 0;
    const obs = batch.observations;
    for (let i = 0; i < obs.length; i++) {
      if (this.seen.has(source, batch.seq + i)) {
        this.ingest.duplicates++;
        continue;
      }
      this.o.bus.publish('observation', obs[i]);
      this.o.trace?.(source, batch.seq + i);
      n++;
    }
    this.seen.add(source, batch.seq, batch.seq + obs.length);
    this.ingest.batches++;
    this.ingest.observations += n;
    this.registry.ingested(p.vantage, n);
    // Only now: detection has every observation of the batch.
    m.ack();
  }

  private refuse(what: string): void {
    if (this.refusedFrom.size < 100 && !this.refusedFrom.has(what)) {
      this.refusedFrom.add(what);
      this.log(`refused: observations or heartbeats from unknown vantage ${what}`);
    }
  }

  private sweep(): void {
    const went = this.registry.sweep();
    if (went.length) {
      this.log(`agent ${went.join(', ')} gone (no heartbeat): reassigning its sites`);
      this.rebalanceSoon(0);
    }
  }

  private rebalanceSoon(delayMs = 100): void {
    if (this.stopped || !this.kv) return;
    if (this.rebalanceTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.rebalanceTimer);
    }
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = null;
      this.writing = this.writing
        .then(() => this.rebalance())
        .catch((e) => this.log(`cannot write assignments: ${(e as Error).message ?? e}`));
    }, delayMs);
  }

  private async rebalance(): Promise<void> {
    const alive = this.registry.alive();
    if (alive.length === 0 || this.stopped) return;
    const plan = assignSites(this.sites.values(), alive, this.perSite);
    const slots = Math.max(1, Math.min(this.perSite, alive.length));
    for (const v of this.registry.all()) {
      const chunks = chunkSites(plan.get(v) ?? []);
      const settings = {
        intervalMs: this.o.intervalMs,
        timeoutMs: this.o.timeoutMs,
        slowMs: this.o.slowMs,
        slots,
        heartbeatMs: this.heartbeatMs,
        concurrency: this.o.concurrency ?? 1024,
      };
      const digest = `${JSON.stringify(settings)}:${chunks.map((c) => `${c.length}:${simpleHash(c)}`).join(',')}`;
      const w = this.written.get(v) ?? { digest: '', versions: [] };
      if (w.digest === digest) continue;
      const version = ++this.version;
      for (let i = 0; i < chunks.length; i++) await this.kv!.put(`${v}.${version}.${i}`, chunks[i]);
      const manifest: AssignmentManifest = {
        ...settings,
        version,
        chunks: chunks.length,
        sites: plan.get(v)?.length ?? 0,
      };
      await this.kv!.put(v, JSON.stringify(manifest));
      this.o.nc.publish(this.names.assignNotice(v), '');
      w.digest = digest;
      w.versions.push({ version, chunks: chunks.length });
      // Keep the previous version's chunks (an agent may be reading them); purge older ones.
      while (w.versions.length > 2) {
        const old = w.versions.shift()!;
        for (let i = 0; i < old.chunks; i++) await this.kv!.purge(`${v}.${old.version}.${i}`);
      }
      this.written.set(v, w);
    }
  }
}

/** FNV-1a of bytes: tells a changed assignment chunk from an unchanged one. */
function simpleHash(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}
