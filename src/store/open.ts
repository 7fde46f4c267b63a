/**
 * `openStore(url)`: the one way to get a Store. The URL picks the backend:
 *   - `sqlite:PATH` (relative to the working directory), `sqlite::memory:`; `?synchronous=full`
 *     also survives an OS crash (see `sqlite/backend.ts`);
 *   - `postgres://USER@HOST:PORT/DB` (or `postgresql://`), `?schema=NAME` to keep Vigie's tables in
 *     their own schema.
 * Each backend's module is loaded only when used.
 */
import { UsageError } from '../errors.ts';
import type { Backend } from './backend.ts';
import { KyselyStore } from './store.ts';
import type { Store, StoreOptions } from './types.ts';

/** Where Vigie keeps its state when nothing else is said. */
export const DEFAULT_STORE_URL = 'sqlite:.state/vigie.db';

const USAGE = 'expected sqlite:PATH, sqlite::memory: or postgres://USER@HOST:PORT/DATABASE[?schema=NAME]';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A parsed store URL. */
export type StoreLocation =
  | { kind: 'sqlite'; path: string; synchronous: 'normal' | 'full' }
  | { kind: 'postgres'; connectionString: string; schema: string };

/** Parse a store URL; throws `UsageError` (exit 2) naming what is wrong. */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    const [path, query = ''] = url.slice('sqlite:'.length).split('?', 2);
    if (path === '') throw new UsageError(`invalid store URL "${url}": no database path; ${USAGE}`);
    const params = new URLSearchParams(query);
    const synchronous = params.get('synchronous') ?? 'normal';
    if (synchronous !== 'normal' && synchronous !== 'full') {
      throw new UsageError(`invalid store URL "${url}": synchronous must be normal or full`);
    }
    for (const key of params.keys()) {
      if (key !== 'synchronous') throw new UsageError(`invalid store URL "${url}": unknown option ${key}`);
    }
    return { kind: 'sqlite', path, synchronous };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`invalid store URL "${url}": ${USAGE}`);
    }
    const schema = parsed.searchParams.get('schema') ?? 'public';
    if (!SCHEMA_NAME.test(schema)) {
      throw new UsageError(`invalid store URL "${url}": schema must match ${SCHEMA_NAME.source}`);
    }
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', connectionString: parsed.toString(), schema };
  }
  throw new UsageError(`invalid store URL "${url}": ${USAGE}`);
}

/** Open the store at `url` and bring its schema up to date. */
export async function openStore(url: string = DEFAULT_STORE_URL, options: StoreOptions = {}): Promise<Store> {
  const location = parseStoreUrl(url);
  const backend = await openBackend(location);
  const store = new KyselyStore(backend, options);
  try {
    await store.migrate();
  } catch (error) {
    await backend.close();
    throw error;
  }
  return store;
}

async function openBackend(location: StoreLocation): Promise<Backend> {
  if (location.kind === 'sqlite') {
    const { openSqlite } = await import('./sqlite/backend.ts');
    return openSqlite(location);
  }
  const { openPostgres } = await import('./postgres/backend.ts');
  return openPostgres(location);
}
