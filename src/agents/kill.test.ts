/**
 * No observation lost, none counted twice, end to end: three `vigie agent` processes probe a real
 * simulated world and publish to the real NATS server; one is killed with SIGKILL mid-run and
 * started again, and the core is restarted, while they run. Every batch an agent had published (its
 * audit file, written once the stream acknowledged the batch) must reach the core's Bus exactly once.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import { startWorld, type World } from '../lab/sim/world.ts';
import { AgentFleet } from './fleet.ts';
import { type AgentProcesses, startAgentProcesses } from './processes.ts';
import { deleteAll } from './setup.ts';
import { Names } from './subjects.ts';

const NATS = process.env.VIGIE_TEST_NATS ?? 'nats://127.0.0.1:4222';
/** The NATS server with JetStream is required (never skipped): say so clearly when it is not there. */
const connectOrSay = (o: Parameters<typeof connect>[0] = {}) =>
  connect({ servers: NATS, ...o }).catch((e) => {
    throw new Error(`these tests need NATS with JetStream at ${NATS} (nats-server -js): ${e.message}`);
  });
const prefix = `vk${Math.random().toString(36).slice(2, 10)}`;
const dir = mkdtempSync(join(tmpdir(), 'vigie-kill-'));
const SCENARIO = `
name: agents-kill
start: 2021-01-01T00:00
end: 2021-01-01T04:00
speed: 30
probe_interval: 60s
providers:
${[1, 2, 3].map((i) => `  - {id: p${i}, name: P${i} NET, asn: ${64510 + i}, roles: [hosting, dns]}`).join('\n')}
sites:
${[1, 2, 3].map((i) => `  - {domain: "p${i}-{n}.test", count: 10, hosting: {provider: p${i}, plan: dedicated}}`).join('\n')}
vantages: [{id: v1}, {id: v2}, {id: v3}]
`;

let world: World | undefined;
let agents: AgentProcesses | undefined;
const conns: NatsConnection[] = [];

afterAll(async () => {
  await agents?.stop(1_000);
  const nc = await connectOrSay();
  await deleteAll(await jetstreamManager(nc), new Names(prefix));
  await nc.close();
  for (const c of conns) await c.close().catch(() => {});
  await world?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('loses and duplicates nothing across kill -9 of an agent and a restart of the core', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'vigie-kill-world-'));
  world = await startWorld(parseScenario(SCENARIO, 'kill.yaml'), {
    stateDir,
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  const sites = world.plan.sites.map((s) => ({ domain: s.domain }));
  const handed = new Map<string, number>();
  const bus = new InProcessBus((e) => {
    throw e;
  });
  let received = 0;
  bus.subscribe('observation', () => received++);
  const core = async () => {
    const nc = await connectOrSay();
    conns.push(nc);
    const fleet = new AgentFleet({
      nc,
      bus,
      clock: world!.clock,
      agents: ['v1', 'v2', 'v3'],
      prefix,
      intervalMs: world!.info.probeIntervalMs,
      timeoutMs: 15_000,
      slowMs: 5_000,
      limits: { ackWaitMs: 1_000 },
      trace: (source, seq) => {
        const id = `${source}:${seq}`;
        handed.set(id, (handed.get(id) ?? 0) + 1);
      },
    });
    fleet.add(sites);
    fleet.start();
    await fleet.ready;
    return { nc, fleet };
  };
  let c = await core();
  agents = startAgentProcesses({
    nats: NATS,
    prefix,
    world: stateDir,
    vantages: ['v1', 'v2', 'v3'],
    args: (v) => ['--audit', join(dir, `${v}.audit`)],
    onLog: (v, l) => void (process.env.VIGIE_TEST_VERBOSE && process.stderr.write(`${v}: ${l}\n`)),
  });
  const until = async (what: string, cond: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };
  const fromBoots = () => new Set([...handed.keys()].map((k) => k.slice(0, k.indexOf(':'))));
  await until(
    'observations from the three agents',
    () => new Set([...fromBoots()].map((b) => b.split('.')[0])).size === 3,
    15_000,
  );
  await sleep(800);

  // kill -9 of v2 mid-run, and a new v2 process.
  await agents.kill('v2', 'SIGKILL');
  agents.restart('v2');
  await sleep(500);

  // Restart of the core: delivered but unhandled batches come again after the ack wait.
  await c.fleet.stop();
  await c.nc.close();
  await sleep(500);
  c = await core();
  await until(
    'the new v2 process publishing',
    () => [...fromBoots()].filter((b) => b.startsWith('v2.')).length === 2,
    15_000,
  );
  await sleep(800);

  // Stop the agents (each publishes what it buffered), then let the core catch up.
  await agents.stop(15_000);
  const audited = new Set<string>();
  for (const v of ['v1', 'v2', 'v3']) {
    const file = join(dir, `${v}.audit`);
    expect(existsSync(file)).toBe(true);
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const [boot, seq, n] = line.split(' ');
      for (let i = 0; i < Number(n); i++) audited.add(`${v}.${boot}:${Number(seq) + i}`);
    }
  }
  const lost = () => [...audited].filter((id) => !handed.has(id));
  await until('every published observation at the core', () => lost().length === 0, 15_000).catch(() => {});
  const duplicates = [...handed.values()].filter((n) => n > 1).length;
  const v2boots = new Set([...audited].filter((id) => id.startsWith('v2.')).map((id) => id.split(':')[0]));
  expect(v2boots.size).toBe(2); // the killed process had published, and so did its successor
  expect(audited.size).toBeGreaterThan(50); // enough traffic to mean something, whatever the machine's load
  expect({ lost: lost().length, duplicates }).toEqual({ lost: 0, duplicates: 0 });
  expect(received).toBe(handed.size);
  await c.fleet.stop();
}, 60_000);
