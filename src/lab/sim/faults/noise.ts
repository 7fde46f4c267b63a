/**
 * Unrelated background trouble (scenario `noise.site_failures`): a fraction of sites each fail alone,
 * once, with a random effect and duration, so that nothing the detectors see is too clean.
 */
import type { Effect, Scenario } from '../../scenario/types.ts';
import { hash, Rng } from './rand.ts';

export interface NoiseFault {
  /** `noise-<k>`, k = 1.. in site order. */
  id: string;
  site: number;
  role: 'hosting' | 'dns';
  effect: Effect;
  at: number;
  until: number;
}

/** Share of noise faults that land on the site's DNS rather than its hosting. */
export const NOISE_DNS_SHARE = 0.15;
/** Noise never starts in this leading fraction of the window, so detectors get a baseline. */
export const NOISE_QUIET_LEAD = 0.1;
export const NOISE_MIN_PROBES = 2;
export const NOISE_MAX_PROBES = 30;

/** Connection-level effects need the whole address; a shared-plan site fails alone at the HTTP layer. */
const DEDICATED_EFFECTS = ['blackhole', 'refuse', 'reset', 'http_500', 'http_503', 'slow'] as const;
const SHARED_EFFECTS = ['http_500', 'http_503', 'slow'] as const;
const DNS_EFFECTS = ['dns_servfail', 'dns_timeout'] as const;

function effectFor(name: string, rng: Rng): Effect {
  switch (name) {
    case 'blackhole':
    case 'refuse':
    case 'reset':
    case 'dns_servfail':
    case 'dns_timeout':
      return { kind: name };
    case 'http_500':
      return { kind: 'http_error', status: 500 };
    case 'http_503':
      return { kind: 'http_error', status: 503 };
    default:
      return { kind: 'slow', latencyMs: rng.int(4, 12) * 1000 };
  }
}

/**
 * Pick round(site_failures × N) distinct sites (partial Fisher–Yates), then draw each one's fault from a
 * PRNG seeded by its domain, so a site's noise does not depend on which others were picked.
 * Effects: a dedicated-plan site may get blackhole / refuse / reset / http_error 500|503 / slow; a shared-plan
 * site (many virtual hosts on its address) http_error 500|503 / slow only; DNS noise dns_servfail / dns_timeout.
 * Start: uniform in [start + 10 % of the window, end); duration: 2–30 probe intervals.
 */
export function generateNoise(scenario: Scenario, seed: number): NoiseFault[] {
  const n = scenario.sites.length;
  const k = Math.min(n, Math.max(0, Math.round(scenario.noise.siteFailures * n)));
  if (k === 0) return [];
  const rng = new Rng(hash(seed, 'noise-pick'));
  const swapped = new Map<number, number>();
  const chosen: number[] = [];
  for (let j = 0; j < k; j++) {
    const r = j + Math.floor(rng.next() * (n - j));
    const vr = swapped.get(r) ?? r;
    swapped.set(r, swapped.get(j) ?? j);
    chosen.push(vr);
  }
  chosen.sort((a, b) => a - b);

  const window = scenario.end - scenario.start;
  const earliest = scenario.start + NOISE_QUIET_LEAD * window;
  const interval = scenario.probeIntervalMs > 0 ? scenario.probeIntervalMs : 60_000;
  return chosen.map((site, j) => {
    const spec = scenario.sites[site];
    const r = new Rng(hash(seed, 'noise', spec.domain));
    const role = r.next() < NOISE_DNS_SHARE ? 'dns' : 'hosting';
    const names =
      role === 'dns' ? DNS_EFFECTS : spec.hosting.plan === 'shared' ? SHARED_EFFECTS : DEDICATED_EFFECTS;
    const effect = effectFor(r.pick(names), r);
    const at = Math.floor(earliest + r.next() * (scenario.end - earliest));
    const probes = NOISE_MIN_PROBES + r.next() * (NOISE_MAX_PROBES - NOISE_MIN_PROBES);
    const until = at + Math.round(probes * interval);
    return { id: `noise-${j + 1}`, site, role, effect, at, until };
  });
}
