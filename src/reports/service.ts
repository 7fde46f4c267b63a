/**
 * Crowd reports as one service: the intake (what counts), the detector (levels, curves), level changes
 * published on the Bus (`report` topic) and to listeners. The HTTP route calls `submit`; the runner
 * calls `tick` each simulated minute (or `run`), `providers` with its provider → sites map, `curve` for
 * incidents, `exclude` for outages, and `reported` for reports-only incidents. See README.md.
 */
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../clock/clock.ts';
import { type DetectorOptions, ReportDetector } from './detector.ts';
import { type IntakeOptions, ReportIntake } from './intake.ts';
import { proposeReported, type ReportedContext, type ReportedProposal } from './reported.ts';
import type {
  AcceptResult,
  Level,
  ReportCurve,
  ReportInput,
  ReportLevelChange,
  ReportSource,
  SpikeView,
} from './types.ts';

export interface ReportServiceOptions {
  clock: { now(): number };
  /** Whether a domain is watched: reports for others are refused (nothing is kept about them). */
  isWatched(domain: string): boolean;
  bus?: Bus;
  intake?: Partial<IntakeOptions>;
  detector?: Partial<DetectorOptions>;
}

export class ReportService {
  readonly detector: ReportDetector;
  readonly intake: ReportIntake;
  private readonly providerLevels = new Map<string, Level>();
  private readonly listeners = new Set<(c: ReportLevelChange) => void>();

  constructor(private readonly o: ReportServiceOptions) {
    this.detector = new ReportDetector(o.clock, o.detector);
    this.intake = new ReportIntake(o.clock, this.detector, o.isWatched, o.intake);
  }

  /** One report from the public (domain normalised by the caller). */
  submit(input: ReportInput, source: ReportSource): AcceptResult {
    return this.intake.accept(input, source);
  }

  /** Listen to level changes (sites, and providers asked about through `providers`). */
  onChange(listener: (c: ReportLevelChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-test every active site; publish and return the level changes. Call once a (clock) minute. */
  tick(): ReportLevelChange[] {
    const at = this.o.clock.now();
    const changes = this.detector
      .evaluate(at)
      .map((c) => ({ subject: c.domain, from: c.from, to: c.spike.level, at, spike: c.spike }));
    for (const c of changes) this.emit(c);
    return changes;
  }

  /** Tick every `everyMs` of clock time until the signal aborts. */
  async run(clock: Clock, signal: AbortSignal, everyMs = 60_000): Promise<void> {
    while (!signal.aborted) {
      await clock.sleep(everyMs, signal);
      if (!signal.aborted) this.tick();
    }
  }

  /** One site now: its spike test. */
  spike(domain: string): SpikeView {
    return this.detector.spike(domain);
  }

  /** Sites not at level `none` now, strongest first. */
  spikes(): { domain: string; spike: SpikeView }[] {
    const out: { domain: string; spike: SpikeView }[] = [];
    for (const domain of [...this.detector.active()]) {
      const spike = this.detector.spike(domain);
      if (spike.level !== 'none') out.push({ domain, spike });
    }
    return out.sort((a, b) => a.spike.p - b.spike.p);
  }

  /**
   * Each provider's sites taken together (provider → its monitored sites, every role counted once).
   * A provider at a spike level has its contributing minutes kept out of its sites' baselines, and
   * its level changes are published with subject `provider:<id>`.
   */
  providers(sitesOf: ReadonlyMap<string, readonly string[]>): Map<string, SpikeView> {
    const out = new Map<string, SpikeView>();
    const at = this.o.clock.now();
    for (const [provider, sites] of sitesOf) {
      const spike = this.detector.aggregate(sites, at);
      out.set(provider, spike);
      if (spike.level !== 'none') this.detector.exclude(sites, spike.from, spike.to);
      const before = this.providerLevels.get(provider) ?? 'none';
      if (spike.level !== before) {
        this.emit({ subject: `provider:${provider}`, from: before, to: spike.level, at, spike });
        if (spike.level === 'none') this.providerLevels.delete(provider);
        else this.providerLevels.set(provider, spike.level);
      }
    }
    return out;
  }

  /** Reports per minute over [from, to) for one site or the sum of several (an incident's affected sites). */
  curve(domains: string | Iterable<string>, from: number, to: number): ReportCurve {
    return this.detector.curve(domains, from, to);
  }

  /** Keep [from, to) of these sites out of their baselines (an outage the runner knows of). */
  exclude(domains: Iterable<string>, from: number, to: number): void {
    this.detector.exclude(domains, from, to);
  }

  /** Low-confidence reports-only incident proposals for the sites spiking now (see reported.ts). */
  reported(ctx: ReportedContext, since: number): ReportedProposal[] {
    const now = this.o.clock.now();
    const candidates = this.spikes().map(({ domain, spike }) => ({
      domain,
      spike,
      curve: this.curve(domain, Math.min(since, spike.from), now),
    }));
    return proposeReported(candidates, ctx);
  }

  private emit(c: ReportLevelChange): void {
    this.o.bus?.publish('report', c);
    for (const l of this.listeners) l(c);
  }
}
