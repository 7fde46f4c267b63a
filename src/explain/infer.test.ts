import { describe, expect, it } from 'vitest';
import { mapWorld } from '../../test/support/explain/fixtures.ts';
import { PROVIDERS, SITES } from '../../test/support/explain/seed-world.ts';
import { type FixtureFault, rng, simulate } from '../../test/support/explain/simulate.ts';
import { infer } from './infer.ts';
import { buildRisk } from './risk.ts';
import { score } from './score.ts';

const map = mapWorld(PROVIDERS, SITES);
const model = buildRisk(map);

function run(faults: FixtureFault[], seed = 1, extra: { noise?: number; loss?: number } = {}) {
  const failures = simulate(PROVIDERS, SITES, faults, { random: rng(seed), ...extra });
  return { failures, result: infer(model, failures) };
}

describe('infer: the seed incidents', () => {
  it.each<[string, FixtureFault[], string[]]>([
    [
      'provider-wide blackhole, all regions and roles',
      [{ target: { provider: 'ovh' }, effect: 'blackhole' }],
      ['provider:ovh'],
    ],
    [
      'one region down',
      [{ target: { provider: 'ovh', region: 'sbg' }, effect: 'blackhole' }],
      ['region:ovh/sbg'],
    ],
    [
      'shared plan down and two dedicated sites behind a shared switch',
      [
        { target: { provider: 'fluxus', plan: 'shared' }, effect: 'blackhole' },
        { target: { component: 'fw-shared-switch' }, effect: 'blackhole' },
      ],
      ['hidden:fw-shared-switch', 'plan:fluxus/shared'],
    ],
    [
      'CDN edge 5xx',
      [{ target: { provider: 'cloudflare', role: 'cdn' }, effect: 'http_error' }],
      ['role:cloudflare/cdn'],
    ],
    ['platform overload', [{ target: { provider: 'vclass' }, effect: 'overload' }], ['provider:vclass']],
    [
      'two platforms overloaded at once',
      [
        { target: { provider: 'vclass' }, effect: 'overload' },
        { target: { provider: 'ent-nord' }, effect: 'overload' },
      ],
      ['provider:ent-nord', 'provider:vclass'],
    ],
    [
      'a region and another provider’s DNS',
      [
        { target: { provider: 'ovh', region: 'gra' }, effect: 'blackhole' },
        { target: { provider: 'hetzner' }, effect: 'refuse' },
      ],
      ['provider:hetzner', 'region:ovh/gra'],
    ],
    [
      'a partial fault: 60 % of a region',
      [{ target: { provider: 'ovh', region: 'sbg' }, effect: 'blackhole', share: 0.6 }],
      ['region:ovh/sbg'],
    ],
    [
      'a DNS provider',
      [{ target: { provider: 'ovh', role: 'dns' }, effect: 'dns_servfail' }],
      ['role:ovh/dns'],
    ],
  ])('%s', (_, faults, want) => {
    const { result } = run(faults, 7, { noise: 0.005, loss: 0.01 });
    expect(result.causes.map((c) => c.key).sort()).toEqual(want);
  });

  it('blames OVH, not Cloudflare, for 52x pages from OVH origins', () => {
    const { result } = run([{ target: { provider: 'ovh' }, effect: 'blackhole' }]);
    const ovh = result.causes[0];
    expect(ovh.cause).toMatchObject({
      provider: 'ovh',
      asn: 16276,
      name: 'OVH SAS',
      role: null,
      region: null,
    });
    expect(ovh.sites).toContain('cf-ovh1.test');
    expect(ovh.kind).toBe('network');
    expect(result.lone).toEqual([]);
  });

  it('names the owner of a declared component', () => {
    const { result } = run([{ target: { component: 'fw-shared-switch' }, effect: 'blackhole' }]);
    expect(result.causes.map((c) => c.cause)).toEqual([
      expect.objectContaining({ provider: 'fluxus', component: 'fw-shared-switch', plan: null }),
    ]);
  });

  it('keeps unrelated single-site failures site-level', () => {
    const { failures, result } = run([], 3, { noise: 0.02 });
    expect(failures.length).toBeGreaterThan(3);
    expect(result.causes).toEqual([]);
    expect(result.lone.length).toBe(new Set(failures.map((f) => f.site)).size);
  });

  it('never blames a provider for one site', () => {
    const result = infer(model, [
      { site: 'aws1.test', role: 'web', state: 'down', signature: 'connect_timeout', since: 0 },
    ]);
    expect(result.causes).toEqual([]);
    expect(result.lone.map((l) => l.site)).toEqual(['aws1.test']);
  });

  it('names indistinguishable groups by the broadest reading', () => {
    const canon = (key: string) => model.groups[model.canonical[model.groupIndex.get(key) as number]].key;
    expect(canon('role:vclass/platform')).toBe('provider:vclass');
    expect(canon('role:cloudflare/cdn')).toBe('role:cloudflare/cdn');
    expect(canon('network:as24940')).toBe('role:hetzner/hosting');
  });

  it('SCORE answers on the same inputs', () => {
    const { failures } = run([{ target: { provider: 'ovh', region: 'sbg' }, effect: 'blackhole' }]);
    expect(score(model, failures).causes.map((c) => c.key)).toEqual(['region:ovh/sbg']);
  });
});
