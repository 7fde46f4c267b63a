/**
 * kill -9 between the incident commit and the delivery (and during the delivery): after a restart
 * the message arrives, exactly once per idempotency key. On SQLite and PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../clock/clock.ts';
import { openStore } from '../store/open.ts';
import { Alerts } from './service.ts';
import { startHttpReceiver } from './testing.ts';

const CHILD = fileURLToPath(new URL('./kill-child.ts', import.meta.url));
const PG = process.env.VIGIE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(tmpdir(), 'vigie-alerts-kill-'));
const schemas: string[] = [];
let n = 0;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

const targets = {
  sqlite: () => `sqlite:${join(dir, `k${++n}.db`)}`,
  postgres: () => {
    const s = `vigie_alerts_kill_${randomBytes(4).toString('hex')}`;
    schemas.push(s);
    return `${PG}?schema=${s}`;
  },
};

/** Run the child until it prints `word`, then SIGKILL it. */
async function runAndKill(url: string, hook: string, mode: string, word: string, arrived?: Promise<void>) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, hook, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(word) && !arrived) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    arrived?.then(() => {
      child.kill('SIGKILL');
      resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) first: ${out}`)));
  });
  await new Promise((r) => child.once('exit', r));
  expect(child.signalCode).toBe('SIGKILL');
}

/** The process restarted: alerts on the same store until the outbox is drained. */
async function restart(url: string, hook: string) {
  const store = await openStore(url);
  const alerts = await Alerts.start({
    store,
    clock: new SystemClock(),
    publicUrl: 'https://status.example.org',
    pollMs: 20,
    config: {
      channels: [{ name: 'hook', kind: 'webhook', settings: { url: hook } }],
      subscriptions: [
        { name: 'all', channel: 'hook', providers: [], sites: [], tags: [], minSites: 1, kinds: ['opened'] },
      ],
      updateIntervalMs: 300_000,
      milestones: [0.5, 0.9, 1],
    },
  });
  expect(await alerts.dispatcher.settle(20_000)).toBe(true);
  await alerts.stop();
  const deliveries = await store.alertDeliveries();
  await store.close();
  return deliveries;
}

describe.each(Object.entries(targets))('alerts survive kill -9 (%s)', (_name, fresh) => {
  it('delivers after restart, once, an event committed but not yet sent', async () => {
    const rx = await startHttpReceiver();
    try {
      const url = fresh();
      await runAndKill(url, `${rx.url}/hook`, 'committed', 'committed');
      expect(rx.received).toHaveLength(0);
      const deliveries = await restart(url, `${rx.url}/hook`);
      expect(rx.received.map((r) => r.headers['idempotency-key'])).toEqual(['inc-k:opened']);
      expect(deliveries).toEqual([
        expect.objectContaining({ eventId: 'inc-k:opened', status: 'delivered', attempts: 1 }),
      ]);
    } finally {
      await rx.close();
    }
  });

  it('sends again, with the same idempotency key, a delivery killed in flight', async () => {
    let arrived!: () => void;
    const seen = new Promise<void>((r) => {
      arrived = r;
    });
    let first = true;
    let heldKey: unknown = null;
    // The first request is held open (the child is killed while it waits); later ones are answered.
    const rx = await startHttpReceiver({
      status: (r) => {
        if (!first) return 200;
        first = false;
        heldKey = r.headers['idempotency-key'];
        arrived();
        return 'hold';
      },
    });
    try {
      const url = fresh();
      await runAndKill(url, `${rx.url}/hook`, 'sending', 'never', seen);
      const deliveries = await restart(url, `${rx.url}/hook`);
      // The request cut by the kill and the one after restart carry the same key: the receiver keeps one.
      expect(heldKey).toBe('inc-k:opened');
      expect(rx.received.map((r) => r.headers['idempotency-key'])).toEqual(['inc-k:opened']);
      expect(deliveries).toEqual([expect.objectContaining({ eventId: 'inc-k:opened', status: 'delivered' })]);
    } finally {
      await rx.close();
    }
  });
});
