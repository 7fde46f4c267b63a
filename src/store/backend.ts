/**
 * What a dialect provides to the shared store: a Kysely instance over the common schema, and the
 * few things that cannot be said portably (DDL, table sizes, limits). One implementation per
 * dialect, in `sqlite/` and `postgres/`; nothing else in the store knows which one it runs on.
 */
import type { Kysely } from 'kysely';
import type { Schema } from './schema.ts';
import type { TableStats } from './types.ts';

/** One database dialect behind the store. */
export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  readonly db: Kysely<Schema>;
  /** Most bound parameters one statement may carry. */
  readonly maxParams: number;
  /** Create or upgrade the schema. */
  migrate(): Promise<void>;
  /** Rows and bytes (indexes included) of each table of the schema. */
  tableStats(): Promise<Record<string, TableStats>>;
  /** Release the connection(s). */
  close(): Promise<void>;
}
