/**
 * PostgreSQL through a `pg` pool. Commits are durable when they return (`synchronous_commit` is on
 * by default). `BIGINT` columns (times in ms) are parsed to numbers: every value Vigie stores is far
 * below 2^53. A store may live in its own schema (`?schema=NAME`): every connection gets it as its
 * `search_path`, and `migrate()` creates it.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Backend } from '../backend.ts';
import { runMigrations } from '../migrate.ts';
import { countTables, type Schema } from '../schema.ts';
import type { TableStats } from '../types.ts';
import { postgresMigrations } from './migrations.ts';

const INT8_OID = 20;

/** Options of a PostgreSQL store, from its URL. */
export interface PostgresOptions {
  connectionString: string;
  /** Schema holding Vigie's tables; default `public`. */
  schema: string;
  /** Pool size; default 4. */
  max?: number;
}

/** Connect to PostgreSQL (lazily: the first query opens the first connection). */
export function openPostgres(options: PostgresOptions): Backend {
  const schema = options.schema;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 4,
    options: `-c search_path=${quoteIdent(schema)}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    name: 'postgres',
    db,
    // The wire protocol counts parameters in 16 bits.
    maxParams: 65_000,
    migrate: async () => {
      await sql.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`).execute(db);
      await runMigrations(db as Kysely<unknown>, postgresMigrations, schema);
    },
    tableStats: () => tableStats(db, schema),
    close: () => db.destroy(),
  };
}

/** Quote an identifier for PostgreSQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function tableStats(db: Kysely<Schema>, schema: string): Promise<Record<string, TableStats>> {
  const sizes = await sql<{ name: string; bytes: number }>`
    SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind = 'r'`.execute(db);
  return countTables(db, new Map(sizes.rows.map((r) => [r.name, r.bytes])));
}
