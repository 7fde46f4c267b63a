/**
 * Durability of `vigie watch`: kill -9 in the middle of a run loses no reported transition, and a
 * restart resumes probing every site within one interval without re-reporting known states.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../lab/scenario/load.ts';
import { startWorld, type World } from '../../lab/sim/world.ts';
import { openStore } from '../../store/index.ts';

const SCENARIO = `
name: durability-test
start: 2021-01-01T00:00
end: 2021-01-01T06:00
speed: 30
providers:
  - {id: p1, name: P1 NET, asn: 64521, roles: [hosting, dns]}
  - {id: p2, name: P2 NET, asn: 64522, roles: [hosting, dns]}
  - {id: p3, name: P3 NET, asn: 64523, roles: [hosting, dns]}
sites:
  - {domain: "a-{n}.test", count: 20, hosting: {provider: p1, plan: dedicated}}
  - {domain: "b-{n}.test", count: 20, hosting: {provider: p2, plan: dedicated}}
  - {domain: "c-{n}.test", count: 20, hosting: {provider: p3, plan: dedicated}}
faults:
  - {id: outage, at: "+1m", target: {provider: p1, role: hosting}, effect: {kind: refuse}}
`;

let world: World;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await world?.stop();
});

function runWatch(args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['bin/vigie.js', 'watch', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  createInterface({ input: child.stdout! }).on('line', onLine);
  child.stderr!.on('data', () => {});
  return child;
}

const exited = (c: ChildProcess) => new Promise((r) => c.once('exit', r));

describe('vigie watch durability', () => {
  it('loses no reported transition to kill -9, and resumes within one interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-durability-'));
    world = await startWorld(parseScenario(SCENARIO, 'durability.yaml'), {
      stateDir: join(dir, 'world'),
      ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
    });
    const list = join(dir, 'sites.txt');
    writeFileSync(list, world.plan.sites.map((s) => s.domain).join('\n'));
    const db = `sqlite:${join(dir, 'vigie.db')}`;
    const reported: { site: string; to: string }[] = [];
    // Transitions only (incidents and summary lines are printed too, each with its `type`).
    const transitions = (push: (t: { site: string; from: string; to: string }) => void) => (l: string) => {
      const x = JSON.parse(l);
      if (x.type === 'transition') push(x);
    };
    const first = runWatch(
      ['--world', join(dir, 'world'), '--store', db, '--file', list],
      transitions((t) => reported.push(t)),
    );
    // Kill -9 as soon as a few transitions have been reported (the outage starts at +1 min = 2 s).
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (reported.length >= 5) {
          clearInterval(t);
          resolve();
        }
      }, 20);
      setTimeout(() => reject(new Error(`only ${reported.length} transitions reported`)), 25_000);
    });
    first.kill('SIGKILL');
    await exited(first);
    const store = await openStore(db);
    const stored = await store.transitions({});
    for (const r of reported)
      expect(stored).toContainEqual(expect.objectContaining({ site: r.site, to: r.to }));
    await store.close();

    // Restart without naming any site: everything comes back from the store.
    const restartedAt = world.clock.now();
    const again: { site: string; from: string; to: string }[] = [];
    const second = runWatch(
      ['--world', join(dir, 'world'), '--store', db],
      transitions((t) => again.push(t)),
    );
    const interval = world.info.probeIntervalMs;
    await new Promise((r) => setTimeout(r, world.clock.toReal(interval * 1.5) + 1500));
    second.kill('SIGTERM');
    await exited(second);
    const reopened = await openStore(db);
    const after = await reopened.observations({ from: restartedAt, limit: 100_000 });
    await reopened.close();
    const firstProbe = new Map<string, number>();
    for (const o of after) firstProbe.set(o.site, Math.min(firstProbe.get(o.site) ?? Infinity, o.time));
    expect(firstProbe.size).toBe(60);
    // Start-up is real time (≈ 1–2 s, i.e. 30–60 simulated s at ×30); from the first probe on, every
    // site is probed again within one interval.
    const times = [...firstProbe.values()];
    const resumed = Math.min(...times);
    expect(resumed).toBeGreaterThanOrEqual(restartedAt);
    expect(world.clock.toReal(resumed - restartedAt)).toBeLessThan(5_000);
    expect(Math.max(...times) - resumed).toBeLessThanOrEqual(interval);
    // Sites already known down are not reported down again.
    const reportedDown = new Set(reported.filter((r) => r.to === 'down').map((r) => r.site));
    expect(again.filter((t) => t.to === 'down' && reportedDown.has(t.site))).toEqual([]);
  }, 60_000);
});
