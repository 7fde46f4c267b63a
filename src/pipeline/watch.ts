/**
 * Watching: the scheduler runs probes from each vantage; observations leave through the Bus; the
 * detection side (vantage health, then per-site state) consumes them from the Bus and publishes
 * state transitions and vantage health changes back on it. The probing side never calls detection
 * directly, so vantages can move to separate agents by swapping the Bus.
 */
import type { AsnTable } from '../asn/table.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock/clock.ts';
import { PathWatch } from '../detect/consensus.ts';
import { type ConfirmRule, Detector } from '../detect/detector.ts';
import { VantageHealth } from '../detect/vantage-health.ts';
import type { Observation, ProbeKind } from '../model/observation.ts';
import { probe } from '../probe/index.ts';
import { type JobRef, Scheduler } from '../probe/scheduler.ts';
import type { ProbeContext } from '../probe/types.ts';
import type { WatchedSite } from './fleet.ts';

export type { WatchedSite } from './fleet.ts';

export interface ProbingOptions {
  clock: Clock;
  bus: Bus;
  vantages: ProbeContext[];
  /** Interval between probes of one site, clock ms. */
  intervalMs: number;
  /** Deadline of one probe, clock ms. */
  timeoutMs: number;
  concurrency: number;
}

/** Shortest time a resolved address is reused (clock ms), whatever its TTL. */
const MIN_CACHE_MS = 1_000;

/**
 * The probing side: schedule, probe, publish observations. Addresses resolved by a web probe are
 * reused for the record's TTL, so the hot path is connect + request (issue 4's probe-cost figure).
 * The cache is kept per job (one job per site × kind × vantage): an IPv4 address as a number and
 * its expiry, in typed arrays indexed by job id — a dozen bytes per site, no object, no key string.
 */
export class Probing {
  readonly scheduler: Scheduler;
  private ctx = new Map<string, ProbeContext>();
  private secure = new Set<string>();
  /** The first address a web probe resolved, by job id (IPv4 as an unsigned integer). */
  private cachedV4 = new Uint32Array(1024);
  /** When that address expires (clock ms), by job id; 0 when nothing is cached. */
  private cachedUntil = new Float64Array(1024);
  /** Cached addresses that are not IPv4, by job id (rare). */
  private cachedOther = new Map<number, string>();

  constructor(private o: ProbingOptions) {
    for (const v of o.vantages) this.ctx.set(v.vantage, v);
    this.scheduler = new Scheduler({
      clock: o.clock,
      intervalMs: o.intervalMs,
      timeoutMs: o.timeoutMs,
      concurrency: o.concurrency,
      run: (job, signal) => this.run(job, signal),
    });
  }

  add(sites: readonly WatchedSite[]): void {
    for (const s of sites) {
      if (s.secure) this.secure.add(s.domain);
      else if (s.secure === false) this.secure.delete(s.domain);
      for (const kind of s.kinds ?? ['http']) {
        for (const v of this.ctx.keys()) this.scheduler.add(s.domain, kind, v);
      }
    }
  }

  remove(domain: string): void {
    for (const id of this.scheduler.jobIds(domain)) this.forget(id);
    this.scheduler.remove(domain);
    this.secure.delete(domain);
  }

  /** An early re-probe, e.g. asked by detection after a first failure. */
  reprobe(site: string, kind: ProbeKind, vantage: string, delayMs: number): void {
    this.scheduler.reprobe(site, kind, vantage, delayMs);
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  private async run(job: JobRef, signal: AbortSignal): Promise<void> {
    const ctx = this.ctx.get(job.vantage);
    if (!ctx) return;
    const id = job.id;
    const cacheable = job.kind === 'http' && id >= 0;
    const now = this.o.clock.now();
    const fresh = cacheable ? this.cached(id, now) : undefined;
    const obs = await probe(
      { site: job.site, kind: job.kind, secure: this.secure.has(job.site), addresses: fresh },
      ctx,
      signal,
    );
    // The job may have been removed (and its id reused) while the probe ran.
    if (cacheable && this.scheduler.siteOfJob(id) === job.site) {
      if (obs.addresses?.length && !fresh) {
        const ttlMs = Math.max(MIN_CACHE_MS, (obs.ttl ?? 60) * 1000);
        this.remember(id, obs.addresses[0], now + ttlMs);
      } else if (obs.outcome === 'down' && fresh) {
        // A failure on a cached address re-resolves next time: the name may have moved.
        this.forget(id);
      }
    }
    this.o.bus.publish('observation', obs);
  }

  /** The job's cached address while fresh (the probe uses the first address it is given). */
  private cached(id: number, now: number): string[] | undefined {
    if (id >= this.cachedUntil.length || !(this.cachedUntil[id] > now)) return undefined;
    return [this.cachedOther.get(id) ?? v4ToString(this.cachedV4[id])];
  }

  private remember(id: number, address: string, until: number): void {
    if (id >= this.cachedUntil.length) {
      let n = this.cachedUntil.length * 2;
      while (n <= id) n *= 2;
      const a = new Uint32Array(n);
      a.set(this.cachedV4);
      this.cachedV4 = a;
      const u = new Float64Array(n);
      u.set(this.cachedUntil);
      this.cachedUntil = u;
    }
    const v4 = v4ToNumber(address);
    if (v4 < 0) this.cachedOther.set(id, address);
    else {
      this.cachedV4[id] = v4;
      this.cachedOther.delete(id);
    }
    this.cachedUntil[id] = until;
  }

  private forget(id: number): void {
    if (id < this.cachedUntil.length) this.cachedUntil[id] = 0;
    this.cachedOther.delete(id);
  }
}

/** A dotted-quad IPv4 address as an unsigned integer, or -1 for anything else (IPv6, leading zeros). */
function v4ToNumber(a: string): number {
  const parts = a.split('.');
  if (parts.length !== 4) return -1;
  let n = 0;
  for (const p of parts) {
    const x = Number(p);
    if (!(x >= 0 && x <= 255) || String(x) !== p) return -1;
    n = n * 256 + x;
  }
  return n;
}

function v4ToString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export interface DetectionOptions {
  bus: Bus;
  clock: Clock;
  intervalMs: number;
  /** Group sites by the network answering them, for vantage health (AS of the probed address). */
  asn?: AsnTable;
  confirm?: ConfirmRule;
  /** Ask the probing side for an early re-probe (default: none). */
  reprobe?(site: string, kind: ProbeKind, vantage: string, delayMs: number): void;
}

/**
 * The detection side: consumes observations from the Bus, publishes `vantage` and `transition`.
 * The vantage-health window is shorter than the re-probe delay, so a broken vantage is recognised
 * before its failures could confirm any site down.
 */
export class Detection {
  readonly detector: Detector;
  readonly health: VantageHealth;
  /** Sites failing from some healthy vantages but fewer than a quorum: path problems, not outages. */
  readonly paths: PathWatch;
  /** Each site's group (an index in `groups`): one small integer per site, the names shared. */
  private group = new Map<string, number>();
  private groups: string[] = [];
  private groupIds = new Map<string, number>();
  private unsubscribe: () => void;

  constructor(o: DetectionOptions) {
    const reprobeDelay = o.intervalMs / 6;
    this.health = new VantageHealth({
      groupOf: (site) => {
        const g = this.group.get(site);
        return g === undefined ? undefined : this.groups[g];
      },
      windowMs: reprobeDelay * 0.75,
      speed: o.clock.speed,
      emit: (c) => o.bus.publish('vantage', c),
    });
    this.detector = new Detector({
      confirm: o.confirm,
      isVantageHealthy: (v) => this.health.isHealthy(v),
      reprobe: o.reprobe ? (site, kind, v) => o.reprobe!(site, kind, v, reprobeDelay) : undefined,
      emit: (t) => o.bus.publish('transition', t),
    });
    this.paths = new PathWatch({
      isHealthy: (v) => this.health.isHealthy(v),
      onChange: (site, problem) => o.bus.publish('path', { site, problem, at: o.clock.now() }),
    });
    this.unsubscribe = o.bus.subscribe('observation', (obs) => this.onObservation(obs, o.asn));
  }

  private onObservation(obs: Observation, asn: AsnTable | undefined): void {
    if (obs.signature === 'probe_error') return; // about this machine, not the site
    if (asn && obs.address && !this.group.has(obs.site)) {
      const info = asn.lookup(obs.address);
      if (info) this.group.set(obs.site, this.groupId(`as${info.asn}`));
    }
    // A certificate checked apart is checked from one vantage: nothing to compare it with elsewhere,
    // and a certificate expiring on many sites at once would make that vantage look broken.
    if (obs.kind !== 'tls') this.health.observe(obs);
    this.detector.observe(obs);
    // The web and its DNS are seen from every vantage (mail and certificates from one).
    if (obs.kind === 'http' || obs.kind === 'dns') this.paths.observe(obs);
  }

  private groupId(name: string): number {
    let g = this.groupIds.get(name);
    if (g === undefined) {
      g = this.groups.push(name) - 1;
      this.groupIds.set(name, g);
    }
    return g;
  }

  close(): void {
    this.unsubscribe();
  }
}
