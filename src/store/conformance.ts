/**
 * The conformance suite every Store backend passes. A backend's test file calls
 * `describeStore(target)`; each test gets a fresh, empty store location from the target.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Component, Dependency, Incident, Observation } from '../model/index.ts';
import { describeOutbox } from './conformance-outbox.ts';
import { openStore } from './open.ts';
import type { StateTransition, Store, StoreOptions } from './types.ts';

/** A backend under test. */
export interface ConformanceTarget {
  name: string;
  /** The URL of a fresh, empty store (another process can open it too). */
  fresh(): Promise<string>;
  /** Remove everything the target created. */
  cleanup?(): Promise<void>;
}

const MIN = 60_000;
const T0 = 1_760_000_040_000; // a minute boundary

function obs(site: string, time: number, patch: Partial<Observation> = {}): Observation {
  return {
    site,
    vantage: 'v1',
    time,
    kind: 'http',
    outcome: 'up',
    signature: 'ok',
    timings: { total: 10 },
    ...patch,
  };
}

function dep(site: string, component: string, role: Dependency['role'] = 'hosting'): Dependency {
  return { site, component, role, source: 'observed', confidence: 0.9, evidence: [`${site} → ${component}`] };
}

function tr(
  site: string,
  at: number,
  to: StateTransition['to'],
  patch: Partial<StateTransition> = {},
): StateTransition {
  return {
    site,
    role: 'web',
    vantage: null,
    from: to === 'up' ? 'down' : 'up',
    to,
    at,
    signature: to === 'up' ? 'ok' : 'connect_timeout',
    observationTime: at - 1,
    ...patch,
  };
}

/** Register the suite for `target`. */
export function describeStore(target: ConformanceTarget): void {
  describe(`Store conformance: ${target.name}`, () => {
    const open: Store[] = [];
    async function fresh(options: StoreOptions = {}): Promise<{ store: Store; url: string }> {
      const url = await target.fresh();
      const store = await openStore(url, { clock: { now: () => T0 + 60 * MIN }, ...options });
      open.push(store);
      return { store, url };
    }
    afterAll(async () => {
      for (const s of open) await s.close().catch(() => {});
      await target.cleanup?.();
    });

    describeOutbox(fresh);

    it('round-trips sites, upserting by domain and removing with their dependencies', async () => {
      const { store } = await fresh();
      await store.upsertSites([
        { domain: 'b.test' },
        { domain: 'a.test', mail: true, weight: 2, tags: ['press'] },
      ]);
      await store.upsertSites([{ domain: 'b.test', tags: ['shop'] }]);
      expect(await store.listSites()).toEqual([
        { domain: 'a.test', mail: true, weight: 2, tags: ['press'] },
        { domain: 'b.test', tags: ['shop'] },
      ]);
      expect(await store.getSite('a.test')).toEqual({
        domain: 'a.test',
        mail: true,
        weight: 2,
        tags: ['press'],
      });
      expect(await store.getSite('none.test')).toBeNull();
      await store.replaceDependencies(['b.test'], [dep('b.test', 'provider:ovh')]);
      await store.removeSites(['b.test']);
      expect((await store.listSites()).map((s) => s.domain)).toEqual(['a.test']);
      expect(await store.dependencies({ site: 'b.test' })).toEqual([]);
    });

    it('round-trips components and replaces dependencies per site', async () => {
      const { store } = await fresh();
      const ovh: Component = {
        id: 'provider:ovh',
        kind: 'provider',
        provider: 'ovh',
        asn: 4_200_000_000,
        label: 'OVHcloud',
      };
      const seg: Component = {
        id: 'segment:127.16.0.4',
        kind: 'segment',
        address: '127.16.0.4',
        label: 'shared',
      };
      await store.upsertComponents([ovh, seg]);
      await store.upsertComponents([{ ...ovh, label: 'OVH' }]);
      expect(await store.listComponents()).toEqual([{ ...ovh, label: 'OVH' }, seg]);
      expect(await store.listComponents(['segment:127.16.0.4'])).toEqual([seg]);
      expect(await store.listComponents([])).toEqual([]);

      await store.replaceDependencies(
        ['a.test', 'b.test'],
        [dep('a.test', 'provider:ovh'), dep('a.test', 'provider:ovh', 'dns'), dep('b.test', 'provider:ovh')],
      );
      await store.replaceDependencies(['a.test'], [dep('a.test', 'segment:127.16.0.4')]);
      expect(await store.dependencies({ site: 'a.test' })).toEqual([dep('a.test', 'segment:127.16.0.4')]);
      expect(await store.dependencies({ component: 'provider:ovh' })).toEqual([
        dep('b.test', 'provider:ovh'),
      ]);
      expect(await store.dependencies()).toHaveLength(2);
      await expect(store.replaceDependencies(['a.test'], [dep('c.test', 'x')])).rejects.toMatchObject({
        code: 'VIGIE_STORE_DEPENDENCY_SITE',
      });
    });

    it('keeps every transition and the latest state per site × role × vantage', async () => {
      const { store } = await fresh();
      const all: StateTransition[] = [];
      for (let i = 0; i < 60; i++) {
        const site = `s${i % 5}.test`;
        all.push(tr(site, T0 + i * 1000, i % 2 === 0 ? 'down' : 'up'));
        all.push(tr(site, T0 + i * 1000, 'degraded', { role: 'dns', vantage: 'v2', signature: 'slow' }));
      }
      // Several batches, the last one out of order, with one stale transition that must not win.
      await store.recordTransitions(all.slice(0, 50));
      await store.recordTransitions(all.slice(50).reverse());
      await store.recordTransitions([tr('s0.test', T0 - 5_000, 'degraded')]);

      const current = await store.currentStates();
      expect(current).toHaveLength(10);
      const web0 = current.find((c) => c.site === 's0.test' && c.role === 'web');
      expect(web0).toEqual(tr('s0.test', T0 + 55_000, 'up'));
      expect(current.find((c) => c.site === 's4.test' && c.role === 'dns')).toMatchObject({ vantage: 'v2' });

      expect(await store.transitions({ limit: 10_000 })).toHaveLength(121);
      const s1 = await store.transitions({
        site: 's1.test',
        role: 'web',
        since: T0 + 10_000,
        until: T0 + 31_000,
      });
      expect(s1.map((t) => t.at)).toEqual([T0 + 11_000, T0 + 16_000, T0 + 21_000, T0 + 26_000]);
      const last = await store.transitions({ site: 's1.test', role: 'web', order: 'desc', limit: 1 });
      expect(last).toEqual([tr('s1.test', T0 + 56_000, 'down')]);
    });

    it('rolls observations up per minute, per site and per component through dependencies', async () => {
      const { store } = await fresh();
      await store.replaceDependencies(
        ['a.test', 'b.test'],
        [
          dep('a.test', 'provider:ovh'),
          dep('a.test', 'provider:ovh', 'dns'), // same component twice: counted once
          dep('a.test', 'cdn:cloudflare', 'cdn'),
          dep('b.test', 'provider:ovh'),
        ],
      );
      await store.addObservations([
        obs('a.test', T0 + 1_000, { timings: { total: 20 } }),
        obs('a.test', T0 + 2_000, {
          outcome: 'down',
          signature: 'connect_timeout',
          timings: { total: 3_000 },
        }),
        obs('b.test', T0 + 3_000, { outcome: 'down', signature: 'reset', timings: { total: 4 } }),
        obs('a.test', T0 + MIN + 5, { outcome: 'degraded', signature: 'slow', timings: { total: 900 } }),
      ]);
      await store.flush();
      // A second flush into the same minute adds to it.
      await store.addObservations([
        obs('a.test', T0 + 59_999, {
          outcome: 'down',
          signature: 'connect_timeout',
          timings: { total: 2_500 },
        }),
        obs('a.test', T0 + 30_000, { outcome: 'down', signature: 'reset', timings: { total: 7 } }),
      ]);
      await store.flush();

      expect(await store.rollups({ site: 'a.test', from: T0, to: T0 + 2 * MIN })).toEqual([
        {
          site: 'a.test',
          minute: T0,
          count: 4,
          failures: 3,
          degraded: 0,
          sumMs: 20 + 3_000 + 2_500 + 7,
          maxMs: 3_000,
          signatures: { connect_timeout: 2, reset: 1 },
          dominant: 'connect_timeout',
        },
        {
          site: 'a.test',
          minute: T0 + MIN,
          count: 1,
          failures: 0,
          degraded: 1,
          sumMs: 900,
          maxMs: 900,
          signatures: { slow: 1 },
          dominant: 'slow',
        },
      ]);
      expect(await store.rollups({ site: 'a.test', from: T0 + MIN, to: T0 + 2 * MIN })).toHaveLength(1);
      expect(await store.rollups({ component: 'provider:ovh', from: T0, to: T0 + 2 * MIN })).toEqual([
        { component: 'provider:ovh', minute: T0, count: 5, failures: 4, degraded: 0 },
        { component: 'provider:ovh', minute: T0 + MIN, count: 1, failures: 0, degraded: 1 },
      ]);
      expect(await store.rollups({ component: 'cdn:cloudflare', from: T0, to: T0 + MIN })).toEqual([
        { component: 'cdn:cloudflare', minute: T0, count: 4, failures: 3, degraded: 0 },
      ]);
      expect(await store.lastProbeTimes()).toEqual(
        new Map([
          ['a.test', T0 + MIN + 5],
          ['b.test', T0 + 3_000],
        ]),
      );
    });

    it('batches writes: by row count, by interval, and on flush()', async () => {
      const { store } = await fresh({ flushRows: 100, flushIntervalMs: 3_600_000 });
      const batch = (n: number, offset: number) =>
        Array.from({ length: n }, (_, i) => obs('a.test', T0 + offset + i));
      await store.addObservations(batch(99, 0));
      await new Promise((r) => setTimeout(r, 50));
      expect(await store.observations()).toHaveLength(0);
      await store.addObservations(batch(1, 99)); // the 100th row triggers a write
      await expect.poll(async () => (await store.observations()).length).toBe(100);
      await store.addObservations(batch(5, 100));
      await store.flush();
      expect(await store.observations({ limit: 1_000 })).toHaveLength(105);

      const timed = (await fresh({ flushRows: 1_000_000, flushIntervalMs: 30 })).store;
      await timed.addObservations(batch(3, 0));
      await expect.poll(async () => (await timed.observations()).length, { timeout: 5_000 }).toBe(3);
      expect((await timed.rollups({ site: 'a.test', from: T0, to: T0 + MIN }))[0].count).toBe(3);
    });

    it('keeps raw observations only inside the window, and prunes them', async () => {
      const now = T0 + 60 * MIN;
      const { store } = await fresh({ rawRetentionMs: 10 * MIN, clock: { now: () => now } });
      const full: Observation = {
        site: 'a.test',
        vantage: 'v2',
        time: now - 5 * MIN,
        kind: 'http',
        outcome: 'down',
        signature: 'cdn_error',
        address: '127.22.0.6',
        status: 522,
        cdn: 'cloudflare',
        timings: { dns: 1, connect: 2, tls: 3, ttfb: 4, total: 15_000 },
        detail: '522: Connection timed out',
      };
      await store.addObservations([obs('a.test', now - 20 * MIN), full, obs('a.test', now - MIN)]);
      await store.flush();
      expect(await store.observations()).toEqual([full, obs('a.test', now - MIN)]);
      expect(await store.observations({ from: now - 2 * MIN, to: now, site: 'a.test' })).toEqual([
        obs('a.test', now - MIN),
      ]);
      // Outside the window, the observation still counts in the rollups.
      expect(await store.rollups({ site: 'a.test', from: now - 21 * MIN, to: now - 19 * MIN })).toHaveLength(
        1,
      );

      expect(await store.pruneObservations(now - 2 * MIN)).toBe(1);
      expect(await store.observations()).toEqual([obs('a.test', now - MIN)]);
      expect(await store.pruneObservations()).toBe(0);
    });

    it('upserts and lists incidents with their JSON fields', async () => {
      const { store } = await fresh();
      const incident = (id: string, startedAt: number, resolvedAt: number | null): Incident => ({
        id,
        cause: {
          provider: 'ovh',
          asn: 16276,
          name: null,
          region: null,
          plan: null,
          role: 'hosting',
          component: null,
        },
        kind: 'network',
        signature: 'connect_timeout',
        confidence: 0.9,
        startedAt,
        detectedAt: startedAt + 1,
        peakAt: null,
        resolvedAt,
        affected: ['a.test', 'b.test'],
        exonerated: [{ provider: 'cloudflare', evidence: '0 of 12 degraded' }],
        evidence: ['412 sites timed out'],
        timeline: [{ time: startedAt, failing: 2, restored: 0 }],
      });
      await store.upsertIncidents([incident('i1', T0, null), incident('i2', T0 + MIN, null)]);
      await store.upsertIncidents([incident('i1', T0, T0 + 5 * MIN)]);
      expect((await store.incidents()).map((i) => i.id)).toEqual(['i2', 'i1']);
      expect(await store.incidents({ open: true })).toEqual([incident('i2', T0 + MIN, null)]);
      expect(await store.incidents({ since: T0 + 1 })).toHaveLength(1);
      expect((await store.incidents()).find((i) => i.id === 'i1')).toEqual(incident('i1', T0, T0 + 5 * MIN));
    });

    it('reports rows and bytes per table', async () => {
      const { store } = await fresh();
      await store.addObservations([obs('a.test', T0), obs('b.test', T0)]);
      const stats = await store.stats();
      expect(stats.backend).toBe(store.backend);
      expect(stats.tables.rollup_site).toMatchObject({ rows: 2 });
      expect(stats.tables.rollup_site.bytes).toBeGreaterThan(0);
      expect(stats.tables.observations.rows).toBe(2);
      expect(stats.totalBytes).toBeGreaterThanOrEqual(stats.tables.rollup_site.bytes);
    });

    it('finds everything again after close and reopen', async () => {
      const { store, url } = await fresh();
      await store.upsertSites([{ domain: 'a.test' }]);
      await store.recordTransitions([tr('a.test', T0, 'down')]);
      await store.addObservations([obs('a.test', T0 + 5)]);
      await store.close();
      const again = await openStore(url);
      open.push(again);
      expect(await again.listSites()).toEqual([{ domain: 'a.test' }]);
      expect(await again.currentStates()).toEqual([tr('a.test', T0, 'down')]);
      expect(await again.lastProbeTimes()).toEqual(new Map([['a.test', T0 + 5]]));
    });

    it('loses no recorded transition when the writer is killed with SIGKILL', async () => {
      const url = await target.fresh();
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, '25'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('committed')) {
            child.kill('SIGKILL');
            resolve();
          }
        });
        child.on('exit', (code) => reject(new Error(`child exited (${code}) before committing: ${out}`)));
      });
      await new Promise((r) => child.once('exit', r));
      expect(child.signalCode).toBe('SIGKILL');
      const store = await openStore(url);
      open.push(store);
      expect(await store.transitions({ site: 'kill.test' })).toHaveLength(25);
      expect(await store.currentStates()).toEqual([
        expect.objectContaining({ site: 'kill.test', to: 'down', at: 1_024 }),
      ]);
      expect(await store.lastProbeTimes()).toEqual(new Map([['kill.test', 120_000]]));
    });
  });
}

const CHILD = fileURLToPath(new URL('./durability-child.ts', import.meta.url));
