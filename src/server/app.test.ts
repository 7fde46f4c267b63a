import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture, TOKEN } from '../../test/support/server.ts';
import { TargetPolicy } from '../net/address-policy.ts';

let f: Fixture;
let app: FastifyInstance;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeEach(async () => {
  f = await fixture();
  app = await f.build();
});
afterEach(() => f.close());

describe('sites', () => {
  it('lists sites with their state, filtered and paginated', async () => {
    const r = await app.inject('/api/sites?state=down');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      total: 1,
      sites: [{ domain: 'shop-1.test', state: 'down', signature: 'connect_timeout' }],
    });
    const page = (await app.inject('/api/sites?q=shop&offset=2&limit=2')).json();
    expect(page.total).toBe(6);
    expect(page.sites).toHaveLength(2);
  });

  it('reads one site with dependencies and transitions', async () => {
    const r = (await app.inject('/api/sites/shop-1.test')).json();
    expect(r.site.services.web.state).toBe('down');
    expect(r.dependencies.map((d: { component: string }) => d.component)).toContain('provider:ovh');
    expect(r.transitions[0]).toMatchObject({ from: 'up', to: 'down', role: 'web' });
  });

  it('answers 404 with a stable code for an unknown site', async () => {
    const r = await app.inject('/api/sites/nowhere.test');
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('VIGIE_NOT_FOUND');
  });

  it.each([
    ['/api/sites?limit=0', 'VIGIE_BAD_REQUEST'],
    ['/api/sites?limit=abc', 'VIGIE_BAD_REQUEST'],
    ['/api/sites?state=sideways', 'VIGIE_BAD_REQUEST'],
    ['/api/sites?bogus=1', 'VIGIE_BAD_REQUEST'],
    ['/api/incidents?status=maybe', 'VIGIE_BAD_REQUEST'],
    ['/api/components?kind=planet', 'VIGIE_BAD_REQUEST'],
    ['/api/whatif', 'VIGIE_BAD_REQUEST'],
    ['/api/events?types=nothing', 'VIGIE_BAD_REQUEST'],
  ])('GET %s → 400 %s', async (url, code) => {
    const r = await app.inject(url);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe(code);
  });

  it('adds sites with the token and tells the pipeline', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: auth,
      payload: { sites: [{ domain: 'New-Site.Example', tags: ['x'] }] },
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({ added: ['new-site.example'] });
    expect((await f.store.getSite('new-site.example'))?.tags).toEqual(['x']);
    expect((await app.inject('/api/sites/new-site.example')).json().site.state).toBe('unknown');
    expect(f.changes[0].added[0].domain).toBe('new-site.example');
  });

  it('removes a site with the token', async () => {
    const r = await app.inject({ method: 'DELETE', url: '/api/sites/news.test', headers: auth });
    expect(r.json()).toEqual({ removed: ['news.test'] });
    expect(await f.store.getSite('news.test')).toBeNull();
    expect((await app.inject('/api/sites/news.test')).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/sites/news.test', headers: auth })).statusCode,
    ).toBe(404);
  });

  it.each([
    ['', 'no header'],
    ['Bearer wrong-token', 'wrong token'],
    [`Basic ${TOKEN}`, 'wrong scheme'],
  ])('refuses writes without the right token (%s %s)', async (authorization: string, _case: string) => {
    const headers = authorization ? { authorization } : {};
    for (const req of [
      { method: 'POST' as const, url: '/api/sites', payload: { sites: [{ domain: 'a.example' }] } },
      { method: 'DELETE' as const, url: '/api/sites/news.test' },
      { method: 'POST' as const, url: '/api/incidents/inc-2/acknowledge', payload: {} },
    ]) {
      const r = await app.inject({ ...req, headers });
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('VIGIE_UNAUTHORIZED');
    }
  });

  it('refuses every write when no token is configured', async () => {
    const ro = await f.build({ tokenHash: null });
    const r = await ro.inject({ method: 'DELETE', url: '/api/sites/news.test', headers: auth });
    expect(r.json().code).toBe('VIGIE_UNAUTHORIZED');
  });

  it.each([
    ['{"sites": [', 'VIGIE_MALFORMED_JSON'],
    ['{"sites": []}', 'VIGIE_BAD_REQUEST'],
    ['{"sites": [{"domain": "a.example", "extra": 1}]}', 'VIGIE_BAD_REQUEST'],
    ['{"sites": [{"domain": 42}]}', 'VIGIE_BAD_REQUEST'],
    ['{"sites": [{"domain": "bad..name"}]}', 'VIGIE_INVALID_DOMAIN'],
    ['{"sites": [{"domain": "shop.123"}]}', 'VIGIE_INVALID_DOMAIN'],
  ])('POST /api/sites %s → 400 %s', async (payload, code) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: { ...auth, 'content-type': 'application/json' },
      payload,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe(code);
  });

  it('answers 415 with a stable code for a body that is not JSON', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: { ...auth, 'content-type': 'application/xml' },
      payload: '<sites/>',
    });
    expect(r.statusCode).toBe(415);
    expect(r.json().code).toBe('VIGIE_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('SSRF: targets the policy refuses', () => {
  const add = (domain: string) =>
    app.inject({ method: 'POST', url: '/api/sites', headers: auth, payload: { sites: [{ domain }] } });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['127.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['[::1]', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:169.254.169.254]', 'metadata'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'private'],
  ])('refuses %s (%s)', async (domain, cls) => {
    const r = await add(domain);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'VIGIE_TARGET_REFUSED', details: { class: cls } });
    expect(await f.store.getSite(domain)).toBeNull();
  });

  it('refuses a name resolving to a private address when a resolver is given', async () => {
    const guarded = await f.build({
      resolveHost: async (h) => (h === 'intranet.example' ? ['10.1.2.3'] : ['93.184.216.34']),
    });
    const r = await guarded.inject({
      method: 'POST',
      url: '/api/sites',
      headers: auth,
      payload: { sites: [{ domain: 'intranet.example' }] },
    });
    expect(r.json()).toMatchObject({ code: 'VIGIE_TARGET_REFUSED', details: { class: 'private' } });
  });

  it('accepts private targets when explicitly allowed', async () => {
    const sim = await f.build({ policy: new TargetPolicy({ allowPrivate: true }) });
    const r = await sim.inject({
      method: 'POST',
      url: '/api/sites',
      headers: auth,
      payload: { sites: [{ domain: '127.17.1.1' }] },
    });
    expect(r.statusCode).toBe(201);
  });
});

describe('incidents, components, what-if, concentration', () => {
  it('lists incidents with status and evidence', async () => {
    const all = (await app.inject('/api/incidents')).json().incidents;
    expect(all.map((i: { id: string }) => i.id)).toEqual(['inc-2', 'inc-1']);
    const open = (await app.inject('/api/incidents?status=open')).json().incidents;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: 'monitoring', restored: 0.833, components: ['provider:ovh'] });
    const resolved = (await app.inject('/api/incidents?status=resolved')).json().incidents;
    expect(resolved[0]).toMatchObject({ id: 'inc-1', status: 'resolved' });
  });

  it('reads one incident with evidence, exonerations and timeline', async () => {
    const i = (await app.inject('/api/incidents/inc-2')).json();
    expect(i.evidence[0]).toMatch(/6 of 6 failing/);
    expect(i.exonerated[0].provider).toBe('cloudflare');
    expect(i.timeline).toHaveLength(3);
    expect((await app.inject('/api/incidents/inc-99')).json().code).toBe('VIGIE_NOT_FOUND');
  });

  it('acknowledges an incident with the token', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/incidents/inc-2/acknowledge',
      headers: auth,
      payload: { note: 'OVH confirms a router fault' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().acknowledged).toMatchObject({ note: 'OVH confirms a router fault', at: f.clock.now() });
    const missing = await app.inject({
      method: 'POST',
      url: '/api/incidents/nope/acknowledge',
      headers: auth,
      payload: {},
    });
    expect(missing.statusCode).toBe(404);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/incidents/inc-2/acknowledge',
      headers: auth,
      payload: { note: 5 },
    });
    expect(bad.json().code).toBe('VIGIE_BAD_REQUEST');
  });

  it('gives components their state, failing dependents and exonerations', async () => {
    const cs = (await app.inject('/api/components')).json().components;
    const byId = Object.fromEntries(cs.map((c: { id: string }) => [c.id, c]));
    // Blamed by the open incident, but 1 of its 6 sites fails now: a partial outage, not "down".
    expect(byId['provider:ovh']).toMatchObject({
      state: 'partial_outage',
      sites: 6,
      failing: 1,
      incidents: ['inc-2'],
    });
    expect(byId['provider:cloudflare']).toMatchObject({ state: 'operational', sites: 5, failing: 0 });
    expect(byId['provider:cloudflare'].exonerations[0]).toMatchObject({ incident: 'inc-2' });
    expect((await app.inject('/api/components?kind=region')).json().components).toHaveLength(1);
    expect((await app.inject('/api/providers')).json().components).toHaveLength(3);
    expect((await app.inject('/api/components/region:ovh/sbg')).json()).toMatchObject({
      kind: 'region',
      sites: 6,
    });
    expect((await app.inject('/api/components/provider:nope')).statusCode).toBe(404);
  });

  it('answers what-if with the blast radius, 404 for an unknown component', async () => {
    const r = (await app.inject('/api/whatif?component=provider:cloudflare&limit=2')).json();
    expect(r).toMatchObject({ key: 'provider:cloudflare', count: 5, byRole: { cdn: 5 } });
    expect(r.sites).toHaveLength(2);
    expect((await app.inject('/api/whatif?component=provider:nope')).json().code).toBe('VIGIE_NOT_FOUND');
  });

  it('answers concentration per role with HHI', async () => {
    const r = (await app.inject('/api/concentration')).json();
    expect(r.sites).toBe(12);
    expect(r.roles.dns).toMatchObject({ hhi: 10000 });
    expect(r.overall[0]).toMatchObject({ provider: 'ovh', sites: 6 });
  });

  it('lists vantages and health', async () => {
    f.bus.publish('vantage', {
      vantage: 'paris',
      healthy: false,
      at: f.clock.now(),
      reason: 'resolver timeout',
    });
    expect((await app.inject('/api/vantages')).json().vantages[0]).toMatchObject({
      vantage: 'paris',
      healthy: false,
    });
    expect((await app.inject('/api/health')).json()).toMatchObject({ ok: true, sites: 12, openIncidents: 1 });
  });
});

describe('rate limits and the rest', () => {
  it('answers 429 with a stable code past the limit, except /metrics', async () => {
    const limited = await f.build({ rateLimit: { max: 3, windowMs: 60_000 } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await limited.inject('/api/v2/status.json')).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const r = await limited.inject('/api/sites');
    expect(r.json().code).toBe('VIGIE_RATE_LIMITED');
    expect(r.headers['retry-after']).toBeDefined();
    expect((await limited.inject('/metrics')).statusCode).toBe(200);
  });

  it('answers 404 with a stable code for an unknown route', async () => {
    const r = await app.inject('/api/nothing');
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('VIGIE_NOT_FOUND');
  });

  it('publishes OpenAPI 3 describing every route', async () => {
    const doc = (await app.inject('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    const routes = app.printRoutes({ commonPrefix: false });
    for (const path of [
      '/api/sites',
      '/api/sites/{domain}',
      '/api/incidents/{id}/acknowledge',
      '/api/v2/summary.json',
      '/api/v2/incidents/unresolved.json',
      '/api/incidents.atom',
      '/api/events',
      '/metrics',
      '/api/whatif',
      '/api/concentration',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(routes).toContain('summary.json');
    expect(doc.paths['/api/sites'].post.security).toEqual([{ bearer: [] }]);
  });
});
