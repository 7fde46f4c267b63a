/**
 * Random fault scenarios for the live attribution bench (`bench/live-attribution.ts`): from a seed, a
 * small world (150–400 sites, {@link generateScenario}) with one or two declared shared components,
 * plus 1–3 concurrent faults drawn over every level the format supports — a provider, one of its roles
 * (hosting, dns, mail, cdn, platform), a region, a plan (shared/dedicated), a declared component —
 * with `share` in 0.3–1.0, effects that fit the target, background noise, sometimes a recovery that
 * stalls (a second fault on the same target keeps part of the sites down longer) and sometimes a
 * vantage that loses its own network. The `truth` names each cause at the granularity an outside
 * observer can establish, and `not` lists every provider with sites that no fault involves.
 *
 * A fault is kept only when its cause is identifiable from the failures it produces (the bench
 * must not ask for the impossible):
 * - it hits ≥ 3 sites after `share` (a shared cause, not a one-site failure);
 * - candidate causes that would produce exactly the same failures site by site are the same cause:
 *   when they also break the same (site, dependency) pairs (a CDN-only provider and its CDN role, a
 *   provider's only populated region and its hosting role) the broadest name is the truth, as the
 *   risk model's own deduplication does; when they do not (one masks the other: a DNS failure hides
 *   the CDN behind it), the draw is rejected;
 * - no other candidate with as few or fewer sites explains every hit site's failure, and a broader
 *   one that does would have been expected to hit ≥ 2.5 sites outside this cause's scope
 *   (otherwise a partial share could equally be read as the broader cause);
 * - it involves no provider another fault involves, and overlaps their hit sites by ≤ 10 %.
 * Deterministic for a seed; every output loads with `parseScenario` (tested over many seeds).
 */
import { stringify } from 'yaml';
import { loadCatalog } from '../../catalog/load.ts';
import { parseScenario } from '../scenario/load.ts';
import type { RawEffect, RawFault, RawScenario, RawSelector, RawTruth, RawVantage } from '../scenario/raw.ts';
import type { Scenario, Selector } from '../scenario/types.ts';
import { Rng, seedFromName } from './faults/rand.ts';
import { type Dependency, selectHits, siteDependencies } from './faults/select.ts';
import { Units } from './faults/units.ts';
import { generateScenario } from './generate.ts';
import { buildPlan } from './plan.ts';

export type FaultLevel =
  | 'provider'
  | 'region'
  | 'hosting'
  | 'dns'
  | 'mail'
  | 'cdn'
  | 'platform'
  | 'plan'
  | 'component';

export interface FaultScenarioOptions {
  seed: number;
  /** Number of sites before a platform's neighbours are added (default: drawn in 150–360; ≤ 36 more). */
  sites?: number;
  /** Simulated seconds per real second (default 60: a run lasts about 1–2 minutes). */
  speed?: number;
  name?: string;
}

/** One true cause of a generated scenario (a stalled recovery is one cause cut into two faults). */
export interface PlannedCause {
  faults: string[];
  level: FaultLevel;
  target: RawSelector;
  cause: RawTruth['cause'];
  effect: string;
  share: number;
  /** Sites hit (after share, union over the cause's faults). */
  hits: number;
  stalled: boolean;
  /** Minutes from the start. */
  at: number;
}

export interface GeneratedFaultScenario {
  name: string;
  text: string;
  raw: RawScenario;
  causes: PlannedCause[];
  vantageLoss: boolean;
  /** Probe interval, seconds. */
  intervalS: number;
}

/** The quiet lead before the first fault, minutes (covers mapping, warm-up and ≥ 3 intervals). */
export const LEAD_MIN = 20;
const INTERVAL_S = 60;
const START = Date.UTC(2024, 2, 4, 8, 0);
const LEVELS: [FaultLevel, number][] = [
  ['provider', 1],
  ['region', 1],
  ['hosting', 1],
  ['dns', 1],
  ['mail', 0.6],
  ['cdn', 1.2],
  ['platform', 0.8],
  ['plan', 1],
  ['component', 0.7],
];
/** Rank of a cause's granularity, broadest first (the risk model keeps the broadest of equals). */
const RANK = { provider: 0, role: 1, region: 2, plan: 3, component: 4 } as const;
const BIT = { hosting: 1, dns: 2, mail: 4, cdn: 8, platform: 16, component: 32 } as const;
const EDGE_STATUS: Record<string, number[]> = {
  cloudflare: [500, 502, 503],
  fastly: [503],
  akamai: [500],
  cloudfront: [503],
};

interface Candidate {
  sel: Selector;
  cause: RawTruth['cause'];
  rank: number;
  /** site index → dependency bits it breaks (share 1). */
  scope: Map<number, number>;
  obsKey: string;
  slotKey: string;
}

interface Ctx {
  sc: Scenario;
  deps: Dependency[][];
  units: Units;
  seed: number;
  candidates: Candidate[];
}

/** What an outside observer sees of a site whose dependencies `mask` break: web phase, and mail. */
function observe(sc: Scenario, i: number, mask: number): string {
  const s = sc.sites[i];
  let web = '';
  const origin = BIT.hosting | BIT.component | BIT.platform;
  if (mask & BIT.dns) web = 'D';
  else if (s.cdn) web = mask & BIT.cdn ? 'C' : mask & origin ? 'O' : '';
  else if (s.platform) web = mask & origin ? 'P' : '';
  else if (mask & (BIT.hosting | BIT.component)) web = 'H';
  const mail = s.mail && mask & (BIT.dns | BIT.mail) ? 'M' : '';
  return web + mail;
}

function hitsOf(ctx: Ctx, id: string, sel: Selector, share: number): Map<number, number> {
  const h = selectHits(ctx.seed, id, sel, share, ctx.sc.sites, ctx.deps, ctx.units);
  const out = new Map<number, number>();
  for (let k = 0; k < h.count; k++) out.set(h.site[k], h.roles[k]);
  return out;
}

function candidate(ctx: Ctx, sel: Selector, cause: RawTruth['cause'], rank: number): Candidate | null {
  const scope = hitsOf(ctx, 'scope', sel, 1);
  if (scope.size === 0) return null;
  const obs: string[] = [];
  const slots: string[] = [];
  for (const [i, m] of [...scope].sort((a, b) => a[0] - b[0])) {
    const o = observe(ctx.sc, i, m);
    if (o) obs.push(`${i}${o}`);
    slots.push(`${i}:${m}`);
  }
  return { sel, cause, rank, scope, obsKey: obs.join(','), slotKey: slots.join(',') };
}

function context(raw: RawScenario): Ctx {
  const sc = parseScenario(stringify(raw), `${raw.name}.yaml`);
  const catalog = loadCatalog();
  const plan = buildPlan(sc, (id) => catalog.get(id));
  const byId = new Map(sc.providers.map((p) => [p.id, p]));
  const ctx: Ctx = {
    sc,
    deps: sc.sites.map((s) => siteDependencies(s, byId)),
    units: new Units(sc.sites, (i) => plan.sites[i].hostingAddress),
    seed: seedFromName(sc.name),
    candidates: [],
  };
  const add = (sel: Selector, cause: RawTruth['cause'], rank: number) => {
    const c = candidate(ctx, sel, cause, rank);
    if (c) ctx.candidates.push(c);
  };
  for (const p of sc.providers) {
    add({ provider: p.id }, { provider: p.id }, RANK.provider);
    for (const role of new Set([...p.roles, 'hosting' as const]))
      add({ provider: p.id, role }, { provider: p.id, role }, RANK.role);
    for (const region of p.regions) add({ provider: p.id, region }, { provider: p.id, region }, RANK.region);
    for (const plan of ['shared', 'dedicated'] as const)
      add({ provider: p.id, plan }, { provider: p.id, plan }, RANK.plan);
  }
  const owners = new Map<string, string>();
  for (const s of sc.sites) for (const c of s.shares) owners.set(c, s.hosting.provider);
  for (const [c, owner] of owners) add({ component: c }, { provider: owner, component: c }, RANK.component);
  return ctx;
}

/**
 * The truth for a fault on `target` hitting `hits`, or null when the cause is not identifiable
 * (see the file header).
 */
function identify(ctx: Ctx, target: Candidate, hits: Map<number, number>): RawTruth['cause'] | null {
  if (hits.size < 3) return null;
  const equal = ctx.candidates.filter((c) => c.obsKey === target.obsKey);
  if (equal.some((c) => c.slotKey !== target.slotKey || c.cause.provider !== target.cause.provider))
    return null;
  const truth = equal.reduce((a, b) => (b.rank < a.rank ? b : a), target).cause;
  const seen = [...hits].map(([i, m]) => [i, observe(ctx.sc, i, m)] as const);
  for (const c of ctx.candidates) {
    if (equal.includes(c)) continue;
    const explains = seen.every(([i, o]) => {
      const m = c.scope.get(i);
      return m !== undefined && observe(ctx.sc, i, m) === o;
    });
    if (!explains) continue;
    if (c.scope.size <= target.scope.size) return null;
    let outside = 0;
    for (const i of c.scope.keys()) if (!target.scope.has(i)) outside++;
    if ((hits.size * outside) / c.scope.size < 2.5) return null;
  }
  return truth;
}

const pad = (n: number) => String(n).padStart(2, '0');
function isoLocal(minutes: number): string {
  const d = new Date(START + minutes * 60_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function weighted<T>(r: Rng, xs: [T, number][]): T {
  let x = r.next() * xs.reduce((a, [, w]) => a + w, 0);
  for (const [v, w] of xs) {
    x -= w;
    if (x <= 0) return v;
  }
  return xs[xs.length - 1][0];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Effects that fit each level, with their weights: networks fail at the connection, CDNs with their own page. */
type MakeEffect = (r: Rng, provider: string) => RawEffect;
const net: MakeEffect = (r) => ({ kind: r.pick(['blackhole', 'blackhole', 'refuse', 'reset']) });
const http =
  (codes: number[]): MakeEffect =>
  (r) => ({ kind: 'http_error', status: r.pick(codes) });
const slow: MakeEffect = (r) => ({ kind: 'slow', latency_ms: r.int(8, 12) * 1000 });
const tls: MakeEffect = () => ({ kind: 'tls_expired' });
const overload: MakeEffect = (r) => ({
  kind: 'overload',
  latency_ms: r.int(6, 9) * 1000,
  error_rate: round2(0.3 + 0.3 * r.next()),
  queue_page: r.next() < 0.3,
});
const edge: MakeEffect = (r, p) => ({ kind: 'http_error', status: r.pick(EDGE_STATUS[p] ?? [503]), page: p });
const dns: MakeEffect = (r) => ({ kind: r.pick(['dns_servfail', 'dns_timeout']) });
const EFFECTS: Record<FaultLevel | 'dedicated', [MakeEffect, number][]> = {
  provider: [[net, 1]],
  region: [[net, 1]],
  hosting: [
    [net, 0.6],
    [http([500, 502, 503]), 0.3],
    [tls, 0.1],
  ],
  dns: [[dns, 1]],
  mail: [[(r) => ({ kind: r.pick(['blackhole', 'refuse']) }), 1]],
  cdn: [
    [edge, 0.7],
    [() => ({ kind: 'blackhole' }), 0.15],
    [tls, 0.15],
  ],
  platform: [
    [overload, 0.45],
    [slow, 0.2],
    [http([503]), 0.2],
    [tls, 0.15],
  ],
  plan: [
    [overload, 0.3],
    [slow, 0.2],
    [http([500, 503]), 0.25],
    [() => ({ kind: 'blackhole' }), 0.25],
  ],
  dedicated: [[(r) => ({ kind: r.pick(['blackhole', 'refuse']) }), 1]],
  component: [[net, 1]],
};

/** A target and an effect at `level`, or null when the world has nothing of that level. */
function drawTarget(ctx: Ctx, r: Rng, level: FaultLevel): { sel: Selector; effect: RawEffect } | null {
  const sites = ctx.sc.sites;
  const withSites = (f: (s: Scenario['sites'][number]) => string | undefined) => [
    ...new Set(sites.flatMap((s) => (f(s) ? [f(s) as string] : []))),
  ];
  const some = (xs: string[]) => (xs.length ? r.pick(xs) : undefined);
  const host = some(withSites((s) => (s.platform ? undefined : s.hosting.provider)));
  if (!host) return null;
  let sel: Selector | undefined;
  let kind: FaultLevel | 'dedicated' = level;
  switch (level) {
    case 'provider':
      sel = { provider: host };
      break;
    case 'region': {
      const regions = withSites((s) => (s.hosting.provider === host ? s.hosting.region : undefined));
      if (regions.length >= 2) sel = { provider: host, region: r.pick(regions) };
      break;
    }
    case 'hosting':
      sel = { provider: host, role: 'hosting' };
      break;
    case 'plan':
      if (r.next() < 0.75) sel = { provider: host, plan: 'shared' };
      // Dedicated only where no CDN or platform front end hides the origin (see the header).
      else if (!sites.some((s) => s.hosting.provider === host && (s.cdn || s.platform))) {
        sel = { provider: host, plan: 'dedicated' };
        kind = 'dedicated';
      }
      break;
    case 'component': {
      const c = some([...new Set(sites.flatMap((s) => s.shares))]);
      if (c) sel = { component: c };
      break;
    }
    default: {
      const p = some(withSites((s) => s[level]));
      if (p) sel = { provider: p, role: level };
    }
  }
  if (!sel) return null;
  return { sel, effect: weighted(r, EFFECTS[kind])(r, sel.provider ?? '') };
}

/** Providers a fault on `sel` involves: its provider, a component's owner, a platform's network. */
function involved(ctx: Ctx, sel: Selector, cause: RawTruth['cause']): Set<string> {
  const out = new Set([cause.provider]);
  const p = ctx.sc.providers.find((x) => x.id === sel.provider);
  if (p?.hostedOn) out.add(p.hostedOn);
  for (const q of ctx.sc.providers) if (sel.provider && q.hostedOn === sel.provider) out.add(q.id);
  return out;
}

/** Declared shared components: one or two dedicated groups without a front end share a device. */
function addComponents(raw: RawScenario, r: Rng): void {
  const eligible = raw.sites.filter(
    (s) =>
      typeof s.hosting === 'object' &&
      s.hosting.plan === 'dedicated' &&
      !s.cdn &&
      !s.platform &&
      (s.count ?? 1) >= 3,
  );
  const n = Math.min(eligible.length, r.int(1, 2));
  for (let c = 1; c <= n; c++) {
    const i = r.int(0, eligible.length - 1);
    const [site] = eligible.splice(i, 1);
    site.shares = [`fw-${c}`];
  }
}

/**
 * A platform's own customers alone on its network's region and plan would make a platform fault
 * indistinguishable from one of that network's dedicated hosting: the network gets a few other
 * dedicated customers there, as a real cloud has.
 */
function addNeighbours(raw: RawScenario, r: Rng): void {
  const seen = new Set<string>();
  for (const s of [...raw.sites]) {
    if (!s.platform || typeof s.hosting !== 'object' || seen.has(s.platform)) continue;
    seen.add(s.platform);
    const { provider, region } = s.hosting;
    raw.sites.push({
      domain: `n${seen.size}-{n}.test`,
      count: r.int(8, 12),
      hosting: { provider, ...(region ? { region } : {}), plan: 'dedicated' },
      dns: provider,
    });
  }
}

export function generateFaultScenario(o: FaultScenarioOptions): GeneratedFaultScenario {
  const r = new Rng(o.seed * 2654435761 + 17);
  const nSites = o.sites ?? r.int(150, 360);
  const name = o.name ?? `live-${o.seed}`;
  const raw: RawScenario = structuredClone(
    generateScenario({ sites: nSites, seed: o.seed, name, groupSize: r.int(8, 14) }).raw,
  );
  addComponents(raw, r);
  addNeighbours(raw, r);
  raw.title = `Random faults, seed ${o.seed}: ${nSites} sites`;
  raw.speed = o.speed ?? 60;
  raw.probe_interval = `${INTERVAL_S}s`;
  raw.start = isoLocal(0);
  // A provisional end for loading the world; the real one is set once the faults are placed.
  raw.end = isoLocal(600);
  const ctx = context(raw);

  const want = weighted(r, [
    [1, 0.5],
    [2, 0.3],
    [3, 0.2],
  ]);
  const faults: RawFault[] = [];
  const causes: PlannedCause[] = [];
  const used = new Set<string>();
  const hitSites: Set<number>[] = [];
  let lastMin = LEAD_MIN;
  for (let tries = 0; causes.length < want && tries < 400; tries++) {
    const level = weighted(r, LEVELS);
    const drawn = drawTarget(ctx, r, level);
    if (!drawn) continue;
    const target = ctx.candidates.find((c) => JSON.stringify(c.sel) === JSON.stringify(drawn.sel));
    if (!target) continue;
    const id = `f${causes.length + 1}`;
    const share = r.next() < 0.3 ? 1 : round2(0.3 + 0.7 * r.next());
    const tailShare = round2(0.15 + 0.25 * r.next());
    const hits = hitsOf(ctx, id, drawn.sel, share);
    if (hits.size < 3) continue;
    const all = new Map(hits);
    // The stalled part: a second fault on the same target, hitting some sites (its own draw).
    const tail =
      r.next() < 0.25 ? hitsOf(ctx, `${id}-tail`, drawn.sel, tailShare) : new Map<number, number>();
    const stalled = tail.size > 0;
    for (const [i, m] of tail) all.set(i, m | (all.get(i) ?? 0));
    const cause = identify(ctx, target, all);
    if (!cause) continue;
    const inv = involved(ctx, drawn.sel, cause);
    if ([...inv].some((p) => used.has(p))) continue;
    const sites = new Set(all.keys());
    const overlap = hitSites.some((h) => {
      let n = 0;
      for (const i of sites) if (h.has(i)) n++;
      return n > 0.1 * Math.min(h.size, sites.size);
    });
    if (overlap) continue;
    for (const p of inv) used.add(p);
    hitSites.push(sites);

    const at = LEAD_MIN + (causes.length === 0 ? 0 : r.int(0, 25));
    const until = at + r.int(8, 30);
    const recovery = r.next() < 0.35 ? r.int(2, 10) : 0;
    const sel = drawn.sel as RawSelector;
    const f: RawFault = { id, at: `+${at}m`, until: `+${until}m`, target: sel, effect: drawn.effect };
    if (share < 1) f.share = share;
    if (recovery) f.recovery = { over: `${recovery}m` };
    faults.push(f);
    lastMin = Math.max(lastMin, until + recovery);
    const ids = [id];
    if (stalled) {
      const tailUntil = until + r.int(8, 20);
      const tailRecovery = r.int(0, 5);
      faults.push({
        id: `${id}-tail`,
        at: `+${at}m`,
        until: `+${tailUntil}m`,
        target: sel,
        effect: drawn.effect,
        share: tailShare,
        ...(tailRecovery ? { recovery: { over: `${tailRecovery}m` } } : {}),
      });
      ids.push(`${id}-tail`);
      lastMin = Math.max(lastMin, tailUntil + tailRecovery);
    }
    causes.push({
      faults: ids,
      level,
      target: sel,
      cause,
      effect: drawn.effect.kind,
      share,
      hits: all.size,
      stalled,
      at,
    });
  }

  let vantageLoss = false;
  if (r.next() < 0.6) {
    const v: RawVantage[] = [{ id: 'paris' }, { id: 'frankfurt' }];
    if (r.next() < 0.4) {
      vantageLoss = true;
      const at = r.int(LEAD_MIN, lastMin);
      const until = at + r.int(4, 12);
      v[1].faults = [
        { at: `+${at}m`, until: `+${until}m`, effect: { kind: r.pick(['blackhole', 'refuse']) } },
      ];
      lastMin = Math.max(lastMin, until);
    }
    raw.vantages = v;
  }
  raw.end = isoLocal(lastMin + r.int(6, 10));
  raw.faults = faults;
  raw.noise = {
    site_failures: Math.round((0.003 + 0.009 * r.next()) * 1000) / 1000,
    probe_loss: Math.round((0.001 + 0.003 * r.next()) * 10000) / 10000,
  };
  // Innocent: every provider some site depends on that no fault involves.
  const inUse = new Set(
    ctx.sc.sites.flatMap((s) => [s.hosting.provider, s.dns, s.mail, s.cdn, s.platform].filter((x) => x)),
  ) as Set<string>;
  const not = [...inUse].filter((p) => !used.has(p)).sort();
  raw.truth = causes.flatMap((c) => c.faults.map((fault) => ({ fault, cause: c.cause, not })));
  const text = `# Generated by src/lab/sim/generate-faults.ts (seed ${o.seed})\n${stringify(raw, { lineWidth: 0 })}`;
  return { name, text, raw, causes, vantageLoss, intervalS: INTERVAL_S };
}
