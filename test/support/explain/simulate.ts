/**
 * Test and benchmark helper: what the detect stage would report for a small world under given faults —
 * failing services with the signatures real probes would see (DNS first, then the CDN edge, then the
 * origin or platform), plus noise (sites failing alone) and probe loss (hit services not yet
 * confirmed). It plays the part of the simulated world offline, with the same selector semantics as
 * scenario faults; inference never sees its faults, only its output. Not used by the pipeline.
 */

import type { FailingService, PageMeaning } from '../../../src/explain/types.ts';
import type { Plan } from '../../../src/model/component.ts';
import type { Signature } from '../../../src/model/observation.ts';
import type { FixtureProvider, FixtureSite } from './fixtures.ts';

export type FaultEffect =
  | 'blackhole'
  | 'refuse'
  | 'reset'
  | 'http_error'
  | 'overload'
  | 'dns_servfail'
  | 'dns_timeout'
  | 'tls_expired';

export interface FixtureTarget {
  provider?: string;
  region?: string;
  plan?: Plan;
  role?: 'hosting' | 'dns' | 'mail' | 'cdn' | 'platform';
  component?: string;
}

export interface FixtureFault {
  target: FixtureTarget;
  effect: FaultEffect;
  /** Share of matching sites hit (default 1). */
  share?: number;
}

export interface SimulateOptions {
  /** Random source in [0, 1). */
  random: () => number;
  /** Share of sites failing alone (default 0). */
  noise?: number;
  /** Share of hit services the detector has not confirmed yet (default 0). */
  loss?: number;
  /** Share of web probes using cached addresses, unaffected by a DNS failure (default 0.3). */
  cached?: number;
  /** Failure start time (default 0). */
  since?: number;
}

/** Seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type DepRole = 'hosting' | 'dns' | 'mail' | 'cdn' | 'platform' | 'component';

/** Whether a fault's target reaches dependency `role` of a site (the scenario selector's rules). */
export function reaches(
  t: FixtureTarget,
  role: DepRole,
  s: FixtureSite,
  providers: ReadonlyMap<string, FixtureProvider>,
  component?: string,
): boolean {
  const h = s.hosting;
  const network = s.platform ? providers.get(s.platform)?.hostedOn : undefined;
  const hostingProvider = s.platform ? network : h?.provider;
  if (t.component !== undefined) {
    if (role !== 'component' || component !== t.component) return false;
    return t.provider === undefined || t.provider === hostingProvider;
  }
  if (role === 'component') return false;
  if (t.role !== undefined && t.role !== role) return false;
  const dep =
    role === 'hosting'
      ? hostingProvider
      : role === 'dns'
        ? (s.dns ?? h?.provider)
        : role === 'mail'
          ? s.mail
          : role === 'cdn'
            ? s.cdn
            : s.platform;
  if (dep === undefined) return false;
  if (t.provider !== undefined && t.provider !== dep) {
    const viaNetwork = role === 'platform' && t.role !== 'platform' && t.provider === network;
    if (!viaNetwork) return false;
  }
  if (t.region !== undefined && (role !== 'hosting' || s.platform || t.region !== h?.region)) return false;
  if (t.plan !== undefined && (role !== 'hosting' || s.platform || t.plan !== h?.plan)) return false;
  return true;
}

interface Hit {
  effect: FaultEffect;
}

const NET: Partial<Record<FaultEffect, Signature>> = {
  blackhole: 'connect_timeout',
  refuse: 'refused',
  reset: 'reset',
  tls_expired: 'tls_expired',
};

/** What the web probe of a site shows when `effect` hits what answers it directly. */
function direct(
  effect: FaultEffect,
  random: () => number,
): Omit<FailingService, 'site' | 'role' | 'since'> | null {
  if (NET[effect]) return { state: 'down', signature: NET[effect] as Signature };
  if (effect === 'http_error') return { state: 'down', signature: 'http_5xx', status: 500 };
  if (effect === 'overload') {
    return random() < 0.5
      ? { state: 'degraded', signature: 'slow' }
      : { state: 'down', signature: 'http_5xx', status: 503 };
  }
  return null;
}

function dnsBreak(effect: FaultEffect): Signature | null {
  if (effect === 'blackhole' || effect === 'dns_timeout') return 'dns_timeout';
  if (effect === 'refuse' || effect === 'dns_servfail') return 'servfail';
  return null;
}

/** Failing services of a world under `faults`. */
export function simulate(
  providers: readonly FixtureProvider[],
  sites: readonly FixtureSite[],
  faults: readonly FixtureFault[],
  o: SimulateOptions,
): FailingService[] {
  const prov = new Map(providers.map((p) => [p.id, p]));
  const out: FailingService[] = [];
  const since = o.since ?? 0;
  const noiseSigs: Signature[] = ['connect_timeout', 'refused', 'http_5xx', 'tls_expired', 'reset'];
  for (const s of sites) {
    const before = out.length;
    const hits = new Map<string, Hit>();
    for (const f of faults) {
      if ((f.share ?? 1) < 1 && o.random() >= (f.share ?? 1)) continue;
      for (const role of ['hosting', 'dns', 'mail', 'cdn', 'platform'] as const) {
        if (!hits.has(role) && reaches(f.target, role, s, prov)) hits.set(role, { effect: f.effect });
      }
      for (const c of s.shares ?? []) {
        if (!hits.has('component') && reaches(f.target, 'component', s, prov, c)) {
          hits.set('component', { effect: f.effect });
        }
      }
    }
    const push = (
      role: 'web' | 'dns' | 'mail',
      r: Omit<FailingService, 'site' | 'role' | 'since'> | null,
    ) => {
      if (r && !(o.loss && o.random() < o.loss)) out.push({ site: s.domain, role, since, ...r });
    };
    const dns = hits.get('dns');
    const dnsSig = dns ? dnsBreak(dns.effect) : null;
    if (dnsSig) push('dns', { state: 'down', signature: dnsSig });
    if (s.mail) {
      const m = hits.get('mail');
      if (dnsSig) push('mail', { state: 'down', signature: dnsSig });
      else if (m && NET[m.effect] && m.effect !== 'tls_expired')
        push('mail', { state: 'down', signature: NET[m.effect] as Signature });
    }
    if (dnsSig && o.random() >= (o.cached ?? 0.3)) {
      push('web', { state: 'down', signature: dnsSig });
    } else {
      push('web', web(s, hits, o.random));
    }
    if (o.noise && out.length === before && o.random() < o.noise) {
      if (o.random() < 0.2)
        out.push({ site: s.domain, role: 'dns', since, state: 'down', signature: 'servfail' });
      else {
        const sig = noiseSigs[Math.floor(o.random() * noiseSigs.length)];
        out.push({
          site: s.domain,
          role: 'web',
          since,
          state: 'down',
          signature: sig,
          ...(sig === 'http_5xx' ? { status: 500 } : {}),
        });
      }
    }
  }
  return out;
}

/** The web probe: the CDN edge answers first when there is one; else the platform, else the origin. */
function web(
  s: FixtureSite,
  hits: Map<string, Hit>,
  random: () => number,
): Omit<FailingService, 'site' | 'role' | 'since'> | null {
  const origin = hits.get('hosting') ?? hits.get('component') ?? hits.get('platform');
  if (s.cdn) {
    const edge = hits.get('cdn');
    if (edge) {
      if (edge.effect === 'http_error')
        return { state: 'down', signature: 'cdn_error', status: 500, meaning: 'edge_error' };
      return direct(edge.effect, random);
    }
    if (!origin) return null;
    if (origin.effect === 'overload') return direct('overload', random);
    if (dnsBreak(origin.effect) && !NET[origin.effect]) return null;
    const meaning: PageMeaning = 'origin_unreachable';
    return { state: 'down', signature: 'cdn_error', status: 522, meaning };
  }
  return origin ? direct(origin.effect, random) : null;
}
