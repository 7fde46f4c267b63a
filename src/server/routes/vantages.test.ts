/**
 * The per-vantage API over real HTTP (the app listening on a free port, read with fetch): three
 * agent vantages, one of them gone, one failing alone; each vantage's state, heartbeat and probe
 * rate; the sites as one vantage sees them; one site from every vantage; from where an incident's
 * failure is seen; and all of it in the OpenAPI description.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, fixture, OPEN, T0 } from '../../../test/support/server.ts';
import type { Observation } from '../../model/observation.ts';
import type { AgentState } from '../status/types.ts';
import { VantageResults } from '../status/vantages.ts';

let f: Fixture;
let app: FastifyInstance;
let base: string;
const NOW = Date.now();

const obs = (
  site: string,
  vantage: string,
  outcome: Observation['outcome'],
  time = T0 + 600_000,
  kind: Observation['kind'] = 'http',
): Observation => ({
  site,
  vantage,
  time,
  kind,
  outcome,
  signature: outcome === 'down' ? 'connect_timeout' : outcome === 'degraded' ? 'slow' : 'ok',
  timings: { total: outcome === 'down' ? 10_000 : 40 },
});

const agents: AgentState[] = [
  { vantage: 'paris', state: 'healthy', reason: '', lastHeartbeat: NOW - 1500, probesPerS: 12.5, sites: 12 },
  {
    vantage: 'lyon',
    state: 'degraded',
    reason: 'its observations are implausible (vantage health)',
    lastHeartbeat: NOW - 800,
    probesPerS: 11,
    sites: 12,
  },
  {
    vantage: 'tokyo',
    state: 'gone',
    reason: 'heartbeats stopped',
    lastHeartbeat: NOW - 90_000,
    probesPerS: 0,
    sites: 0,
  },
];

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, read field by field like inject's `.json()`
async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, { headers: { accept: 'application/json' } });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  f = await fixture();
  f.snapshot.setAgents(() => agents);
  // Paris sees the OVH sites down, Lyon sees everything down (its own network), the rest is up.
  for (const s of ['shop-1.test', 'shop-2.test', 'shop-3.test', 'store-1.test', 'news.test']) {
    const ovh = s.startsWith('shop-');
    f.bus.publish('observation', obs(s, 'paris', ovh ? 'down' : 'up'));
    f.bus.publish('observation', obs(s, 'lyon', 'down'));
  }
  f.bus.publish('observation', obs('shop-1.test', 'paris', 'up', T0 + 500_000)); // older, arriving late
  f.bus.publish('observation', obs('shop-1.test', 'paris', 'up', T0 + 600_000, 'smtp'));
  f.bus.publish('observation', { ...obs('store-1.test', 'paris', 'down'), signature: 'probe_error' });
  f.bus.publish('vantage', {
    vantage: 'lyon',
    healthy: false,
    at: T0 + 590_000,
    reason: 'implausible spread',
  });
  f.bus.publish('transition', {
    site: 'shop-1.test',
    role: 'web',
    from: 'up',
    to: 'down',
    at: T0 + 600_000,
    since: T0 + 540_000,
    signature: 'connect_timeout',
    vantages: ['paris'],
  });
  app = await f.build({ rateLimit: false });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => f?.close());

describe('GET /api/vantages', () => {
  it('lists every vantage with its state, last heartbeat, probes per second and sites failing', async () => {
    const r = await get('/api/vantages');
    expect(r.status).toBe(200);
    const by = new Map(r.body.vantages.map((v: { vantage: string }) => [v.vantage, v]));
    expect([...by.keys()]).toEqual(['paris', 'lyon', 'tokyo']);
    expect(by.get('paris')).toMatchObject({
      kind: 'agent',
      state: 'healthy',
      healthy: true,
      lastHeartbeat: NOW - 1500,
      probesPerS: 12.5,
      sites: 12,
      failing: 3,
      lastObservation: T0 + 600_000,
    });
    expect((by.get('paris') as { heartbeatAgeMs: number }).heartbeatAgeMs).toBeGreaterThanOrEqual(1500);
    expect(by.get('lyon')).toMatchObject({
      state: 'degraded',
      healthy: false,
      reason: 'its observations are implausible (vantage health)',
      failing: 5,
    });
    expect(by.get('tokyo')).toMatchObject({
      state: 'gone',
      reason: 'heartbeats stopped',
      failing: 0,
      lastObservation: null,
    });
    expect((by.get('tokyo') as { heartbeatAgeMs: number }).heartbeatAgeMs).toBeGreaterThanOrEqual(90_000);
  });

  it('shows the self-check and local vantages too, without heartbeats', async () => {
    f.bus.publish('health', { reliable: true, at: T0 + 600_000, reason: 'measurements reliable' } as never);
    f.bus.publish('observation', obs('school.test', 'local', 'up'));
    const { body } = await get('/api/vantages');
    const self = body.vantages.find((v: { vantage: string }) => v.vantage === 'self-check');
    expect(self).toMatchObject({
      kind: 'self-check',
      state: 'healthy',
      lastHeartbeat: null,
      heartbeatAgeMs: null,
    });
    const local = body.vantages.find((v: { vantage: string }) => v.vantage === 'local');
    expect(local).toMatchObject({
      kind: 'local',
      state: 'healthy',
      sites: 1,
      failing: 0,
      lastHeartbeat: null,
    });
    expect(typeof local.probesPerS).toBe('number');
  });
});

describe('GET /api/vantages/{vantage}', () => {
  it('lists the sites as one vantage sees them, failing first, a page at a time', async () => {
    const r = await get('/api/vantages/paris');
    expect(r.status).toBe(200);
    expect(r.body.vantage).toMatchObject({ vantage: 'paris', state: 'healthy' });
    expect(r.body.total).toBe(5);
    expect(r.body.sites.map((s: { site: string }) => s.site)).toEqual([
      'shop-1.test',
      'shop-2.test',
      'shop-3.test',
      'news.test',
      'store-1.test',
    ]);
    // The late, older probe does not replace the newer one; the mail probe is a result of its own.
    expect(r.body.sites[0]).toEqual({
      site: 'shop-1.test',
      state: 'down',
      results: [
        { role: 'web', outcome: 'down', signature: 'connect_timeout', time: T0 + 600_000 },
        { role: 'mail', outcome: 'up', signature: 'ok', time: T0 + 600_000 },
      ],
    });
    // A probe error says nothing about the site: store-1 keeps its result.
    expect(r.body.sites[4].results[0]).toMatchObject({ outcome: 'up', signature: 'ok' });
    const page = await get('/api/vantages/lyon?state=down&q=shop&limit=2&offset=1');
    expect(page.body.total).toBe(3);
    expect(page.body.sites.map((s: { site: string }) => s.site)).toEqual(['shop-2.test', 'shop-3.test']);
  });

  it('answers an empty list for a known vantage without results, 404 for an unknown one, 400 for a bad filter', async () => {
    expect((await get('/api/vantages/tokyo')).body).toMatchObject({ total: 0, sites: [] });
    const missing = await get('/api/vantages/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('VIGIE_NOT_FOUND');
    const bad = await get('/api/vantages/paris?state=sideways');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VIGIE_BAD_REQUEST');
  });
});

describe('GET /api/sites/{domain}/vantages', () => {
  it('shows one site from every vantage, with the vantages that confirmed its failure', async () => {
    const r = await get('/api/sites/Shop-1.test/vantages');
    expect(r.status).toBe(200);
    expect(r.body.site).toBe('shop-1.test');
    expect(r.body.vantages).toEqual([
      {
        vantage: 'lyon',
        state: 'degraded',
        healthy: false,
        failing: true,
        confirmedFailure: false,
        results: [{ role: 'web', outcome: 'down', signature: 'connect_timeout', time: T0 + 600_000 }],
      },
      {
        vantage: 'paris',
        state: 'healthy',
        healthy: true,
        failing: true,
        confirmedFailure: true,
        results: [
          { role: 'web', outcome: 'down', signature: 'connect_timeout', time: T0 + 600_000 },
          { role: 'mail', outcome: 'up', signature: 'ok', time: T0 + 600_000 },
        ],
      },
    ]);
    expect((await get('/api/sites/school.test/vantages')).body.vantages).toHaveLength(1);
    expect((await get('/api/sites/nope.test/vantages')).status).toBe(404);
  });
});

describe('from where an incident is seen', () => {
  it('says, per vantage, how many affected sites it confirmed, sees failing, and probes', async () => {
    const r = await get(`/api/incidents/${OPEN.id}`);
    expect(r.status).toBe(200);
    expect(r.body.seenFrom).toEqual([
      { vantage: 'paris', confirmed: 1, failing: 3, probed: 3 },
      { vantage: 'lyon', confirmed: 0, failing: 3, probed: 3 },
    ]);
    // The list stays lean: "seen from" is for one incident.
    const list = await get('/api/incidents?status=open');
    expect(list.body.incidents[0].seenFrom).toBeUndefined();
  });

  it('keeps, once resolved, only the vantages that confirmed the failure', async () => {
    // news.test is seen now, but the resolved incident's failure was confirmed by no vantage here.
    expect((await get('/api/incidents/inc-1')).body.seenFrom).toEqual([]);
    f.bus.publish('transition', {
      site: 'news.test',
      role: 'web',
      from: 'up',
      to: 'down',
      at: T0 + 610_000,
      since: T0 + 600_000,
      signature: 'http_5xx',
      vantages: ['paris', 'lyon'],
    });
    expect((await get('/api/incidents/inc-1')).body.seenFrom).toEqual([
      { vantage: 'lyon', confirmed: 1 },
      { vantage: 'paris', confirmed: 1 },
    ]);
  });
});

describe('GET /api/paths', () => {
  it('lists the sites failing from some vantages only, and the site view says so, until it ends', async () => {
    const problem = {
      site: 'news.test',
      failingFrom: ['paris'],
      okFrom: ['frankfurt', 'lyon'],
      signature: 'connect_timeout' as const,
      since: T0 + 550_000,
    };
    f.bus.publish('path', { site: 'news.test', problem, at: T0 + 600_000 });
    f.bus.publish('path', {
      site: 'unknown.test',
      problem: { ...problem, site: 'unknown.test' },
      at: T0 + 600_000,
    });
    expect((await get('/api/paths')).body).toEqual({ paths: [problem] });
    expect((await get('/api/sites/news.test/vantages')).body.path).toEqual(problem);
    expect((await get('/api/sites/shop-2.test/vantages')).body.path).toBeNull();
    f.bus.publish('path', { site: 'news.test', problem: null, at: T0 + 700_000 });
    expect((await get('/api/paths')).body).toEqual({ paths: [] });
    expect((await get('/api/sites/news.test/vantages')).body.path).toBeNull();
  });
});

describe('OpenAPI', () => {
  it('describes the vantage routes and an incident’s seenFrom', async () => {
    const { body } = await get('/openapi.json');
    for (const p of [
      '/api/vantages',
      '/api/vantages/{vantage}',
      '/api/sites/{domain}/vantages',
      '/api/paths',
    ])
      expect(body.paths[p]?.get, p).toBeDefined();
    const schemas = JSON.stringify(body);
    expect(schemas).toContain('seenFrom');
    expect(schemas).toContain('heartbeatAgeMs');
    expect(schemas).toContain('"gone"');
  });
});

describe('VantageResults', () => {
  it('counts probes per real second over a sliding window, probe errors included', () => {
    let now = 1_000_000;
    const r = new VantageResults({ realNow: () => now });
    for (let s = 0; s < 12; s++) {
      for (let k = 0; k < 20; k++) r.observe(obs(`s${k}.test`, 'v', k % 4 ? 'up' : 'down', T0 + s * 1000));
      now += 1000;
    }
    expect(r.summary('v')).toMatchObject({ sites: 20, failing: 5, probesPerS: 20 });
    now += 60_000; // silent for a minute
    expect(r.summary('v')?.probesPerS).toBe(0);
    r.removeSite('s0.test');
    expect(r.summary('v')).toMatchObject({ sites: 19, failing: 4 });
  });
});
