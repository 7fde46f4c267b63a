/**
 * `vigie demo` as a user starts it: bad input and a taken port, worlds on free ports, and a second
 * run that starts from a fresh store. The replay itself (world, pipeline, incidents, reports, live
 * dashboard) is exercised end to end by the browser tests (test/browser) in a real browser.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, startDemoCli, waitFor } from '../../../test/support/cli.ts';
import { OPEN } from '../../../test/support/server.ts';
import type { Incident } from '../../model/incident.ts';
import { openStore } from '../../store/index.ts';

const vigie = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });

describe('vigie demo', () => {
  it('exits 2 on a scenario it cannot find or read, before serving anything', () => {
    const r = vigie('demo', '--scenario', 'no-such-scenario', '--port', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/scenario not found: no-such-scenario/);
    expect(r.stdout).toBe('');
  });

  it('exits 1 when its port is taken', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const child = startDemoCli(mkdtempSync(join(tmpdir(), 'vigie-demo-')), '--port', String(port));
      const code = await child.exited();
      expect(code).toBe(1);
      expect(child.output()).toMatch(new RegExp(`port ${port} is already in use on 127\\.0\\.0\\.1`));
    } finally {
      busy.close();
    }
  });

  it('replays with another world already holding the default ports (10053, 10080…)', {
    timeout: 90_000,
  }, async () => {
    // What another world running on this machine holds: the default resolver and web ports.
    const udp = createSocket('udp4');
    const tcp = createServer();
    const web = createServer();
    const held = await Promise.all([
      new Promise<boolean>((r) => udp.once('error', () => r(false)).bind(10053, '127.1.0.53', () => r(true))),
      new Promise<boolean>((r) =>
        tcp.once('error', () => r(false)).listen(10053, '127.1.0.53', () => r(true)),
      ),
      new Promise<boolean>((r) =>
        web.once('error', () => r(false)).listen(10080, '127.16.0.1', () => r(true)),
      ),
    ]);
    try {
      const child = startDemoCli(mkdtempSync(join(tmpdir(), 'vigie-demo-')), '--port', '0', '--once');
      // Mapped and watched: the world started on free ports, the pipeline reached it.
      await waitFor(child, /mapped \d+\/\d+ sites/, 60_000).catch(() => {});
      await child.stop();
      const out = child.output();
      expect(held.some(Boolean)).toBe(true); // at least one default port was really taken
      expect(out).toMatch(/mapped (\d+)\/\1 sites/);
      expect(out).not.toMatch(/replay of .* failed/);
    } finally {
      udp.close();
      tcp.close();
      web.close();
    }
  });

  it('a second `vigie demo --once` starts from a fresh store: nothing of the run before, ids of its own from 1', {
    timeout: 240_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-demo-'));
    const db = `sqlite:${join(dir, 'ovh-backbone-mini.db')}`;
    // A first run, stopped once OVH is down (or at its end): it leaves its store behind.
    const first = startDemoCli(dir, '--port', '0', '--once', '--pause', '1s');
    await waitFor(first, /incident \S+ opened|^■ /m, 90_000).catch(() => {});
    await first.stop();
    // What a longer first run leaves too (the issue saw 117 incidents, the next one numbered 288):
    // an incident and a site the second run has no reason to show.
    const STALE = 'ovh-backbone-mini-inc-288';
    const left = await openStore(db);
    try {
      expect((await left.listSites()).length, first.output()).toBeGreaterThanOrEqual(40);
      await left.upsertIncidents([{ ...OPEN, id: STALE }]);
      await left.upsertSites([{ domain: 'stale-marker.test' }]);
    } finally {
      await left.close();
    }

    // The second run, with the public URL it is reached at; everything it serves is watched from the
    // moment it answers until its replay ends.
    const second = startDemoCli(
      dir,
      '--port',
      '0',
      '--once',
      '--pause',
      '10m',
      '--public-url',
      'https://status.example.org/demo/',
    );
    try {
      const [, url] = await waitFor(second, /Dashboard: (http:\/\/\S+)/, 30_000);
      const get = async <T>(path: string) => {
        const r = await fetch(new URL(path, url));
        return { status: r.status, body: (r.ok ? await r.json() : null) as T };
      };
      type List = { total: number; incidents: Incident[] };
      const seen = new Set<string>();
      const markerStatuses = new Set<number>();
      let answeredBeforeMapped = false;
      while (!/^■ /m.test(second.output())) {
        const mapped = /mapped \d+\/\d+ sites/.test(second.output());
        const list = await get<List>('api/incidents?limit=500');
        expect(list.status).toBe(200);
        if (!mapped) answeredBeforeMapped = true;
        for (const i of list.body.incidents as Incident[]) seen.add(i.id);
        markerStatuses.add((await get('api/sites/stale-marker.test')).status);
        if (second.closed) throw new Error(`the demo exited:\n${second.output()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      // The dashboard answered before the world was even mapped (it does not wait for the replay).
      expect(answeredBeforeMapped).toBe(true);
      // Nothing of the first run: neither its incidents nor its sites.
      expect([...seen].filter((id) => id === STALE)).toEqual([]);
      expect([...markerStatuses]).toEqual([404]);
      // Every incident shown is one of this run's, numbered from 1, as many as the run says it published.
      const final = (await get<List>('api/incidents?limit=500')).body;
      const ids = final.incidents.map((i) => i.id);
      for (const id of seen) expect(ids).toContain(id);
      for (const id of ids) expect(id).toMatch(/^ovh-backbone-mini-(inc|reported)-\d+$/);
      for (const kind of ['inc', 'reported']) {
        const n = ids.filter((id) => id.includes(`-${kind}-`)).map((id) => Number(id.split('-').pop()));
        if (n.length) expect(Math.min(...n), `${kind}: ${n}`).toBe(1);
      }
      const summary = /^■ .*; (\d+) incidents? \(\+(\d+) single-site\)/m.exec(second.output());
      expect(summary, second.output()).not.toBeNull();
      expect(final.total).toBe(Number(summary?.[1]) + Number(summary?.[2]));
      // Its outward links name the public URL it was given.
      const page = (
        await get<{ page: { url: string }; incidents: { id: string; shortlink: string }[] }>(
          'api/v2/summary.json',
        )
      ).body;
      expect(page.page.url).toBe('https://status.example.org/demo');
      for (const i of page.incidents)
        expect(i.shortlink).toBe(`https://status.example.org/demo/incidents/${i.id}`);
    } finally {
      await second.stop();
    }
    // The store it leaves is its own too.
    const after = await openStore(db);
    try {
      expect((await after.incidents({})).map((i) => i.id)).not.toContain(STALE);
      expect((await after.listSites()).map((s) => s.domain)).not.toContain('stale-marker.test');
    } finally {
      await after.close();
    }
  });
});
