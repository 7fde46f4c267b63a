/**
 * A vantage agent: probe-only. It reads its assignment (sites, kinds, interval, phase slots, probe
 * settings) from the core's KV bucket, probes with the same Probing and scheduler as a local
 * vantage, sends its observations to the JetStream stream in batches ({@link JetStreamBus}), takes
 * early re-probes from the core, and heartbeats. It never writes an incident, never opens a store.
 *
 * Phases are staggered across a site's vantages: slot j of k runs on a clock shifted by j/k of an
 * interval, and every agent schedules under the same job label, so a site's phase inside the
 * interval is the same hash everywhere and its vantages follow one another by interval/k.
 */

import { jetstream } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { JetStreamBus } from '../bus/jetstream.ts';
import type { Clock } from '../clock/clock.ts';
import type { ProbeKind } from '../model/observation.ts';
import { Probing } from '../pipeline/watch.ts';
import type { OwnedProbeContext } from '../probe/context.ts';
import type { AssignedSite, AssignmentManifest, ProbeSettings } from './assign.ts';
import { Heartbeat, type HeartbeatMessage } from './heartbeat.ts';
import { checkToken, Names } from './subjects.ts';

/** The label every agent schedules under (see the file's comment); observations get the vantage from their subject. */
const JOB_LABEL = 'agent';

export interface AgentOptions {
  nc: NatsConnection;
  vantage: string;
  /** Deployment prefix of subjects, stream and bucket (default `vigie`). */
  prefix?: string;
  clock: Clock;
  /** A probe context for these settings (resolver, source address, CA, timeouts are the agent's). */
  context(settings: ProbeSettings): OwnedProbeContext;
  /** Unique per process start (default: the start time in base 36 and a random suffix). */
  boot?: string;
  /** Each batch the stream stored (audit trail: first sequence number and size). */
  onStored?(seq: number, count: number): void;
  log?(line: string): void;
  /** Batching (defaults: 500 observations, 100 ms). */
  maxBatch?: number;
  flushMs?: number;
}

/** A clock `offset` ms behind another (a slot's schedule); its sleeps and conversions are the same. */
class ShiftedClock implements Clock {
  constructor(
    private readonly base: Clock,
    private readonly offset: number,
  ) {}
  now(): number {
    return this.base.now() - this.offset;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }
  toReal(ms: number): number {
    return this.base.toReal(ms);
  }
  get speed(): number {
    return this.base.speed;
  }
}

export class Agent {
  readonly vantage: string;
  readonly boot: string;
  readonly names: Names;
  readonly bus: JetStreamBus;
  private kv: KV | null = null;
  private settings: ProbeSettings | null = null;
  private version = 0;
  private ctx: OwnedProbeContext | null = null;
  private slots: Probing[] = [];
  /** Each assigned site's slot and kinds. */
  private sites = new Map<string, AssignedSite>();
  private subs: Subscription[] = [];
  private heartbeat: Heartbeat;
  private loading: Promise<void> = Promise.resolve();
  private reloadAgain = false;
  private stopped = false;
  private readonly log: (line: string) => void;

  constructor(private readonly o: AgentOptions) {
    this.vantage = checkToken('vantage', o.vantage);
    this.names = new Names(o.prefix);
    this.boot = o.boot ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    checkToken('boot', this.boot);
    this.log = o.log ?? (() => {});
    this.bus = new JetStreamBus({
      js: jetstream(o.nc),
      subject: this.names.observations(this.vantage, this.boot),
      idPrefix: `${this.vantage}.${this.boot}`,
      maxBatch: o.maxBatch,
      flushMs: o.flushMs,
      onStored: o.onStored,
      onError: (e) => this.log(`publish failed (will retry): ${(e as Error).message ?? e}`),
    });
    this.heartbeat = new Heartbeat((w) => this.beat(w));
  }

  /** Read the assignment and start probing; heartbeats begin at once (an agent waiting for work says so). */
  async start(): Promise<void> {
    const kvm = new Kvm(this.o.nc);
    this.kv = await kvm.open(this.names.bucket, { allow_direct: true } as never);
    const listen = (subject: string, on: (m: Msg) => void) => {
      const sub = this.o.nc.subscribe(subject, { callback: (err, m) => void (err || on(m)) });
      this.subs.push(sub);
    };
    listen(this.names.assignNotice(this.vantage), () => this.reload());
    listen(this.names.reprobe(this.vantage), (m) => this.onReprobe(m));
    this.heartbeat.start(2_000);
    this.reload();
    await this.loading;
  }

  /** Stop probing, publish what is buffered (bounded wait), stop heartbeats. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.heartbeat.stop();
    for (const s of this.subs) s.unsubscribe();
    await this.loading.catch(() => {});
    await Promise.all(this.slots.map((p) => p.stop()));
    await this.bus.close();
    await this.ctx?.close();
  }

  /** Number of sites assigned now. */
  get siteCount(): number {
    return this.sites.size;
  }

  /** The assignment version applied (0: none yet). */
  get assignmentVersion(): number {
    return this.version;
  }

  private reload(): void {
    if (this.stopped) return;
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = true;
    this.loading = this.load()
      .catch((e) => this.log(`cannot read the assignment: ${(e as Error).message ?? e}`))
      .finally(() => {
        this.reloading = false;
        if (this.reloadAgain) {
          this.reloadAgain = false;
          this.reload();
        }
      });
  }
  private reloading = false;

  private async load(): Promise<void> {
    const e = await this.kv!.get(this.vantage);
    if (!e || e.length === 0) return;
    const m = e.json<AssignmentManifest>();
    if (m.version === this.version) return;
    const sites: AssignedSite[] = [];
    for (let i = 0; i < m.chunks; i++) {
      const c = await this.kv!.get(`${this.vantage}.${m.version}.${i}`);
      // A newer version replaced this one while we read it: the notice of that one follows.
      if (!c || c.length === 0) return;
      sites.push(...c.json<AssignedSite[]>());
    }
    if (this.stopped) return;
    await this.apply(m, sites);
  }

  private async apply(m: AssignmentManifest, sites: AssignedSite[]): Promise<void> {
    const s = this.settings;
    const same =
      s &&
      s.intervalMs === m.intervalMs &&
      s.timeoutMs === m.timeoutMs &&
      s.slowMs === m.slowMs &&
      s.slots === m.slots &&
      s.concurrency === m.concurrency;
    if (!same) {
      // New probe settings: new contexts and schedulers, every site added again below.
      await Promise.all(this.slots.map((p) => p.stop()));
      await this.ctx?.close();
      const settings: ProbeSettings = {
        intervalMs: m.intervalMs,
        timeoutMs: m.timeoutMs,
        slowMs: m.slowMs,
        slots: m.slots,
        heartbeatMs: m.heartbeatMs,
        concurrency: m.concurrency,
      };
      this.settings = settings;
      this.ctx = this.o.context(settings);
      this.ctx.ctx.vantage = JOB_LABEL;
      this.slots = [];
      for (let j = 0; j < m.slots; j++) {
        const p = new Probing({
          clock: new ShiftedClock(this.o.clock, (j * m.intervalMs) / m.slots),
          bus: this.bus,
          vantages: [this.ctx.ctx],
          intervalMs: m.intervalMs,
          // The scheduler's deadline covers every phase of a probe, as in the local fleet.
          timeoutMs: m.timeoutMs * 1.5,
          // The agent's budget of probes in flight is shared by its slots (sockets and resolver queries are finite).
          concurrency: Math.max(1, Math.ceil(m.concurrency / m.slots)),
        });
        p.start();
        this.slots.push(p);
      }
      this.sites.clear();
    }
    this.heartbeat.start(m.heartbeatMs);
    const next = new Map(sites.map((a) => [a.d, a]));
    for (const [d, a] of this.sites) {
      const b = next.get(d);
      if (!b || b.p !== a.p || b.s !== a.s || String(b.k) !== String(a.k)) {
        this.slots[a.p]?.remove(d);
        this.sites.delete(d);
      }
    }
    const add: AssignedSite[] = [];
    for (const [d, a] of next) if (!this.sites.has(d) && a.p < this.slots.length) add.push(a);
    for (const a of add) {
      this.slots[a.p].add([{ domain: a.d, kinds: a.k, secure: a.s === 1 }]);
      this.sites.set(a.d, a);
    }
    this.version = m.version;
    this.log(
      `assignment ${m.version}: ${this.sites.size} sites, ${m.slots} slots, every ${m.intervalMs / 1000} s`,
    );
  }

  private onReprobe(m: Msg): void {
    try {
      const r = m.json<{ d: string; k: ProbeKind; ms: number }>();
      const a = this.sites.get(r.d);
      if (a && typeof r.ms === 'number') this.slots[a.p]?.reprobe(r.d, r.k, JOB_LABEL, Math.max(0, r.ms));
    } catch {
      // A malformed request is ignored: re-probes are a courtesy, the schedule carries on.
    }
  }

  private beat(windowMs: number): void {
    let started = 0;
    let skipped = 0;
    let p99 = 0;
    let inflight = 0;
    let jobs = 0;
    for (const p of this.slots) {
      const st = p.scheduler.stats();
      started += st.started;
      skipped += st.skipped;
      inflight += st.inflight;
      jobs += st.jobs;
      p99 = Math.max(p99, st.latenessP99Ms);
      p.scheduler.resetStats();
    }
    const b = this.bus.stats();
    const msg: HeartbeatMessage = {
      vantage: this.vantage,
      boot: this.boot,
      version: this.version,
      sites: this.sites.size,
      jobs,
      started,
      skipped,
      inflight,
      latenessP99Ms: p99,
      stored: b.stored,
      buffered: b.buffered,
      dropped: b.dropped,
      retries: b.retries,
      windowMs,
    };
    this.o.nc.publish(this.names.heartbeat(this.vantage), JSON.stringify(msg));
  }
}
