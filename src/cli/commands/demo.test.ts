import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
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

  it('replays with another world already holding the default ports (10053, 10080…)', {
    timeout: 90_000,
  }, async () => {
    // What another world running on this machine holds: the default resolver and web ports.
    const udp = createSocket('udp4');
    const tcp = createServer();
    const web = createServer();
    const held = await Promise.all([
      new Promise<boolean>((r) => udp.once('error', () => r(false)).bind(10053, '127.1.0.53', () => r(true))),
      new Promise<boolean>((r) =>
        tcp.once('error', () => r(false)).listen(10053, '127.1.0.53', () => r(true)),
      ),
      new Promise<boolean>((r) =>
        web.once('error', () => r(false)).listen(10080, '127.16.0.1', () => r(true)),
      ),
    ]);
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
          '0',
          '--state-dir',
          dir,
          '--once',
        ],
        { cwd: root },
      );
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      child.stderr.on('data', (b: Buffer) => {
        out += b.toString();
      });
      // Mapped and watched: the world started on free ports, the pipeline reached it.
      for (let k = 0; k < 240 && !/mapped \d+\/\d+ sites/.test(out); k++)
        await new Promise((r) => setTimeout(r, 250));
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      expect(held.some(Boolean)).toBe(true); // at least one default port was really taken
      expect(out).toMatch(/mapped (\d+)\/\1 sites/);
      expect(out).not.toMatch(/replay of .* failed/);
    } finally {
      udp.close();
      tcp.close();
      web.close();
    }
  });
});
