/**
 * Agents and the core over the real NATS server (127.0.0.1:4222, JetStream) against a real
 * simulated world: assignment to k vantages with staggered phases, refusal of unknown vantages,
 * idempotent ingestion, and an agent that disappears having its sites reassigned within one interval.
 * The agents run in this process here (kill -9 of agent processes is in kill.test.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.ts';
import { loadCatalog } from '../catalog/load.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import { startWorld, type World } from '../lab/sim/world.ts';
import type { Observation } from '../model/observation.ts';
import { createProbeContext } from '../probe/context.ts';
import { Agent } from './agent.ts';
import { vantagesOf } from './assign.ts';
import { encodeBatch } from './codec.ts';
import { AgentFleet } from './fleet.ts';
import { deleteAll } from './setup.ts';
import { Names } from './subjects.ts';

const NATS = process.env.VIGIE_TEST_NATS ?? 'nats://127.0.0.1:4222';
/** The NATS server with JetStream is required (never skipped): say so clearly when it is not there. */
const connectOrSay = (o: Parameters<typeof connect>[0] = {}) =>
  connect({ servers: NATS, ...o }).catch((e) => {
    throw new Error(`these tests need NATS with JetStream at ${NATS} (nats-server -js): ${e.message}`);
  });
const prefix = `vt${Math.random().toString(36).slice(2, 10)}`;
const names = new Names(prefix);
const SCENARIO = `
name: agents-test
start: 2021-01-01T00:00
end: 2021-01-01T02:00
speed: 30
probe_interval: 120s
providers:
${[1, 2, 3, 4, 5].map((i) => `  - {id: p${i}, name: P${i} NET, asn: ${64510 + i}, roles: [hosting, dns]}`).join('\n')}
sites:
${[1, 2, 3, 4, 5].map((i) => `  - {domain: "p${i}-{n}.test", count: 6, hosting: {provider: p${i}, plan: dedicated}}`).join('\n')}
vantages:
  - id: v1
  - id: v2
  - id: v3
`;

let world: World;
let core: NatsConnection;
const conns: NatsConnection[] = [];

beforeAll(async () => {
  world = await startWorld(parseScenario(SCENARIO, 'agents.yaml'), {
    stateDir: mkdtempSync(join(tmpdir(), 'vigie-agents-')),
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  core = await connectOrSay();
});

afterAll(async () => {
  for (const c of conns) await c.close().catch(() => {});
  if (core) {
    await deleteAll(await jetstreamManager(core), names);
    await core.close();
  }
  await world?.stop();
});

/** An agent of the world's vantage `id`, in this process, on its own connection. */
async function startAgent(id: string): Promise<Agent> {
  const nc = await connectOrSay({ inboxPrefix: `_INBOX_${id}` });
  conns.push(nc);
  const info = world.info;
  const address = info.vantages.find((v) => v.id === id)!.address;
  const catalog = loadCatalog();
  const agent = new Agent({
    nc,
    vantage: id,
    prefix,
    clock: world.clock,
    context: (s) =>
      createProbeContext({
        vantage: id,
        localAddress: address,
        resolver: info.resolver,
        ports: { http: info.ports.http, https: info.ports.https, smtp: info.ports.smtp },
        ca: readFileSync(info.caFile, 'utf8'),
        timeouts: { dns: 1000, connect: 1000, tls: 1000, response: 1000 },
        slowMs: s.slowMs,
        clock: world.clock,
        catalog,
      }),
  });
  await agent.start();
  return agent;
}

const until = async (what: string, cond: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('agents over JetStream', () => {
  it('assigns, staggers, refuses strangers, dedupes, and reassigns a vanished agent within one interval', async () => {
    const bus = new InProcessBus((e) => {
      throw e;
    });
    const seen: Observation[] = [];
    bus.subscribe('observation', (o) => seen.push(o));
    const intervalMs = world.info.probeIntervalMs;
    const intervalReal = world.clock.toReal(intervalMs);
    const fleet = new AgentFleet({
      nc: core,
      bus,
      clock: world.clock,
      agents: ['v1', 'v2', 'v3'],
      prefix,
      perSite: 2,
      intervalMs,
      timeoutMs: 20_000,
      slowMs: 5_000,
      heartbeatMs: 100,
    });
    const sites = world.plan.sites.map((s) => s.domain);
    fleet.add(sites.map((domain) => ({ domain })));
    fleet.start();
    await fleet.ready;
    const agents = new Map<string, Agent>();
    for (const v of ['v1', 'v2', 'v3']) agents.set(v, await startAgent(v));

    // Every site from exactly its two vantages (rendezvous over the three), within two intervals.
    const all = ['v1', 'v2', 'v3'];
    const want = new Map(sites.map((d) => [d, vantagesOf(d, all, 2)]));
    const from = () => {
      const m = new Map<string, Set<string>>();
      for (const o of seen) m.set(o.site, (m.get(o.site) ?? new Set()).add(o.vantage));
      return m;
    };
    await until(
      'every site probed from its two vantages',
      () => from().size === sites.length && [...from().values()].every((s) => s.size === 2),
      3 * intervalReal + 5_000,
    );
    for (const [d, vs] of from()) expect([...vs].sort()).toEqual([...want.get(d)!].sort());
    expect(fleet.states().map((s) => s.state)).toEqual(['healthy', 'healthy', 'healthy']);

    // Staggered: a site's second vantage probes it half an interval after its first.
    await until('a second round', () => seen.length >= 4 * sites.length, 3 * intervalReal);
    const gaps: number[] = [];
    for (const d of sites) {
      const [a, b] = want.get(d)!;
      const ta = seen.find((o) => o.site === d && o.vantage === a)!.time;
      const tb = seen.find((o) => o.site === d && o.vantage === b && o.time > ta)?.time;
      if (tb !== undefined) gaps.push((((tb - ta) % intervalMs) + intervalMs) % intervalMs);
    }
    gaps.sort((x, y) => x - y);
    const median = gaps[gaps.length >> 1] / intervalMs;
    expect(median).toBeGreaterThan(0.35);
    expect(median).toBeLessThan(0.65);

    // A batch from an unknown vantage is refused; a batch handed on twice (another message id) counts once.
    const js = jetstream(core);
    const sample: Observation = { ...seen[0], site: 'forged.test' };
    await js.publish(names.observations('intruder', 'x1'), encodeBatch(0, [sample]), { msgID: 'intruder-1' });
    const batch = encodeBatch(0, [{ ...sample, site: 'twice.test' }]);
    await js.publish(names.observations('v1', 'replay'), batch, { msgID: 'replay-a' });
    await js.publish(names.observations('v1', 'replay'), batch, { msgID: 'replay-b' });
    await until(
      'refusal and dedupe',
      () => fleet.ingestStats().refused >= 1 && fleet.ingestStats().duplicates >= 1,
      5_000,
    );
    expect(seen.filter((o) => o.site === 'forged.test')).toEqual([]);
    expect(seen.filter((o) => o.site === 'twice.test')).toHaveLength(1);

    // v3 disappears: within one interval, v1 and v2 hold every site (2 of 2 alive).
    const stoppedAt = Date.now();
    await agents.get('v3')!.stop();
    await until(
      'v1 and v2 to take over every site',
      () => agents.get('v1')!.siteCount === sites.length && agents.get('v2')!.siteCount === sites.length,
      2 * intervalReal,
    );
    const reassignedMs = Date.now() - stoppedAt;
    expect(reassignedMs).toBeLessThanOrEqual(intervalReal);
    expect(fleet.states().find((s) => s.vantage === 'v3')!.state).toBe('gone');
    expect(fleet.vantages()).toEqual(['v1', 'v2']);

    // It comes back: its sites come back to it.
    const v3 = await startAgent('v3');
    await until(
      'v3 to get its sites back',
      () => v3.siteCount > 0 && agents.get('v1')!.siteCount < sites.length,
      3 * intervalReal,
    );
    expect(v3.siteCount).toBe([...want.values()].filter((vs) => vs.includes('v3')).length);
    await v3.stop();
    for (const v of ['v1', 'v2']) await agents.get(v)!.stop();
    await fleet.stop();
  }, 30_000);
});
