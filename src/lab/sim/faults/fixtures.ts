/**
 * Hand-built scenarios for the fault engine's tests (no loader involved).
 */
import type { FaultSpec, Plan, ProviderSpec, Scenario, SiteSpec } from '../../scenario/types.ts';
import { createFaultEngine, type FaultEngineExt } from './engine.ts';

export const MIN = 60_000;
export const T0 = Date.UTC(2021, 9, 13, 6, 30);

export function provider(id: string, extra: Partial<ProviderSpec> = {}): ProviderSpec {
  return { id, name: id.toUpperCase(), asn: 64500, roles: ['hosting', 'dns'], regions: [], ...extra };
}

export function site(
  domain: string,
  hosting: { provider: string; region?: string; plan?: Plan },
  extra: Partial<Omit<SiteSpec, 'hosting'>> = {},
): SiteSpec {
  return {
    domain,
    hosting: { plan: 'dedicated', ...hosting },
    dns: hosting.provider,
    shares: [],
    weight: 1,
    ...extra,
  };
}

export function fault(id: string, target: FaultSpec['target'], extra: Partial<FaultSpec> = {}): FaultSpec {
  return {
    id,
    at: T0 + 30 * MIN,
    until: T0 + 90 * MIN,
    target,
    effect: { kind: 'blackhole' },
    share: 1,
    recoveryMs: 0,
    ...extra,
  };
}

export function scenario(extra: Partial<Scenario> = {}): Scenario {
  return {
    name: 'test-scenario',
    title: 'Test',
    timezone: 'UTC',
    start: T0,
    end: T0 + 180 * MIN,
    speed: 60,
    probeIntervalMs: MIN,
    providers: [],
    sites: [],
    faults: [],
    noise: { siteFailures: 0, probeLoss: 0 },
    reports: null,
    vantages: [{ id: 'local', faults: [] }],
    truth: [],
    file: 'test.yaml',
    ...extra,
  };
}

/** `n` dedicated sites `s<i>.test` on provider `p`, each on its own address. */
export function manySites(n: number, p = 'ovh', extra: Partial<Omit<SiteSpec, 'hosting'>> = {}): SiteSpec[] {
  return Array.from({ length: n }, (_, i) => site(`s${i}.test`, { provider: p }, extra));
}

/** An engine where site i is on its own address `addr-<i>` unless `address` says otherwise. */
export function engine(sc: Scenario, address?: (i: number) => string, seed?: number): FaultEngineExt {
  return createFaultEngine({ scenario: sc, hostingAddress: address ?? ((i) => `addr-${i}`), seed });
}
