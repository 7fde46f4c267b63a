/**
 * Evaluation rounds: what detection says is failing, read into the explain stage's input. The
 * detector keeps per-service state; the last failing observation of each service (from a healthy
 * vantage) adds what the explain stage reads a failure by — signature, HTTP status, the meaning of a
 * CDN's error page. Each round runs inference, evidence and the incident tracker.
 */
import type { Detector } from '../detect/detector.ts';
import { roleOf } from '../detect/detector.ts';
import type { ServiceRole } from '../detect/types.ts';
import type { Observation, Signature } from '../model/observation.ts';
import { explainAll } from './evidence.ts';
import { DEFAULT_TRACKER, IncidentTracker, type TrackerOptions } from './incidents.ts';
import { infer } from './infer.ts';
import type { RiskModel } from './risk.ts';
import { score } from './score.ts';
import type { FailingService, Inference, PageMeaning } from './types.ts';

interface LastFailure {
  site: string;
  role: ServiceRole;
  signature: Signature;
  status?: number;
  meaning?: PageMeaning;
  outcome: 'degraded' | 'down';
  vantage: string;
  time: number;
  /** Clock time of the last success seen for this service from any vantage (-1: none since). */
  upAt: number;
  /** Clock time of the last waiting-room page the service served (-1: none). */
  queueAt: number;
  /** This failing probe resolved the name itself and got addresses (see FailingService). */
  resolved: boolean;
}

/** A failure seen on a service's latest probe, not (yet) confirmed by detection. */
export interface Suspect {
  failure: FailingService;
  vantage: string;
}

/**
 * The last failing observation per (site, service), from vantages considered healthy, and whether a
 * success was seen since (from any vantage): what a round reads a failure by, and the unconfirmed
 * failures an outage shows first.
 */
export class FailureLog {
  private last = new Map<string, LastFailure>();

  constructor(private isHealthy: (vantage: string) => boolean) {}

  observe(o: Observation): void {
    if (o.signature === 'probe_error' || !this.isHealthy(o.vantage)) return;
    const key = `${o.site}|${roleOf(o.kind)}`;
    if (o.outcome === 'up') {
      const x = this.last.get(key);
      if (x && o.time >= x.time) x.upAt = o.time;
      return;
    }
    const queueAt = o.queue || o.meaning === 'queue' ? o.time : (this.last.get(key)?.queueAt ?? -1);
    this.last.set(key, {
      queueAt,
      site: o.site,
      role: roleOf(o.kind),
      signature: o.signature,
      ...(o.status !== undefined ? { status: o.status } : {}),
      ...(o.meaning !== undefined ? { meaning: o.meaning } : {}),
      outcome: o.outcome,
      vantage: o.vantage,
      time: o.time,
      upAt: -1,
      resolved: o.timings.dns !== undefined && (o.addresses?.length ?? 0) > 0,
    });
  }

  get(site: string, role: ServiceRole): LastFailure | undefined {
    return this.last.get(`${site}|${role}`);
  }

  /**
   * Services that served a waiting-room page within `windowMs` before `now`. A queue is a state the
   * service is in, not one answer: while it lasts, most answers get through (slowly) and only some
   * visitors are held back, so answer-by-answer confirmation sees it come and go.
   */
  queued(now: number, windowMs: number): LastFailure[] {
    const out: LastFailure[] = [];
    for (const x of this.last.values()) if (x.queueAt >= 0 && now - x.queueAt <= windowMs) out.push(x);
    return out;
  }

  /**
   * Services whose latest probe failed within `windowMs` before `now`, with no success seen since,
   * that `skip` does not already hold failing.
   */
  suspects(now: number, windowMs: number, skip: (site: string, role: ServiceRole) => boolean): Suspect[] {
    const out: Suspect[] = [];
    for (const x of this.last.values()) {
      if (x.upAt >= x.time || now - x.time > windowMs || skip(x.site, x.role)) continue;
      out.push({
        vantage: x.vantage,
        failure: {
          site: x.site,
          role: x.role,
          state: x.outcome,
          signature: x.signature,
          since: x.time,
          ...(x.status !== undefined ? { status: x.status } : {}),
          ...(x.meaning !== undefined ? { meaning: x.meaning } : {}),
          ...(x.resolved ? { resolved: true } : {}),
        },
      });
    }
    return out;
  }
}

/**
 * The services detection holds failing, as the explain stage's input, and (with `queueMs`) those that
 * served a waiting-room page within that long: degraded by overload.
 */
export function failingServices(detector: Detector, log: FailureLog, now = 0, queueMs = 0): FailingService[] {
  const out: FailingService[] = [];
  const seen = new Set<string>();
  for (const f of detector.failing()) {
    if (f.state === 'up') continue;
    const last = log.get(f.site, f.role);
    out.push({
      site: f.site,
      role: f.role,
      state: f.state,
      signature: last?.signature ?? 'connect_timeout',
      since: f.since,
      ...(last?.status !== undefined ? { status: last.status } : {}),
      ...(last?.meaning !== undefined ? { meaning: last.meaning } : {}),
      ...(last?.resolved ? { resolved: true } : {}),
    });
    if (queueMs > 0) seen.add(`${f.site}|${f.role}`);
  }
  if (queueMs > 0) {
    for (const q of log.queued(now, queueMs)) {
      if (seen.has(`${q.site}|${q.role}`)) continue;
      out.push({
        site: q.site,
        role: q.role,
        state: 'degraded',
        signature: q.signature,
        since: q.queueAt,
        status: q.status ?? 503,
        meaning: 'queue',
      });
    }
  }
  return out;
}

export interface RoundsOptions {
  /** How far back an unconfirmed failure counts (clock ms; default 0: no early openings). */
  suspectWindowMs?: number;
  /** Vantages probing the web (default 1). */
  vantages?: number;
  /** The inference method (default Vigie's; `score`: the SCORE baseline, for comparison). */
  method?: 'vigie' | 'score';
  /** Real-time source for the round's cost (default performance.now). */
  now?: () => number;
  /** Called with what each round read and concluded (diagnosis: `VIGIE_TRACE_ROUNDS=FILE`). */
  trace?: (round: RoundTrace) => void;
}

/** One round, as the trace sees it. */
export interface RoundTrace {
  time: number;
  phase: 'round' | 'early';
  reliable: boolean;
  failing: number;
  causes: {
    key: string;
    sites: number;
    failing: number;
    total: number;
    confidence: number;
    signature: string;
  }[];
  lone: number;
  incidents: { id: string | null; key: string; affected: number; resolved: boolean }[];
}

/** Inference → evidence → incidents, one round at a time. */
export class Rounds {
  readonly tracker: IncidentTracker;
  rounds = 0;
  maxRoundMs = 0;

  /** Rounds whose unconfirmed failures were read for an early opening. */
  earlyRounds = 0;
  private readonly o: TrackerOptions;
  /** Consecutive early rounds each cause was read in. */
  private earlyStreak = new Map<string, number>();
  private readonly suspectWindowMs: number;
  private readonly vantages: number;
  private readonly infer: (model: RiskModel, failures: readonly FailingService[]) => Inference;
  private readonly now: () => number;
  private readonly trace?: (round: RoundTrace) => void;

  constructor(
    private model: RiskModel,
    private detector: Detector,
    private log: FailureLog,
    tracker: Partial<TrackerOptions>,
    options: RoundsOptions = {},
  ) {
    this.tracker = new IncidentTracker(tracker);
    this.o = { ...DEFAULT_TRACKER, ...tracker };
    this.suspectWindowMs = options.suspectWindowMs ?? 0;
    this.vantages = options.vantages ?? 1;
    this.infer = options.method === 'score' ? (m, f) => score(m, f) : (m, f) => infer(m, f);
    this.now = options.now ?? performance.now.bind(performance);
    this.trace = options.trace;
  }

  private traced(time: number, phase: RoundTrace['phase'], reliable: boolean, inference: Inference): void {
    if (!this.trace) return;
    this.trace({
      time,
      phase,
      reliable,
      failing: inference.input.length,
      causes: inference.causes.map((c) => ({
        key: c.key,
        sites: c.sites.length,
        failing: c.failing,
        total: c.total,
        confidence: Math.round(c.confidence * 1000) / 1000,
        signature: c.signature,
      })),
      lone: inference.lone.length,
      incidents: this.tracker.states(),
    });
  }

  /** Sites or dependencies changed: later rounds read failures against this model. */
  setModel(model: RiskModel): void {
    this.model = model;
  }

  /**
   * One round at clock time `time`. When the monitor's own measurements are unreliable
   * (`reliable` false), incidents already open are followed but no new one opens; failures last
   * observed before `trustedSince` (the end of the last such trouble) are left out.
   */
  run(time: number, reliable = true, trustedSince = 0): void {
    const t0 = this.now();
    // After the monitor's own trouble, a failure counts again only once it is observed anew: what
    // detection confirmed while the machine could not measure is not evidence.
    const all = failingServices(this.detector, this.log, time, 2 * this.suspectWindowMs);
    const failures =
      trustedSince > 0
        ? all.filter((f) => (this.log.get(f.site, f.role)?.time ?? f.since) >= trustedSince)
        : all;
    const inference = this.infer(this.model, failures);
    const evidence = explainAll(this.model, inference);
    this.tracker.update(time, inference, evidence, reliable);
    this.traced(time, 'round', reliable, inference);
    if (this.suspectWindowMs > 0 && reliable) this.early(time, failures);
    this.rounds++;
    this.maxRoundMs = Math.max(this.maxRoundMs, this.now() - t0);
  }

  /**
   * Probes are spread evenly over the interval: when hundreds of sites of one component start failing,
   * their first failed probes show it long before each site is confirmed one by one. Read the
   * unconfirmed failures (latest probe failed, no success since) with the confirmed ones; a cause they
   * make strong — many sites, high confidence, seen from more than one vantage where there are several
   * (one vantage's own trouble is not the world's) — opens its incident now. What it affects is still
   * only what detection confirms.
   */
  private early(time: number, failures: FailingService[]): void {
    const failing = new Set(failures.map((f) => `${f.site}|${f.role}`));
    const suspects = this.log.suspects(time, this.suspectWindowMs, (site, role) =>
      failing.has(`${site}|${role}`),
    );
    const claimed = this.tracker.claimedSites();
    const fresh = suspects.filter((x) => !claimed.has(x.failure.site));
    if (fresh.length < Math.min(this.o.strongSites, 2)) {
      this.earlyStreak.clear();
      return;
    }
    this.earlyRounds++;
    const input = [...failures, ...fresh.map((x) => x.failure)];
    const inference = this.infer(this.model, input);
    const vantageOf = new Map<number, string>();
    for (let k = 0; k < fresh.length; k++) vantageOf.set(failures.length + k, fresh[k].vantage);
    const need = Math.min(2, this.vantages);
    inference.causes = inference.causes.filter((c) => {
      const seen = new Set<string>();
      for (const i of c.failures) {
        const v = vantageOf.get(i);
        if (v !== undefined) seen.add(v);
      }
      return seen.size >= need;
    });
    // A burst of the machine's own lateness lasts a moment; an outage is still there a round later.
    // Slow answers and DNS timeouts are judged on thin real-time margins (a tenth of a second at
    // these speeds) and wait for a second reading; refused or timed-out connections (half a second
    // real) and error pages do not.
    const streak = new Map<string, number>();
    inference.causes = inference.causes.filter((c) => {
      const n = (this.earlyStreak.get(c.key) ?? 0) + 1;
      streak.set(c.key, n);
      return n >= 2 || (c.kind !== 'overload' && c.kind !== 'dns' && c.kind !== 'mail');
    });
    this.earlyStreak = streak;
    if (inference.causes.length) {
      this.tracker.early(time, inference, explainAll(this.model, inference));
      this.traced(time, 'early', true, inference);
    }
  }
}
