/**
 * The lists the dashboard reads come a page at a time, with a default and a maximum: incidents
 * (by scope: shared cause or one site), components and providers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, fixture, OPEN, T0 } from '../../../test/support/server.ts';

let f: Fixture;
let app: Awaited<ReturnType<Fixture['build']>>;

beforeAll(async () => {
  f = await fixture();
  for (let k = 1; k <= 120; k++)
    f.snapshot.applyIncident({
      ...OPEN,
      id: `inc-lone-${k}`,
      cause: { ...OPEN.cause, provider: null, asn: null, name: null, component: `site:lone-${k}.test` },
      startedAt: T0 + k * 1000,
      affected: [`lone-${k}.test`],
      exonerated: [],
    });
  app = await f.build({ rateLimit: false });
});
afterAll(async () => {
  await f?.close();
});

const json = async (url: string) => {
  const r = await app.inject(url);
  expect(r.statusCode).toBe(200);
  return r.json();
};

describe('paging', () => {
  it('incidents: by scope, with total, limit and offset', async () => {
    const shared = await json('/api/incidents?status=open&scope=shared');
    expect(shared.total).toBe(1);
    expect(shared.incidents.map((i: { id: string }) => i.id)).toEqual([OPEN.id]);
    const lone = await json('/api/incidents?status=open&scope=site&limit=1');
    expect(lone.total).toBe(120);
    expect(lone.incidents).toHaveLength(1);
    const page2 = await json('/api/incidents?status=open&scope=site&limit=50&offset=50');
    expect(page2.incidents).toHaveLength(50);
    expect(page2.incidents[0].id).toBe('inc-lone-70');
    // The default page is 50; more than 500 at once is refused.
    expect((await json('/api/incidents')).incidents).toHaveLength(50);
    expect((await app.inject('/api/incidents?limit=501')).json().code).toBe('VIGIE_BAD_REQUEST');
    expect((await app.inject('/api/incidents?scope=nope')).json().code).toBe('VIGIE_BAD_REQUEST');
  });

  it('components and providers: total, limit, offset, and the affected and provider filters', async () => {
    const all = await json('/api/components');
    expect(all.total).toBe(4);
    const page = await json('/api/components?limit=2&offset=1');
    expect(page.components.map((c: { id: string }) => c.id)).toEqual(
      all.components.slice(1, 3).map((c: { id: string }) => c.id),
    );
    expect(page.total).toBe(4);
    const affected = await json('/api/components?kind=provider&affected=true');
    expect(affected.components.map((c: { id: string }) => c.id)).toEqual(['provider:ovh']);
    const ovh = await json('/api/components?provider=ovh');
    expect(ovh.components.map((c: { id: string }) => c.id).sort()).toEqual([
      'provider:ovh',
      'region:ovh/sbg',
    ]);
    expect((await json('/api/providers?limit=1')).components).toHaveLength(1);
    expect((await app.inject('/api/components?limit=10001')).json().code).toBe('VIGIE_BAD_REQUEST');
  });
});
