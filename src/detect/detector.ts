/**
 * Per-site state with confirmation. Each (site, service, vantage) keeps its last few outcomes as
 * bits; a first failure asks for an early re-probe, and a state changes only when k of the last n
 * outcomes agree (down), or the last r are good (recovery). Vantages are then combined: a site's
 * state is what a strict majority of healthy vantages say (a tie keeps the previous state), so one
 * broken vantage cannot mark a site down — and an unhealthy vantage's observations are ignored.
 */
import type { Observation, ProbeKind, Signature } from '../model/observation.ts';
import type { ServiceRole, SiteState, StateTransition } from './types.ts';

export interface ConfirmRule {
  /** Failures among the last `window` outcomes that confirm a failure (k of n). */
  failures: number;
  window: number;
  /** Consecutive good outcomes that confirm recovery. */
  recoveries: number;
}

export const DEFAULT_CONFIRM: ConfirmRule = { failures: 2, window: 3, recoveries: 2 };

export interface DetectorOptions {
  confirm?: ConfirmRule;
  /** Ask for an early re-probe after a first failure. */
  reprobe?(site: string, kind: ProbeKind, vantage: string): void;
  isVantageHealthy?(vantage: string): boolean;
  emit(t: StateTransition): void;
}

const STATES: SiteState[] = ['up', 'degraded', 'down'];

/** One vantage's view of one service of one site. Small: there are hundreds of thousands. */
interface VantageView {
  bad: number; // bit i = outcome i steps ago was down
  slow: number; // bit i = outcome i steps ago was degraded
  n: number;
  state: number; // index in STATES
  since: number;
  /** Time of the first observation that disagreed with `state`, or -1. */
  pending: number;
  sig: Signature;
}

interface Service {
  state: number;
  since: number;
  views: Map<string, VantageView>;
}

export function roleOf(kind: ProbeKind): ServiceRole {
  return kind === 'dns' ? 'dns' : kind === 'smtp' ? 'mail' : 'web';
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}

export class Detector {
  private services = new Map<string, Service>();
  private readonly rule: ConfirmRule;
  private readonly mask: number;

  constructor(private o: DetectorOptions) {
    this.rule = o.confirm ?? DEFAULT_CONFIRM;
    this.mask = (1 << this.rule.window) - 1;
  }

  /** Current state of a site's service. */
  state(site: string, role: ServiceRole): SiteState {
    const s = this.services.get(`${site}|${role}`);
    return s ? STATES[s.state] : 'up';
  }

  /** Every service not up, for resuming and for the explain stage. */
  *failing(): Iterable<{ site: string; role: ServiceRole; state: SiteState; since: number }> {
    for (const [key, s] of this.services) {
      if (s.state === 0) continue;
      const i = key.lastIndexOf('|');
      yield {
        site: key.slice(0, i),
        role: key.slice(i + 1) as ServiceRole,
        state: STATES[s.state],
        since: s.since,
      };
    }
  }

  /** Resume from stored states after a restart (no transitions are emitted). */
  restore(states: { site: string; role: ServiceRole; state: SiteState; since: number }[]): void {
    for (const st of states) {
      this.services.set(`${st.site}|${st.role}`, {
        state: STATES.indexOf(st.state),
        since: st.since,
        views: new Map(),
      });
    }
  }

  observe(o: Observation): void {
    if (this.o.isVantageHealthy && !this.o.isVantageHealthy(o.vantage)) return;
    const role = roleOf(o.kind);
    const key = `${o.site}|${role}`;
    let svc = this.services.get(key);
    if (!svc) {
      svc = { state: 0, since: o.time, views: new Map() };
      this.services.set(key, svc);
    }
    let v = svc.views.get(o.vantage);
    if (!v) {
      // A new view starts from the service's known state (e.g. restored after a restart).
      v = { bad: 0, slow: 0, n: 0, state: svc.state, since: svc.since, pending: -1, sig: 'ok' };
      svc.views.set(o.vantage, v);
    }
    const down = o.outcome === 'down';
    const degraded = o.outcome === 'degraded';
    v.bad = ((v.bad << 1) | (down ? 1 : 0)) & this.mask;
    v.slow = ((v.slow << 1) | (degraded ? 1 : 0)) & this.mask;
    v.n = Math.min(v.n + 1, this.rule.window);
    if (down || degraded) v.sig = o.signature;
    const observed = down ? 2 : degraded ? 1 : 0;
    if (observed === v.state) v.pending = -1;
    else if (v.pending < 0) v.pending = o.time;
    const before = v.state;
    v.state = this.next(v, down, degraded);
    if (v.state !== before) {
      v.since = v.pending >= 0 ? v.pending : o.time;
      v.pending = -1;
    } else if (observed !== v.state) this.o.reprobe?.(o.site, o.kind, o.vantage); // confirm a change early, either way
    this.combine(o.site, role, svc, o.time);
  }

  private next(v: VantageView, down: boolean, degraded: boolean): number {
    const { failures, recoveries } = this.rule;
    const recentGood = (1 << recoveries) - 1;
    const bad = popcount(v.bad);
    const slow = popcount(v.slow);
    switch (v.state) {
      case 0:
        if (bad >= failures) return 2;
        if (bad + slow >= failures && slow > 0) return 1;
        return 0;
      case 1:
        if (bad >= failures) return 2;
        if (((v.bad | v.slow) & recentGood) === 0 && !down && !degraded) return 0;
        return 1;
      default:
        if ((v.bad & recentGood) === 0 && !down) return (v.slow & recentGood) === recentGood ? 1 : 0;
        return 2;
    }
  }

  private combine(site: string, role: ServiceRole, svc: Service, time: number): void {
    const counts = [0, 0, 0];
    let total = 0;
    for (const [vantage, v] of svc.views) {
      if (this.o.isVantageHealthy && !this.o.isVantageHealthy(vantage)) continue;
      counts[v.state]++;
      total++;
    }
    if (total === 0) return;
    let want = svc.state;
    for (let s = 0; s < 3; s++) if (counts[s] * 2 > total) want = s;
    if (want === svc.state) return;
    const agreeing = [...svc.views].filter(
      ([id, v]) => v.state === want && (!this.o.isVantageHealthy || this.o.isVantageHealthy(id)),
    );
    const since = Math.min(...agreeing.map(([, v]) => v.since));
    const from = STATES[svc.state];
    svc.state = want;
    svc.since = since;
    this.o.emit({
      site,
      role,
      from,
      to: STATES[want],
      at: time,
      since,
      signature: want === 0 ? 'ok' : agreeing[0][1].sig,
      vantages: agreeing.map(([id]) => id),
    });
  }
}
