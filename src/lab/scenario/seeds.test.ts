/**
 * The six seed scenarios (scenarios/*.yaml) load, stay runnable on a small machine, and say what the
 * product brief says about each incident.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from './load.ts';
import { matchDependencies, matchSites } from './select.ts';
import type { FaultSpec, ProviderSpec, Scenario, SiteSpec } from './types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SEEDS = [
  'ovh-backbone-2021',
  'ovh-sbg-fire-2021',
  'oxalide-2015',
  'cloudflare-2025',
  'ent-cned-2021',
  'fluxus-2001',
] as const;
type Seed = (typeof SEEDS)[number];

const CATALOG_IDS = new Set(
  (
    'ovh cloudflare aws gcp azure akamai fastly scaleway hetzner gandi ionos o2switch infomaniak oxalide ' +
    'google-workspace microsoft-365 cloudfront bunny vercel netlify github-pages shopify wix squarespace'
  ).split(' '),
);

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Runnability budget on a 2-core machine that runs both the world and the pipeline. */
const MAX_PROBES_PER_SECOND = 900;
const MAX_REAL_SECONDS = 8 * 60;
const BASELINE_INTERVALS = 5;

const cache = new Map<Seed, Scenario>();
function load(name: Seed): Scenario {
  let s = cache.get(name);
  if (!s) {
    s = loadScenario(join(ROOT, 'scenarios', `${name}.yaml`));
    cache.set(name, s);
  }
  return s;
}

const providerMap = (s: Scenario) => new Map(s.providers.map((p) => [p.id, p]));
const provider = (s: Scenario, id: string): ProviderSpec => {
  const p = s.providers.find((x) => x.id === id);
  if (!p) throw new Error(`${s.name}: no provider ${id}`);
  return p;
};
const fault = (s: Scenario, id: string): FaultSpec => {
  const f = s.faults.find((x) => x.id === id);
  if (!f) throw new Error(`${s.name}: no fault ${id}`);
  return f;
};
/** Domains a fault's target reaches (before `share`). */
const hitBy = (s: Scenario, f: FaultSpec): SiteSpec[] =>
  matchSites(f.target, s.sites, providerMap(s)).map((i) => s.sites[i]);
const hitByAny = (s: Scenario): Set<string> =>
  new Set(s.faults.flatMap((f) => hitBy(s, f).map((x) => x.domain)));
/** End of a fault's effect: the last hit site is back at `until + recovery`. */
const faultEnd = (s: Scenario, f: FaultSpec): number => (f.until ?? s.end) + f.recoveryMs;
/** Fraction of a fault's hit sites back at `t` (recovery is even over `recoveryMs`). */
const restoredAt = (f: FaultSpec, t: number): number => {
  if (f.until === null || t < f.until) return 0;
  if (f.recoveryMs === 0) return 1;
  return Math.min(1, (t - f.until) / f.recoveryMs);
};
/** A wall-clock time of the scenario (its zone's offset given, as the brief states it). */
const at = (iso: string): number => Date.parse(iso);
const real = (s: Scenario): number => (s.end - s.start) / 1000 / s.speed;
const probesPerSecond = (s: Scenario): number => (s.sites.length * s.speed) / (s.probeIntervalMs / 1000);

describe('seed scenarios: common rules', () => {
  for (const name of SEEDS) {
    describe(name, () => {
      it('loads, with the file name as its name', () => {
        const s = load(name);
        expect(s.name).toBe(name);
        expect(s.title.length).toBeGreaterThan(10);
      });

      it('has a realistic size (500-3000 sites) of reserved-TLD domains', () => {
        const s = load(name);
        expect(s.sites.length).toBeGreaterThanOrEqual(500);
        expect(s.sites.length).toBeLessThanOrEqual(3000);
        for (const site of s.sites) expect(site.domain).toMatch(/\.(test|example)$/);
        expect(new Set(s.sites.map((x) => x.domain)).size).toBe(s.sites.length);
      });

      it('stays within the runnability budget (probes per real second, real run time)', () => {
        const s = load(name);
        expect(probesPerSecond(s)).toBeLessThanOrEqual(MAX_PROBES_PER_SECOND);
        expect(real(s)).toBeLessThanOrEqual(MAX_REAL_SECONDS);
        expect(real(s)).toBeGreaterThanOrEqual(60);
      });

      it('starts every fault after a quiet baseline of at least 5 probe intervals', () => {
        const s = load(name);
        const starts = [
          ...s.faults.map((f) => f.at),
          ...s.vantages.flatMap((v) => v.faults.map((f) => f.at)),
        ];
        expect(starts.length).toBeGreaterThan(0);
        for (const t of starts)
          expect(t - s.start).toBeGreaterThanOrEqual(BASELINE_INTERVALS * s.probeIntervalMs);
        for (const f of s.faults) expect(faultEnd(s, f)).toBeLessThanOrEqual(s.end);
      });

      it('uses only existing catalog entries and real-looking AS data', () => {
        const s = load(name);
        for (const p of s.providers) {
          if (p.catalog !== undefined)
            expect(CATALOG_IDS.has(p.catalog), `${p.id}: catalog ${p.catalog}`).toBe(true);
          expect(p.name.length).toBeGreaterThan(0);
          expect(p.asn).toBeGreaterThan(0);
        }
        expect(new Set(s.providers.map((p) => p.asn)).size, 'one provider per AS').toBe(s.providers.length);
      });

      it('has every provider carrying sites, and bystander sites no fault reaches', () => {
        const s = load(name);
        const used = new Set(
          s.sites.flatMap((x) =>
            [x.hosting.provider, x.dns, x.mail, x.cdn, x.platform].filter((v): v is string => !!v),
          ),
        );
        for (const p of s.providers) expect(used.has(p.id), `${p.id} unused`).toBe(true);
        const hit = hitByAny(s);
        expect(hit.size).toBeGreaterThan(0);
        expect(s.sites.length - hit.size).toBeGreaterThanOrEqual(100);
      });

      it('has small noise, crowd reports and 1-3 vantages', () => {
        const s = load(name);
        expect(s.noise.siteFailures).toBeGreaterThan(0);
        expect(s.noise.siteFailures).toBeLessThanOrEqual(0.005);
        expect(s.noise.probeLoss).toBeGreaterThan(0);
        expect(s.noise.probeLoss).toBeLessThanOrEqual(0.002);
        expect(s.reports).not.toBeNull();
        expect(s.reports!.baselinePerHour).toBeGreaterThan(0);
        expect(s.reports!.surge).toBeGreaterThan(1);
        expect(s.vantages.length).toBeGreaterThanOrEqual(1);
        expect(s.vantages.length).toBeLessThanOrEqual(3);
      });

      it('gives every fault a truth entry whose `not` names other, bystander providers', () => {
        const s = load(name);
        const ids = new Set(s.providers.map((p) => p.id));
        expect(new Set(s.truth.map((t) => t.fault))).toEqual(new Set(s.faults.map((f) => f.id)));
        for (const t of s.truth) {
          expect(t.not.length).toBeGreaterThan(0);
          expect(t.not).not.toContain(t.cause.provider);
          for (const p of [t.cause.provider, ...t.not]) expect(ids.has(p), `${t.fault}: ${p}`).toBe(true);
          // A provider that must not be blamed is not what the fault breaks.
          const f = fault(s, t.fault);
          const innocent = new Set(t.not);
          for (const site of hitBy(s, f)) {
            for (const d of matchDependencies(f.target, site, providerMap(s))) {
              if (d.provider) expect(innocent.has(d.provider), `${t.fault} breaks ${d.provider}`).toBe(false);
            }
          }
        }
      });
    });
  }
});

describe('ovh-backbone-2021', () => {
  const s = load('ovh-backbone-2021');
  const f = fault(s, 'backbone');

  it('is OVH SAS, AS16276, on 2021-10-13 from ~09:12 CEST to ~10:20 with staged recovery', () => {
    expect(s.timezone).toBe('Europe/Paris');
    expect(provider(s, 'ovh')).toMatchObject({ asn: 16276, name: 'OVH SAS', catalog: 'ovh' });
    expect(provider(s, 'cloudflare')).toMatchObject({ asn: 13335, catalog: 'cloudflare' });
    expect(provider(s, 'aws')).toMatchObject({ asn: 16509 });
    expect(f.at).toBe(at('2021-10-13T09:12:00+02:00'));
    expect(f.effect.kind).toBe('blackhole');
    expect(f.recoveryMs).toBeGreaterThan(0);
    expect(Math.abs(faultEnd(s, f) - at('2021-10-13T10:20:00+02:00'))).toBeLessThanOrEqual(10 * MIN);
  });

  it('hits the whole provider: no role, no region, every OVH region, hosting + DNS + mail', () => {
    expect(f.target).toEqual({ provider: 'ovh' });
    const ovh = provider(s, 'ovh');
    expect(ovh.regions.length).toBeGreaterThanOrEqual(4);
    const hit = hitBy(s, f);
    const hitRegions = new Set(hit.filter((x) => x.hosting.provider === 'ovh').map((x) => x.hosting.region));
    expect(hitRegions).toEqual(new Set(ovh.regions));
    const roles = new Set(
      hit.flatMap((x) => matchDependencies(f.target, x, providerMap(s)).map((d) => d.role)),
    );
    for (const r of ['hosting', 'dns', 'mail']) expect(roles.has(r as never), r).toBe(true);
    expect(hit.length).toBeGreaterThanOrEqual(500);
    // Sites that only use OVH for DNS, or only for mail.
    expect(s.sites.some((x) => x.hosting.provider !== 'ovh' && x.dns === 'ovh')).toBe(true);
    expect(s.sites.some((x) => x.hosting.provider !== 'ovh' && x.dns !== 'ovh' && x.mail === 'ovh')).toBe(
      true,
    );
  });

  it('has Cloudflare sites with an OVH origin, and Cloudflare is cleared', () => {
    const cfOvh = s.sites.filter((x) => x.cdn === 'cloudflare' && x.hosting.provider === 'ovh');
    expect(cfOvh.length).toBeGreaterThanOrEqual(50);
    const cfOther = s.sites.filter((x) => x.cdn === 'cloudflare' && x.hosting.provider !== 'ovh');
    expect(cfOther.length).toBeGreaterThan(0);
    const hit = hitByAny(s);
    for (const x of cfOther) expect(hit.has(x.domain)).toBe(false);
    expect(s.truth).toEqual([
      expect.objectContaining({
        fault: 'backbone',
        cause: { provider: 'ovh' },
        not: expect.arrayContaining(['cloudflare']),
      }),
    ]);
  });

  it('has bystanders on other hosts that are cleared', () => {
    const not = s.truth[0].not;
    const hit = hitByAny(s);
    for (const p of ['scaleway', 'hetzner', 'aws', 'gandi', 'o2switch']) {
      expect(not).toContain(p);
      const theirs = s.sites.filter((x) => x.hosting.provider === p && x.dns !== 'ovh' && x.mail !== 'ovh');
      expect(theirs.length, p).toBeGreaterThanOrEqual(40);
      for (const x of theirs) expect(hit.has(x.domain)).toBe(false);
    }
  });
});

describe('ovh-sbg-fire-2021', () => {
  const s = load('ovh-sbg-fire-2021');
  const f = fault(s, 'sbg-fire');

  it('takes down region sbg only, from 00:47 CET on 2021-03-10, for more than 24 h', () => {
    expect(s.timezone).toBe('Europe/Paris');
    expect(f.target).toEqual({ provider: 'ovh', region: 'sbg' });
    expect(f.at).toBe(at('2021-03-10T00:47:00+01:00'));
    expect(f.until).not.toBeNull();
    expect(f.until! - f.at).toBeGreaterThan(24 * HOUR);
    expect(f.effect.kind).toBe('blackhole');
    for (const x of hitBy(s, f)) expect(x.hosting).toMatchObject({ provider: 'ovh', region: 'sbg' });
  });

  it('recovers slowly and partially, site by site, within the window', () => {
    expect(f.recoveryMs).toBeGreaterThanOrEqual(6 * HOUR);
    const mid = f.until! + f.recoveryMs / 2;
    expect(restoredAt(f, mid)).toBeCloseTo(0.5, 5);
    expect(faultEnd(s, f)).toBeLessThanOrEqual(s.end);
  });

  it('keeps the other OVH regions populated and up', () => {
    const hit = hitByAny(s);
    const others = provider(s, 'ovh').regions.filter((r) => r !== 'sbg');
    expect(others.length).toBeGreaterThanOrEqual(3);
    for (const r of others) {
      const inRegion = s.sites.filter((x) => x.hosting.provider === 'ovh' && x.hosting.region === r);
      expect(inRegion.length, r).toBeGreaterThan(0);
      for (const x of inRegion) expect(hit.has(x.domain)).toBe(false);
    }
    const sbg = s.sites.filter((x) => x.hosting.region === 'sbg');
    expect(sbg.length).toBeGreaterThanOrEqual(300);
  });

  it('expects the cause at region granularity and clears the other providers', () => {
    expect(s.truth).toHaveLength(1);
    expect(s.truth[0].cause).toEqual({ provider: 'ovh', region: 'sbg' });
    const others = s.providers.map((p) => p.id).filter((id) => id !== 'ovh');
    expect(new Set(s.truth[0].not)).toEqual(new Set(others));
  });
});

describe('oxalide-2015', () => {
  const s = load('oxalide-2015');
  const f = fault(s, 'core-network');
  const MEDIA = [
    'mediapart',
    'leparisien',
    '20minutes',
    'lexpress',
    'radiofrance',
    'slate',
    'zdnet',
    'lesnumeriques',
  ];

  it('is a blackhole of the whole of Oxalide in January 2015, onset 11:00-11:30 Paris time', () => {
    expect(s.timezone).toBe('Europe/Paris');
    const ox = provider(s, 'oxalide');
    expect(ox.catalog).toBe('oxalide');
    expect(ox.name).toMatch(/oxalide/i);
    expect(f.target).toEqual({ provider: 'oxalide' });
    expect(f.effect.kind).toBe('blackhole');
    expect(f.at).toBeGreaterThanOrEqual(at('2015-01-16T11:00:00+01:00'));
    expect(f.at).toBeLessThanOrEqual(at('2015-01-16T11:30:00+01:00'));
  });

  it('hits the named French media sites, plus generated customers', () => {
    const hit = new Set(hitBy(s, f).map((x) => x.domain));
    for (const m of MEDIA) expect(hit.has(`${m}.test`), m).toBe(true);
    expect(hit.size).toBeGreaterThanOrEqual(300);
  });

  it('is ~90 % restored at 12:30 and fully restored later', () => {
    const r = restoredAt(f, at('2015-01-16T12:30:00+01:00'));
    expect(r).toBeGreaterThanOrEqual(0.85);
    expect(r).toBeLessThan(1);
    expect(faultEnd(s, f)).toBeGreaterThan(at('2015-01-16T12:30:00+01:00'));
  });

  it('is one incident, blamed on Oxalide, with a CDN in front of some origins cleared', () => {
    expect(s.faults).toHaveLength(1);
    expect(s.truth[0].cause).toEqual({ provider: 'oxalide' });
    const cdnFront = s.sites.filter((x) => x.cdn && x.hosting.provider === 'oxalide');
    expect(cdnFront.length).toBeGreaterThan(0);
    expect(s.truth[0].not).toContain(cdnFront[0].cdn);
  });
});

describe('cloudflare-2025', () => {
  const s = load('cloudflare-2025');
  const cf = s.faults.filter((f) => f.target.provider === 'cloudflare');

  it('targets the CDN role of Cloudflare only, with its branded HTTP 500, from 11:20 UTC', () => {
    expect(s.timezone).toBe('UTC');
    expect(provider(s, 'cloudflare')).toMatchObject({ asn: 13335, catalog: 'cloudflare' });
    expect(cf).toHaveLength(s.faults.length);
    for (const f of cf) {
      expect(f.target).toEqual({ provider: 'cloudflare', role: 'cdn' });
      expect(f.effect).toEqual({ kind: 'http_error', status: 500, page: 'cloudflare' });
    }
    expect(Math.min(...cf.map((f) => f.at))).toBe(at('2025-11-18T11:20:00Z'));
  });

  it('flaps every few minutes early on, then fails steadily, as one continuous failure', () => {
    const first = cf.reduce((a, b) => (a.at <= b.at ? a : b));
    expect(first.flap).toBeDefined();
    expect(first.flap!.periodMs).toBeGreaterThanOrEqual(2 * MIN);
    expect(first.flap!.periodMs).toBeLessThanOrEqual(10 * MIN);
    expect(cf.some((f) => !f.flap)).toBe(true);
    // No gap between the pieces: the ground truth is one failure from 11:20 to the end.
    const spans = cf.map((f) => [f.at, f.until ?? s.end] as const).sort((a, b) => a[0] - b[0]);
    let reach = spans[0][1];
    for (const [a, b] of spans.slice(1)) {
      expect(a).toBeLessThanOrEqual(reach);
      reach = Math.max(reach, b);
    }
    // A single incident can satisfy every truth entry.
    for (const t of s.truth) expect(t.cause).toEqual({ provider: 'cloudflare', role: 'cdn' });
  });

  it('has core traffic back ~14:30 and everything normal at 17:06', () => {
    const all = (t: number) => cf.filter((f) => f.share === 1 && f.at <= t && faultEnd(s, f) > t);
    expect(all(at('2025-11-18T14:31:00Z'))).toHaveLength(0);
    expect(all(at('2025-11-18T14:00:00Z')).length).toBeGreaterThan(0);
    const last = Math.max(...cf.map((f) => faultEnd(s, f)));
    expect(Math.abs(last - at('2025-11-18T17:06:00Z'))).toBeLessThanOrEqual(5 * MIN);
  });

  it('keeps origins healthy and out of the blame, including OVH origins behind Cloudflare', () => {
    const proxied = s.sites.filter((x) => x.cdn === 'cloudflare');
    expect(proxied.length).toBeGreaterThanOrEqual(300);
    const origins = new Set(proxied.map((x) => x.hosting.provider));
    for (const p of ['ovh', 'aws', 'gcp', 'hetzner']) expect(origins.has(p), p).toBe(true);
    expect(proxied.filter((x) => x.hosting.provider === 'ovh').length).toBeGreaterThanOrEqual(50);
    for (const t of s.truth) for (const p of origins) expect(t.not).toContain(p);
    // Cloudflare DNS-only sites are not hit: the cause is the CDN role.
    const hit = hitByAny(s);
    const dnsOnly = s.sites.filter((x) => x.dns === 'cloudflare' && !x.cdn);
    expect(dnsOnly.length).toBeGreaterThan(0);
    for (const x of dnsOnly) expect(hit.has(x.domain)).toBe(false);
    for (const x of proxied) expect(hit.has(x.domain)).toBe(true);
  });

  it('has a vantage fault unrelated to Cloudflare, with healthy vantages alongside', () => {
    const faulty = s.vantages.filter((v) => v.faults.length > 0);
    expect(faulty).toHaveLength(1);
    expect(s.vantages.length).toBeGreaterThanOrEqual(2);
    const vf = faulty[0].faults[0];
    expect(vf.until).not.toBeNull();
    expect(vf.at).toBeGreaterThan(at('2025-11-18T14:30:00Z'));
    expect(vf.until!).toBeLessThan(s.end);
  });
});

describe('ent-cned-2021', () => {
  const s = load('ent-cned-2021');

  it('overloads platforms from 08:00 to ~10:00 Paris time, with a queue page from 09:02', () => {
    expect(s.timezone).toBe('Europe/Paris');
    for (const f of s.faults) {
      expect(f.effect.kind).toBe('overload');
      expect(f.at).toBeGreaterThanOrEqual(at('2021-04-06T08:00:00+02:00'));
      expect(f.until).not.toBeNull();
      expect(f.until!).toBeLessThanOrEqual(at('2021-04-06T10:10:00+02:00'));
      if (f.effect.kind === 'overload') {
        expect(f.effect.latencyMs).toBeGreaterThan(1000);
        expect(f.effect.errorRate).toBeGreaterThan(0);
        expect(f.effect.errorRate).toBeLessThan(1);
      }
    }
    const queued = s.faults.filter((f) => f.effect.kind === 'overload' && f.effect.queuePage);
    expect(queued.length).toBeGreaterThan(0);
    expect(Math.min(...queued.map((f) => f.at))).toBe(at('2021-04-06T09:02:00+02:00'));
  });

  it('runs "ma classe à la maison" on the vclass SaaS platform hosted on AWS', () => {
    expect(provider(s, 'vclass')).toMatchObject({ roles: ['platform'], hostedOn: 'aws' });
    expect(s.sites.filter((x) => x.platform === 'vclass').length).toBeGreaterThan(10);
    expect(provider(s, 'aws')).toMatchObject({ asn: 16509 });
  });

  it('attributes at platform granularity, to non-OVH platforms', () => {
    const platforms = s.providers.filter((p) => p.roles.includes('platform'));
    expect(platforms.length).toBeGreaterThanOrEqual(3);
    for (const p of platforms) expect(p.hostedOn && p.hostedOn !== 'ovh').toBeTruthy();
    for (const t of s.truth) {
      expect(Object.keys(t.cause)).toEqual(['provider']);
      expect(provider(s, t.cause.provider).roles).toEqual(['platform']);
    }
    for (const f of s.faults) expect(f.target).toEqual({ provider: expect.any(String) });
  });

  it('has 500+ healthy OVH-hosted sites, none targeted, and OVH cleared', () => {
    const ovhSites = s.sites.filter((x) => x.hosting.provider === 'ovh');
    expect(ovhSites.length).toBeGreaterThanOrEqual(500);
    const hit = hitByAny(s);
    for (const x of ovhSites) expect(hit.has(x.domain)).toBe(false);
    expect(s.sites.some((x) => x.platform && x.hosting.provider === 'ovh')).toBe(false);
    for (const t of s.truth) expect(t.not).toContain('ovh');
  });

  it('keeps the platforms\u2019 own networks healthy for their other customers', () => {
    const hit = hitByAny(s);
    for (const p of ['aws', 'scaleway', 'ionos']) {
      const direct = s.sites.filter((x) => x.hosting.provider === p && !x.platform);
      expect(direct.length, p).toBeGreaterThan(0);
      for (const x of direct) expect(hit.has(x.domain)).toBe(false);
      for (const t of s.truth) expect(t.not).toContain(p);
    }
  });
});

describe('fluxus-2001', () => {
  const s = load('fluxus-2001');
  const fx = provider(s, 'fluxus');

  it('is FLUXUS, without a catalog entry, on 2001-07-13 from 09:30 Paris time', () => {
    expect(s.timezone).toBe('Europe/Paris');
    expect(fx.name).toBe('FLUXUS');
    expect(fx.catalog).toBeUndefined();
    for (const f of s.faults) expect(f.at).toBe(at('2001-07-13T09:30:00+02:00'));
  });

  it('targets the shared plan, named sites included', () => {
    const shared = s.faults.filter((f) => f.target.plan === 'shared');
    expect(shared.length).toBeGreaterThan(0);
    const main = shared.find((f) => !f.target.domains)!;
    expect(main.target).toEqual({ provider: 'fluxus', plan: 'shared' });
    const hit = new Set(hitBy(s, main).map((x) => x.domain));
    for (const d of ['lemonde.test', 'redoute.test', 'banquedirecte.test']) expect(hit.has(d), d).toBe(true);
    for (const x of s.sites.filter((y) => y.hosting.provider === 'fluxus' && y.hosting.plan === 'shared')) {
      expect(hit.has(x.domain)).toBe(true);
    }
  });

  it('keeps dedicated sites up, except the two behind the shared switch (via component)', () => {
    const dedicated = s.sites.filter(
      (x) => x.hosting.provider === 'fluxus' && x.hosting.plan === 'dedicated',
    );
    expect(dedicated.length).toBeGreaterThanOrEqual(50);
    for (const d of ['lefigaro.test', 'carrefour.test', 'loreal.test']) {
      expect(dedicated.map((x) => x.domain)).toContain(d);
    }
    const switched = dedicated.filter((x) => x.shares.includes('fw-shared-switch'));
    expect(switched).toHaveLength(2);
    const hitDedicated = dedicated.filter((x) => hitByAny(s).has(x.domain));
    expect(new Set(hitDedicated)).toEqual(new Set(switched));
    const sw = s.faults.find((f) => f.target.component === 'fw-shared-switch');
    expect(sw?.target).toEqual({ component: 'fw-shared-switch' });
  });

  it('has six sites still down at 17:15 and everything fixed by ~18:30', () => {
    const t = at('2001-07-13T17:15:00+02:00');
    const down = new Set(
      s.faults
        .filter((f) => f.at <= t && f.until !== null && t < f.until)
        .flatMap((f) => hitBy(s, f).map((x) => x.domain)),
    );
    const maybe = new Set(
      s.faults
        .filter((f) => f.at <= t && t < faultEnd(s, f))
        .flatMap((f) => hitBy(s, f).map((x) => x.domain)),
    );
    expect(down.size).toBe(6);
    expect(maybe).toEqual(down);
    const fixed = Math.max(...s.faults.map((f) => faultEnd(s, f)));
    expect(Math.abs(fixed - at('2001-07-13T18:30:00+02:00'))).toBeLessThanOrEqual(10 * MIN);
    for (const f of s.faults) expect(f.recoveryMs).toBeGreaterThan(0);
  });

  it('expects the shared segment and the hidden switch as causes', () => {
    const causes = s.truth.map((t) => t.cause);
    expect(causes).toContainEqual({ provider: 'fluxus', plan: 'shared' });
    expect(causes).toContainEqual({ provider: 'fluxus', component: 'fw-shared-switch' });
    for (const t of s.truth) expect(t.not).toEqual(expect.arrayContaining(['ovh', 'ionos']));
  });
});
