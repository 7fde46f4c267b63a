/**
 * SQLite through better-sqlite3, the embedded default.
 *
 * Durability: the database runs in WAL mode. With `synchronous=NORMAL` (the default here) a commit
 * is appended to the WAL file before the call returns, so it survives the process being killed
 * (`kill -9`, a crash of Node) — which is what state transitions require — but the last commits may
 * be lost if the operating system crashes or power fails before the WAL is synced. `synchronous=full`
 * (`sqlite:PATH?synchronous=full`) syncs the WAL on every commit and survives that too, at a cost on
 * every flush.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Backend } from '../backend.ts';
import { runMigrations } from '../migrate.ts';
import { countTables, type Schema } from '../schema.ts';
import type { TableStats } from '../types.ts';
import { sqliteMigrations } from './migrations.ts';

/** Options of a SQLite store, from its URL. */
export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  path: string;
  synchronous: 'normal' | 'full';
}

/** Open (creating if needed) a SQLite database. */
export function openSqlite(options: SqliteOptions): Backend {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const raw = new Database(options.path);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  // Another process (a CLI command reading while the observatory writes) waits instead of failing.
  raw.pragma('busy_timeout = 5000');
  // Every minute's flush touches a leaf page of every site in the site-ordered rollup and index
  // b-trees: a 64 MB page cache (default 2 MB) keeps them in memory (+70 % write rate at 10,000 sites).
  raw.pragma('cache_size = -65536');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  return {
    name: 'sqlite',
    db,
    // SQLITE_MAX_VARIABLE_NUMBER is 32,766 since SQLite 3.32; stay well under it.
    maxParams: 30_000,
    migrate: () => runMigrations(db as Kysely<unknown>, sqliteMigrations),
    tableStats: () => tableStats(db),
    close: () => db.destroy(),
  };
}

async function tableStats(db: Kysely<Schema>): Promise<Record<string, TableStats>> {
  // dbstat (compiled into better-sqlite3) gives the pages of each b-tree; indexes are charged to
  // their table.
  const sizes = await sql<{ name: string; bytes: number }>`
    SELECT m.tbl_name AS name, SUM(s.pgsize) AS bytes
    FROM dbstat s JOIN sqlite_schema m ON m.name = s.name
    GROUP BY m.tbl_name`.execute(db);
  return countTables(db, new Map(sizes.rows.map((r) => [r.name, r.bytes])));
}
