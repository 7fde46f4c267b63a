/**
 * Writes an IP-to-AS table in the `@ip-location-db/asn` CSV layout (`start,end,asn,organisation`, no
 * header), so the simulated world's table is read by exactly the code that reads the real one.
 */
import type { AsnRow } from './table.ts';

/**
 * One line per row, each ending in a newline. The organisation is quoted, with quotes doubled, only when
 * it holds a comma or a quote — as in the real files, which quote
 * `"Cloudflare, Inc."` but not `OVH SAS`. Addresses and numbers are written as given; a line break in
 * an organisation is replaced by a space, because the reader treats every line as one row.
 */
export function formatAsnCsv(rows: readonly AsnRow[]): string {
  let out = '';
  for (const row of rows) out += `${row.start},${row.end},${row.asn},${csvField(row.org)}\n`;
  return out;
}

function csvField(value: string): string {
  const flat = value.replace(/\r\n|[\r\n]/g, ' ');
  if (!/[",]/.test(flat)) return flat;
  return `"${flat.replaceAll('"', '""')}"`;
}
