/**
 * API benchmark: `/api/v2/summary.json` over 100,000 sites, 200 providers (with regions) and 50 open
 * incidents, measured with wrk (Debian's /usr/bin/wrk): `wrk -t2 -c50 -d10s --latency`. Two runs:
 * steady state (the summary is served from its per-version cache), then "churn" — a site changes
 * state every 10 ms; the summary is rebuilt at most once a second (the app's default `cacheMs`).
 * Rate limiting stays on (with a ceiling wrk cannot reach) so its cost is counted.
 * Run with `npm run bench -- api [SITES] [DURATION_S]`; the last line is one JSON object.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/clock/clock.ts';
import type { Component, Dependency, Incident } from '../src/model/index.ts';
import { buildApp } from '../src/server/app.ts';
import { StatusSnapshot } from '../src/server/status/snapshot.ts';
import { openStore } from '../src/store/index.ts';

const SITES = Number(process.argv[2] ?? 100_000);
const DURATION = Number(process.argv[3] ?? 10);
const PROVIDERS = 200;
const INCIDENTS = 50;
const T0 = Date.UTC(2026, 0, 1);

function world(snapshot: StatusSnapshot): void {
  const components: Component[] = [];
  for (let p = 0; p < PROVIDERS; p++) {
    components.push({ id: `provider:p${p}`, kind: 'provider', provider: `p${p}`, label: `Provider ${p}` });
    for (let r = 0; r < 3; r++)
      components.push({
        id: `region:p${p}/r${r}`,
        kind: 'region',
        provider: `p${p}`,
        region: `r${r}`,
        label: `p${p} r${r}`,
      });
  }
  const sites = Array.from({ length: SITES }, (_, i) => ({ domain: `site-${i}.example` }));
  snapshot.addSites(sites, false);
  const deps: Dependency[] = [];
  const dep = (site: string, component: string, role: Dependency['role']): Dependency => ({
    site,
    component,
    role,
    source: 'observed',
    confidence: 1,
    evidence: [],
  });
  for (let i = 0; i < SITES; i++) {
    // A skewed market: a few large providers, a long tail.
    const host = Math.floor(PROVIDERS * (i / SITES) ** 3);
    const dns = (i * 7) % PROVIDERS;
    const site = sites[i].domain;
    deps.push(dep(site, `provider:p${host}`, 'hosting'), dep(site, `region:p${host}/r${i % 3}`, 'hosting'));
    deps.push(dep(site, `provider:p${dns}`, 'dns'));
  }
  snapshot.setDependencies(components, deps);
  for (let k = 0; k < INCIDENTS; k++) {
    const affected = Array.from({ length: 20 }, (_, j) => sites[(k * 997 + j * 13) % SITES].domain);
    const incident: Incident = {
      id: `inc-${k + 1}`,
      cause: {
        provider: `p${k}`,
        asn: null,
        name: `Provider ${k}`,
        region: k % 2 ? 'r1' : null,
        plan: null,
        role: null,
        component: null,
      },
      kind: 'network',
      signature: 'connect_timeout',
      confidence: 0.99,
      startedAt: T0 + k * 1000,
      detectedAt: T0 + k * 1000 + 60_000,
      peakAt: T0 + k * 1000 + 120_000,
      resolvedAt: null,
      affected,
      exonerated: [
        { provider: `p${k + 100}`, evidence: `p${k + 100}: 0 of 400 monitored sites hosted there degraded` },
      ],
      evidence: [`Provider ${k} hosting: 20 of 25 failing (80 %)`],
      timeline: Array.from({ length: 10 }, (_, t) => ({
        time: T0 + t * 60_000,
        failing: 20 - t,
        restored: t / 20,
      })),
    };
    snapshot.applyIncident(incident);
    for (const site of affected)
      snapshot.applyTransition({
        site,
        role: 'web',
        from: 'up',
        to: 'down',
        at: T0,
        since: T0,
        signature: 'connect_timeout',
        vantages: ['a'],
      });
  }
}

interface WrkResult {
  p50_ms: number;
  p99_ms: number;
  rps: number;
  requests: number;
  errors: number;
}

const toMs = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? Number.NaN);

function wrk(url: string, seconds = DURATION, quiet = false): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', url]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => process.stderr.write(d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}`));
      if (!quiet) process.stdout.write(out);
      const pct = (q: string) => {
        const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
        return m ? toMs(m[1], m[2]) : Number.NaN;
      };
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const errors = non2xx + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
      resolve({ p50_ms: pct('50'), p99_ms: pct('99'), rps, requests, errors });
    });
  });
}

const clock = new ManualClock(T0 + 3_600_000);
const store = await openStore('sqlite::memory:', { clock });
const snapshot = new StatusSnapshot({ clock });
const t0 = performance.now();
world(snapshot);
const setupS = (performance.now() - t0) / 1000;
const app = await buildApp({
  source: snapshot,
  writer: snapshot,
  store,
  clock,
  tokenHash: null,
  rateLimit: { max: 1e9, windowMs: 60_000 },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
const url = `http://127.0.0.1:${port}/api/v2/summary.json`;
const body = await (await fetch(url)).text();
const summary = JSON.parse(body);
process.stdout.write(
  `${SITES} sites, ${snapshot.components().length} components, ${summary.incidents.length} open incidents; ` +
    `summary ${(body.length / 1024).toFixed(0)} KB; world built in ${setupS.toFixed(2)} s\n`,
);
// Cost of one rebuild of the summary (an app that rebuilds on every change), in process.
const eager = await buildApp({
  source: snapshot,
  writer: snapshot,
  store,
  clock,
  tokenHash: null,
  rateLimit: false,
  cacheMs: 0,
});
const t1 = performance.now();
for (let i = 0; i < 20; i++) {
  snapshot.applyTransition({
    site: `site-${i}.example`,
    role: 'web',
    from: 'up',
    to: 'degraded',
    at: T0,
    since: T0,
    signature: 'slow',
    vantages: ['a'],
  });
  await eager.inject('/api/v2/summary.json');
}
const rebuildMs = (performance.now() - t1) / 20;
await eager.close();

// Warm-up (JIT, the heap after building the world), not measured.
await wrk(url, 3, true);
process.stdout.write('\n== steady state (cached per version)\n');
const steady = await wrk(url);

process.stdout.write('\n== churn: a site changes state every 10 ms\n');
let n = 0;
const churn = setInterval(() => {
  const site = `site-${(n * 31) % SITES}.example`;
  const to = n++ % 2 ? 'up' : 'down';
  snapshot.applyTransition({
    site,
    role: 'web',
    from: to === 'up' ? 'down' : 'up',
    to,
    at: T0,
    since: T0,
    signature: 'ok',
    vantages: ['a'],
  });
}, 10);
const churned = await wrk(url);
clearInterval(churn);
await app.close();
await store.close();

const result = {
  bench: 'api',
  endpoint: '/api/v2/summary.json',
  sites: SITES,
  open_incidents: summary.incidents.length,
  summary_kb: Math.round(body.length / 1024),
  p50_ms: steady.p50_ms,
  p99_ms: steady.p99_ms,
  rps: Math.round(steady.rps),
  errors: steady.errors,
  churn_p99_ms: churned.p99_ms,
  churn_rps: Math.round(churned.rps),
  churn_changes: n,
  rebuild_ms: Math.round(rebuildMs * 100) / 100,
  target_p99_ms: 50,
  ok: steady.p99_ms < 50 && churned.p99_ms < 50 && steady.errors === 0,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
