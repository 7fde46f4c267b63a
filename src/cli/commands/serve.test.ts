/**
 * `vigie serve` on a simulated world, as a user runs it: a config naming the world, the scenario's
 * domains, a store. The real pipeline maps, watches and explains; kill -9 in the middle of the
 * incident, a restart, and the incident goes on under the same id and is resolved once; a site added
 * through the API is mapped within 10 s; at the end `vigie incidents --json` scores like
 * `vigie sim run` (cause found at the right granularity, nothing wrongly blamed).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startWorldChild, type WorldChild } from '../../lab/run/world-child.ts';
import { loadScenario } from '../../lab/scenario/load.ts';
import { scoreRun } from '../../lab/score/score.ts';
import type { Incident } from '../../model/incident.ts';
import { hashToken } from '../../server/auth.ts';

const BIN = fileURLToPath(new URL('../../../bin/vigie.js', import.meta.url));
const SCENARIO = fileURLToPath(new URL('../../lab/run/fixtures/small.yaml', import.meta.url));
const TOKEN = 'serve-test-token-0123456789abcdef';

function startServe(config: string): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        log.push(l);
        const m = /serving \d+ sites on (http:\/\/\S+)/.exec(l);
        if (m) resolve({ child, url: m[1].replace(/\/$/, ''), log });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${log.slice(-10).join('\n')}`)));
  });
}

async function openIncidents(url: string): Promise<Incident[]> {
  const r = await fetch(`${url}/api/incidents?status=all`).catch(() => null);
  if (!r?.ok) return [];
  const body = (await r.json()) as { incidents?: Incident[] } | Incident[];
  return Array.isArray(body) ? body : (body.incidents ?? []);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('vigie serve on a world', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-serve-'));
  let world: WorldChild | null = null;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps, explains, survives kill -9 mid-incident under the same id, takes a site from the API, scores like sim run', {
    timeout: 180_000,
  }, async () => {
    const scenario = loadScenario(SCENARIO);
    // ×50: a 400 ms real probe deadline, robust to a machine busy with other tests.
    world = await startWorldChild({ scenarioFile: SCENARIO, stateDir: join(dir, 'world'), speed: 50 });
    const domains = scenario.sites.map((s) => s.domain);
    const late = 'news-10.test'; // added through the API while serving
    writeFileSync(join(dir, 'sites.txt'), `${domains.filter((d) => d !== late).join('\n')}\n`);
    const db = join(dir, 'serve.db');
    const config = join(dir, 'vigie.yaml');
    writeFileSync(
      config,
      [
        `world: ${join(dir, 'world')}`,
        `store: sqlite:${db}`,
        'listen: 127.0.0.1:0',
        'sites_file: sites.txt',
        `token_hash: "${hashToken(TOKEN)}"`,
        'rate_limit: false',
      ].join('\n'),
    );
    const first = await startServe(config);
    children.push(first.child);
    const info = world.info;
    const real = (simMs: number) =>
      (simMs - (info.clock.origin + (Date.now() - info.clock.anchor) * info.clock.speed)) / info.clock.speed;

    // The fault begins 15 min in; wait for the incident blaming OVH's gra region.
    let before: Incident | undefined;
    for (let k = 0; k < 300 && !before; k++) {
      await sleep(200);
      before = (await openIncidents(first.url)).find(
        (i) => i.cause.provider === 'ovh' && i.resolvedAt === null,
      );
    }
    expect(before, first.log.slice(-20).join('\n')).toBeDefined();
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await startServe(config);
    children.push(second.child);
    // A site added through the API is mapped (its dependencies stored) within 10 s.
    const added = Date.now();
    const post = await fetch(`${second.url}/api/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sites: [{ domain: late }] }),
    });
    expect(post.status).toBeLessThan(300);
    let deps = 0;
    while (deps === 0 && Date.now() - added < 10_000) {
      await sleep(250);
      const r = await fetch(`${second.url}/api/sites/${late}`);
      if (r.ok) deps = ((await r.json()) as { dependencies: unknown[] }).dependencies.length;
    }
    expect(deps, 'mapped within 10 s').toBeGreaterThan(0);

    // Run to the scenario's end, then stop cleanly.
    await sleep(Math.max(0, real(info.clock.end)) + 500);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));

    const out = spawnSync(
      process.execPath,
      [BIN, 'incidents', '--store', `sqlite:${db}`, '--json', '--zone', 'Europe/Paris'],
      {
        encoding: 'utf8',
      },
    );
    expect(out.status, out.stderr).toBe(0);
    const result = JSON.parse(out.stdout);
    const shared = result.incidents.filter((i: Incident) => i.cause.provider === 'ovh');
    // The incident opened before the kill went on under its id, was resolved, and is the only one
    // about OVH: no duplicate after the restart.
    const resumed = shared.find((i: Incident) => i.id === before!.id);
    expect(resumed).toBeDefined();
    expect(resumed!.resolvedAt).not.toBeNull();
    const about = shared.map(
      (i: Incident) =>
        `${i.id} ${JSON.stringify(i.cause)} ${i.startedAt}→${i.resolvedAt} ${i.evidence.at(-1)}`,
    );
    expect(about, about.join('\n')).toHaveLength(1);
    const score = scoreRun(scenario, result);
    expect(score.totals).toMatchObject({ entries: 1, matched: 1, wronglyBlamed: 0 });
  });
});
