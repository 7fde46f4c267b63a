/**
 * `vigie serve` over agents, read over real HTTP: a small simulated world (`vigie sim serve`), the
 * core (`vigie serve` with `bus: nats://…` and three agents), three `vigie agent` processes over the
 * real NATS server. `/api/vantages` shows each agent healthy with its last heartbeat, probes per
 * second and sites; `/api/vantages/{vantage}` and `/api/sites/{domain}/vantages` show the sites as
 * each vantage sees them; when lyon loses its own network it is shown degraded (its observations do
 * not count) with the sites it sees failing; an agent killed with SIGKILL is shown gone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, expect, it } from 'vitest';
import { type Child, startVigie, waitFor } from '../../../test/support/cli.ts';
import { deleteAll } from '../../agents/setup.ts';
import { Names } from '../../agents/subjects.ts';

const NATS = process.env.VIGIE_TEST_NATS ?? 'nats://127.0.0.1:4222';
const prefix = `sa${Math.random().toString(36).slice(2, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'vigie-serve-agents-'));
const AGENTS = ['paris', 'lyon', 'tokyo'];
const DOMAINS = [1, 2, 3].flatMap((p) => Array.from({ length: 8 }, (_, i) => `p${p}-${i + 1}.test`));
// At ×10 a 60 s interval is 6 s of real time; lyon loses its network 2 simulated minutes in.
const SCENARIO = `
name: serve-agents
start: 2021-01-01T00:00
end: 2021-01-01T06:00
speed: 10
probe_interval: 60s
providers:
${[1, 2, 3].map((p) => `  - {id: p${p}, name: P${p} NET, asn: ${64520 + p}, roles: [hosting, dns]}`).join('\n')}
sites:
${[1, 2, 3].map((p) => `  - {domain: "p${p}-{n}.test", count: 8, hosting: {provider: p${p}, plan: dedicated}}`).join('\n')}
faults: []
vantages:
  - id: paris
  - id: lyon
    faults: [{at: "+2m", effect: {kind: blackhole}}]
  - id: tokyo
`;

const children: Child[] = [];
afterAll(async () => {
  for (const c of children.reverse()) await c.stop();
  const nc = await connect({ servers: NATS });
  await deleteAll(await jetstreamManager(nc), new Names(prefix)).catch(() => {});
  await nc.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Vantage {
  vantage: string;
  kind: string;
  state: string;
  healthy: boolean;
  reason: string;
  lastHeartbeat: number | null;
  heartbeatAgeMs: number | null;
  probesPerS: number;
  sites: number;
  failing: number;
}

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

it('shows each agent’s state, heartbeat, probe rate and the sites as it sees them', {
  timeout: 150_000,
}, async () => {
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(scenario, SCENARIO);
  const worldDir = join(dir, 'world');
  const world = startVigie(['sim', 'serve', scenario, '--port-base', '0', '--state-dir', worldDir]);
  children.push(world);
  await waitFor(world, /Ctrl-C to stop/, 30_000);
  const config = join(dir, 'vigie.yaml');
  writeFileSync(
    config,
    [
      `store: sqlite:${join(dir, 'vigie.db')}`,
      'listen: 127.0.0.1:0',
      `world: ${worldDir}`,
      `bus: ${NATS}`,
      `agents: [${AGENTS.join(', ')}]`,
      `nats_prefix: ${prefix}`,
      `sites: [${DOMAINS.join(', ')}]`,
      '',
    ].join('\n'),
  );
  const core = startVigie(['serve', '--config', config]);
  children.push(core);
  const base = (await waitFor(core, /serving \d+ sites on (http:\/\/\S+)/, 30_000))[1];
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`);
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const agents = AGENTS.map((v) =>
    startVigie(['agent', '--nats', NATS, '--vantage', v, '--world', worldDir, '--prefix', prefix]),
  );
  children.push(...agents);
  const vantages = async () =>
    new Map((await get<{ vantages: Vantage[] }>('/api/vantages')).vantages.map((v) => [v.vantage, v]));

  // Every agent heard from and probing its share; the sites as paris sees them.
  const all = await until('three healthy agents probing', 60_000, async () => {
    const vs = await vantages();
    // Heard from (the registry's state) and judged sound by detection's vantage health, which on
    // a loaded machine may take a few more verdicts after the agents' first, slow probes.
    return AGENTS.every(
      (a) =>
        vs.get(a)?.state === 'healthy' && vs.get(a)?.healthy === true && (vs.get(a)?.probesPerS ?? 0) > 0,
    )
      ? vs
      : undefined;
  });
  for (const a of AGENTS) {
    const v = all.get(a)!;
    expect(v).toMatchObject({ kind: 'agent', healthy: true, sites: DOMAINS.length });
    expect(v.heartbeatAgeMs).toBeLessThan(5_000);
    expect(v.lastHeartbeat).toBeGreaterThan(Date.now() - 10_000);
  }
  const paris = await until('results from paris', 30_000, async () => {
    const r = await get<{ total: number; sites: { site: string; state: string }[] }>('/api/vantages/paris');
    return r.total === DOMAINS.length ? r : undefined;
  });
  expect(paris.sites.every((s) => s.state === 'up')).toBe(true);
  const one = await get<{ vantages: { vantage: string }[] }>(`/api/sites/${DOMAINS[0]}/vantages`);
  expect(one.vantages.map((v) => v.vantage).sort()).toEqual([...AGENTS].sort());

  // lyon loses its own network: shown degraded, not counting, the sites it sees failing counted.
  const lyon = await until('lyon degraded', 60_000, async () => {
    const v = (await vantages()).get('lyon');
    return v && v.state === 'degraded' && !v.healthy && v.failing > 0 ? v : undefined;
  });
  expect(lyon.reason).not.toBe('');
  const sites = await get<{ sites: { state: string }[] }>('/api/vantages/lyon?state=down');
  expect(sites.sites.length).toBeGreaterThan(0);
  // …and the world is not down for it: every site up.
  const health = await get<{ sites: number }>('/api/health');
  expect(health.sites).toBe(DOMAINS.length);
  const down = await get<{ total: number }>('/api/sites?state=down');
  expect(down.total).toBe(0);

  // tokyo killed: gone once its heartbeats have stopped for a real pause.
  agents[2].proc.kill('SIGKILL');
  const gone = await until('tokyo gone', 30_000, async () => {
    const v = (await vantages()).get('tokyo');
    return v?.state === 'gone' ? v : undefined;
  });
  expect(gone.reason).toBe('heartbeats stopped');
  expect(gone.heartbeatAgeMs).toBeGreaterThan(3_000);
});
