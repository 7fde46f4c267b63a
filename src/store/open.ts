/**
 * `openStore(url)`: the one way to get a Store. The URL picks the backend:
 *   - `sqlite:PATH` (relative to the working directory), `sqlite::memory:`; `?synchronous=full`
 *     also survives an OS crash (see `sqlite/backend.ts`);
 *   - `postgres://USER@HOST:PORT/DB` (or `postgresql://`), `?schema=NAME` to keep Vigie's tables in
 *     their own schema.
 * Each backend's module is loaded only when used. A store that cannot be opened (a corrupt or foreign
 * SQLite file, a PostgreSQL server that refuses, does not answer, or refuses the user) is one
 * {@link StoreUnavailableError} naming the store and the reason: the CLI prints that line and exits 1.
 */
import { UsageError, VigieError } from '../errors.ts';
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

/** The store could not be opened or brought up to date; the message names it and says why. */
export class StoreUnavailableError extends VigieError {
  constructor(message: string) {
    super('VIGIE_STORE_UNAVAILABLE', message);
    this.name = 'StoreUnavailableError';
  }
}

/** How long opening a store may take (connecting and migrating) before it is given up. */
export const OPEN_TIMEOUT_MS = 20_000;

/**
 * Open the store at `url` and bring its schema up to date. Throws {@link UsageError} for a malformed
 * URL and {@link StoreUnavailableError} when the store cannot be opened within `openTimeoutMs`.
 */
export async function openStore(
  url: string = DEFAULT_STORE_URL,
  options: StoreOptions & { openTimeoutMs?: number } = {},
): Promise<Store> {
  const { openTimeoutMs = OPEN_TIMEOUT_MS, ...storeOptions } = options;
  const location = parseStoreUrl(url);
  let backend: Backend;
  try {
    backend = await openBackend(location);
  } catch (error) {
    throw unavailable(location, error);
  }
  const store = new KyselyStore(backend, storeOptions);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      store.migrate(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${Math.round(openTimeoutMs / 1000)} s`)),
          openTimeoutMs,
        );
      }),
    ]);
  } catch (error) {
    // Not awaited: closing a pool whose connection attempt hangs would hang too.
    backend.close().catch(() => {});
    throw unavailable(location, error);
  } finally {
    clearTimeout(timer);
  }
  return store;
}

/** One line naming the store (never its password) and the reason it could not be opened. */
function unavailable(location: StoreLocation, error: unknown): StoreUnavailableError {
  const e = error as { code?: string; message?: string };
  const reason = (e?.message ?? String(error)).split('\n')[0];
  if (location.kind === 'sqlite') {
    const hint =
      e?.code === 'SQLITE_NOTADB' || e?.code === 'SQLITE_CORRUPT'
        ? ' (not a SQLite database, or a damaged one: move it aside and Vigie starts a fresh store)'
        : '';
    return new StoreUnavailableError(`cannot open the SQLite store ${location.path}: ${reason}${hint}`);
  }
  const u = new URL(location.connectionString);
  const where = `${u.hostname || 'localhost'}:${u.port || 5432}`;
  const database = decodeURIComponent(u.pathname.slice(1)) || '(default)';
  const why = e?.code === 'ECONNREFUSED' ? 'connection refused (is PostgreSQL running there?)' : reason;
  return new StoreUnavailableError(
    `cannot open the PostgreSQL store at ${where}, database ${database}: ${why}`,
  );
}

async function openBackend(location: StoreLocation): Promise<Backend> {
  if (location.kind === 'sqlite') {
    const { openSqlite } = await import('./sqlite/backend.ts');
    return openSqlite(location);
  }
  const { openPostgres } = await import('./postgres/backend.ts');
  return openPostgres(location);
}
