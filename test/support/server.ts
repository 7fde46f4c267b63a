/**
 * Test helpers (not used in production): a small monitored world in a store, its snapshot, and the
 * app built over them. Three providers, twelve sites, one open OVH incident clearing Cloudflare, one
 * resolved incident.
 */
import { InProcessBus } from '../../src/bus/bus.ts';
import { ManualClock } from '../../src/clock/clock.ts';
import type { Component, Dependency, Incident, Site } from '../../src/model/index.ts';
import { TargetPolicy } from '../../src/net/address-policy.ts';
import { type AppOptions, buildApp } from '../../src/server/app.ts';
import { hashToken } from '../../src/server/auth.ts';
import { ProbeMetrics } from '../../src/server/metrics/probe-metrics.ts';
import { StatusSnapshot } from '../../src/server/status/snapshot.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';

export const T0 = Date.parse('2021-10-13T07:12:00Z');
export const TOKEN = 'test-token-0123456789';
/** Computed once: scrypt is slow on purpose. */
export const TOKEN_HASH = hashToken(TOKEN, Buffer.alloc(16, 7));

export const COMPONENTS: Component[] = [
  { id: 'provider:ovh', kind: 'provider', provider: 'ovh', asn: 16276, label: 'OVHcloud' },
  { id: 'region:ovh/sbg', kind: 'region', provider: 'ovh', region: 'sbg', label: 'ovh sbg' },
  { id: 'provider:cloudflare', kind: 'provider', provider: 'cloudflare', label: 'Cloudflare' },
  { id: 'provider:aws', kind: 'provider', provider: 'aws', label: 'Amazon Web Services' },
];

export const SITES: Site[] = [
  ...Array.from({ length: 6 }, (_, i) => ({ domain: `shop-${i + 1}.test` })),
  ...Array.from({ length: 4 }, (_, i) => ({ domain: `store-${i + 1}.test` })),
  { domain: 'school.test', tags: ['education'] },
  { domain: 'news.test' },
];

export function dependencies(): Dependency[] {
  const dep = (site: string, component: string, role: Dependency['role']): Dependency => ({
    site,
    component,
    role,
    source: 'observed',
    confidence: 1,
    evidence: [],
  });
  const out: Dependency[] = [];
  for (let i = 1; i <= 6; i++) {
    out.push(dep(`shop-${i}.test`, 'provider:ovh', 'hosting'), dep(`shop-${i}.test`, 'provider:ovh', 'dns'));
    out.push(dep(`shop-${i}.test`, 'region:ovh/sbg', 'hosting'));
  }
  for (let i = 1; i <= 4; i++) {
    out.push(
      dep(`store-${i}.test`, 'provider:cloudflare', 'cdn'),
      dep(`store-${i}.test`, 'provider:aws', 'hosting'),
    );
  }
  out.push(dep('school.test', 'provider:aws', 'hosting'), dep('news.test', 'provider:cloudflare', 'cdn'));
  return out;
}

export const OPEN: Incident = {
  id: 'inc-2',
  cause: {
    provider: 'ovh',
    asn: 16276,
    name: 'OVHcloud',
    region: null,
    plan: null,
    role: null,
    component: null,
  },
  kind: 'network',
  signature: 'connect_timeout',
  confidence: 0.99,
  startedAt: T0,
  detectedAt: T0 + 120_000,
  peakAt: T0 + 300_000,
  resolvedAt: null,
  affected: ['shop-1.test', 'shop-2.test', 'shop-3.test', 'shop-4.test', 'shop-5.test', 'shop-6.test'],
  exonerated: [{ provider: 'cloudflare', evidence: 'cloudflare: 0 of 5 monitored sites behind it degraded' }],
  evidence: ['OVHcloud hosting: 6 of 6 failing (100 %)'],
  timeline: [
    { time: T0 + 120_000, failing: 5, restored: 0 },
    { time: T0 + 300_000, failing: 6, restored: 0 },
    { time: T0 + 600_000, failing: 1, restored: 0.833 },
  ],
};

export const RESOLVED: Incident = {
  id: 'inc-1',
  cause: {
    provider: null,
    asn: null,
    name: null,
    region: null,
    plan: null,
    role: null,
    component: 'site:news.test',
  },
  kind: 'http',
  signature: 'http_5xx',
  confidence: 0.9,
  startedAt: T0 - 3_600_000,
  detectedAt: T0 - 3_500_000,
  peakAt: T0 - 3_500_000,
  resolvedAt: T0 - 3_000_000,
  affected: ['news.test'],
  exonerated: [],
  evidence: [],
  timeline: [{ time: T0 - 3_500_000, failing: 1, restored: 0 }],
};

export interface Fixture {
  store: Store;
  snapshot: StatusSnapshot;
  clock: ManualClock;
  bus: InProcessBus;
  metrics: ProbeMetrics;
  changes: { added: Site[]; removed: string[] }[];
  build(overrides?: Partial<AppOptions>): ReturnType<typeof buildApp>;
  close(): Promise<void>;
}

/** A store (SQLite in memory unless `url` is given) holding the small world, and its snapshot. */
export async function fixture(url = 'sqlite::memory:'): Promise<Fixture> {
  const clock = new ManualClock(T0 + 700_000);
  const store = await openStore(url, { clock });
  await store.upsertSites(SITES);
  await store.upsertComponents(COMPONENTS);
  await store.replaceDependencies(
    SITES.map((s) => s.domain),
    dependencies(),
  );
  const states = OPEN.affected.slice(0, 1).map((site) => ({
    site,
    role: 'web' as const,
    vantage: null,
    from: 'up' as const,
    to: 'down' as const,
    at: T0 + 60_000,
    signature: 'connect_timeout' as const,
    observationTime: T0,
  }));
  await store.recordTransitions(states);
  await store.upsertIncidents([RESOLVED, OPEN]);
  const snapshot = new StatusSnapshot({ clock });
  await snapshot.load(store);
  const bus = new InProcessBus();
  snapshot.attach(bus);
  const metrics = new ProbeMetrics();
  metrics.attach(bus);
  const changes: Fixture['changes'] = [];
  const apps: Awaited<ReturnType<typeof buildApp>>[] = [];
  return {
    store,
    snapshot,
    clock,
    bus,
    metrics,
    changes,
    async build(overrides = {}) {
      const app = await buildApp({
        source: snapshot,
        writer: snapshot,
        store,
        clock,
        tokenHash: TOKEN_HASH,
        policy: TargetPolicy.strict(),
        metrics,
        page: { url: 'https://vigie.example' },
        onSitesChanged: (c) => changes.push(c),
        cacheMs: 0,
        ...overrides,
      });
      apps.push(app);
      return app;
    },
    async close() {
      for (const a of apps) await a.close();
      await store.close();
    },
  };
}
