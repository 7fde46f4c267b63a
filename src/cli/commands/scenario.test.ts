import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const vigie = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/vigie.js', ...args], { cwd: root, encoding: 'utf8' });

describe('vigie scenario', () => {
  it('check: exits 2 with located errors on a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-scenario-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'name: bad\nstart: 2021-10-13T08:30\nend: 2021-10-13T11:30\ncolour: red\n' +
        'providers:\n  - {id: ovh, asn: 16276, roles: [hosting]}\nsites:\n  - {domain: a.test, hosting: ovhh}\n',
    );
    const r = vigie('scenario', 'check', bad);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(new RegExp(`^${bad}:4: colour: unknown field`)),
    ]);
    writeFileSync(
      bad,
      'name: bad\nstart: 2021-10-13T08:30\nend: 2021-10-13T11:30\n' +
        'providers:\n  - {id: ovh, asn: 16276, roles: [hosting]}\nsites:\n  - {domain: a.test, hosting: ovhh}\n',
    );
    const r2 = vigie('scenario', 'check', bad);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(new RegExp(`^${bad}:7: sites\\[0\\]\\.hosting: unknown provider 'ovhh'`));
  });

  it('check: summarizes a valid file; expand prints the normalized JSON', () => {
    const file = 'src/lab/scenario/fixtures/format-example.yaml';
    const r = vigie('scenario', 'check', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /ovh-backbone-2021: 4 providers, 400 sites, 1 faults, 3h simulated, speed 60, ~400\.0 probes\/s/,
    );
    const e = vigie('scenario', 'expand', file, '--json');
    expect(e.status).toBe(0);
    const s = JSON.parse(e.stdout);
    expect(s.sites).toHaveLength(400);
    expect(s.faults[0].at).toBe(Date.UTC(2021, 9, 13, 7, 12));
  });
});
