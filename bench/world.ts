/**
 * `npm run bench -- world [SITES]`: how fast a large world starts and how much memory it holds.
 * Generates a SITES-site scenario (default 20,000), starts the world in this process, checks it
 * answers (a DNS query and an HTTP request), and prints start time and resident memory.
 * Targets (issue 2): 20,000 sites start in under 10 s and stay under 500 MB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario } from '../src/lab/scenario/load.ts';
import { generateScenario } from '../src/lab/sim/generate.ts';
import { dnsQuery, webGet } from '../src/lab/sim/testing.ts';
import { startWorld } from '../src/lab/sim/world.ts';

const sites = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-world-'));
const gen = generateScenario({ sites, seed: 1 });
const scenario = parseScenario(gen.text, 'generated.yaml');

const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const world = await startWorld(scenario, {
  stateDir: dir,
  ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
});
const startS = (performance.now() - t0) / 1000;

const site = world.plan.sites[0];
const dns = await dnsQuery(world.info.resolver.address, world.info.resolver.port, site.domain);
const web = await webGet(site.frontAddresses[0], world.info.ports.http, site.domain, { timeoutMs: 3000 });
gc?.();
await new Promise((r) => setTimeout(r, 500));
const rssMb = process.memoryUsage().rss / 2 ** 20;
const addresses = world.plan.bindings.size;
await world.stop();
rmSync(dir, { recursive: true, force: true });

const ok = dns.kind === 'answer' && dns.rcode === 'NOERROR' && web.kind === 'response' && web.status === 200;
console.log(`world of ${sites} sites on ${addresses} addresses started in ${startS.toFixed(2)} s`);
console.log(
  `resident memory ${rssMb.toFixed(0)} MB (${(rssMb - rssBefore / 2 ** 20).toFixed(0)} MB for the world)`,
);
console.log(
  `answers: ${ok ? 'DNS and HTTP ok' : `FAILED dns=${JSON.stringify(dns)} web=${JSON.stringify(web)}`}`,
);
console.log(
  JSON.stringify({
    sites,
    addresses,
    start_s: +startS.toFixed(3),
    rss_mb: Math.round(rssMb),
    answers_ok: ok,
    targets: { start_s: 10, rss_mb: 500 },
  }),
);
process.exit(ok ? 0 : 1);
