import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpReceiver, startSmtpReceiver } from '../../alerts/testing.ts';

function vigie(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/vigie.js', ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('vigie alerts test', () => {
  it('sends a test message per channel, reports failures, refuses bad configuration with exit 2', async () => {
    const rx = await startHttpReceiver({ secret: 'cli-test-secret-0123456789' });
    const smtp = await startSmtpReceiver();
    const dead = await startHttpReceiver({ status: () => 500 });
    const dir = mkdtempSync(join(tmpdir(), 'vigie-alerts-cli-'));
    const file = join(dir, 'vigie.yaml');
    writeFileSync(
      file,
      [
        'public_url: https://status.example.org',
        'alerts:',
        '  channels:',
        '    hook:',
        '      kind: webhook',
        `      url: ${rx.url}/hook`,
        '      secret_env: HOOK_SECRET',
        '    mail:',
        '      kind: email',
        `      host: ${smtp.host}`,
        `      port: ${smtp.port}`,
        '      from: vigie@example.org',
        '      to: [ops@example.org]',
        '    broken:',
        '      kind: slack',
        `      url: ${dead.url}/services/x`,
      ].join('\n'),
    );
    try {
      const env = { HOOK_SECRET: 'cli-test-secret-0123456789' };
      const ok = await vigie(['alerts', 'test', 'hook', '--config', file], env);
      expect([ok.code, ok.out]).toEqual([0, 'sent a test message on hook (webhook)\n']);
      expect(rx.received[0].signatureOk).toBe(true);
      expect((rx.received[0].json as { url: string }).url).toBe('https://status.example.org/#/incident/test');
      expect((await vigie(['alerts', 'test', 'mail', '--config', file], env)).code).toBe(0);
      expect(smtp.received[0].text).toContain('Test message from Vigie');
      const bad = await vigie(['alerts', 'test', 'broken', '--config', file], env);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('vigie: test message on broken (slack) not delivered: HTTP 500');
      expect(bad.err).not.toContain('/services/x');
      const unknown = await vigie(['alerts', 'test', 'nope', '--config', file], env);
      expect([unknown.code, unknown.err.trim()]).toEqual([
        2,
        `${file}: no alert channel named nope; channels: hook, mail, broken`,
      ]);
      const noEnv = await vigie(['alerts', 'test', 'hook', '--config', file], { HOOK_SECRET: '' });
      expect([noEnv.code, noEnv.err.trim()]).toEqual([
        2,
        `${file}:7: alerts.channels.hook.secret_env: environment variable HOOK_SECRET is not set`,
      ]);
    } finally {
      await Promise.all([rx.close(), smtp.close(), dead.close()]);
    }
  }, 60_000);
});
