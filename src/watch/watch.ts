/**
 * Watching: the scheduler runs probes from each vantage; observations leave through the Bus; the
 * detection side (vantage health, then per-site state) consumes them from the Bus and publishes
 * state transitions and vantage health changes back on it. The probing side never calls detection
 * directly, so vantages can move to separate agents by swapping the Bus.
 */
import type { AsnTable } from '../asn/table.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock/clock.ts';
import { type ConfirmRule, Detector } from '../detect/detector.ts';
import { VantageHealth } from '../detect/vantage-health.ts';
import type { Observation, ProbeKind } from '../model/observation.ts';
import { probe } from '../probe/index.ts';
import { type JobRef, Scheduler } from '../probe/scheduler.ts';
import type { ProbeContext } from '../probe/types.ts';

export interface WatchedSite {
  domain: string;
  /** Probe kinds for this site (default: http). */
  kinds?: ProbeKind[];
  /** Probe the web over HTTPS (default false). */
  secure?: boolean;
}

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
 */
export class Probing {
  readonly scheduler: Scheduler;
  private ctx = new Map<string, ProbeContext>();
  private secure = new Set<string>();
  private cache = new Map<string, { addresses: string[]; until: number }>();

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

  add(sites: WatchedSite[]): void {
    for (const s of sites) {
      if (s.secure) this.secure.add(s.domain);
      for (const kind of s.kinds ?? ['http']) {
        for (const v of this.ctx.keys()) this.scheduler.add(s.domain, kind, v);
      }
    }
  }

  remove(domain: string): void {
    this.scheduler.remove(domain);
    this.secure.delete(domain);
    for (const v of this.ctx.keys()) this.cache.delete(`${v}|${domain}`);
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
    const key = `${job.vantage}|${job.site}`;
    const now = this.o.clock.now();
    const cached = job.kind === 'http' ? this.cache.get(key) : undefined;
    const fresh = cached && cached.until > now ? cached.addresses : undefined;
    const obs = await probe(
      { site: job.site, kind: job.kind, secure: this.secure.has(job.site), addresses: fresh },
      ctx,
      signal,
    );
    if (job.kind === 'http') {
      if (obs.addresses?.length && !fresh) {
        const ttlMs = Math.max(MIN_CACHE_MS, (obs.ttl ?? 60) * 1000);
        this.cache.set(key, { addresses: obs.addresses, until: now + ttlMs });
      } else if (obs.outcome === 'down' && fresh) {
        // A failure on a cached address re-resolves next time: the name may have moved.
        this.cache.delete(key);
      }
    }
    this.o.bus.publish('observation', obs);
  }
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
  private group = new Map<string, string>();
  private unsubscribe: () => void;

  constructor(o: DetectionOptions) {
    const reprobeDelay = o.intervalMs / 6;
    this.health = new VantageHealth({
      groupOf: (site) => this.group.get(site),
      windowMs: reprobeDelay * 0.75,
      emit: (c) => o.bus.publish('vantage', c),
    });
    this.detector = new Detector({
      confirm: o.confirm,
      isVantageHealthy: (v) => this.health.isHealthy(v),
      reprobe: o.reprobe ? (site, kind, v) => o.reprobe!(site, kind, v, reprobeDelay) : undefined,
      emit: (t) => o.bus.publish('transition', t),
    });
    this.unsubscribe = o.bus.subscribe('observation', (obs) => this.onObservation(obs, o.asn));
  }

  private onObservation(obs: Observation, asn: AsnTable | undefined): void {
    if (obs.signature === 'probe_error') return; // about this machine, not the site
    if (asn && obs.address && !this.group.has(obs.site)) {
      const info = asn.lookup(obs.address);
      if (info) this.group.set(obs.site, `as${info.asn}`);
    }
    this.health.observe(obs);
    this.detector.observe(obs);
  }

  close(): void {
    this.unsubscribe();
  }
}
