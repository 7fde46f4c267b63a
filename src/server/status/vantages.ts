/**
 * What each vantage sees: every site's latest result from every vantage (per service), the count of
 * sites each vantage sees failing, each vantage's probe rate, and which vantages agreed on each
 * site's latest confirmed failure — the per-vantage half of the status (`/api/vantages…`, the
 * dashboard's vantage pages, "seen from" on an incident). Kept from the observation stream; memory
 * is a few numbers per site × vantage × service, so 100,000 sites from 3 vantages stay in tens of MB.
 */
import type { Observation, Signature } from '../../model/observation.ts';
import type {
  SiteVantageResult,
  VantageResult,
  VantageSeen,
  VantageSiteQuery,
  VantageSiteRow,
} from './types.ts';

type Role = VantageResult['role'];
type Outcome = VantageResult['outcome'];
const ROLES: Role[] = ['web', 'dns', 'mail', 'tls'];
const OUTCOMES: Outcome[] = ['up', 'degraded', 'down'];
/** A service's index (at most 3: it takes two bits of a row's code). */
const roleIndex = (kind: Observation['kind']) =>
  kind === 'dns' ? 1 : kind === 'smtp' ? 2 : kind === 'tls' ? 3 : 0;
/** Per-second buckets of the probe-rate window. */
const RATE_WINDOW_S = 10;

interface PerVantage {
  name: string;
  /** Sites with a result from this vantage, and of those, sites with a service not up. */
  sites: number;
  failing: number;
  /** Clock time of its latest observation. */
  lastAt: number | null;
  /** Observations per real second over the last {@link RATE_WINDOW_S} seconds. */
  buckets: Uint32Array;
  bucketSecond: number;
}

export class VantageResults {
  private readonly ids = new Map<string, number>();
  private readonly vantages: PerVantage[] = [];
  private readonly sigIds = new Map<Signature, number>();
  private readonly sigNames: Signature[] = [];
  /**
   * Per site, flat triples `[code, signature id, time]`, code = vantage × 16 + role × 4 + outcome:
   * a handful of numbers per site instead of objects.
   */
  private readonly bySite = new Map<string, number[]>();
  /** Per site, the vantages that agreed on its latest confirmed failure. */
  private readonly confirmed = new Map<string, string[]>();
  private readonly realNow: () => number;

  constructor(o: { realNow?: () => number } = {}) {
    this.realNow = o.realNow ?? Date.now;
  }

  observe(o: Observation): void {
    const vid = this.vantageId(o.vantage);
    const pv = this.vantages[vid];
    this.count(pv);
    // A probe error is about the vantage's own machine, never the site: it is no result.
    if (o.signature === 'probe_error') return;
    pv.lastAt = Math.max(pv.lastAt ?? o.time, o.time);
    let rows = this.bySite.get(o.site);
    if (!rows) {
      rows = [];
      this.bySite.set(o.site, rows);
    }
    const before = failingFrom(rows, vid);
    const role = roleIndex(o.kind);
    const code = vid * 16 + role * 4 + OUTCOMES.indexOf(o.outcome);
    let i = 0;
    while (i < rows.length && rows[i] >> 2 !== vid * 4 + role) i += 3;
    if (i < rows.length && rows[i + 2] > o.time) return; // an older probe arriving late
    if (i >= rows.length) rows.push(code, this.sigId(o.signature), o.time);
    else {
      rows[i] = code;
      rows[i + 1] = this.sigId(o.signature);
      rows[i + 2] = o.time;
    }
    const after = failingFrom(rows, vid);
    if (before === null) pv.sites++;
    if ((before ?? false) !== after) pv.failing += after ? 1 : -1;
  }

  /** The vantages that agreed on a site's failure (a confirmed transition to degraded or down). */
  confirm(site: string, vantages: readonly string[]): void {
    if (vantages.length) this.confirmed.set(site, [...vantages]);
  }

  removeSite(site: string): void {
    const rows = this.bySite.get(site);
    this.confirmed.delete(site);
    if (!rows) return;
    for (const vid of new Set(vantagesIn(rows))) {
      const pv = this.vantages[vid];
      pv.sites--;
      if (failingFrom(rows, vid)) pv.failing--;
    }
    this.bySite.delete(site);
  }

  /** Vantage names, in the order they were first heard from. */
  names(): string[] {
    return this.vantages.map((v) => v.name);
  }

  summary(
    vantage: string,
  ): { sites: number; failing: number; lastAt: number | null; probesPerS: number } | null {
    const id = this.ids.get(vantage);
    if (id === undefined) return null;
    const pv = this.vantages[id];
    return { sites: pv.sites, failing: pv.failing, lastAt: pv.lastAt, probesPerS: this.rate(pv) };
  }

  /** One site's latest result from each vantage, per service. */
  site(domain: string): SiteVantageResult[] {
    const rows = this.bySite.get(domain);
    if (!rows) return [];
    const confirmed = new Set(this.confirmed.get(domain) ?? []);
    const out = new Map<number, SiteVantageResult>();
    for (let i = 0; i < rows.length; i += 3) {
      const vid = rows[i] >> 4;
      let r = out.get(vid);
      if (!r) {
        const name = this.vantages[vid].name;
        r = { vantage: name, failing: false, confirmedFailure: confirmed.has(name), results: [] };
        out.set(vid, r);
      }
      const res = this.result(rows, i);
      r.results.push(res);
      if (res.outcome !== 'up') r.failing = true;
    }
    return [...out.values()].sort((a, b) => (a.vantage < b.vantage ? -1 : 1));
  }

  /** Every site as one vantage sees it: failing ones first, then by name; a page at a time. */
  sites(vantage: string, q: VantageSiteQuery): { total: number; items: VantageSiteRow[] } | null {
    const vid = this.ids.get(vantage);
    if (vid === undefined) return null;
    const matched: { site: string; rows: number[]; state: Outcome }[] = [];
    const needle = q.q?.toLowerCase();
    for (const [site, rows] of this.bySite) {
      if (needle && !site.includes(needle)) continue;
      let state: Outcome | null = null;
      for (let i = 0; i < rows.length; i += 3) {
        if (rows[i] >> 4 !== vid) continue;
        const o = OUTCOMES[rows[i] & 3];
        if (state === null || OUTCOMES.indexOf(o) > OUTCOMES.indexOf(state)) state = o;
      }
      if (state === null) continue;
      if (q.state && state !== q.state) continue;
      matched.push({ site, rows, state });
    }
    matched.sort(
      (a, b) =>
        OUTCOMES.indexOf(b.state) - OUTCOMES.indexOf(a.state) ||
        (a.site < b.site ? -1 : a.site > b.site ? 1 : 0),
    );
    const items = matched.slice(q.offset, q.offset + q.limit).map(({ site, rows, state }) => {
      const results: VantageResult[] = [];
      for (let i = 0; i < rows.length; i += 3) if (rows[i] >> 4 === vid) results.push(this.result(rows, i));
      return { site, state, results };
    });
    return { total: matched.length, items };
  }

  /**
   * From where the failure of these sites is seen: per vantage, how many of them it confirmed
   * failing (it agreed on the site's confirmed failure), sees failing now, and has a result for.
   */
  seenFrom(sites: readonly string[]): VantageSeen[] {
    const by = new Map<string, VantageSeen>();
    const get = (vantage: string) => {
      let s = by.get(vantage);
      if (!s) {
        s = { vantage, confirmed: 0, failing: 0, probed: 0 };
        by.set(vantage, s);
      }
      return s;
    };
    for (const site of sites) {
      for (const v of this.confirmed.get(site) ?? []) get(v).confirmed++;
      const rows = this.bySite.get(site);
      if (!rows) continue;
      for (const vid of new Set(vantagesIn(rows))) {
        const s = get(this.vantages[vid].name);
        s.probed = (s.probed ?? 0) + 1;
        if (failingFrom(rows, vid)) s.failing = (s.failing ?? 0) + 1;
      }
    }
    return [...by.values()].sort((a, b) => b.confirmed - a.confirmed || (a.vantage < b.vantage ? -1 : 1));
  }

  private result(rows: number[], i: number): VantageResult {
    return {
      role: ROLES[(rows[i] >> 2) & 3],
      outcome: OUTCOMES[rows[i] & 3],
      signature: this.sigNames[rows[i + 1]],
      time: rows[i + 2],
    };
  }

  private vantageId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.vantages.length;
      this.ids.set(name, id);
      this.vantages.push({
        name,
        sites: 0,
        failing: 0,
        lastAt: null,
        buckets: new Uint32Array(RATE_WINDOW_S),
        bucketSecond: Math.floor(this.realNow() / 1000),
      });
    }
    return id;
  }

  private sigId(s: Signature): number {
    let id = this.sigIds.get(s);
    if (id === undefined) {
      id = this.sigNames.push(s) - 1;
      this.sigIds.set(s, id);
    }
    return id;
  }

  /** Move a vantage's rate window to now (buckets of seconds gone by are emptied). */
  private advance(pv: PerVantage): number {
    const second = Math.floor(this.realNow() / 1000);
    const gone = Math.min(RATE_WINDOW_S, second - pv.bucketSecond);
    for (let k = 1; k <= gone; k++) pv.buckets[(pv.bucketSecond + k) % RATE_WINDOW_S] = 0;
    if (second > pv.bucketSecond) pv.bucketSecond = second;
    return second;
  }

  private count(pv: PerVantage): void {
    const second = this.advance(pv);
    pv.buckets[second % RATE_WINDOW_S]++;
  }

  /** Probes per second over the window's complete seconds. */
  private rate(pv: PerVantage): number {
    const second = this.advance(pv);
    let n = 0;
    for (let k = 1; k < RATE_WINDOW_S; k++) n += pv.buckets[(second - k + RATE_WINDOW_S * 2) % RATE_WINDOW_S];
    return Math.round((n / (RATE_WINDOW_S - 1)) * 10) / 10;
  }
}

/** Vantage ids present in a site's rows. */
function vantagesIn(rows: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i += 3) out.push(rows[i] >> 4);
  return out;
}

/** Whether a vantage sees a service of the site not up; null when it has no result for the site. */
function failingFrom(rows: number[], vid: number): boolean | null {
  let seen = false;
  for (let i = 0; i < rows.length; i += 3) {
    if (rows[i] >> 4 !== vid) continue;
    seen = true;
    if ((rows[i] & 3) !== 0) return true;
  }
  return seen ? false : null;
}
