/**
 * The fault engine: from a scenario, which effect reaches which dependency of which site at any instant.
 *
 * At construction every fault (scenario faults in order, then generated noise) is resolved into per-site,
 * per-role entries (fault, from, to, flap), stored flat (CSR layout in typed arrays) so that `effectOn`,
 * called on every request the simulated world serves, is a couple of array reads and a short loop.
 * Ground truth, crowd reports and the JSON description are derived lazily from the same entries.
 */
import type { Effect, Selector } from '../../scenario/types.ts';
import { generateNoise } from './noise.ts';
import { seedFromName } from './rand.ts';
import { ReportGenerator } from './reports.ts';
import { type Dependency, NROLES, ROLES, roleIndex, selectHits, siteDependencies } from './select.ts';
import { type Flap, flapOf, isOn, mergeIntervals, onIntervals, recoveryInstants } from './timeline.ts';
import type {
  ActiveEffect,
  CrowdReport,
  DepRole,
  FaultEngine,
  FaultEngineOptions,
  TruthInterval,
} from './types.ts';
import { Units } from './units.ts';

export { ROLES } from './select.ts';

/** A fault as the engine resolved it (scenario or noise). */
export interface ResolvedFault {
  id: string;
  source: 'scenario' | 'noise';
  effect: Effect;
  /** For noise: {domains: [the site], role}. */
  target: Selector;
  at: number;
  until: number | null;
  recoveryMs: number;
  share: number;
  flap: { periodMs: number; duty: number } | null;
  /** Domains hit, in site order. */
  hitDomains: string[];
  /** When the last hit site recovers (null: not before the end, or nobody hit). */
  lastRecovery: number | null;
}

/** JSON-ready ground truth, for `--truth-out` and for the scorer. */
export interface TruthDescription {
  scenario: string;
  seed: number;
  start: number;
  end: number;
  faults: ResolvedFault[];
  vantages: { id: string; faults: { at: number; until: number | null; effect: Effect }[] }[];
  intervals: TruthInterval[];
}

export interface FaultEngineExt extends FaultEngine {
  readonly seed: number;
  /** Every fault, scenario faults first (in order) then noise. */
  readonly faults: readonly ResolvedFault[];
  /** Whether any fault reaches any dependency of site i at t. */
  affectedAt(siteIndex: number, t: number): boolean;
  /** Every active effect on site i at t, on any role (first per role). */
  effectsAt(siteIndex: number, t: number): { role: DepRole; active: ActiveEffect }[];
  /** Site i's affected intervals (any role, any fault), merged, clipped to the scenario window. */
  affectedIntervals(siteIndex: number): [number, number][];
  /** The rate multiplier of site i's crowd reports at t (1 when unaffected, up to `surge`). */
  reportFactor(siteIndex: number, t: number): number;
  describeTruth(): TruthDescription;
}

/** Growable entry columns before they are packed. */
class EntryBuilder {
  length = 0;
  slot = new Int32Array(1024);
  fault = new Int32Array(1024);
  from = new Float64Array(1024);
  to = new Float64Array(1024);
  period = new Float64Array(1024);
  onLen = new Float64Array(1024);
  add(slot: number, fault: number, from: number, to: number, flap: Flap): void {
    if (this.length === this.slot.length) this.grow();
    const k = this.length++;
    this.slot[k] = slot;
    this.fault[k] = fault;
    this.from[k] = from;
    this.to[k] = to;
    this.period[k] = flap.period;
    this.onLen[k] = flap.onLen;
  }
  private grow(): void {
    const cap = this.slot.length * 2;
    const g = <A extends Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.slot = g(this.slot, (n) => new Int32Array(n));
    this.fault = g(this.fault, (n) => new Int32Array(n));
    this.from = g(this.from, (n) => new Float64Array(n));
    this.to = g(this.to, (n) => new Float64Array(n));
    this.period = g(this.period, (n) => new Float64Array(n));
    this.onLen = g(this.onLen, (n) => new Float64Array(n));
  }
}

class Engine implements FaultEngineExt {
  readonly seed: number;
  readonly probeLoss: number;
  readonly faults: ResolvedFault[] = [];
  private readonly actives: ActiveEffect[] = [];
  private readonly start: number;
  private readonly end: number;
  private readonly offs: Int32Array;
  private readonly eFault: Int32Array;
  private readonly eFrom: Float64Array;
  private readonly eTo: Float64Array;
  private readonly ePeriod: Float64Array;
  private readonly eOn: Float64Array;
  private readonly vantages: Map<string, { at: number; until: number; effect: Effect }[]>;
  private truthCache: TruthInterval[] | null = null;
  private readonly affectedCache = new Map<number, [number, number][]>();
  private reportGen: ReportGenerator | null = null;

  constructor(private readonly opts: FaultEngineOptions) {
    const sc = opts.scenario;
    this.seed = (opts.seed ?? seedFromName(sc.name)) >>> 0;
    this.probeLoss = sc.noise.probeLoss;
    this.start = sc.start;
    this.end = sc.end;
    const n = sc.sites.length;

    const providers = new Map(sc.providers.map((p) => [p.id, p]));
    const deps: Dependency[][] = sc.sites.map((s) => siteDependencies(s, providers));
    const units = new Units(sc.sites, opts.hostingAddress);

    const eb = new EntryBuilder();
    for (const f of sc.faults) {
      const fi = this.faults.length;
      const hits = selectHits(this.seed, f.id, f.target, f.share, sc.sites, deps, units);
      const ends = recoveryInstants(this.seed, f.id, f.until, f.recoveryMs, hits.count, hits.unit, units);
      const flap = flapOf(f.flap);
      const hitDomains: string[] = new Array(hits.count);
      let last = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < hits.count; j++) {
        const i = hits.site[j];
        const mask = hits.roles[j];
        for (let r = 0; r < NROLES; r++) if (mask & (1 << r)) eb.add(i * NROLES + r, fi, f.at, ends[j], flap);
        hitDomains[j] = sc.sites[i].domain;
        if (ends[j] > last) last = ends[j];
      }
      this.faults.push({
        id: f.id,
        source: 'scenario',
        effect: f.effect,
        target: f.target,
        at: f.at,
        until: f.until,
        recoveryMs: f.recoveryMs,
        share: f.share,
        flap: f.flap ?? null,
        hitDomains,
        lastRecovery: Number.isFinite(last) ? last : null,
      });
      this.actives.push(Object.freeze({ fault: f.id, effect: f.effect }));
    }
    for (const nf of generateNoise(sc, this.seed)) {
      const fi = this.faults.length;
      const domain = sc.sites[nf.site].domain;
      eb.add(nf.site * NROLES + roleIndex(nf.role), fi, nf.at, nf.until, flapOf(undefined));
      this.faults.push({
        id: nf.id,
        source: 'noise',
        effect: nf.effect,
        target: { domains: [domain], role: nf.role },
        at: nf.at,
        until: nf.until,
        recoveryMs: 0,
        share: 1,
        flap: null,
        hitDomains: [domain],
        lastRecovery: nf.until,
      });
      this.actives.push(Object.freeze({ fault: nf.id, effect: nf.effect }));
    }

    // Pack entries by slot with a stable counting sort: within a slot, fault order is kept.
    const slots = n * NROLES;
    const offs = new Int32Array(slots + 1);
    const m = eb.length;
    for (let k = 0; k < m; k++) offs[eb.slot[k] + 1]++;
    for (let s = 0; s < slots; s++) offs[s + 1] += offs[s];
    const pos = offs.slice(0, slots);
    this.eFault = new Int32Array(m);
    this.eFrom = new Float64Array(m);
    this.eTo = new Float64Array(m);
    this.ePeriod = new Float64Array(m);
    this.eOn = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      const p = pos[eb.slot[k]]++;
      this.eFault[p] = eb.fault[k];
      this.eFrom[p] = eb.from[k];
      this.eTo[p] = eb.to[k];
      this.ePeriod[p] = eb.period[k];
      this.eOn[p] = eb.onLen[k];
    }
    this.offs = offs;

    this.vantages = new Map(
      sc.vantages.map((v) => [
        v.id,
        v.faults.map((f) => ({ at: f.at, until: f.until ?? Number.POSITIVE_INFINITY, effect: f.effect })),
      ]),
    );
  }

  effectOn(siteIndex: number, role: DepRole, t: number): ActiveEffect | null {
    const r = roleIndex(role);
    if (r < 0 || siteIndex < 0 || siteIndex * NROLES >= this.offs.length - 1) return null;
    const slot = siteIndex * NROLES + r;
    const hi = this.offs[slot + 1];
    for (let k = this.offs[slot]; k < hi; k++) {
      if (isOn(t, this.eFrom[k], this.eTo[k], this.ePeriod[k], this.eOn[k]))
        return this.actives[this.eFault[k]];
    }
    return null;
  }

  vantageEffect(vantageId: string, t: number): Effect | null {
    const fs = this.vantages.get(vantageId);
    if (!fs) return null;
    for (const f of fs) if (t >= f.at && t < f.until) return f.effect;
    return null;
  }

  affectedAt(siteIndex: number, t: number): boolean {
    const base = siteIndex * NROLES;
    if (siteIndex < 0 || base >= this.offs.length - 1) return false;
    const hi = this.offs[base + NROLES];
    for (let k = this.offs[base]; k < hi; k++) {
      if (isOn(t, this.eFrom[k], this.eTo[k], this.ePeriod[k], this.eOn[k])) return true;
    }
    return false;
  }

  effectsAt(siteIndex: number, t: number): { role: DepRole; active: ActiveEffect }[] {
    const out: { role: DepRole; active: ActiveEffect }[] = [];
    for (const role of ROLES) {
      const active = this.effectOn(siteIndex, role, t);
      if (active) out.push({ role, active });
    }
    return out;
  }

  /** Entry k's on-intervals within the scenario window. */
  private entryIntervals(k: number): [number, number][] {
    const flap = { period: this.ePeriod[k], onLen: this.eOn[k] };
    return onIntervals(this.eFrom[k], this.eTo[k], flap, this.start, this.end);
  }

  truth(): TruthInterval[] {
    if (this.truthCache) return this.truthCache;
    const sites = this.opts.scenario.sites;
    const rows: { fi: number; k: number }[] = [];
    for (let k = 0; k < this.eFault.length; k++) rows.push({ fi: this.eFault[k], k });
    // Entries are grouped by slot; order them by (fault, site, role) before the stable sort on `from`.
    rows.sort((a, b) => a.fi - b.fi || a.k - b.k);
    const out: TruthInterval[] = [];
    const slotOf = this.slotIndex();
    for (const { fi, k } of rows) {
      const slot = slotOf[k];
      const domain = sites[Math.floor(slot / NROLES)].domain;
      const role = ROLES[slot % NROLES];
      for (const [from, to] of this.entryIntervals(k)) {
        out.push({ fault: this.faults[fi].id, domain, role, from, to: to >= this.end ? null : to });
      }
    }
    out.sort((a, b) => a.from - b.from);
    this.truthCache = out;
    return out;
  }

  /** The slot of every packed entry. */
  private slotIndex(): Int32Array {
    const slotOf = new Int32Array(this.eFault.length);
    for (let s = 0; s + 1 < this.offs.length; s++) {
      for (let k = this.offs[s]; k < this.offs[s + 1]; k++) slotOf[k] = s;
    }
    return slotOf;
  }

  affectedIntervals(siteIndex: number): [number, number][] {
    let cached = this.affectedCache.get(siteIndex);
    if (cached) return cached;
    const base = siteIndex * NROLES;
    const all: [number, number][] = [];
    if (siteIndex >= 0 && base < this.offs.length - 1) {
      for (let k = this.offs[base]; k < this.offs[base + NROLES]; k++) all.push(...this.entryIntervals(k));
    }
    cached = mergeIntervals(all);
    this.affectedCache.set(siteIndex, cached);
    return cached;
  }

  private reportsGen(): ReportGenerator | null {
    const cfg = this.opts.scenario.reports;
    if (!cfg) return null;
    if (!this.reportGen) {
      this.reportGen = new ReportGenerator({
        seed: this.seed,
        sites: this.opts.scenario.sites,
        baselinePerHour: cfg.baselinePerHour,
        surge: cfg.surge,
        affectedIntervals: (i) => this.affectedIntervals(i),
        mailAffected: (i, t) => this.effectOn(i, 'mail', t) !== null,
      });
    }
    return this.reportGen;
  }

  reports(from: number, to: number): CrowdReport[] {
    return this.reportsGen()?.generate(from, to) ?? [];
  }

  reportFactor(siteIndex: number, t: number): number {
    return this.reportsGen()?.factor(siteIndex, t) ?? 1;
  }

  describeTruth(): TruthDescription {
    const sc = this.opts.scenario;
    return {
      scenario: sc.name,
      seed: this.seed,
      start: sc.start,
      end: sc.end,
      faults: this.faults,
      vantages: sc.vantages
        .filter((v) => v.faults.length > 0)
        .map((v) => ({
          id: v.id,
          faults: v.faults.map((f) => ({ at: f.at, until: f.until, effect: f.effect })),
        })),
      intervals: this.truth(),
    };
  }
}

/** Build the fault engine of a scenario. Construction does all the selection work; queries are cheap. */
export function createFaultEngine(opts: FaultEngineOptions): FaultEngineExt {
  return new Engine(opts);
}
