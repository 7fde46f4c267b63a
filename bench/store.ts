/**
 * Store benchmark: SITES sites probed once a minute for MINUTES simulated minutes, written through
 * the store (SQLite, then PostgreSQL) as the scheduler would — batches of observations, a flush per
 * minute. Reports write throughput, the cost of a durable transition, and the bytes kept per site per
 * day: rollups (kept long-term) and the raw window, separately.
 * Run with `npm run bench -- store [SITES] [MINUTES]`; the last line of output is one JSON object.
 * PostgreSQL comes from VIGIE_BENCH_POSTGRES (default the local server, database `test`), in a
 * scratch schema dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Dependency, Observation, Signature } from '../src/model/index.ts';
import type { Store, StoreStats } from '../src/store/index.ts';
import { openStore } from '../src/store/index.ts';

const SITES = Number(process.argv[2] ?? 10_000);
const MINUTES = Number(process.argv[3] ?? 30);
const PG_SERVER = process.env.VIGIE_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Observations handed to the store per call, as a scheduler's batch of finished probes. */
const CALL = 1_000;
const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);
const DAY_FRACTION = MINUTES / 1_440;
/** Tables that grow with time and are kept long-term (`last_probe` is one row per site, not per day). */
const ROLLUP_TABLES = ['rollup_site', 'rollup_signature', 'rollup_component'];
const FAILURES: Signature[] = ['connect_timeout', 'reset', 'http_5xx', 'dns_timeout', 'cdn_error'];

/** A deterministic generator, so every run writes the same data. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function domain(i: number): string {
  return `site-${i}.example.test`;
}

/** Each site: a hosting provider, its AS, a DNS provider (40 providers), a segment for half of them. */
function dependencies(): Dependency[] {
  const deps: Dependency[] = [];
  const d = (site: string, component: string, role: Dependency['role']): Dependency => ({
    site,
    component,
    role,
    source: 'observed',
    confidence: 0.9,
    evidence: ['bench'],
  });
  for (let i = 0; i < SITES; i++) {
    const site = domain(i);
    const p = i % 40;
    deps.push(d(site, `provider:p${p}`, 'hosting'), d(site, `network:as${64_500 + p}`, 'hosting'));
    deps.push(d(site, `dns:d${(i * 7) % 40}`, 'dns'));
    if (i % 2 === 0) deps.push(d(site, `segment:10.${p}.${(i >> 8) & 255}.1`, 'hosting'));
  }
  return deps;
}

/** One minute of observations: ~3 % failing, ~2 % slow, timings spread across a few hundred ms. */
function minuteOf(m: number, random: () => number): Observation[] {
  const out: Observation[] = new Array(SITES);
  for (let i = 0; i < SITES; i++) {
    const r = random();
    const time = START + m * MINUTE + Math.floor(random() * MINUTE);
    const failing = r < 0.03;
    const slow = !failing && r < 0.05;
    out[i] = {
      site: domain(i),
      vantage: i % 3 === 0 ? 'par-1' : 'fra-1',
      time,
      kind: 'http',
      outcome: failing ? 'down' : slow ? 'degraded' : 'up',
      signature: failing ? FAILURES[Math.floor(random() * FAILURES.length)] : slow ? 'slow' : 'ok',
      address: `127.16.${i >> 8}.${i & 255}`,
      status: failing ? undefined : 200,
      timings: failing
        ? { dns: 3, total: 3_000 }
        : {
            dns: 2,
            connect: 8,
            tls: 20,
            ttfb: 40 + Math.floor(random() * 300),
            total: 80 + Math.floor(random() * 400),
          },
    };
  }
  return out;
}

interface Figures {
  rowsPerS: number;
  transitionMs: number;
  stats: StoreStats;
}

async function run(store: Store): Promise<Figures> {
  const random = mulberry32(7);
  await store.upsertSites(Array.from({ length: SITES }, (_, i) => ({ domain: domain(i) })));
  await store.replaceDependencies(
    Array.from({ length: SITES }, (_, i) => domain(i)),
    dependencies(),
  );
  const minutes = Array.from({ length: MINUTES }, (_, m) => minuteOf(m, random));
  const t0 = performance.now();
  for (const batch of minutes) {
    for (let i = 0; i < batch.length; i += CALL) await store.addObservations(batch.slice(i, i + CALL));
    await store.flush();
  }
  const writeS = (performance.now() - t0) / 1000;

  // A durable transition is one awaited transaction; measure it one at a time, as the detector does.
  const t1 = performance.now();
  const N = 200;
  for (let i = 0; i < N; i++) {
    await store.recordTransitions([
      {
        site: domain(i),
        role: 'web',
        vantage: null,
        from: 'up',
        to: 'down',
        at: START + i,
        signature: 'reset',
        observationTime: START + i,
      },
    ]);
  }
  const transitionMs = (performance.now() - t1) / N;
  return { rowsPerS: (SITES * MINUTES) / writeS, transitionMs, stats: await store.stats() };
}

function perSiteDay(stats: StoreStats, tables: string[]): number {
  const bytes = tables.reduce((sum, t) => sum + (stats.tables[t]?.bytes ?? 0), 0);
  return bytes / SITES / DAY_FRACTION;
}

function report(name: string, f: Figures): void {
  const t = f.stats.tables;
  console.log(
    `${name}: ${Math.round(f.rowsPerS).toLocaleString('en')} observations/s written, ` +
      `a durable transition in ${f.transitionMs.toFixed(2)} ms; ` +
      `rollups ${Math.round(perSiteDay(f.stats, ROLLUP_TABLES)).toLocaleString('en')} B/site/day ` +
      `(${t.rollup_site.rows.toLocaleString('en')} site-minutes, ${t.rollup_component.rows.toLocaleString('en')} component-minutes), ` +
      `raw ${Math.round(perSiteDay(f.stats, ['observations'])).toLocaleString('en')} B/site/day ` +
      `(${t.observations.rows.toLocaleString('en')} observations)`,
  );
}

// Keep the whole run raw, so the raw figure covers every observation written.
const options = { clock: { now: () => START }, rawRetentionMs: 366 * 86_400_000, flushRows: 20_000 };
console.log(`${SITES.toLocaleString('en')} sites × ${MINUTES} minutes, one observation per site per minute`);

const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-store-'));
let sqlite: Figures;
try {
  const store = await openStore(`sqlite:${join(dir, 'bench.db')}`, options);
  sqlite = await run(store);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
report('sqlite', sqlite);

const schema = `vigie_bench_${randomBytes(4).toString('hex')}`;
let postgres: Figures;
try {
  const store = await openStore(`${PG_SERVER}?schema=${schema}`, options);
  postgres = await run(store);
  await store.close();
} finally {
  const client = new pg.Client({ connectionString: PG_SERVER });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
report('postgres', postgres);

const round = (x: number) => Math.round(x);
console.log(
  JSON.stringify({
    sites: SITES,
    minutes: MINUTES,
    observations: SITES * MINUTES,
    bytes_per_site_per_day: round(perSiteDay(sqlite.stats, ROLLUP_TABLES)),
    raw_bytes_per_site_per_day: round(perSiteDay(sqlite.stats, ['observations'])),
    bytes_per_site_per_day_postgres: round(perSiteDay(postgres.stats, ROLLUP_TABLES)),
    raw_bytes_per_site_per_day_postgres: round(perSiteDay(postgres.stats, ['observations'])),
    rows_per_s_sqlite: round(sqlite.rowsPerS),
    rows_per_s_postgres: round(postgres.rowsPerS),
    transition_ms_sqlite: Math.round(sqlite.transitionMs * 100) / 100,
    transition_ms_postgres: Math.round(postgres.transitionMs * 100) / 100,
  }),
);
