import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKEN_HASH } from '../../test/support/server.ts';
import { InputError } from '../errors.ts';
import { parseServeConfig } from './config.ts';

function problems(text: string, env: NodeJS.ProcessEnv = {}, file = 'vigie.yaml'): string[] {
  try {
    parseServeConfig(text, file, env);
  } catch (e) {
    if (e instanceof InputError) return e.message.split('\n');
    throw e;
  }
  return [];
}

describe('serve configuration', () => {
  it('reads a valid file with defaults', () => {
    const c = parseServeConfig(
      `sites: [example.com, {domain: Shop.Example, mail: true}]\ntoken_hash: "${TOKEN_HASH}"\n`,
      'vigie.yaml',
    );
    expect(c.sites).toEqual([{ domain: 'example.com' }, { domain: 'shop.example', mail: true }]);
    expect(c).toMatchObject({
      store: 'sqlite:.state/vigie.db',
      listen: { host: '127.0.0.1', port: 8080 },
      vantage: 'local',
    });
    expect(c.allowPrivate).toBe(false);
  });

  it('locates every problem as file:line: field: message', () => {
    const out = problems(
      [
        'sites:',
        '  - example.com',
        '  - 2130706433',
        '  - bad..name',
        'listen: nowhere',
        'token_hash: x',
        'store: mysql://x',
        'colour: blue',
      ].join('\n'),
    );
    expect(out).toEqual([expect.stringMatching(/^vigie\.yaml:8: colour: unknown field/)]);
    const semantic = problems(
      [
        'sites:',
        '  - example.com',
        '  - 2130706433',
        '  - bad..name',
        'listen: nowhere',
        'token_hash: x',
        'store: mysql://x',
        'interval: soon',
      ].join('\n'),
    );
    expect(semantic).toEqual([
      expect.stringMatching(/^vigie\.yaml:3: sites\[1\]: 2130706433 is loopback/),
      expect.stringMatching(/^vigie\.yaml:4: sites\[2\]: bad\.\.name: not a valid domain name/),
      expect.stringMatching(/^vigie\.yaml:5: listen: expected HOST:PORT/),
      expect.stringMatching(/^vigie\.yaml:6: token_hash: /),
      expect.stringMatching(/^vigie\.yaml:7: store: invalid store URL/),
      expect.stringMatching(/^vigie\.yaml:8: interval: expected a duration/),
    ]);
  });

  it('reports YAML syntax errors and wrong types with lines', () => {
    expect(problems('sites: [a.example\n')[0]).toMatch(/^vigie\.yaml:\d+: yaml: /);
    expect(problems('listen: 80\nhttps: "yes"\n')).toEqual([
      'vigie.yaml:1: listen: must be string',
      'vigie.yaml:2: https: must be boolean',
    ]);
  });

  it('lets the environment override the file, checked the same way', () => {
    const c = parseServeConfig('store: sqlite:a.db\nlisten: 127.0.0.1:1\n', 'vigie.yaml', {
      VIGIE_STORE: 'postgres://vigie@127.0.0.1:5432/vigie',
      VIGIE_LISTEN: '[::1]:9000',
      VIGIE_TOKEN_HASH: TOKEN_HASH,
      VIGIE_ALLOW_PRIVATE: 'true',
    });
    expect(c).toMatchObject({
      store: 'postgres://vigie@127.0.0.1:5432/vigie',
      listen: { host: '::1', port: 9000 },
    });
    expect(c.tokenHash).toBe(TOKEN_HASH);
    expect(c.allowPrivate).toBe(true);
    expect(problems('listen: 127.0.0.1:1\n', { VIGIE_LISTEN: 'bad' })).toEqual([
      expect.stringMatching(/^environment:1: VIGIE_LISTEN: expected HOST:PORT/),
    ]);
  });

  it('allows private targets in simulation or when told to', () => {
    expect(parseServeConfig('sites: [127.17.1.1]\nallow_private: true\n', 'vigie.yaml').sites[0].domain).toBe(
      '127.17.1.1',
    );
    expect(parseServeConfig('sites: [0x7f.1]\nworld: .state/world\n', 'vigie.yaml').allowPrivate).toBe(true);
  });

  it('reads a list file and locates its problems in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-config-'));
    writeFileSync(join(dir, 'sites.txt'), '# watched\na.example\n\n169.254.169.254\n');
    const file = join(dir, 'vigie.yaml');
    expect(problems('sites_file: sites.txt\n', {}, file)).toEqual([
      expect.stringMatching(/sites\.txt:4: domain: 169\.254\.169\.254 is cloud metadata endpoint/),
    ]);
    writeFileSync(join(dir, 'sites.txt'), 'a.example\nb.example # comment\n');
    expect(parseServeConfig('sites_file: sites.txt\n', file).sites.map((s) => s.domain)).toEqual([
      'a.example',
      'b.example',
    ]);
  });
});
