import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatAsnCsv } from './write.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function vigie(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/vigie.js', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('vigie asn', () => {
  it('prints the AS of an address from the real database', () => {
    const r = vigie('asn', '1.1.1.1');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^address\s+asn\s+organisation$/);
    expect(lines[1]).toMatch(/^1\.1\.1\.1\s+AS13335\s+Cloudflare/);
    expect(r.stderr).toBe('');
  });

  it('writes JSON lines, with null for unknown addresses', () => {
    const r = vigie('asn', '--json', '1.1.1.1', '10.0.0.1');
    expect(r.code).toBe(0);
    const [known, unknown] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(known).toMatchObject({ address: '1.1.1.1', asn: 13335, prefix: '1.1.1.0/24' });
    expect(unknown).toEqual({ address: '10.0.0.1', asn: null, org: null, prefix: null });
  });

  it('reads another table with --asn-db, shows - for unknown, exits 2 for an invalid address', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-asn-'));
    const db = join(dir, 'world.csv');
    writeFileSync(
      db,
      formatAsnCsv([{ start: '127.1.0.0', end: '127.1.0.255', asn: 64500, org: 'Sim, Inc.' }]),
    );
    const r = vigie('asn', '127.1.0.9', '127.2.0.1', 'not-an-ip', '--asn-db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an IP address: not-an-ip/);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^127\.1\.0\.9\s+AS64500\s+Sim, Inc\.$/);
    expect(lines[2]).toMatch(/^127\.2\.0\.1\s+-\s+-$/);
  });

  it('exits 2 with file:line for a malformed table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-asn-'));
    const db = join(dir, 'bad.csv');
    writeFileSync(db, '127.1.0.0,127.1.0.255,64500,Ok\n127.1.1.0,127.1.0.0,1,Backwards\n');
    const r = vigie('asn', '127.1.0.1', '--asn-db', db);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${db}:2: end: end is before start`);
  });
});
