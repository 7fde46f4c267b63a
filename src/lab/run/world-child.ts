/**
 * The simulated world of a run, in a child process: `vigie sim serve FILE --port-base 0`. The
 * pipeline then knows the world only as any outside client would — its `world.json` (resolver,
 * ports, CA, IP-to-AS table, range files, clock, vantages) and its sockets — and cannot reach the
 * fault engine, which lives in another process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { VigieError } from '../../errors.ts';
import type { WorldInfo } from '../../model/world.ts';

export interface WorldChild {
  info: WorldInfo;
  /** The child's pid (the only process this module ever signals). */
  pid: number;
  stop(): Promise<void>;
}

export interface WorldChildOptions {
  scenarioFile: string;
  stateDir: string;
  speed?: number;
  /** Have the world write its ground truth here (for the evaluator; the pipeline never reads it). */
  truthOut?: string;
  /** Where the world's own log lines go (default: dropped, but kept for error messages). */
  log?: (line: string) => void;
  /** Ports base+53, +80, +443, +25, +900 (default 0: free ports). */
  portBase?: number;
  /** How long to wait for the world to start, real ms (default 60 s). */
  startTimeoutMs?: number;
}

const BIN = fileURLToPath(new URL('../../../bin/vigie.js', import.meta.url));

/** Start the world and wait for its description (the first line it prints on stdout). */
export function startWorldChild(o: WorldChildOptions): Promise<WorldChild> {
  const args = [
    BIN,
    'sim',
    'serve',
    o.scenarioFile,
    '--state-dir',
    o.stateDir,
    '--port-base',
    String(o.portBase ?? 0),
  ];
  if (o.speed !== undefined) args.push('--speed', String(o.speed));
  if (o.truthOut) args.push('--truth-out', o.truthOut);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  let errBuf = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    errBuf += chunk;
    let i = errBuf.indexOf('\n');
    while (i >= 0) {
      const line = errBuf.slice(0, i);
      errBuf = errBuf.slice(i + 1);
      tail.push(line);
      if (tail.length > 20) tail.shift();
      o.log?.(line);
      i = errBuf.indexOf('\n');
    }
  });
  return new Promise<WorldChild>((resolve, reject) => {
    let out = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new VigieError('VIGIE_WORLD_START', `the world did not start: ${why}\n${tail.join('\n')}`));
    };
    const timer = setTimeout(() => fail('timed out'), o.startTimeoutMs ?? 60_000);
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code})`));
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (settled) return;
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      let info: WorldInfo;
      try {
        info = JSON.parse(out.slice(0, nl)) as WorldInfo;
      } catch {
        return fail(`unreadable description: ${out.slice(0, 200)}`);
      }
      settled = true;
      clearTimeout(timer);
      resolve({ info, pid: child.pid!, stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
