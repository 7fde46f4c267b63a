/**
 * A restart of nats-server loses no published observation: against a nats-server of our own (file
 * storage in a temporary directory), an agent keeps publishing while the server is stopped and
 * started again on the same port; every batch the stream had acknowledged before the restart, and
 * every one the agent kept and published after it, reaches the core exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.ts';
import { loadCatalog } from '../catalog/load.ts';
import { SystemClock } from '../clock/clock.ts';
import { createProbeContext } from '../probe/context.ts';
import { Agent } from './agent.ts';
import { AgentFleet } from './fleet.ts';

const NATS_SERVER = process.env.VIGIE_NATS_SERVER ?? '/usr/sbin/nats-server';
const dir = mkdtempSync(join(tmpdir(), 'vigie-nats-restart-'));
let server: ChildProcess | undefined;
const conns: NatsConnection[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start the server (a free port the first time, the same one after) and return its URL. */
async function startServer(port: number | '-1'): Promise<string> {
  for (const f of readdirSync(dir)) if (f.endsWith('.ports')) rmSync(join(dir, f));
  server = spawn(
    NATS_SERVER,
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js'), '--ports_file_dir', dir],
    {
      stdio: 'ignore',
    },
  );
  const end = Date.now() + 10_000;
  for (;;) {
    const f = readdirSync(dir).find((x) => x.endsWith('.ports'));
    if (f) {
      try {
        return JSON.parse(readFileSync(join(dir, f), 'utf8')).nats[0];
      } catch {}
    }
    if (Date.now() > end) throw new Error(`${NATS_SERVER} did not start`);
    await sleep(50);
  }
}

async function stopServer(): Promise<void> {
  const s = server;
  if (!s || s.exitCode !== null) return;
  s.kill('SIGTERM');
  await new Promise((r) => s.once('exit', r));
}

afterAll(async () => {
  for (const c of conns) await c.close().catch(() => {});
  await stopServer();
  rmSync(dir, { recursive: true, force: true });
});

it('loses nothing across a restart of nats-server', async () => {
  const url = await startServer('-1');
  const port = Number(new URL(url).port);
  const opts = { servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 };
  const core = await connect(opts);
  const nc = await connect({ ...opts, inboxPrefix: '_INBOX_a1' });
  conns.push(core, nc);
  const clock = new SystemClock();
  const handed = new Map<string, number>();
  const stored: string[] = [];
  const fleet = new AgentFleet({
    nc: core,
    bus: new InProcessBus(),
    clock,
    agents: ['a1'],
    intervalMs: 1_000,
    timeoutMs: 300,
    slowMs: 5_000,
    heartbeatMs: 100,
    goneAfterMs: 60_000,
    limits: { ackWaitMs: 1_000 },
    trace: (source, seq) => handed.set(`${source}:${seq}`, (handed.get(`${source}:${seq}`) ?? 0) + 1),
  });
  fleet.add(Array.from({ length: 200 }, (_, i) => ({ domain: `site-${i}.invalid` })));
  fleet.start();
  await fleet.ready;
  const agent = new Agent({
    nc,
    vantage: 'a1',
    clock,
    flushMs: 50,
    maxBatch: 50,
    onStored: (seq, n) => {
      for (let i = 0; i < n; i++) stored.push(`a1.${agent.boot}:${seq + i}`);
    },
    // DNS to a closed port: every probe fails fast, and every one is an observation all the same.
    context: (s) =>
      createProbeContext({
        vantage: 'a1',
        resolver: { address: '127.0.0.1', port: 9 },
        timeouts: { dns: 100 },
        slowMs: s.slowMs,
        clock,
        catalog: loadCatalog(),
      }),
  });
  await agent.start();
  const until = async (what: string, cond: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };
  await until('observations flowing', () => stored.length > 200, 15_000);
  const before = stored.length;
  await stopServer();
  await sleep(1_000); // the agent goes on probing: its batches wait, unacknowledged
  expect(agent.bus.stats().buffered).toBeGreaterThan(0);
  await startServer(port);
  await until('observations after the restart', () => stored.length > before + 400, 20_000);
  await agent.stop();
  await until(
    'every stored observation at the core',
    () => stored.every((id) => handed.has(id)),
    15_000,
  ).catch(() => {});
  const lost = stored.filter((id) => !handed.has(id)).length;
  const duplicates = [...handed.values()].filter((n) => n > 1).length;
  expect({ lost, duplicates }).toEqual({ lost: 0, duplicates: 0 });
  expect(agent.bus.stats().retries).toBeGreaterThan(0);
  await fleet.stop();
}, 60_000);
