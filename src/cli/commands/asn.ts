import type { Command } from 'commander';
import { ipFamily } from '../../asn/ip.ts';
import { type AsnDetail, AsnTable } from '../../asn/table.ts';

interface AsnOptions {
  asnDb?: string[];
  json?: boolean;
}

/**
 * `vigie asn ADDRESS...`: the AS number and organisation of each address, from the real IP-to-AS
 * database unless `--asn-db` names other files (such as a simulated world's table). Unknown addresses
 * show `-`; text that is not an address is reported on standard error and makes the exit code 2, after
 * the valid addresses have still been answered.
 */
export function register(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('asn')
    .description('print the AS number and organisation of IP addresses')
    .argument('<address...>', 'IPv4 or IPv6 addresses')
    .option(
      '--asn-db <file>',
      'IP-to-AS CSV file (start,end,asn,organisation); repeat for several files (default: the bundled @ip-location-db/asn)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--json', 'one JSON object per line instead of a table')
    .action((addresses: string[], options: AsnOptions) => {
      const valid = addresses.filter((a) => ipFamily(a) !== 0);
      for (const a of addresses) {
        if (ipFamily(a) === 0) process.stderr.write(`vigie asn: not an IP address: ${a}\n`);
      }
      if (valid.length < addresses.length) setExitCode(2);
      if (valid.length === 0) return;
      const table = options.asnDb ? AsnTable.load(options.asnDb) : AsnTable.loadDefault();
      const results = valid.map((address) => ({ address, hit: table.lookupDetail(address) }));
      process.stdout.write(options.json ? jsonLines(results) : textTable(results));
    });
}

type Result = { address: string; hit: AsnDetail | null };

function jsonLines(results: Result[]): string {
  return results
    .map(({ address, hit }) =>
      JSON.stringify({
        address,
        asn: hit?.asn ?? null,
        org: hit?.org ?? null,
        prefix: hit?.prefix ?? null,
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function textTable(results: Result[]): string {
  const rows = [
    ['address', 'asn', 'organisation'],
    ...results.map(({ address, hit }) => [address, hit ? `AS${hit.asn}` : '-', hit ? hit.org || '-' : '-']),
  ];
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}\n`).join('');
}
