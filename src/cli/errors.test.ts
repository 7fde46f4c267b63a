/**
 * What a user sees when the input or the store is bad: one located line per problem (exit 2), or
 * one line naming the store (exit 1); never a stack trace, and memory stays bounded (the CLI runs
 * here with a 256 MB heap).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'vigie-cli-errors-'));
const small = readFileSync(join(root, 'src/lab/scenario/fixtures/small.yaml'), 'utf8');

/** Run the CLI (a 256 MB heap); started at once, awaited by the tests. */
function vigie(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', 'bin/vigie.js', ...args], {
      cwd: root,
      env: { ...process.env, VIGIE_DEBUG: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 90_000,
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const bomb = [
  'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...'bcdefghi'.split('').map((c, i) => `x-${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
].join('\n');

// All started together (each CLI start costs seconds of TypeScript loading), checked one by one.
const huge = file('huge.yaml', small.replace('count: 3', 'count: 30000000'));
const bombFile = file('bomb.yaml', `${bomb}\n${small}`);
const bombConfig = file('bomb-config.yaml', `${bomb}\nsites: [shop.example]\n`);
const runs = {
  huge: vigie('scenario', 'check', huge),
  bomb: vigie('scenario', 'check', bombFile),
  bombConfig: vigie('serve', '--config', bombConfig),
  sqlite: vigie('watch', 'shop.example', '--store', `sqlite:${file('corrupt.db', randomBytes(8192))}`),
  postgres: vigie('watch', 'shop.example', '--store', 'postgres://127.0.0.1:1/test'),
};

describe('the CLI on bad input: one located line, exit 2, no stack trace, bounded memory', () => {
  it.each([
    [
      'count: 30000000',
      'huge',
      `^${huge}:18: sites\\[0\\]\\.count: must be at most 1,000,000 \\(got 30000000\\)$`,
    ],
    ['an alias bomb in a scenario', 'bomb', `^${bombFile}:3: yaml: aliases expand too much`],
    [
      'an alias bomb in the serve configuration',
      'bombConfig',
      `^${bombConfig}:3: yaml: aliases expand too much`,
    ],
  ] as const)('%s', async (_name, run, expected) => {
    const r = await runs[run];
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(expected))]);
    expect(r.status).toBe(2);
  });
});

describe('the CLI on a store it cannot open: one line, exit 1', () => {
  it.each([
    [
      'a corrupt SQLite file',
      'sqlite',
      /^vigie: cannot open the SQLite store .*corrupt\.db: file is not a database/,
    ],
    [
      'an unreachable PostgreSQL',
      'postgres',
      /^vigie: cannot open the PostgreSQL store at 127\.0\.0\.1:1, database test: connection refused/,
    ],
  ] as const)('watch --store with %s', async (_name, run, expected) => {
    const r = await runs[run];
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(expected)]);
    expect(r.status).toBe(1);
  });
});
