import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, parseStoreUrl, StoreUnavailableError } from './open.ts';

describe('store URLs', () => {
  it.each([
    ['sqlite:.state/vigie.db', { kind: 'sqlite', path: '.state/vigie.db', synchronous: 'normal' }],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:', synchronous: 'normal' }],
    [
      'sqlite:/var/lib/vigie.db?synchronous=full',
      { kind: 'sqlite', path: '/var/lib/vigie.db', synchronous: 'full' },
    ],
    [
      'postgres://postgres@127.0.0.1:5432/test?schema=vigie',
      { kind: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:5432/test', schema: 'vigie' },
    ],
    [
      'postgresql://u:p@db/vigie?sslmode=disable',
      { kind: 'postgres', connectionString: 'postgresql://u:p@db/vigie?sslmode=disable', schema: 'public' },
    ],
  ])('parses %s', (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    'mysql://localhost/vigie',
    'vigie.db',
    'sqlite:',
    'sqlite:x.db?synchronous=off',
    'sqlite:x.db?journal=delete',
    'postgres://localhost/test?schema=Robert"); DROP',
  ])('rejects %s with a usage error', async (url) => {
    expect(() => parseStoreUrl(url)).toThrow(expect.objectContaining({ code: 'VIGIE_USAGE' }));
    await expect(openStore(url)).rejects.toMatchObject({ code: 'VIGIE_USAGE' });
  });

  it('names the accepted forms in the message', () => {
    expect(() => parseStoreUrl('mysql://x')).toThrow(/sqlite:PATH.*postgres:\/\//);
  });
});

describe('stores that cannot be opened', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-open-'));

  it.each([
    ['random bytes', randomBytes(8192)],
    ['a damaged SQLite header', Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)])],
  ])('a file of %s: one line naming the file and what to do', async (_name, bytes) => {
    const path = join(dir, `${_name.replace(/\W/g, '-')}.db`);
    writeFileSync(path, bytes);
    const err = await openStore(`sqlite:${path}`).catch((e) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.code).toBe('VIGIE_STORE_UNAVAILABLE');
    expect(err.message).toBe(
      `cannot open the SQLite store ${path}: file is not a database (not a SQLite database, or a damaged one: move it aside and Vigie starts a fresh store)`,
    );
  });

  it('a PostgreSQL port nobody listens on: connection refused, the password never shown', async () => {
    const err = await openStore('postgres://vigie:s3cret@127.0.0.1:1/test').catch((e) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.message).toBe(
      'cannot open the PostgreSQL store at 127.0.0.1:1, database test: connection refused (is PostgreSQL running there?)',
    );
  });

  it('a PostgreSQL server that refuses the user: its reason, the password never shown', async () => {
    const err = await openStore('postgres://nobody-here:s3cret@127.0.0.1:5432/test').catch((e) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.message).toMatch(
      /^cannot open the PostgreSQL store at 127\.0\.0\.1:5432, database test: .*nobody-here/,
    );
    expect(err.message).not.toContain('s3cret');
  });

  it('a server that accepts and never answers: given up after the open timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const err = await openStore(`postgres://vigie@127.0.0.1:${port}/test`, { openTimeoutMs: 500 }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err.message).toBe(
        `cannot open the PostgreSQL store at 127.0.0.1:${port}, database test: no answer within 1 s`,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
