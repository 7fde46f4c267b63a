/**
 * `vigie … | head`: when the reader of standard output goes away, the CLI stops quietly — no EPIPE
 * stack trace. A command that is done at once exits 0; a long-running one (here `vigie demo`) stops
 * as on SIGTERM, its world child process with it.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDemoCli, startVigie, waitFor } from '../../test/support/cli.ts';

/** Processes whose command line contains `text` (from /proc). */
function processesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('standard output closed by its reader', () => {
  it.each([['map', '--help'], ['--help']])('vigie %s … exits 0 without a stack trace', async (...args) => {
    const child = startVigie(args);
    // As `| head -0` would: the reading end is closed before the help is written.
    child.proc.stdout?.destroy();
    expect(await child.exited()).toBe(0);
    expect(child.output()).toBe('');
  });

  it('vigie demo stops as on SIGTERM, its world with it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-epipe-'));
    const child = startDemoCli(dir, '--port', '0');
    try {
      await waitFor(child, /^Dashboard: /m, 30_000);
      // The reader goes: the demo's next line (when its world has started) meets a closed pipe.
      child.proc.stdout?.destroy();
      const code = await Promise.race([
        child.exited(),
        new Promise((r) => setTimeout(() => r('still running after 30 s'), 30_000)),
      ]);
      expect(code, child.output()).toBe(0);
      expect(child.output()).not.toMatch(/EPIPE|Error|\n {4}at /);
      // Its world (`vigie sim serve … --state-dir DIR/world`) stopped too.
      expect(processesWith(join(dir, 'world'))).toEqual([]);
    } finally {
      await child.stop();
    }
  });
});
