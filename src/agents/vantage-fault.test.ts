/**
 * Consensus through agents: three `Agent`s (in this process, each bound to its world vantage's
 * address) probe a world over the real NATS server; one vantage loses its network in the middle of
 * a real provider outage. Detection over the AgentFleet confirms the real outage only, from the
 * healthy vantages; the broken vantage is recognised (vantage health), shown degraded, and its
 * failures are neither an outage nor a regional problem.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, expect, it } from 'vitest';
import { AsnTable } from '../asn/table.ts';
import { InProcessBus } from '../bus/bus.ts';
import { loadCatalog } from '../catalog/load.ts';
import { PathWatch } from '../detect/consensus.ts';
import type { StateTransition, VantageHealthChange } from '../detect/types.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import { waitUntil } from '../lab/sim/testing.ts';
import { startWorld, type World } from '../lab/sim/world.ts';
import { Detection } from '../pipeline/watch.ts';
import { createProbeContext } from '../probe/context.ts';
import { Agent } from './agent.ts';
import { AgentFleet } from './fleet.ts';
import { deleteAll } from './setup.ts';
import { Names } from './subjects.ts';

const NATS = process.env.VIGIE_TEST_NATS ?? 'nats://127.0.0.1:4222';
const prefix = `vf${Math.random().toString(36).slice(2, 10)}`;
const T0 = Date.UTC(2021, 0, 1);
const MIN = 60_000;
const SCENARIO = `
name: agents-vantage-fault
start: 2021-01-01T00:00
end: 2021-01-01T01:00
speed: 30
probe_interval: 60s
providers:
${[1, 2, 3, 4, 5].map((i) => `  - {id: p${i}, name: P${i} NET, asn: ${64510 + i}, roles: [hosting, dns]}`).join('\n')}
sites:
${[1, 2, 3, 4, 5].map((i) => `  - {domain: "p${i}-{n}.test", count: 6, hosting: {provider: p${i}, plan: dedicated}}`).join('\n')}
faults:
  - {id: outage, at: "+3m", until: "+7m", target: {provider: p1, role: hosting}, effect: {kind: refuse}}
vantages:
  - id: v1
  - id: v2
    faults: [{at: "+3m", until: "+9m", effect: {kind: blackhole}}]
  - id: v3
`;

let world: World | undefined;
const conns: NatsConnection[] = [];

afterAll(async () => {
  const nc = await connect({ servers: NATS });
  await deleteAll(await jetstreamManager(nc), new Names(prefix));
  await nc.close();
  for (const c of conns) await c.close().catch(() => {});
  await world?.stop();
});

it('blames the real outage only when a vantage loses its network during it', async () => {
  world = await startWorld(parseScenario(SCENARIO, 'vantage-fault.yaml'), {
    stateDir: mkdtempSync(join(tmpdir(), 'vigie-vfault-')),
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  const w = world;
  const info = w.info;
  const core = await connect({ servers: NATS }).catch((e) => {
    throw new Error(`this test needs NATS with JetStream at ${NATS}: ${e.message}`);
  });
  conns.push(core);
  const bus = new InProcessBus((e) => {
    throw e;
  });
  const transitions: StateTransition[] = [];
  const health: VantageHealthChange[] = [];
  bus.subscribe('transition', (t) => transitions.push(t));
  bus.subscribe('vantage', (c) => health.push(c));
  let detection: Detection | undefined;
  const isHealthy = (v: string) => detection?.health.isHealthy(v) ?? true;
  const fleet = new AgentFleet({
    nc: core,
    bus,
    clock: w.clock,
    agents: ['v1', 'v2', 'v3'],
    prefix,
    intervalMs: info.probeIntervalMs,
    timeoutMs: 20_000,
    slowMs: 5_000,
    isHealthy,
  });
  detection = new Detection({
    bus,
    clock: w.clock,
    intervalMs: info.probeIntervalMs,
    asn: AsnTable.load(info.asnDb),
    reprobe: (s, k, v, d) => fleet.reprobe(s, k, v, d),
  });
  const paths = new PathWatch({ isHealthy });
  bus.subscribe('observation', (o) => paths.observe(o));
  fleet.add(w.plan.sites.map((s) => ({ domain: s.domain })));
  fleet.start();
  await fleet.ready;
  const catalog = loadCatalog();
  const ca = readFileSync(info.caFile, 'utf8');
  const agents: Agent[] = [];
  for (const v of info.vantages) {
    const nc = await connect({ servers: NATS, inboxPrefix: `_INBOX_${v.id}` });
    conns.push(nc);
    const real = (ms: number) => w.clock.toReal(ms);
    const agent = new Agent({
      nc,
      vantage: v.id,
      prefix,
      clock: w.clock,
      context: (s) =>
        createProbeContext({
          vantage: v.id,
          localAddress: v.address,
          resolver: info.resolver,
          ports: { http: info.ports.http, https: info.ports.https, smtp: info.ports.smtp },
          ca,
          timeouts: {
            dns: real(s.timeoutMs / 2),
            connect: real(s.timeoutMs),
            tls: real(s.timeoutMs),
            response: real(s.timeoutMs),
          },
          slowMs: s.slowMs,
          clock: w.clock,
          catalog,
        }),
    });
    await agent.start();
    agents.push(agent);
  }

  await waitUntil(w.clock, T0 + 6 * MIN);
  const downs = transitions.filter((t) => t.to === 'down');
  expect(new Set(downs.map((t) => t.site)).size).toBe(6);
  expect(downs.every((t) => t.site.startsWith('p1-') && t.signature === 'refused')).toBe(true);
  expect(downs.every((t) => !t.vantages.includes('v2'))).toBe(true);
  expect(transitions.filter((t) => !t.site.startsWith('p1-'))).toEqual([]);
  expect(health).toContainEqual(expect.objectContaining({ vantage: 'v2', healthy: false }));
  // Not asserted: that v1 and v3 are never flagged. Vantage health's "excess over the others" rule
  // compares shares over a window of a few observations, and with staggered slots the vantages of
  // that window probed different sites — the first to see the outage can be flagged for a moment
  // (reported to the detection side).
  const v2 = fleet.states().find((s) => s.vantage === 'v2')!;
  expect(v2.state).toBe('degraded');
  expect(paths.regional()).toEqual([]);
  for (const a of agents) await a.stop();
  await fleet.stop();
  detection.close();
}, 40_000);
