/** Output of a mapping run: a readable table, or JSON (one object per domain, one per line). */
import type { DomainMap } from './types.ts';

/** One JSON object per line: easy to stream into `jq` or another stage. */
export function formatJsonLines(maps: readonly DomainMap[]): string {
  return maps.map((m) => `${JSON.stringify(m)}\n`).join('');
}

const HEAD = ['domain', 'status', 'dns', 'cdn/platform', 'hosting (AS)', 'region', 'plan', 'mail', 'conf'];

/** The table: one row per domain, aligned columns, `-` where nothing was found. */
export function formatTable(maps: readonly DomainMap[]): string {
  const rows = [HEAD, ...maps.map(row)];
  const widths = HEAD.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => `${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}\n`)
    .join('');
}

function row(m: DomainMap): string[] {
  const declared = m.declared?.find((d) => d.role === 'hosting');
  const declaredPlatform = m.declared?.find((d) => d.role === 'platform');
  const front = m.cdn
    ? `cdn:${m.cdn.provider}`
    : m.platform
      ? `platform:${m.platform.provider}`
      : declaredPlatform
        ? `platform:${declaredPlatform.provider}*`
        : '-';
  let hosting = '-';
  let region = '-';
  if (m.hosting?.hidden) {
    hosting = declared ? `${declared.provider}*` : '(hidden)';
    region = declared?.region ? `${declared.region}*` : '-';
  } else if (m.hosting?.provider) {
    hosting = `${m.hosting.provider}${m.hosting.asn ? ` (AS${m.hosting.asn})` : ''}`;
    region = m.hosting.region ?? '-';
  }
  let plan = '-';
  if (m.plan?.value) plan = m.plan.value === 'shared' ? `shared(${m.plan.sharedWith + 1})` : 'dedicated';
  else if (declared?.plan) plan = `${declared.plan}*`;
  return [
    m.domain,
    m.status,
    m.dns?.provider ?? '-',
    front,
    hosting,
    region,
    plan,
    m.mail?.provider ?? '-',
    m.status === 'ok' ? m.confidence.toFixed(2) : '-',
  ];
}

/** The note under the table explaining its marks. */
export const TABLE_NOTE = '* declared (not visible from outside); shared(N): N mapped domains on the address';
