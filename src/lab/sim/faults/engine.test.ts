import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../scenario/types.ts';
import { ROLES } from './engine.ts';
import { engine, fault, MIN, manySites, provider, scenario, site, T0 } from './fixtures.ts';
import { NOISE_MAX_PROBES, NOISE_MIN_PROBES } from './noise.ts';
import { Rng } from './rand.ts';

const providers = [
  provider('ovh', { roles: ['hosting', 'dns', 'mail'], regions: ['gra', 'rbx'] }),
  provider('aws', { roles: ['hosting', 'dns'] }),
  provider('cloudflare', { roles: ['cdn', 'dns'] }),
  provider('vclass', { roles: ['platform'], hostedOn: 'aws' }),
];

describe('vantage faults', () => {
  const sc = scenario({
    vantages: [
      { id: 'paris', faults: [] },
      {
        id: 'frankfurt',
        faults: [
          { at: T0 + 30 * MIN, until: T0 + 60 * MIN, effect: { kind: 'blackhole' } },
          { at: T0 + 90 * MIN, until: null, effect: { kind: 'refuse' } },
        ],
      },
    ],
  });
  const eng = engine(sc);
  it.each<[string, string, number, string | null]>([
    ['healthy vantage', 'paris', T0 + 45 * MIN, null],
    ['unknown vantage', 'tokyo', T0 + 45 * MIN, null],
    ['before', 'frankfurt', T0 + 30 * MIN - 1, null],
    ['from at', 'frankfurt', T0 + 30 * MIN, 'blackhole'],
    ['until is exclusive', 'frankfurt', T0 + 60 * MIN, null],
    ['open-ended', 'frankfurt', T0 + 500 * MIN, 'refuse'],
  ])('%s', (_name, id, t, kind) => {
    expect(eng.vantageEffect(id, t)?.kind ?? null).toBe(kind);
  });
  it('exposes probe loss', () => {
    expect(engine(scenario({ noise: { siteFailures: 0, probeLoss: 0.002 } })).probeLoss).toBe(0.002);
  });
});

describe('noise', () => {
  const N = 4_000;
  const sites = manySites(N).map((s, i) =>
    i % 2 ? { ...s, hosting: { ...s.hosting, plan: 'shared' as const } } : s,
  );
  const sc = scenario({ providers, sites, noise: { siteFailures: 0.02, probeLoss: 0 } });
  const eng = engine(sc);
  const noise = eng.faults.filter((f) => f.source === 'noise');

  it('hits round(fraction × N) distinct sites, ids noise-1..', () => {
    expect(noise.length).toBe(80);
    expect(new Set(noise.map((f) => f.hitDomains[0])).size).toBe(80);
    expect(noise.map((f) => f.id)).toEqual(Array.from({ length: 80 }, (_, k) => `noise-${k + 1}`));
  });

  it('starts after the first 10 % and lasts 2–30 probe intervals', () => {
    const w = sc.end - sc.start;
    for (const f of noise) {
      expect(f.at).toBeGreaterThanOrEqual(sc.start + 0.1 * w);
      expect(f.at).toBeLessThan(sc.end);
      const d = f.until! - f.at;
      expect(d).toBeGreaterThanOrEqual(NOISE_MIN_PROBES * sc.probeIntervalMs);
      expect(d).toBeLessThanOrEqual(NOISE_MAX_PROBES * sc.probeIntervalMs);
    }
  });

  it('uses plausible effects: shared-plan sites fail at the HTTP layer only', () => {
    for (const f of noise) {
      const i = Number(f.hitDomains[0].slice(1, -5));
      const kinds = f.target.role === 'dns' ? ['dns_servfail', 'dns_timeout'] : ['http_error', 'slow'];
      if (f.target.role === 'dns' || i % 2) expect(kinds).toContain(f.effect.kind);
    }
    expect(new Set(noise.map((f) => f.effect.kind)).size).toBeGreaterThanOrEqual(5);
    expect(noise.some((f) => f.target.role === 'dns')).toBe(true);
  });

  it('appears in truth() and effectOn, after scenario faults', () => {
    const truthIds = new Set(eng.truth().map((x) => x.fault));
    for (const f of noise) if (f.at < sc.end) expect(truthIds.has(f.id)).toBe(true);
    const f = noise[0];
    const i = Number(f.hitDomains[0].slice(1, -5));
    expect(eng.effectOn(i, f.target.role!, f.at)?.fault).toBe(f.id);
    expect(eng.effectOn(i, f.target.role!, f.at - 1)).toBeNull();
    // A scenario fault on the same dependency takes precedence.
    const both = engine({
      ...sc,
      faults: [fault('big', { provider: 'ovh' }, { at: sc.start, until: null })],
    });
    expect(both.effectOn(i, f.target.role!, f.at)?.fault).toBe('big');
  });

  it('is deterministic', () => {
    expect(engine(sc).faults).toEqual(eng.faults);
  });
});

/** A busy scenario: shares, flaps, staged recoveries, overlaps, platforms, components, noise. */
function busyScenario(): Scenario {
  const rng = new Rng(7);
  const sites = Array.from({ length: 300 }, (_, i) =>
    site(
      `w${i}.test`,
      {
        provider: rng.pick(['ovh', 'aws']),
        region: rng.pick(['gra', 'rbx']),
        plan: rng.pick(['shared', 'dedicated']),
      },
      {
        dns: rng.pick(['ovh', 'aws', 'cloudflare']),
        mail: rng.next() < 0.3 ? 'ovh' : undefined,
        cdn: rng.next() < 0.2 ? 'cloudflare' : undefined,
        platform: rng.next() < 0.1 ? 'vclass' : undefined,
        shares: rng.next() < 0.1 ? ['fw-1'] : [],
      },
    ),
  );
  return scenario({
    providers,
    sites,
    noise: { siteFailures: 0.05, probeLoss: 0 },
    faults: [
      fault('backbone', { provider: 'ovh' }, { share: 0.7, recoveryMs: 20 * MIN }),
      fault('dns', { provider: 'cloudflare', role: 'dns' }, { at: T0 + 40 * MIN, until: T0 + 50 * MIN }),
      fault(
        'flap',
        { provider: 'aws' },
        {
          at: T0 + 20 * MIN + 7,
          until: T0 + 150 * MIN,
          flap: { periodMs: 7 * MIN, duty: 0.3 },
          recoveryMs: 5 * MIN,
        },
      ),
      fault('fw', { component: 'fw-1' }, { at: T0 - 10 * MIN, until: null, effect: { kind: 'reset' } }),
      fault('gra', { provider: 'ovh', region: 'gra' }, { at: T0 + 35 * MIN, until: T0 + 200 * MIN }),
    ],
  });
}

describe('truth() agrees with effectOn()', () => {
  const sc = busyScenario();
  const eng = engine(sc, (i) => `h${i % 50}`);
  const truth = eng.truth();
  const order = new Map(eng.faults.map((f, k) => [f.id, k]));

  it('is sorted by from and clipped to the window', () => {
    for (let k = 1; k < truth.length; k++) expect(truth[k].from).toBeGreaterThanOrEqual(truth[k - 1].from);
    for (const x of truth) {
      expect(x.from).toBeGreaterThanOrEqual(sc.start);
      if (x.to !== null) expect(x.to).toBeLessThan(sc.end);
      expect(x.to === null || x.to > x.from).toBe(true);
    }
  });

  it('at sampled instants, effectOn is the first truth interval covering the dependency', () => {
    const byKey = new Map<string, typeof truth>();
    for (const x of truth) {
      const k = `${x.domain}|${x.role}`;
      const list = byKey.get(k) ?? [];
      list.push(x);
      byKey.set(k, list);
    }
    const rng = new Rng(99);
    const instants = Array.from(
      { length: 300 },
      () => sc.start + Math.floor(rng.next() * (sc.end - sc.start)),
    );
    // Interval edges are where off-by-one errors live.
    for (let k = 0; k < truth.length; k += 7) {
      const x = truth[k];
      instants.push(x.from - 1, x.from, ...(x.to === null ? [] : [x.to - 1, x.to]));
    }
    const mismatches: string[] = [];
    // Truth is clipped to the scenario window; outside it, the two legitimately differ.
    for (const t of instants.filter((x) => x >= sc.start && x < sc.end)) {
      sc.sites.forEach((st, i) => {
        for (const role of ROLES) {
          let first: string | null = null;
          for (const x of byKey.get(`${st.domain}|${role}`) ?? []) {
            if (
              x.from <= t &&
              (x.to === null || t < x.to) &&
              (first === null || order.get(x.fault)! < order.get(first)!)
            )
              first = x.fault;
          }
          const got = eng.effectOn(i, role, t)?.fault ?? null;
          if (got !== first) mismatches.push(`${st.domain} ${role} @${t - sc.start}: ${got} ≠ ${first}`);
        }
        if (eng.affectedAt(i, t) !== eng.effectsAt(i, t).length > 0)
          mismatches.push(`${st.domain} affectedAt @${t}`);
      });
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(instants.length).toBeGreaterThan(500);
  });

  it('is identical across two engines, and describeTruth is JSON-ready', () => {
    const other = engine(busyScenario(), (i) => `h${i % 50}`);
    expect(other.truth()).toEqual(truth);
    const d = eng.describeTruth();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d.faults.map((f) => f.id).slice(0, 5)).toEqual(['backbone', 'dns', 'flap', 'fw', 'gra']);
    expect(d.intervals.length).toBe(truth.length);
  });
});
