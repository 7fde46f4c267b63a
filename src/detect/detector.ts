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
const ROLES: ServiceRole[] = ['web', 'dns', 'mail', 'tls'];
/** Service slots per site. */
const PER_SITE = ROLES.length;
const GROW = 1024;

export function roleOf(kind: ProbeKind): ServiceRole {
  return kind === 'dns' ? 'dns' : kind === 'smtp' ? 'mail' : kind === 'tls' ? 'tls' : 'web';
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
}

type Typed = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;

/** A copy of `a` at least `n` long (doubling), the new part filled with `fill`. */
function fit<T extends Typed>(a: T, n: number, fill = 0): T {
  if (n <= a.length) return a;
  let len = a.length * 2;
  while (len < n) len *= 2;
  const b = new (a.constructor as new (n: number) => T)(len);
  b.set(a as never);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/**
 * State lives in typed arrays, not objects: there are hundreds of thousands of services. A site is
 * interned once to a number; a service (site, role) is a slot; each vantage's view of a service is
 * a slot too, chained from the service's first view in the order the vantages were first seen.
 */
export class Detector {
  private readonly rule: ConfirmRule;
  private readonly mask: number;
  private siteIds = new Map<string, number>();
  private siteNames: string[] = [];
  /** Service slot of (site number × {@link PER_SITE} + role), or -1. */
  private serviceOf = new Int32Array(PER_SITE * GROW).fill(-1);
  private vantageIds = new Map<string, number>();
  private vantageNames: string[] = [];
  private sigIds = new Map<Signature, number>();
  private sigNames: Signature[] = [];
  // Per service.
  private services = 0;
  private svcSite = new Int32Array(GROW);
  private svcRole = new Uint8Array(GROW);
  private svcState = new Uint8Array(GROW);
  private svcSince = new Float64Array(GROW);
  private svcFirst = new Int32Array(GROW).fill(-1);
  // Per view (one vantage's view of one service).
  private views = 0;
  private vNext = new Int32Array(GROW).fill(-1);
  private vVantage = new Uint16Array(GROW);
  /** Bit i: the outcome i steps ago was down (`vBad`) or degraded (`vSlow`). */
  private vBad = new Uint32Array(GROW);
  private vSlow = new Uint32Array(GROW);
  private vN = new Uint8Array(GROW);
  private vState = new Uint8Array(GROW);
  private vSince = new Float64Array(GROW);
  /** Time of the first observation that disagreed with the view's state, or -1. */
  private vPending = new Float64Array(GROW);
  private vSig = new Uint8Array(GROW);

  constructor(private o: DetectorOptions) {
    this.rule = o.confirm ?? DEFAULT_CONFIRM;
    this.mask = (1 << this.rule.window) - 1;
    this.sig('ok');
  }

  /** Current state of a site's service. */
  state(site: string, role: ServiceRole): SiteState {
    const s = this.serviceSlot(site, role, false, 0);
    return s >= 0 ? STATES[this.svcState[s]] : 'up';
  }

  /** Every service not up, for resuming and for the explain stage. */
  *failing(): Iterable<{ site: string; role: ServiceRole; state: SiteState; since: number }> {
    for (let s = 0; s < this.services; s++) {
      if (this.svcState[s] === 0) continue;
      yield {
        site: this.siteNames[this.svcSite[s]],
        role: ROLES[this.svcRole[s]],
        state: STATES[this.svcState[s]],
        since: this.svcSince[s],
      };
    }
  }

  /** Resume from stored states after a restart (no transitions are emitted). */
  restore(states: { site: string; role: ServiceRole; state: SiteState; since: number }[]): void {
    for (const st of states) {
      const s = this.serviceSlot(st.site, st.role, true, st.since);
      this.svcState[s] = STATES.indexOf(st.state);
      this.svcSince[s] = st.since;
      this.svcFirst[s] = -1; // views start afresh from the restored state
    }
  }

  observe(o: Observation): void {
    if (this.o.isVantageHealthy && !this.o.isVantageHealthy(o.vantage)) return;
    const role = roleOf(o.kind);
    const s = this.serviceSlot(o.site, role, true, o.time);
    const v = this.view(s, o.vantage);
    const down = o.outcome === 'down';
    const degraded = o.outcome === 'degraded';
    this.vBad[v] = ((this.vBad[v] << 1) | (down ? 1 : 0)) & this.mask;
    this.vSlow[v] = ((this.vSlow[v] << 1) | (degraded ? 1 : 0)) & this.mask;
    this.vN[v] = Math.min(this.vN[v] + 1, this.rule.window);
    if (down || degraded) this.vSig[v] = this.sig(o.signature);
    const observed = down ? 2 : degraded ? 1 : 0;
    if (observed === this.vState[v]) this.vPending[v] = -1;
    else if (this.vPending[v] < 0) this.vPending[v] = o.time;
    const before = this.vState[v];
    this.vState[v] = this.next(v, down, degraded);
    if (this.vState[v] !== before) {
      this.vSince[v] = this.vPending[v] >= 0 ? this.vPending[v] : o.time;
      this.vPending[v] = -1;
    } else if (observed !== this.vState[v]) this.o.reprobe?.(o.site, o.kind, o.vantage); // confirm a change early, either way
    this.combine(o.site, role, s, o.time);
  }

  /** The slot of a site's service; created (up since `since`) when asked, else -1 when unknown. */
  private serviceSlot(site: string, role: ServiceRole, create: boolean, since: number): number {
    let id = this.siteIds.get(site);
    if (id === undefined) {
      if (!create) return -1;
      id = this.siteNames.push(site) - 1;
      this.siteIds.set(site, id);
      this.serviceOf = fit(this.serviceOf, PER_SITE * (id + 1), -1);
    }
    const r = ROLES.indexOf(role);
    let s = this.serviceOf[PER_SITE * id + r];
    if (s < 0 && create) {
      s = this.services++;
      if (s >= this.svcSite.length) {
        this.svcSite = fit(this.svcSite, s + 1);
        this.svcRole = fit(this.svcRole, s + 1);
        this.svcState = fit(this.svcState, s + 1);
        this.svcSince = fit(this.svcSince, s + 1);
        this.svcFirst = fit(this.svcFirst, s + 1, -1);
      }
      this.svcSite[s] = id;
      this.svcRole[s] = r;
      this.svcState[s] = 0;
      this.svcSince[s] = since;
      this.svcFirst[s] = -1;
      this.serviceOf[PER_SITE * id + r] = s;
    }
    return s;
  }

  /** A vantage's view of a service; a new view starts from the service's known state. */
  private view(s: number, vantage: string): number {
    let vid = this.vantageIds.get(vantage);
    if (vid === undefined) {
      vid = this.vantageNames.push(vantage) - 1;
      this.vantageIds.set(vantage, vid);
    }
    let last = -1;
    for (let v = this.svcFirst[s]; v >= 0; v = this.vNext[v]) {
      if (this.vVantage[v] === vid) return v;
      last = v;
    }
    const v = this.views++;
    if (v >= this.vNext.length) {
      const n = v + 1;
      this.vNext = fit(this.vNext, n, -1);
      this.vVantage = fit(this.vVantage, n);
      this.vBad = fit(this.vBad, n);
      this.vSlow = fit(this.vSlow, n);
      this.vN = fit(this.vN, n);
      this.vState = fit(this.vState, n);
      this.vSince = fit(this.vSince, n);
      this.vPending = fit(this.vPending, n);
      this.vSig = fit(this.vSig, n);
    }
    this.vNext[v] = -1;
    this.vVantage[v] = vid;
    this.vBad[v] = 0;
    this.vSlow[v] = 0;
    this.vN[v] = 0;
    this.vState[v] = this.svcState[s];
    this.vSince[v] = this.svcSince[s];
    this.vPending[v] = -1;
    this.vSig[v] = 0;
    if (last < 0) this.svcFirst[s] = v;
    else this.vNext[last] = v;
    return v;
  }

  private sig(signature: Signature): number {
    let i = this.sigIds.get(signature);
    if (i === undefined) {
      i = this.sigNames.push(signature) - 1;
      this.sigIds.set(signature, i);
    }
    return i;
  }

  private next(v: number, down: boolean, degraded: boolean): number {
    const { failures, recoveries } = this.rule;
    const recentGood = (1 << recoveries) - 1;
    const vBad = this.vBad[v];
    const vSlow = this.vSlow[v];
    const bad = popcount(vBad);
    const slow = popcount(vSlow);
    switch (this.vState[v]) {
      case 0:
        if (bad >= failures) return 2;
        if (bad + slow >= failures && slow > 0) return 1;
        return 0;
      case 1:
        if (bad >= failures) return 2;
        if (((vBad | vSlow) & recentGood) === 0 && !down && !degraded) return 0;
        return 1;
      default:
        if ((vBad & recentGood) === 0 && !down) return (vSlow & recentGood) === recentGood ? 1 : 0;
        return 2;
    }
  }

  private healthy(v: number): boolean {
    return !this.o.isVantageHealthy || this.o.isVantageHealthy(this.vantageNames[this.vVantage[v]]);
  }

  private combine(site: string, role: ServiceRole, s: number, time: number): void {
    let up = 0;
    let degraded = 0;
    let down = 0;
    for (let v = this.svcFirst[s]; v >= 0; v = this.vNext[v]) {
      if (!this.healthy(v)) continue;
      const st = this.vState[v];
      if (st === 0) up++;
      else if (st === 1) degraded++;
      else down++;
    }
    const total = up + degraded + down;
    if (total === 0) return;
    let want = this.svcState[s];
    if (up * 2 > total) want = 0;
    else if (degraded * 2 > total) want = 1;
    else if (down * 2 > total) want = 2;
    if (want === this.svcState[s]) return;
    const agreeing: number[] = [];
    for (let v = this.svcFirst[s]; v >= 0; v = this.vNext[v])
      if (this.vState[v] === want && this.healthy(v)) agreeing.push(v);
    let since = Number.POSITIVE_INFINITY;
    for (const v of agreeing) since = Math.min(since, this.vSince[v]);
    const from = STATES[this.svcState[s]];
    this.svcState[s] = want;
    this.svcSince[s] = since;
    this.o.emit({
      site,
      role,
      from,
      to: STATES[want],
      at: time,
      since,
      signature: want === 0 ? 'ok' : this.sigNames[this.vSig[agreeing[0]]],
      vantages: agreeing.map((v) => this.vantageNames[this.vVantage[v]]),
    });
  }
}
