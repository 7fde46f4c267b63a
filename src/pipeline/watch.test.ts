/**
 * Probing → Bus → detection against a real world: a real outage is confirmed, a broken vantage is
 * recognised and marks nothing down — with two vantages and with a lone vantage.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AsnTable } from '../asn/table.ts';
import { InProcessBus } from '../bus/bus.ts';
import { loadCatalog } from '../catalog/load.ts';
import type { StateTransition, VantageHealthChange } from '../detect/types.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import { waitUntil } from '../lab/sim/testing.ts';
import { startWorld, type World } from '../lab/sim/world.ts';
import { createProbeContext } from '../probe/context.ts';
import { Detection, Probing } from './watch.ts';

const T0 = Date.UTC(2021, 0, 1);
const MIN = 60_000;

function scenario(vantages: string): string {
  const providers = ['p1', 'p2', 'p3', 'p4', 'p5'];
  return `
name: watch-test
start: 2021-01-01T00:00
end: 2021-01-01T01:00
speed: 30
providers:
${providers.map((p, i) => `  - {id: ${p}, name: ${p.toUpperCase()} NET, asn: ${64510 + i}, roles: [hosting, dns]}`).join('\n')}
sites:
${providers.map((p) => `  - {domain: "${p}-{n}.test", count: 30, hosting: {provider: ${p}, plan: dedicated}}`).join('\n')}
faults:
  - {id: outage, at: "+3m", until: "+7m", target: {provider: p1, role: hosting}, effect: {kind: refuse}}
vantages:
${vantages}
`;
}

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function watch(text: string) {
  world = await startWorld(parseScenario(text, 'watch.yaml'), {
    stateDir: mkdtempSync(join(tmpdir(), 'vigie-watch-')),
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  const w = world;
  const clock = w.clock;
  const real = (ms: number) => clock.toReal(ms);
  const contexts = w.info.vantages.map((v) =>
    createProbeContext({
      vantage: v.id,
      localAddress: v.address,
      resolver: w.info.resolver,
      ports: { http: w.info.ports.http, https: w.info.ports.https, smtp: w.info.ports.smtp },
      ca: readFileSync(w.info.caFile, 'utf8'),
      timeouts: { dns: real(10_000), connect: real(10_000), tls: real(10_000), response: real(10_000) },
      clock,
      catalog: loadCatalog(),
    }),
  );
  const bus = new InProcessBus((err) => {
    throw err;
  });
  const transitions: StateTransition[] = [];
  const health: VantageHealthChange[] = [];
  bus.subscribe('transition', (t) => transitions.push(t));
  bus.subscribe('vantage', (c) => health.push(c));
  const probing = new Probing({
    clock,
    bus,
    vantages: contexts.map((c) => c.ctx),
    intervalMs: w.info.probeIntervalMs,
    timeoutMs: 20_000,
    concurrency: 64,
  });
  const detection = new Detection({
    bus,
    clock,
    intervalMs: w.info.probeIntervalMs,
    asn: AsnTable.load(w.info.asnDb),
    reprobe: (s, k, v, d) => probing.reprobe(s, k, v, d),
  });
  probing.add(w.plan.sites.map((s) => ({ domain: s.domain })));
  probing.start();
  const stop = async () => {
    await probing.stop();
    detection.close();
    await Promise.all(contexts.map((c) => c.close()));
  };
  return { clock, transitions, health, stop };
}

describe('watching a world', () => {
  it('confirms a real outage and recovery, and ignores a broken vantage among two', async () => {
    const w = await watch(
      scenario(
        `  - id: good\n  - id: broken\n    faults: [{at: "+3m", until: "+9m", effect: {kind: blackhole}}]`,
      ),
    );
    await waitUntil(w.clock, T0 + 6 * MIN);
    const downs = w.transitions.filter((t) => t.to === 'down');
    expect(new Set(downs.map((t) => t.site)).size).toBe(30);
    expect(downs.every((t) => t.site.startsWith('p1-') && t.signature === 'refused')).toBe(true);
    expect(downs.every((t) => t.vantages.join() === 'good')).toBe(true);
    // detected within an interval of the fault's start (first failure + an early re-probe)
    expect(Math.max(...downs.map((t) => t.at))).toBeLessThan(T0 + 4 * MIN + 30_000);
    expect(w.health).toContainEqual(expect.objectContaining({ vantage: 'broken', healthy: false }));
    await waitUntil(w.clock, T0 + 9 * MIN);
    const ups = w.transitions.filter((t) => t.to === 'up');
    expect(new Set(ups.map((t) => t.site))).toEqual(new Set(downs.map((t) => t.site)));
    expect(w.transitions.filter((t) => !t.site.startsWith('p1-'))).toEqual([]);
    await w.stop();
  }, 40_000);

  it('marks nothing down when a lone vantage loses its network', async () => {
    const w = await watch(
      scenario(`  - id: local\n    faults: [{at: "+2m", until: "+5m", effect: {kind: blackhole}}]`),
    );
    await waitUntil(w.clock, T0 + 2 * MIN + 50_000);
    expect(w.health).toContainEqual(expect.objectContaining({ vantage: 'local', healthy: false }));
    expect(w.transitions.filter((t) => t.to !== 'up')).toEqual([]);
    await w.stop();
  }, 40_000);
});
