import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeStore } from './conformance.ts';

/** The PostgreSQL server of the development machine and CI; override with VIGIE_TEST_POSTGRES. */
const SERVER = process.env.VIGIE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `vigie_test_${randomBytes(4).toString('hex')}`;
const schemas: string[] = [];

describeStore({
  name: 'postgres',
  // One schema per test, created by the store's migration and dropped at the end.
  fresh: async () => {
    const schema = `${run}_${schemas.length + 1}`;
    schemas.push(schema);
    return `${SERVER}?schema=${schema}`;
  },
  cleanup: async () => {
    const client = new pg.Client({ connectionString: SERVER });
    await client.connect();
    try {
      for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    } finally {
      await client.end();
    }
  },
});
