import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture, OPEN, TOKEN } from '../../../test/support/server.ts';
import { Alerts } from '../../alerts/service.ts';
import { startHttpReceiver } from '../../alerts/testing.ts';
import type { Incident } from '../../model/incident.ts';

const SECRET = 'maintenance-test-shared-secret';
let f: Fixture;
let app: FastifyInstance;
let alerts: Alerts;
let rx: Awaited<ReturnType<typeof startHttpReceiver>>;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeEach(async () => {
  f = await fixture();
  rx = await startHttpReceiver({ secret: SECRET });
  alerts = await Alerts.start({
    store: f.store,
    clock: f.clock,
    publicUrl: 'https://status.example.org',
    pollMs: 50,
    log: () => {},
    config: {
      channels: [
        { name: 'hook', kind: 'webhook', settings: { url: `${rx.url}/secret-path`, secret: SECRET } },
      ],
      subscriptions: [
        {
          name: 'all',
          channel: 'hook',
          providers: [],
          sites: [],
          tags: [],
          minSites: 1,
          kinds: ['opened', 'cause', 'peak', 'restoration', 'reopened', 'resolved'],
        },
      ],
      updateIntervalMs: 300_000,
      milestones: [0.5, 0.9],
    },
  });
  app = await f.build({ alerts, dashboard: false, cacheMs: 0 });
});
afterEach(async () => {
  await alerts.stop();
  await rx.close();
  await f.close();
});

const iso = (t: number) => new Date(t).toISOString();

describe('maintenance windows', () => {
  it('a window over a failing provider: no incident, no message, listed by the Statuspage endpoints', async () => {
    const now = f.clock.now();
    const body = {
      id: 'ovh-work',
      title: 'OVHcloud network work',
      starts_at: iso(now - 600_000),
      ends_at: iso(now + 3_600_000),
      providers: ['ovh'],
    };
    expect((await app.inject({ method: 'POST', url: '/api/maintenances', payload: body })).statusCode).toBe(
      401,
    );
    const made = await app.inject({ method: 'POST', url: '/api/maintenances', payload: body, headers: auth });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({
      id: 'ovh-work',
      status: 'in_progress',
      providers: ['ovh'],
      source: 'api',
    });

    // OVH fails while under maintenance: the gate the pipeline calls refuses the incident.
    const failing: Incident = {
      ...OPEN,
      id: 'inc-9',
      detectedAt: now,
      startedAt: now - 120_000,
      resolvedAt: null,
    };
    expect(alerts.schedule.publishes(failing)).toBe(false);
    expect(alerts.schedule.publishes({ ...failing, cause: { ...failing.cause, provider: 'hetzner' } })).toBe(
      true,
    );
    const before = (await f.store.incidents()).length;
    if (alerts.schedule.publishes(failing)) await alerts.commit(failing);
    expect(await f.store.incidents()).toHaveLength(before);
    // Even committed past the gate (an incident opened just before the window), nothing is sent.
    await alerts.commit(failing);
    expect(await alerts.dispatcher.settle(10_000)).toBe(true);
    expect(rx.received).toHaveLength(0);
    expect(await f.store.alertDeliveries({ status: ['suppressed'] })).toEqual([
      expect.objectContaining({ eventId: 'inc-9:opened', lastError: 'under maintenance: ovh-work' }),
    ]);

    const active = (await app.inject({ url: '/api/v2/scheduled-maintenances/active.json' })).json();
    expect(active.scheduled_maintenances).toEqual([
      expect.objectContaining({
        id: 'ovh-work',
        name: 'OVHcloud network work',
        status: 'in_progress',
        impact: 'maintenance',
        scheduled_for: body.starts_at,
        scheduled_until: body.ends_at,
      }),
    ]);
    expect(
      (await app.inject({ url: '/api/v2/scheduled-maintenances/upcoming.json' })).json()
        .scheduled_maintenances,
    ).toEqual([]);
    expect(
      (await app.inject({ url: '/api/v2/scheduled-maintenances.json' })).json().scheduled_maintenances,
    ).toHaveLength(1);
    const summary = (await app.inject({ url: '/api/v2/summary.json' })).json();
    expect(summary.scheduled_maintenances.map((m: { id: string }) => m.id)).toEqual(['ovh-work']);

    // Over: removed, the provider alerts again.
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/maintenances/ovh-work', headers: auth })).statusCode,
    ).toBe(204);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/maintenances/ovh-work', headers: auth })).json().code,
    ).toBe('VIGIE_NOT_FOUND');
    expect((await app.inject({ url: '/api/v2/summary.json' })).json().scheduled_maintenances).toEqual([]);
    expect(alerts.schedule.publishes(failing)).toBe(true);
  });

  it('upcoming windows by site and tag; bad input answers 400 with a stable code', async () => {
    const now = f.clock.now();
    const ok = await app.inject({
      method: 'POST',
      url: '/api/maintenances',
      headers: auth,
      payload: {
        starts_at: iso(now + 3_600_000),
        ends_at: iso(now + 7_200_000),
        sites: ['Shop-1.test'],
        tags: ['press'],
      },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'scheduled', sites: ['shop-1.test'] });
    expect(
      (await app.inject({ url: '/api/v2/scheduled-maintenances/upcoming.json' })).json()
        .scheduled_maintenances,
    ).toHaveLength(1);
    expect(alerts.schedule.underMaintenance('shop-1.test', now + 3_600_000)).not.toBeNull();
    expect(alerts.schedule.underMaintenance('shop-1.test', now)).toBeNull();
    expect(
      alerts.schedule.underMaintenance({ domain: 'x.test', tags: ['press'] }, now + 3_700_000),
    ).not.toBeNull();
    for (const payload of [
      { starts_at: 'soon', ends_at: iso(now), providers: ['ovh'] },
      { starts_at: iso(now), ends_at: iso(now - 1), providers: ['ovh'] },
      { starts_at: iso(now), ends_at: iso(now + 1) },
      { starts_at: iso(now), ends_at: iso(now + 1), providers: ['ovh'], colour: 'red' },
    ]) {
      const r = await app.inject({ method: 'POST', url: '/api/maintenances', headers: auth, payload });
      expect([r.statusCode, r.json().code, payload]).toEqual([400, 'VIGIE_BAD_REQUEST', payload]);
    }
  });
});

describe('alert routes', () => {
  it('lists channels with secrets hidden, sends a test message with the token, documents the webhook body', async () => {
    const list = (await app.inject({ url: '/api/alerts' })).json();
    expect(list.channels).toEqual([
      { name: 'hook', kind: 'webhook', settings: { url: `${rx.url}/…`, secret: '(hidden)' } },
    ]);
    expect(JSON.stringify(list)).not.toContain(SECRET);
    expect(JSON.stringify(list)).not.toContain('secret-path');
    expect((await app.inject({ method: 'POST', url: '/api/alerts/test/hook' })).statusCode).toBe(401);
    const sent = await app.inject({ method: 'POST', url: '/api/alerts/test/hook', headers: auth });
    expect(sent.json()).toEqual({ channel: 'hook', delivered: true });
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0].signatureOk).toBe(true);
    expect((rx.received[0].json as { test: boolean; title: string }).title).toMatch(
      /^Test message from Vigie — /,
    );
    const missing = await app.inject({ method: 'POST', url: '/api/alerts/test/nope', headers: auth });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'VIGIE_NOT_FOUND']);
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(JSON.stringify(doc)).toContain('X-Vigie-Signature');
    expect((await app.inject({ url: '/api/alerts/example' })).json()).toMatchObject({
      version: 1,
      kind: 'opened',
      test: true,
    });
    expect((await app.inject({ url: '/api/alerts/deliveries' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/alerts/deliveries?status=failed', headers: auth })).json()).toEqual(
      [],
    );
  });
});
