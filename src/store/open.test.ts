import { describe, expect, it } from 'vitest';
import { openStore, parseStoreUrl } from './open.ts';

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
