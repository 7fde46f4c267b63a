/**
 * Crowd-report intake benchmark: `POST /api/v1/reports` through the real HTTP app on 127.0.0.1:0,
 * driven by wrk (Debian's /usr/bin/wrk, `-t2 -c50 --latency`) with a Lua script that rotates over
 * SITES watched domains and sends a distinct user agent on every request (each request is a new
 * reporter: the worst case for the intake's memory). wrk sends from one address, so the per-network
 * budget and allowance are lifted; the per-reporter budget, deduplication and detection stay as in
 * production, and every report is counted (202). Three measured runs of DURATION s back to back: by
 * the third the bounded tables are full, and memory must not grow from the second to the third.
 * `npm run bench -- reports [DURATION_S] [SITES]`; last line one JSON object.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemClock } from '../src/clock/clock.ts';
import { ReportService } from '../src/reports/service.ts';
import { buildApp } from '../src/server/app.ts';
import { StatusSnapshot } from '../src/server/status/snapshot.ts';
import { openStore } from '../src/store/index.ts';

const DURATION = Number(process.argv[2] ?? 10);
const SITES = Number(process.argv[3] ?? 1000);

const LUA = `
local counts = {}
local threads = {}
local id = 0
setup = function(thread)
  id = id + 1
  thread:set("tid", id)
  table.insert(threads, thread)
end
init = function(args)
  n = 0
  salt = os.time()
  codes = {}
end
request = function()
  n = n + 1
  local d = "site-" .. ((n * 7919 + tid) % ${SITES}) .. ".example"
  local body = '{"domain":"' .. d .. '","problem":"site"}'
  local headers = { ["Content-Type"] = "application/json", ["User-Agent"] = "bench/" .. salt .. "/" .. tid .. "/" .. n }
  return wrk.format("POST", "/api/v1/reports", headers, body)
end
response = function(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
end
done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("codes")
    for k, v in pairs(c) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write("status " .. k .. " " .. v .. "\\n") end
end
`;

interface WrkResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  statuses: Record<string, number>;
  socketErrors: number;
}

const toMs = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? Number.NaN);

function wrk(url: string, script: string, seconds: number): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/wrk', ['-t2', '-c50', `-d${seconds}s`, '--latency', '-s', script, url]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => process.stderr.write(d));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}`));
      const pct = (q: string) => {
        const m = new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
        return m ? toMs(m[1], m[2]) : Number.NaN;
      };
      const statuses: Record<string, number> = {};
      for (const m of out.matchAll(/^status (\d+) (\d+)$/gm)) statuses[m[1]] = Number(m[2]);
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      resolve({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
        p50_ms: pct('50'),
        p99_ms: pct('99'),
        requests: Number(/(\d+) requests in/.exec(out)?.[1]),
        statuses,
        socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      });
    });
  });
}

const clock = new SystemClock();
const store = await openStore('sqlite::memory:', { clock });
const snapshot = new StatusSnapshot({ clock });
snapshot.addSites(
  Array.from({ length: SITES }, (_, i) => ({ domain: `site-${i}.example` })),
  false,
);
const reports = new ReportService({
  clock,
  isWatched: (d) => snapshot.site(d) !== null,
  intake: { network: { burst: 1e12, perHour: 1e12 }, perNetworkPerSite: 0 },
});
const app = await buildApp({
  source: snapshot,
  writer: snapshot,
  store,
  clock,
  tokenHash: null,
  reports,
  dashboard: false,
});
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
const url = `http://127.0.0.1:${port}`;
const script = join(tmpdir(), `vigie-reports-${process.pid}.lua`);
writeFileSync(script, LUA);

const rss = () => Math.round(process.memoryUsage().rss / 1048576);
const ticker = setInterval(() => reports.tick(), 1000);
await wrk(url, script, 3); // warm-up (JIT), not measured
const runs: WrkResult[] = [];
const rssAfter: number[] = [];
for (let i = 0; i < 3; i++) {
  runs.push(await wrk(url, script, DURATION));
  global.gc?.();
  rssAfter.push(rss());
}
clearInterval(ticker);
const intake = reports.intake.stats();
const detector = reports.detector.stats();
await app.close();
await store.close();

for (const [i, r] of runs.entries())
  process.stdout.write(
    `run ${i + 1} (${DURATION} s): ${Math.round(r.rps)} reports/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, ` +
      `statuses ${JSON.stringify(r.statuses)}, socket errors ${r.socketErrors}, rss after ${rssAfter[i]} MB\n`,
  );
process.stdout.write(
  `reporter buckets ${intake.reporters}, dedup filters ${intake.filterBytes / 1048576} MB, ` +
    `sites ${detector.sites}, minute entries ${detector.entries}\n`,
);
const worst = runs.reduce((a, b) => (b.rps < a.rps ? b : a));
const last = runs[2];
const result = {
  bench: 'reports',
  sites: SITES,
  duration_s: DURATION,
  reports_per_s: Math.round(worst.rps),
  p50_ms: worst.p50_ms,
  p99_ms: Math.max(...runs.map((r) => r.p99_ms)),
  rps_runs: runs.map((r) => Math.round(r.rps)),
  accepted_share: Number(((last.statuses['202'] ?? 0) / last.requests).toFixed(4)),
  statuses: last.statuses,
  rss_mb: Math.max(...rssAfter),
  rss_runs_mb: rssAfter,
  reporter_buckets: intake.reporters,
  target_reports_per_s: 5000,
  rss_growth_mb: rssAfter[2] - rssAfter[0],
  // Memory is bounded by construction (fixed filters, capped tables); allow for GC timing noise.
  ok: worst.rps >= 5000 && rssAfter[2] - rssAfter[0] < 64,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
