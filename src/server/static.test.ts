import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, fixture, T0 } from '../../test/support/server.ts';

describe('the dashboard, served by the API', () => {
  let f: Fixture;
  const dir = mkdtempSync(join(tmpdir(), 'vigie-web-'));

  beforeAll(async () => {
    f = await fixture();
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><main id="main"></main>');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
    // The fixture's incidents and components, as the store would hold them.
    await f.store.addObservations([
      {
        site: 'shop-1.test',
        vantage: 'paris',
        time: T0 + 30_000,
        kind: 'http',
        outcome: 'down',
        signature: 'connect_timeout',
        phase: 'connect',
        timings: { dns: 2, total: 10_000 },
      },
      {
        site: 'shop-1.test',
        vantage: 'paris',
        time: T0 - 30_000,
        kind: 'http',
        outcome: 'up',
        signature: 'ok',
        timings: { dns: 2, connect: 1, ttfb: 3, total: 7 },
      },
    ]);
    await f.store.flush();
  });
  afterAll(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html and hashed assets with the security headers and cache policy', async () => {
    const app = await f.build({ dashboard: join(dir, 'dist') });
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<main id="main">');
    expect(index.headers['content-security-policy']).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    // API answers carry the headers too, and unknown paths keep the API's JSON 404.
    const missing = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('VIGIE_NOT_FOUND');
    expect(missing.headers['content-security-policy']).toBeDefined();
  });

  it('says how to build the dashboard when it is not built', async () => {
    const app = await f.build({ dashboard: join(dir, 'nothing-here') });
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
  });

  it('answers the dashboard reads: clock, a site’s probes, a component’s history', async () => {
    const app = await f.build({ dashboard: false });
    const time = (await app.inject({ method: 'GET', url: '/api/time' })).json();
    expect(time).toMatchObject({ now: T0 + 700_000, name: 'Vigie', timeZone: 'Etc/UTC' });

    const obs = await app.inject({ method: 'GET', url: '/api/sites/shop-1.test/observations' });
    expect(obs.statusCode).toBe(200);
    const rows = obs.json().observations as { time: number; signature: string; timings: { total: number } }[];
    expect(rows.map((r) => r.signature)).toEqual(['ok', 'connect_timeout']);
    expect(rows[0].timings.total).toBe(7);
    expect((await app.inject({ method: 'GET', url: '/api/sites/nope.test/observations' })).statusCode).toBe(
      404,
    );

    const history = await app.inject({ method: 'GET', url: '/api/history?component=provider:ovh' });
    expect(history.statusCode).toBe(200);
    const minutes = history.json().minutes as { count: number; failures: number }[];
    expect(minutes.reduce((n, m) => n + m.count, 0)).toBe(2);
    expect(minutes.reduce((n, m) => n + m.failures, 0)).toBe(1);
    expect(
      (await app.inject({ method: 'GET', url: '/api/history?component=provider:nope' })).statusCode,
    ).toBe(404);
  });
});
