/**
 * `vigie watch` on a world: what it prints (each state change and a summary line per interval, in
 * words or as JSON lines), and its durability — kill -9 in the middle of a run loses no reported
 * transition, and a restart resumes probing every site within one interval without re-reporting
 * known states.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVigie, waitFor } from '../../../test/support/cli.ts';
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
let dir: string;
/** The world's 60 sites, one a line. */
let list: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-durability-'));
  world = await startWorld(parseScenario(SCENARIO, 'durability.yaml'), {
    stateDir: join(dir, 'world'),
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  list = join(dir, 'sites.txt');
  writeFileSync(list, world.plan.sites.map((s) => s.domain).join('\n'));
});
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

describe('vigie watch output', () => {
  it('prints each state change and a summary line per interval: in words, or as JSON lines with --json', async () => {
    const args = (name: string) => [
      '--world',
      join(dir, 'world'),
      '--store',
      `sqlite:${join(dir, name)}`,
      '--file',
      list,
    ];
    const words = startVigie(['watch', ...args('words.db')]);
    const json = startVigie(['watch', '--json', ...args('json.db')]);
    try {
      // p1's 20 sites refuse connections from +1 min on: each one's change, then a summary counting them.
      await Promise.all([
        waitFor(words, /^\S+Z {2}a-\d+\.test {2}web {2}\S+ → down {2}\S+$/m, 30_000),
        waitFor(
          words,
          /^\S+Z {2}60 sites: [1-9]\d* failing; \d+ open incidents?; \d+ probes, lateness p99 \d+ ms, \d+ skipped$/m,
          30_000,
        ),
        waitFor(json, /"type":"transition"[^\n]*"to":"down"/, 30_000),
        waitFor(json, /"type":"summary"[^\n]*"sites":60,"failing":[1-9]/, 30_000),
      ]);
    } finally {
      await Promise.all([words.stop(), json.stop()]);
    }
    expect(words.output()).toMatch(/^watching 60 sites from \S+/m);
    expect(words.stdout()).not.toMatch(/^\{/m);
    // With --json, standard output is JSON lines only, each with its type.
    const lines = json
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.every((l) => ['transition', 'incident', 'summary'].includes(l.type))).toBe(true);
    expect(lines.filter((l) => l.type === 'summary').at(-1)).toEqual({
      type: 'summary',
      at: expect.stringMatching(/Z$/),
      sites: 60,
      failing: expect.any(Number),
      open: expect.any(Number),
      probes: expect.any(Number),
      skipped: expect.any(Number),
    });
  }, 60_000);
});
