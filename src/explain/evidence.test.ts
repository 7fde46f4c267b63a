import { describe, expect, it } from 'vitest';
import { mapWorld } from '../../test/support/explain/fixtures.ts';
import { PROVIDERS, SITES } from '../../test/support/explain/seed-world.ts';
import { rng, simulate } from '../../test/support/explain/simulate.ts';
import { explainAll } from './evidence.ts';
import { infer } from './infer.ts';
import { buildRisk } from './risk.ts';
import { concentration, whatIf } from './whatif.ts';

const model = buildRisk(mapWorld(PROVIDERS, SITES));

describe('evidence', () => {
  it('counts per role, rejects the CDN and clears Cloudflare with numbers', () => {
    const failures = simulate(PROVIDERS, SITES, [{ target: { provider: 'ovh' }, effect: 'blackhole' }], {
      random: rng(1),
    });
    const result = infer(model, failures);
    const [ev] = explainAll(model, result);
    expect(ev.perRole.find((r) => r.role === 'dns')).toEqual({ role: 'dns', failing: 200, total: 200 });
    const cdn = ev.rejected.find((r) => r.key.endsWith(':cloudflare'));
    expect(cdn?.reason).toBe(
      '30 of 60 sites depending on it failing, all with cdn_error (origin unreachable), which points past it → not cloudflare',
    );
    const cf = ev.exonerated.find((x) => x.provider === 'cloudflare');
    expect(cf?.evidence).toBe(
      'cloudflare: 30 of 60 monitored sites behind it degraded; the 30 of them also depending on ovh fail from it (network)',
    );
  });

  it('clears OVH when platforms are overloaded (the ENT case)', () => {
    const failures = simulate(PROVIDERS, SITES, [{ target: { provider: 'vclass' }, effect: 'overload' }], {
      random: rng(2),
    });
    const result = infer(model, failures);
    expect(result.causes.map((c) => c.key)).toEqual(['provider:vclass']);
    expect(result.causes[0].kind).toBe('overload');
    const [ev] = explainAll(model, result);
    const ovh = ev.exonerated.find((x) => x.provider === 'ovh');
    expect(ovh?.evidence).toBe(
      'ovh: 0 of 190 monitored sites hosted there degraded (0 of 230 depending on it in any role); none of the 30 affected sites depends on it',
    );
    expect(ev.exonerated.find((x) => x.provider === 'aws')?.evidence).toBe(
      'aws: 30 of 100 monitored sites hosted there degraded; the 30 of them also depending on vclass fail from it (overload)',
    );
  });
});

describe('what-if and concentration', () => {
  it('gives the blast radius of a component', () => {
    expect(whatIf(model, 'region:ovh/sbg')?.sites.length).toBe(60);
    expect(whatIf(model, 'provider:ovh')?.byRole).toMatchObject({ hosting: 190, dns: 200, mail: 40 });
    expect(whatIf(model, 'hidden:fw-shared-switch')?.sites).toEqual(['assurance-1.test', 'assurance-2.test']);
    expect(whatIf(model, 'provider:nobody')).toBeNull();
  });

  it('computes shares and the HHI per role', () => {
    const c = concentration(model);
    expect(c.overall[0].provider).toBe('ovh');
    const cdn = c.roles.cdn;
    expect(cdn).toMatchObject({ sites: 60, hhi: 10_000 });
    const mail = c.roles.mail;
    // 40 OVH, 80 Gmail of 120 sites with mail: 33.3² + 66.7² ≈ 5556
    expect(mail?.hhi).toBe(5556);
  });
});
