import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.ts';
import { startWorld } from './world.ts';

const TEXT = `
name: ports-test
start: 2021-01-01T00:00
end: 2021-01-01T01:00
providers: [{id: h, name: H, asn: 64501, roles: [hosting, dns]}]
sites: [{domain: "s-{n}.test", count: 3, hosting: {provider: h, plan: shared}}]
`;

describe('ports', () => {
  it('refuses to start a second world on ports in use, with a clear error and nothing left running', async () => {
    const scenario = parseScenario(TEXT, 'ports.yaml');
    const a = await startWorld(scenario, {
      stateDir: mkdtempSync(join(tmpdir(), 'vigie-ports-')),
      ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
    });
    try {
      const err = await startWorld(scenario, {
        stateDir: mkdtempSync(join(tmpdir(), 'vigie-ports-')),
        ports: a.info.ports,
      }).then(
        () => null,
        (e) => e,
      );
      expect(err?.code).toBe('VIGIE_PORT_IN_USE');
      expect(err?.message).toMatch(/already in use/);
      // The first world still answers: the failed start released only its own sockets.
      const res = await fetch(`${a.info.control}/world.json`);
      expect(res.status).toBe(200);
    } finally {
      await a.stop();
    }
  });

  it('exits 2 with file:line: field: message for a malformed scenario, starting nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `${TEXT}faults:\n  - {id: f, at: "+1m", target: {provider: nope}, effect: {kind: blackhole}}\n`,
    );
    const r = spawnSync(process.execPath, ['bin/vigie.js', 'sim', 'serve', file, '--port-base', '0'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:8: faults\[0\]\.target\.provider: /);
    expect(r.stdout).toBe('');
  });
});
