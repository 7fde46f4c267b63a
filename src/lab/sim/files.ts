/**
 * What the world writes to its state directory for clients: the IP-to-AS table (the public
 * database's CSV layout), per-region range files in each provider's published layout, the root CA,
 * and `world.json`, the description of how to reach everything. Ground truth is never written here.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAsnCsv } from '../../asn/write.ts';
import type { RangeFile } from '../../catalog/types.ts';
import type { WorldInfo } from '../../model/world.ts';
import { intToIp } from './ip.ts';
import type { Block, WorldPlan } from './plan.ts';

/** Write atomically: a reader never sees half a file. */
export function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function cidrs(b: Block): string[] {
  const out: string[] = [];
  for (let off = 0; off < b.size; off += 65536) out.push(`${intToIp(b.start + off)}/16`);
  return out;
}

export function writeAsnTable(plan: WorldPlan, path: string): void {
  const rows = plan.blocks.map((b) => ({
    start: intToIp(b.start),
    end: intToIp(b.start + b.size - 1),
    asn: b.asn,
    org: b.org,
  }));
  writeAtomic(path, formatAsnCsv(rows));
}

interface RangeIndexEntry {
  asn: number;
  org: string;
  format: RangeFile['format'];
  file: string;
}

/**
 * Range files: providers whose catalog entry names a published layout get that layout; other
 * providers with regions get an RFC 8805 geofeed whose city column carries the region name.
 */
export function writeRanges(plan: WorldPlan, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const index: RangeIndexEntry[] = [];
  const byProvider = new Map<string, Block[]>();
  for (const b of plan.blocks) byProvider.set(b.provider, [...(byProvider.get(b.provider) ?? []), b]);
  for (const [id, blocks] of byProvider) {
    const p = plan.providers.get(id)!;
    const published = p.catalog?.ranges;
    if (!published && p.spec.regions.length === 0) continue;
    const format = published?.format ?? 'geofeed-csv';
    const file = `${id}-${published?.file ?? 'geofeed.csv'}`;
    writeAtomic(join(dir, file), renderRanges(format, blocks));
    index.push({ asn: p.spec.asn, org: p.spec.name, format, file });
  }
  writeAtomic(join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
}

function renderRanges(format: RangeFile['format'], blocks: Block[]): string {
  const stamp = '2021-01-01-00-00-00';
  const entries = blocks.flatMap((b) => cidrs(b).map((cidr) => ({ cidr, region: b.region ?? 'global' })));
  switch (format) {
    case 'aws-ip-ranges':
      return JSON.stringify(
        {
          syncToken: '1609459200',
          createDate: stamp,
          prefixes: entries.map((e) => ({
            ip_prefix: e.cidr,
            region: e.region,
            service: 'EC2',
            network_border_group: e.region,
          })),
          ipv6_prefixes: [],
        },
        null,
        2,
      );
    case 'gcp-cloud-json':
      return JSON.stringify(
        {
          syncToken: '1609459200',
          creationTime: '2021-01-01T00:00:00',
          prefixes: entries.map((e) => ({ ipv4Prefix: e.cidr, service: 'Google Cloud', scope: e.region })),
        },
        null,
        2,
      );
    case 'azure-service-tags': {
      const regions = [...new Set(entries.map((e) => e.region))];
      return JSON.stringify(
        {
          changeNumber: 1,
          cloud: 'Public',
          values: regions.map((r) => ({
            name: `AzureCloud.${r}`,
            id: `AzureCloud.${r}`,
            properties: {
              region: r,
              addressPrefixes: entries.filter((e) => e.region === r).map((e) => e.cidr),
            },
          })),
        },
        null,
        2,
      );
    }
    case 'plain-cidr-list':
      return `${entries.map((e) => e.cidr).join('\n')}\n`;
    default:
      return `# RFC 8805 geofeed written by the Vigie simulated world; the city column holds the region name\n${entries
        .map((e) => `${e.cidr},FR,,${e.region},`)
        .join('\n')}\n`;
  }
}
