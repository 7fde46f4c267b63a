/**
 * Mapping benchmark: generates a world of N sites (default 20,000), starts it in a child process
 * (`vigie sim serve … --port-base 0 --speed 1`), maps every domain from this process as `vigie map
 * --world` would, and scores the result against the scenario. Target: ≥ 2,000 domains/s and every
 * site mapped exactly. TLS issuance is slow on the world's side (a certificate per new name), so TLS
 * inspection is off unless `--tls` is given.
 * Run with `npm run bench -- map [SITES] [--tls] [--seed N]`; the last line is one JSON object.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnTable } from '../src/asn/table.ts';
import { loadCatalog } from '../src/catalog/load.ts';
import { DnsClient } from '../src/dns/client.ts';
import { startWorldChild } from '../src/lab/run/world-child.ts';
import { parseScenario } from '../src/lab/scenario/load.ts';
import { FIELDS, scoreMapping } from '../src/lab/score/map.ts';
import { generateScenario } from '../src/lab/sim/generate.ts';
import { mapDomains } from '../src/map/mapper.ts';
import { RegionTable } from '../src/map/ranges.ts';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const sites = Number(args.find((a) => /^\d+$/.test(a)) ?? 20_000);
const seed = Number(value('--seed') ?? 1);
const withTls = flag('--tls');
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const say = (s: string) => process.stdout.write(`${s}\n`);

const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-map-'));
const generated = generateScenario({ sites, seed });
const scenarioFile = join(dir, 'scenario.yaml');
writeFileSync(scenarioFile, generated.text);
const scenario = parseScenario(generated.text, scenarioFile);
const domains = scenario.sites.map((s) => s.domain);

const t0 = performance.now();
const world = await startWorldChild({ scenarioFile, stateDir: join(dir, 'state'), speed: 1 });
const { info } = world;
const startMs = performance.now() - t0;
try {
  say(
    `world: ${sites} sites (seed ${seed}), ready in ${(startMs / 1000).toFixed(1)} s, resolver ${info.resolver.address}:${info.resolver.port}`,
  );
  const catalog = loadCatalog();
  const asn = AsnTable.load(info.asnDb);
  const regions = RegionTable.loadDir(info.rangesDir);
  const ca = readFileSync(info.caFile, 'utf8');
  const dns = new DnsClient({ server: info.resolver, timeoutMs: 1000, retries: 2, maxInFlight: 256 });
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const report = await mapDomains(domains, {
    dns,
    catalog,
    asn,
    regions,
    http: { port: info.ports.http, timeoutMs: 5000 },
    tls: withTls ? { port: info.ports.https, timeoutMs: 10_000, ca } : null,
    concurrency: 256,
  });
  const seconds = (performance.now() - t0) / 1000;
  gc();
  const rssMb = Math.round(Math.max(rssBefore, process.memoryUsage().rss) / 2 ** 20);
  await dns.close();
  const score = scoreMapping(scenario, report.domains);
  const perSecond = Math.round(domains.length / seconds);
  const statuses: Record<string, number> = {};
  for (const d of report.domains) statuses[d.status] = (statuses[d.status] ?? 0) + 1;
  say(
    `mapped ${domains.length} domains in ${seconds.toFixed(2)} s: ${perSecond} domains/s (TLS ${withTls ? 'on' : 'off'})`,
  );
  say(
    `  ${report.stats.dnsQueries} DNS queries (${(report.stats.dnsQueries / domains.length).toFixed(2)}/domain), ${report.stats.httpRequests} HTTP GETs, ${report.stats.tlsHandshakes} TLS handshakes; statuses ${JSON.stringify(statuses)}`,
  );
  say(
    `  accuracy ${(score.accuracy * 100).toFixed(2)} % exact (${score.exact}/${score.sites}); ${FIELDS.map((f) => `${f} ${(score.fields[f].accuracy * 100).toFixed(2)} %`).join(', ')}`,
  );
  for (const m of score.misses.slice(0, 5))
    say(`  miss: ${m.domain} ${m.field}: expected ${m.expected}, got ${m.got}`);
  say(
    JSON.stringify({
      bench: 'map',
      sites,
      seed,
      tls: withTls,
      domains_per_s: perSecond,
      seconds: Number(seconds.toFixed(3)),
      accuracy: Number(score.accuracy.toFixed(4)),
      ...Object.fromEntries(
        FIELDS.map((f) => [`accuracy_${f}`, Number(score.fields[f].accuracy.toFixed(4))]),
      ),
      dns_queries: report.stats.dnsQueries,
      http_requests: report.stats.httpRequests,
      tls_handshakes: report.stats.tlsHandshakes,
      world_start_s: Number((startMs / 1000).toFixed(2)),
      rss_mb: rssMb,
    }),
  );
} finally {
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
}
