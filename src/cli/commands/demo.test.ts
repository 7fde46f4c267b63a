import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const vigie = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/vigie.js', ...args], { cwd: root, encoding: 'utf8' });

// The replay itself (world, pipeline, incidents, reports, live dashboard) is exercised end to end
// by the browser tests (test/browser): `vigie demo --scenario …` in a real browser.
describe('vigie demo', () => {
  it('exits 2 on a scenario it cannot find or read, before serving anything', () => {
    const r = vigie('demo', '--scenario', 'no-such-scenario', '--port', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/scenario not found: no-such-scenario/);
    expect(r.stdout).toBe('');
  });

  it('exits 1 when its port is taken', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'vigie-demo-'));
      const child = spawn(
        process.execPath,
        [
          'bin/vigie.js',
          'demo',
          '--scenario',
          'test/browser/fixtures/ovh-backbone-mini.yaml',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--state-dir',
          dir,
        ],
        { cwd: root },
      );
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`port ${port} is already in use on 127\\.0\\.0\\.1`));
    } finally {
      busy.close();
    }
  });
});
