/**
 * The `vigie` command line run for real, as a child process (`node bin/vigie.js …` from the
 * repository's root), with its output kept: for the tests that start a command, wait for what it
 * prints and stop it as a user would (SIGTERM, then SIGKILL after 5 s).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin', 'vigie.js');

/** A child process, with its output kept for assertions and failure messages. */
export interface Child {
  proc: ChildProcess;
  /** Standard output and error, interleaved. */
  output: () => string;
  stdout: () => string;
  /** The exit code (null after a signal), once it has exited and its output is all read. */
  exited: () => Promise<number | null>;
  /** Whether it has exited and its output is all read. */
  readonly closed: boolean;
  stop(): Promise<void>;
}

/** Start `vigie ARGS…` in the repository's root, with nothing on its standard input. */
export function startVigie(args: string[]): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  proc.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
    stdout += b.toString();
  });
  proc.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  let closed = false;
  const exit = new Promise<number | null>((resolve) =>
    proc.once('close', (code) => {
      closed = true;
      resolve(code);
    }),
  );
  return {
    proc,
    output: () => out,
    stdout: () => stdout,
    exited: () => exit,
    get closed() {
      return closed;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        proc.kill('SIGTERM');
      }),
  };
}

/** Resolve with the first match of `re` in the child's output, or reject when it exits or times out. */
export function waitFor(child: Child, re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = child.output().match(re);
      if (m) {
        done();
        resolve(m);
      }
      return m !== null;
    };
    const fail = (why: string) => {
      done();
      reject(new Error(`${why}; output:\n${child.output().slice(-2000)}`));
    };
    const onClose = (code: number | null) => fail(`exited with ${code} before ${re}`);
    const timer = setTimeout(() => fail(`no ${re} within ${timeoutMs} ms`), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.proc.stdout?.off('data', check);
      child.proc.stderr?.off('data', check);
      child.proc.off('close', onClose);
    };
    child.proc.stdout?.on('data', check);
    child.proc.stderr?.on('data', check);
    child.proc.once('close', onClose);
    if (!check() && child.closed) onClose(child.proc.exitCode);
  });
}

/** The small OVH backbone replay (40 sites; OVH down 10 s in, the end at 30 s) the demo's tests replay. */
export const MINI_SCENARIO = 'test/browser/fixtures/ovh-backbone-mini.yaml';

/**
 * `vigie demo` replaying {@link MINI_SCENARIO} (or the `--scenario` in `extra`) on 127.0.0.1, its
 * worlds' files and stores in `stateDir`; `extra` adds or overrides options (`--port 0`, `--once`…).
 */
export function startDemoCli(stateDir: string, ...extra: string[]): Child {
  const scenario = extra.includes('--scenario') ? [] : ['--scenario', MINI_SCENARIO];
  return startVigie(['demo', ...scenario, '--host', '127.0.0.1', '--state-dir', stateDir, ...extra]);
}
