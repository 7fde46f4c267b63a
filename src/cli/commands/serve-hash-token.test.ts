/**
 * `vigie serve --hash-token` takes the token on standard input only: on the command line every user
 * of the machine would see it in `ps`, so there it is refused (exit 2) and nothing is hashed.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../../../test/support/cli.ts';
import { TokenVerifier } from '../../server/auth.ts';

const TOKEN = 'hash-token-test-0123456789abcdef';
const serve = (args: string[], input = '') =>
  spawnSync(process.execPath, [BIN, 'serve', ...args], { cwd: ROOT, input, encoding: 'utf8' });

describe('vigie serve --hash-token', () => {
  it('hashes a token read from standard input, and the hash verifies it', async () => {
    const r = serve(['--hash-token'], `${TOKEN}\n`);
    expect(r.status, r.stderr).toBe(0);
    const hash = r.stdout.trim();
    expect(hash).toMatch(/^sha256\$/);
    expect(hash).not.toContain(TOKEN);
    const v = new TokenVerifier(hash);
    expect(await v.verify(TOKEN)).toBe(true);
    expect(await v.verify(`${TOKEN}x`)).toBe(false);
  });

  it.each([
    ['a separate argument', ['--hash-token', TOKEN]],
    ['--hash-token=TOKEN', [`--hash-token=${TOKEN}`]],
  ])('refuses the token as %s: exit 2, nothing hashed', (_name, args) => {
    const r = serve(args, `${TOKEN}\n`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: (too many arguments|unknown option)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a token shorter than 16 characters', () => {
    const r = serve(['--hash-token'], 'short\n');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/at least 16 characters/);
  });
});
