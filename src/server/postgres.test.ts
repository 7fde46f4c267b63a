import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/server.ts';

/** The PostgreSQL server of the development machine and CI; override with VIGIE_TEST_POSTGRES. */
const SERVER = process.env.VIGIE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `vigie_server_${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

describe('the API over PostgreSQL', () => {
  it('serves sites, incidents and the Statuspage summary from a fresh schema, and writes', async () => {
    const f = await fixture(`${SERVER}?schema=${schema}`);
    try {
      const app = await f.build();
      expect((await app.inject('/api/sites/shop-1.test')).json().site.state).toBe('down');
      expect((await app.inject('/api/v2/summary.json')).json().status.indicator).toBe('major');
      const r = await app.inject({
        method: 'POST',
        url: '/api/sites',
        headers: { authorization: 'Bearer test-token-0123456789' },
        payload: { sites: [{ domain: 'pg.example' }] },
      });
      expect(r.statusCode).toBe(201);
      expect(await f.store.getSite('pg.example')).toEqual({ domain: 'pg.example' });
      expect((await app.inject('/api/whatif?component=provider:ovh')).json().count).toBe(6);
    } finally {
      await f.close();
    }
  });
});
