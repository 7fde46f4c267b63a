import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture } from '../../../test/support/server.ts';
import { ReportService } from '../../reports/service.ts';

let f: Fixture;
let app: FastifyInstance;
let reports: ReportService;

beforeEach(async () => {
  f = await fixture();
  reports = new ReportService({ clock: f.clock, isWatched: (d) => f.snapshot.site(d) !== null });
  app = await f.build({ reports, dashboard: false });
});
afterEach(() => f.close());

const post = (payload: unknown, headers: Record<string, string> = {}, remoteAddress = '198.51.100.4') =>
  app.inject({ method: 'POST', url: '/api/v1/reports', payload: payload as object, headers, remoteAddress });

describe('POST /api/v1/reports', () => {
  it('counts a report (202), then answers duplicate (200) for the same reporter', async () => {
    const r = await post({ domain: 'Shop-1.test.', problem: 'site', country: 'fr', vantage: 'Paris' });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toEqual({ status: 'accepted' });
    const again = await post({ domain: 'shop-1.test', problem: 'login' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate', reason: 'reporter' });
    // Another user agent on the same address is another reporter.
    expect(
      (await post({ domain: 'shop-1.test', problem: 'site' }, { 'user-agent': 'other' })).statusCode,
    ).toBe(202);
  });

  it.each([
    [{ problem: 'site' }, 400, 'VIGIE_BAD_REQUEST'],
    [{ domain: 'shop-1.test', problem: 'weather' }, 400, 'VIGIE_BAD_REQUEST'],
    [{ domain: 'shop-1.test', problem: 'site', extra: 1 }, 400, 'VIGIE_BAD_REQUEST'],
    [{ domain: 'shop-1.test', problem: 'site', country: 'FRA' }, 400, 'VIGIE_BAD_REQUEST'],
    [{ domain: 'shop-1.test', problem: 'site', vantage: '<script>' }, 400, 'VIGIE_BAD_REQUEST'],
    [{ domain: 'not a domain', problem: 'site' }, 400, 'VIGIE_INVALID_DOMAIN'],
    [{ domain: '192.0.2.1', problem: 'site' }, 400, 'VIGIE_INVALID_DOMAIN'],
    [{ domain: 'unwatched.example', problem: 'site' }, 404, 'VIGIE_NOT_FOUND'],
  ])('%j → %d %s', async (payload, status, code) => {
    const r = await post(payload);
    expect(r.statusCode).toBe(status);
    expect(r.json().code).toBe(code);
  });

  it('answers 400 VIGIE_MALFORMED_JSON to broken JSON', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/reports',
      payload: '{"domain":',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('VIGIE_MALFORMED_JSON');
  });

  it('rate limits a reporter with 429 and retry-after', async () => {
    const domains = [
      'shop-1',
      'shop-2',
      'shop-3',
      'shop-4',
      'shop-5',
      'shop-6',
      'store-1',
      'store-2',
      'store-3',
      'store-4',
      'school',
    ];
    const codes: number[] = [];
    for (const d of domains) codes.push((await post({ domain: `${d}.test`, problem: 'site' })).statusCode);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(202));
    const r = await post({ domain: 'news.test', problem: 'site' });
    expect(r.statusCode).toBe(429);
    expect(r.json()).toMatchObject({ code: 'VIGIE_RATE_LIMITED', details: { scope: 'reporter' } });
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a flood from one network opens nothing, distinct networks do', async () => {
    for (let i = 0; i < 50; i++)
      await post({ domain: 'news.test', problem: 'app' }, { 'user-agent': `bot-${i}` });
    expect((await app.inject('/api/reports/news.test')).json().spike).toMatchObject({
      level: 'none',
      count: 3,
    });
    for (let i = 0; i < 5; i++) await post({ domain: 'news.test', problem: 'app' }, {}, `203.0.${i}.1`);
    const r = (await app.inject('/api/reports/news.test?minutes=5')).json();
    expect(r.spike).toMatchObject({ level: 'strong', count: 8 });
    expect(r.curve.counts).toHaveLength(5);
    expect(r.curve.peak).toBe(8);
    expect(r.curve.problems.app).toBe(8);
    expect((await app.inject('/api/reports')).json().spikes).toMatchObject([{ domain: 'news.test' }]);
  });

  it('publishes level changes on the Bus and the live stream', async () => {
    const seen: string[] = [];
    const svc = new ReportService({ clock: f.clock, isWatched: () => true, bus: f.bus });
    f.bus.subscribe('report', (c) => seen.push(`${c.subject}:${c.to}`));
    const live: string[] = [];
    f.snapshot.onChange((e) => live.push(e.type));
    for (let i = 0; i < 5; i++)
      svc.submit({ domain: 'school.test', problem: 'login' }, { address: `203.0.${i}.1`, userAgent: '' });
    svc.tick();
    expect(seen).toEqual(['school.test:strong']);
    expect(live).toEqual(['reports']); // on to /api/events as `event: reports`
  });

  it('answers 404 for the curve of an unknown site', async () => {
    const r = await app.inject('/api/reports/nowhere.test');
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('VIGIE_NOT_FOUND');
  });
});
