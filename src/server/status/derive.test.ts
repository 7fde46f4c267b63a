/**
 * The end of a replay leaves no contradiction: a component's state agrees with how many of its sites
 * fail, an incident's shown phase with its share restored, and `status.json` says "starting" until a
 * site has been checked. Components carry the time they were first seen (Statuspage `created_at`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.ts';
import type { Component, Dependency, Incident } from '../../model/index.ts';
import { openStore } from '../../store/index.ts';
import type { Store } from '../../store/types.ts';
import { buildApp } from '../app.ts';
import { consistentState, incidentPhase, STARTING_DESCRIPTION } from './derive.ts';
import { StatusSnapshot } from './snapshot.ts';

const T0 = Date.parse('2021-10-13T07:12:00Z');
const SITES = Array.from({ length: 18 }, (_, i) => ({ domain: `shop-${i + 1}.test` }));
const OVH: Component = {
  id: 'provider:ovh',
  kind: 'provider',
  provider: 'ovh',
  asn: 16276,
  label: 'OVHcloud',
};
const deps = (): Dependency[] =>
  SITES.map((s) => ({
    site: s.domain,
    component: OVH.id,
    role: 'hosting',
    source: 'observed',
    confidence: 1,
    evidence: [],
  }));

/** OVH blamed as a whole; the timeline's last point says how much is restored. */
const incident = (restored: number, failing: number): Incident => ({
  id: 'inc-1',
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
  detectedAt: T0 + 60_000,
  peakAt: T0 + 120_000,
  resolvedAt: null,
  affected: SITES.map((s) => s.domain),
  exonerated: [],
  evidence: [],
  timeline: [
    { time: T0 + 120_000, failing: 18, restored: 0 },
    { time: T0 + 600_000, failing, restored },
  ],
});

function snapshotOf(clock: ManualClock): StatusSnapshot {
  const s = new StatusSnapshot({ clock });
  s.addSites(SITES);
  s.setDependencies([OVH], deps());
  return s;
}

const transition = (site: string, to: 'up' | 'down', at: number) => ({
  site,
  role: 'web' as const,
  from: to === 'up' ? ('down' as const) : ('up' as const),
  to,
  at,
  since: at,
  signature: to === 'up' ? ('ok' as const) : ('connect_timeout' as const),
  vantages: ['paris'],
});

describe('component state and failing count', () => {
  it('a blamed provider none of whose sites fails is operational, not down', () => {
    const clock = new ManualClock(T0);
    const s = snapshotOf(clock);
    for (const d of SITES) s.applyTransition(transition(d.domain, 'down', T0 + 60_000));
    s.applyIncident(incident(0, 18));
    expect(s.component(OVH.id)).toMatchObject({ state: 'major_outage', failing: 18, sites: 18 });
    // The replay's end: every site back, the incident still open for its grace period.
    for (const d of SITES) s.applyTransition(transition(d.domain, 'up', T0 + 900_000));
    s.applyIncident(incident(1, 0));
    expect(s.component(OVH.id)).toMatchObject({ state: 'operational', failing: 0, incidents: ['inc-1'] });
  });

  it('fewer than half of its sites failing is a partial outage', () => {
    expect(consistentState('major_outage', 18, 3)).toBe('partial_outage');
    expect(consistentState('major_outage', 18, 9)).toBe('major_outage');
    expect(consistentState('degraded_performance', 18, 0)).toBe('operational');
    expect(consistentState('major_outage', 0, 0)).toBe('major_outage');
  });
});

describe('incident phase and share restored', () => {
  it('an open incident with every site back is recovered, not recovering', () => {
    expect(incidentPhase(incident(0.5, 9), null)).toBe('recovering');
    expect(incidentPhase(incident(1, 0), null)).toBe('recovered');
    expect(incidentPhase({ ...incident(1, 0), resolvedAt: T0 + 1_000_000 }, null)).toBe('resolved');
    expect(incidentPhase(incident(0, 18), null)).toBe('identified');
  });

  it('the API and the Statuspage updates say so', async () => {
    const clock = new ManualClock(T0 + 900_000);
    const store = await openStore('sqlite::memory:', { clock });
    const s = snapshotOf(clock);
    s.applyIncident(incident(1, 0));
    const app = await buildApp({ source: s, writer: s, store, clock, tokenHash: null, cacheMs: 0 });
    try {
      expect((await app.inject('/api/incidents/inc-1')).json()).toMatchObject({
        status: 'monitoring',
        phase: 'recovered',
        restored: 1,
      });
      const sp = (await app.inject('/api/v2/incidents/unresolved.json')).json().incidents[0];
      expect(sp.incident_updates[0].body).toBe('All affected sites answer again; watching before resolving.');
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('status.json while starting', () => {
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it('says starting until a site has been checked, then operational', async () => {
    const clock = new ManualClock(T0);
    store = await openStore('sqlite::memory:', { clock });
    const s = new StatusSnapshot({ clock });
    const app = await buildApp({ source: s, writer: s, store, clock, tokenHash: null, cacheMs: 0 });
    const status = async () => (await app.inject('/api/v2/status.json')).json().status;
    try {
      // Nothing mapped yet.
      expect(await status()).toEqual({ indicator: 'none', description: STARTING_DESCRIPTION });
      // Mapped, not probed.
      clock.advance(5_000);
      s.addSites(SITES);
      s.setDependencies([OVH], deps());
      expect(await status()).toEqual({ indicator: 'none', description: 'Starting: no sites checked yet' });
      // The first round: sites answer.
      for (const d of SITES) s.applyTransition(transition(d.domain, 'up', T0 + 10_000));
      expect(await status()).toEqual({ indicator: 'none', description: 'All Systems Operational' });
      // Components were first seen when mapped, not in 1970.
      const c = (await app.inject('/api/v2/components.json')).json().components[0];
      expect(c.created_at).toBe(new Date(T0 + 5_000).toISOString());
    } finally {
      await app.close();
    }
  });
});
