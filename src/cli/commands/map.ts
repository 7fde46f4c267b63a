/**
 * `vigie map DOMAIN… | --file LIST`: each domain's DNS provider, CDN or platform, hosting network
 * and region, plan, mail provider and TLS issuer, with evidence and confidence. In a simulated
 * world (`--world DIR`) everything comes from its world.json; otherwise from the system resolver,
 * the bundled IP-to-AS database and ports 80/443.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { AsnTable } from '../../asn/table.ts';
import { loadCatalog } from '../../catalog/load.ts';
import { DnsClient } from '../../dns/client.ts';
import { parseServer, systemResolver } from '../../dns/resolv-conf.ts';
import type { DnsServer } from '../../dns/types.ts';
import { UsageError } from '../../errors.ts';
import { SHARED_THRESHOLD } from '../../map/cohost.ts';
import { loadDeclarations } from '../../map/declare.ts';
import { formatJsonLines, formatTable, TABLE_NOTE } from '../../map/format.ts';
import { mapDomains } from '../../map/mapper.ts';
import { progressBar } from '../../map/progress.ts';
import { RegionTable } from '../../map/ranges.ts';
import { readWorld } from '../../map/setup.ts';
import { positiveInt, readList } from '../args.ts';

interface MapOptions {
  file?: string;
  world?: string;
  resolver?: DnsServer;
  asnDb?: string[];
  ranges?: string;
  ca?: string;
  http: boolean;
  tls: boolean;
  httpPort?: number;
  httpsPort?: number;
  declare?: string;
  json?: boolean;
  concurrency: number;
  timeout: number;
  source?: string;
}

function server(v: string): DnsServer {
  const s = parseServer(v);
  if (!s) throw new InvalidArgumentError('must be ADDR or ADDR:PORT (IPv6: [ADDR]:PORT)');
  return s;
}

function port(v: string): number {
  const n = positiveInt(v);
  if (n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
}

export function register(program: Command): void {
  program
    .command('map')
    .description(
      'discover what each domain depends on: DNS, CDN/platform, hosting network and region, plan, mail, TLS',
    )
    .argument('[domain...]', 'domains to map (IDNs are converted to punycode)')
    .option('--file <list>', 'read domains from a file, one per line (- for standard input)')
    .option(
      '--world <dir>',
      "a simulated world's state directory: its resolver, AS table, ranges, ports and CA",
    )
    .option(
      '--resolver <addr[:port]>',
      'resolver to query (default: the world’s, else /etc/resolv.conf)',
      server,
    )
    .option(
      '--asn-db <file>',
      'IP-to-AS CSV (start,end,asn,org); repeatable (default: the world’s, else @ip-location-db/asn)',
      (v: string, prev?: string[]) => [...(prev ?? []), v],
    )
    .option(
      '--ranges <dir>',
      'directory of per-region range files (AWS, GCP, Azure, plain CIDR, geofeed), with or without index.json',
    )
    .option('--ca <file>', 'extra root certificate (PEM) to verify TLS against (default: the world’s CA)')
    .option('--no-http', 'skip the HTTP GET (header fingerprints of CDNs and platforms)')
    .option('--no-tls', 'skip the TLS handshake (certificate issuer); much faster against a simulated world')
    .option('--http-port <n>', 'HTTP port (default: the world’s, else 80)', port)
    .option('--https-port <n>', 'HTTPS port (default: the world’s, else 443)', port)
    .option(
      '--declare <file>',
      'declared dependencies (YAML/JSON list of {domain, origin?, platform?, components?})',
    )
    .option('--json', 'one JSON object per domain and line instead of the table')
    .option('--concurrency <n>', 'domains in flight at once', positiveInt, 256)
    .option('--timeout <ms>', 'per DNS attempt (2 retries); HTTP/TLS get 3×', positiveInt, 1000)
    .option('--source <addr>', 'source address to send from (a vantage)')
    .addHelpText(
      'after',
      `
Plan: an address serving at least ${SHARED_THRESHOLD} of the domains mapped in this run is shared
hosting; a domain alone on its address is dedicated. CDN edges and platform front ends are not
counted (the origin behind them is hidden; declare it with --declare). Map a whole population at
once: a shared host's only customer in the list looks dedicated.

Statuses: ok, invalid_name, nxdomain, servfail, refused, timeout, truncated, cname_loop,
chain_too_long (more than 16 CNAMEs), no_address, error.`,
    )
    .action(async (args: string[], o: MapOptions) => {
      const domains = [...args, ...(o.file ? readList(o.file) : [])];
      if (domains.length === 0) throw new UsageError('give domains to map, or --file LIST');
      const world = o.world ? readWorld(o.world) : null;
      const resolver = o.resolver ?? world?.resolver ?? systemResolver();
      if (!resolver)
        throw new UsageError('no resolver: give --resolver ADDR[:PORT] (nothing usable in /etc/resolv.conf)');
      const asnFiles = o.asnDb ?? (world ? [world.asnDb] : null);
      const asn = asnFiles ? AsnTable.load(asnFiles) : AsnTable.loadDefault();
      const rangesDir = o.ranges ?? world?.rangesDir;
      const regions = rangesDir ? RegionTable.loadDir(rangesDir) : null;
      const caFile = o.ca ?? world?.caFile;
      let ca: string | undefined;
      if (caFile) {
        try {
          ca = readFileSync(caFile, 'utf8');
        } catch (e) {
          throw new UsageError(`cannot read CA ${caFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
        }
      }
      const declared = o.declare ? loadDeclarations(o.declare) : undefined;
      const dns = new DnsClient({
        server: resolver,
        timeoutMs: o.timeout,
        retries: 2,
        localAddress: o.source,
      });
      const bar = progressBar(process.stderr, domains.length);
      try {
        const report = await mapDomains(domains, {
          dns,
          catalog: loadCatalog(),
          asn,
          regions,
          http: o.http ? { port: o.httpPort ?? world?.httpPort ?? 80, timeoutMs: 3 * o.timeout } : null,
          tls: o.tls ? { port: o.httpsPort ?? world?.httpsPort ?? 443, timeoutMs: 3 * o.timeout, ca } : null,
          localAddress: o.source,
          concurrency: o.concurrency,
          declared,
          onProgress: (p) => bar.update(p),
        });
        bar.done();
        if (o.json) process.stdout.write(formatJsonLines(report.domains));
        else process.stdout.write(`${formatTable(report.domains)}${TABLE_NOTE}\n`);
      } finally {
        await dns.close();
      }
    });
}
