/**
 * Running `vigie agent` processes from this machine — what `vigie sim run SCENARIO --agents N` does
 * with the scenario's vantages: one process per vantage, each bound to that vantage's source
 * address in the world (from its world.json), so a vantage fault of the scenario hits one agent only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface AgentProcessesOptions {
  /** NATS server URL. */
  nats: string;
  /** Deployment prefix (the core's). */
  prefix: string;
  /** The world's state directory (its world.json: resolver, ports, CA, clock, vantage addresses). */
  world: string;
  vantages: readonly string[];
  /** More arguments for one vantage's agent (e.g. `--audit FILE`). */
  args?(vantage: string): string[];
  /** Each line an agent writes on stderr (default: dropped). */
  onLog?(vantage: string, line: string): void;
  /** An agent exited on its own (not through {@link AgentProcesses.stop}). */
  onExit?(vantage: string, code: number | null, signal: NodeJS.Signals | null): void;
}

export interface AgentProcesses {
  readonly pids: Map<string, number>;
  /** Stop one agent with a signal (SIGKILL: as if its machine died); resolves once it has exited. */
  kill(vantage: string, signal?: NodeJS.Signals): Promise<void>;
  /** Start a stopped agent again (a new process, a new boot id). */
  restart(vantage: string): void;
  /** SIGTERM every agent (each publishes what it buffered), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/vigie.js', import.meta.url));

export function startAgentProcesses(o: AgentProcessesOptions): AgentProcesses {
  const children = new Map<string, ChildProcess>();
  const pids = new Map<string, number>();
  let stopping = false;
  const start = (v: string) => {
    const c = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        '--nats',
        o.nats,
        '--vantage',
        v,
        '--world',
        o.world,
        '--prefix',
        o.prefix,
        '--verbose',
        ...(o.args?.(v) ?? []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let rest = '';
    c.stderr!.setEncoding('utf8').on('data', (d: string) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop()!;
      for (const l of lines) o.onLog?.(v, l);
    });
    c.once('exit', (code, signal) => {
      if (!stopping && children.get(v) === c) o.onExit?.(v, code, signal);
    });
    children.set(v, c);
    if (c.pid) pids.set(v, c.pid);
  };
  for (const v of o.vantages) start(v);
  return {
    pids,
    kill: (v, signal = 'SIGTERM') => {
      const c = children.get(v);
      if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
      const done = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill(signal);
      return done;
    },
    restart: (v) => start(v),
    async stop(graceMs = 10_000) {
      stopping = true;
      const all = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
      for (const c of all) c.kill('SIGTERM');
      const exited = Promise.all(all.map((c) => new Promise((r) => c.once('exit', r))));
      const timer = setTimeout(() => {
        for (const c of all) if (c.exitCode === null) c.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
