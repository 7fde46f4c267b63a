/**
 * Evaluation rounds: what detection says is failing, read into the explain stage's input. The
 * detector keeps per-service state; the last failing observation of each service (from a healthy
 * vantage) adds what the explain stage reads a failure by — signature, HTTP status, the meaning of a
 * CDN's error page. Each round runs inference, evidence and the incident tracker.
 */
import type { Detector } from '../detect/detector.ts';
import { roleOf } from '../detect/detector.ts';
import type { ServiceRole } from '../detect/types.ts';
import { explainAll } from '../explain/evidence.ts';
import { IncidentTracker, type TrackerOptions } from '../explain/incidents.ts';
import { infer } from '../explain/infer.ts';
import type { RiskModel } from '../explain/risk.ts';
import type { FailingService, PageMeaning } from '../explain/types.ts';
import type { Observation, Signature } from '../model/observation.ts';

interface LastFailure {
  signature: Signature;
  status?: number;
  meaning?: PageMeaning;
  time: number;
}

/** The last failing observation per (site, service), from vantages considered healthy. */
export class FailureLog {
  private last = new Map<string, LastFailure>();

  constructor(private isHealthy: (vantage: string) => boolean) {}

  observe(o: Observation): void {
    if (o.outcome === 'up' || o.signature === 'probe_error' || !this.isHealthy(o.vantage)) return;
    this.last.set(`${o.site}|${roleOf(o.kind)}`, {
      signature: o.signature,
      ...(o.status !== undefined ? { status: o.status } : {}),
      ...(o.meaning !== undefined ? { meaning: o.meaning } : {}),
      time: o.time,
    });
  }

  get(site: string, role: ServiceRole): LastFailure | undefined {
    return this.last.get(`${site}|${role}`);
  }
}

/** The services detection holds failing, as the explain stage's input. */
export function failingServices(detector: Detector, log: FailureLog): FailingService[] {
  const out: FailingService[] = [];
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
    });
  }
  return out;
}

/** Inference → evidence → incidents, one round at a time. */
export class Rounds {
  readonly tracker: IncidentTracker;
  rounds = 0;
  maxRoundMs = 0;

  constructor(
    private model: RiskModel,
    private detector: Detector,
    private log: FailureLog,
    tracker: Partial<TrackerOptions>,
    private now: () => number = performance.now.bind(performance),
  ) {
    this.tracker = new IncidentTracker(tracker);
  }

  /** One round at clock time `time`. */
  run(time: number): void {
    const t0 = this.now();
    const failures = failingServices(this.detector, this.log);
    const inference = infer(this.model, failures);
    const evidence = explainAll(this.model, inference);
    this.tracker.update(time, inference, evidence);
    this.rounds++;
    this.maxRoundMs = Math.max(this.maxRoundMs, this.now() - t0);
  }
}
