/**
 * Agents authenticate, and each is confined to its own subjects: against a nats-server of our own
 * (JetStream on, nkey users with the permissions of {@link agentPermissions}), an agent does its
 * work, but cannot publish another vantage's observations or heartbeats nor read its assignment,
 * and a connection without credentials is refused.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { type NatsConnection, nkeys } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.ts';
import { loadCatalog } from '../catalog/load.ts';
import { SystemClock } from '../clock/clock.ts';
import { createProbeContext } from '../probe/context.ts';
import { Agent } from './agent.ts';
import { encodeBatch } from './codec.ts';
import { connectNats } from './connect.ts';
import { AgentFleet } from './fleet.ts';
import { agentPermissions } from './permissions.ts';
import { Names } from './subjects.ts';

const NATS_SERVER = process.env.VIGIE_NATS_SERVER ?? '/usr/sbin/nats-server';
const dir = mkdtempSync(join(tmpdir(), 'vigie-nats-auth-'));
const prefix = 'vauth';
const names = new Names(prefix);
let server: ChildProcess;
let url = '';
const users = Object.fromEntries(['core', 'a1', 'a2'].map((u) => [u, nkeys.createUser()]));
const seedFile = (u: string) => join(dir, `${u}.nk`);
const conns: NatsConnection[] = [];

beforeAll(async () => {
  const pub = (u: string) => users[u].getPublicKey();
  const config = {
    listen: '127.0.0.1:-1',
    jetstream: { store_dir: join(dir, 'js') },
    authorization: {
      users: [
        { nkey: pub('core'), permissions: { publish: { allow: ['>'] }, subscribe: { allow: ['>'] } } },
        { nkey: pub('a1'), permissions: agentPermissions('a1', prefix) },
        { nkey: pub('a2'), permissions: agentPermissions('a2', prefix) },
      ],
    },
  };
  // The server reads JSON as its configuration format.
  writeFileSync(join(dir, 'nats.conf'), JSON.stringify(config, null, 1));
  for (const u of Object.keys(users))
    writeFileSync(seedFile(u), new TextDecoder().decode(users[u].getSeed()));
  server = spawn(NATS_SERVER, ['-c', join(dir, 'nats.conf'), '--ports_file_dir', dir], { stdio: 'ignore' });
  const end = Date.now() + 10_000;
  while (!url) {
    const f = readdirSync(dir).find((x) => x.endsWith('.ports'));
    if (f) {
      try {
        url = JSON.parse(readFileSync(join(dir, f), 'utf8')).nats[0];
      } catch {}
    }
    if (Date.now() > end) throw new Error(`${NATS_SERVER} did not start`);
    if (!url) await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  for (const c of conns) await c.close().catch(() => {});
  server?.kill('SIGTERM');
  await new Promise((r) => server?.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

const as = async (u: string) => {
  const nc = await connectNats({
    url,
    name: u,
    nkeySeed: seedFile(u),
    inboxPrefix: u === 'core' ? undefined : `_INBOX_${u}`,
  });
  conns.push(nc);
  return nc;
};

it('lets an agent work on its own subjects only, and refuses strangers', async () => {
  const core = await as('core');
  const bus = new InProcessBus();
  const seen: string[] = [];
  bus.subscribe('observation', (o) => seen.push(o.vantage));
  const clock = new SystemClock();
  const fleet = new AgentFleet({
    nc: core,
    bus,
    clock,
    agents: ['a1', 'a2'],
    prefix,
    intervalMs: 2_000,
    timeoutMs: 500,
    slowMs: 5_000,
    heartbeatMs: 200,
  });
  fleet.add(Array.from({ length: 10 }, (_, i) => ({ domain: `site-${i}.invalid` })));
  fleet.start();
  await fleet.ready;

  // a1, with its nkey, gets its assignment and its observations arrive (DNS to a closed port: failures, still observations).
  const a1nc = await as('a1');
  const agent = new Agent({
    nc: a1nc,
    vantage: 'a1',
    prefix,
    clock,
    context: (s) =>
      createProbeContext({
        vantage: 'a1',
        resolver: { address: '127.0.0.1', port: 9 },
        timeouts: { dns: 200 },
        slowMs: s.slowMs,
        clock,
        catalog: loadCatalog(),
      }),
  });
  await agent.start();
  const end = Date.now() + 10_000;
  while (!(agent.siteCount === 10 && seen.includes('a1'))) {
    if (Date.now() > end) throw new Error('a1 never got its work through');
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(fleet.states().find((s) => s.vantage === 'a1')!.state).toBe('healthy');

  // …but cannot speak for a2: its observations, its heartbeats, its assignment.
  const js = jetstream(a1nc, { timeout: 1_000 });
  const forged = encodeBatch(0, [
    {
      site: 'x.test',
      vantage: 'a2',
      time: 0,
      kind: 'http',
      outcome: 'down',
      signature: 'refused',
      timings: { total: 1 },
    },
  ]);
  await expect(js.publish(names.observations('a2', 'forged'), forged)).rejects.toThrow();
  a1nc.publish(names.heartbeat('a2'), JSON.stringify({ vantage: 'a2', boot: 'x', version: 0, windowMs: 1 }));
  const kv = await new Kvm(js).open(names.bucket, { allow_direct: true } as never);
  await expect(kv.get('a2')).rejects.toThrow();
  expect((await kv.get('a1'))?.json<{ sites: number }>().sites).toBe(10);
  await new Promise((r) => setTimeout(r, 500));
  expect(seen).not.toContain('a2');
  expect(fleet.states().find((s) => s.vantage === 'a2')!.state).toBe('gone');

  // No credentials: no connection.
  await expect(connect({ servers: url, reconnect: false })).rejects.toThrow();
  await agent.stop();
  await fleet.stop();
}, 30_000);
