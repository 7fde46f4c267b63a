/**
 * Per-region address ranges, as providers publish them: AWS `ip-ranges.json`, Google Cloud
 * `cloud.json`, Azure service tags, plain CIDR lists (no region) and RFC 8805 geofeeds (the region
 * in the city column). A directory of such files, listed by an `index.json` (what the simulated
 * world writes) or recognised by their content (real downloads), becomes one longest-prefix table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipToBigInt, parseIPv4 } from '../asn/ip.ts';
import type { RangeFile } from '../catalog/types.ts';
import { InputError } from '../errors.ts';

export type RangeFormat = RangeFile['format'];

/** One published prefix and its region (null when the layout has none). */
export interface RangeEntry {
  cidr: string;
  region: string | null;
}

/** A longest-prefix match. */
export interface RegionHit {
  region: string | null;
  prefix: string;
  /** File the prefix came from. */
  source: string;
}

interface Stored {
  region: string | null;
  prefix: string;
  source: string;
}

/**
 * Region names that mean "no particular region": AWS marks CloudFront and global services GLOBAL;
 * the world writes `global` for providers without regions.
 */
const NO_REGION = new Set(['global', '']);

function cleanRegion(r: unknown): string | null {
  if (typeof r !== 'string') return null;
  const t = r.trim();
  return NO_REGION.has(t.toLowerCase()) ? null : t;
}

/** Longest-prefix table from prefixes to regions, IPv4 and IPv6. */
export class RegionTable {
  private readonly v4 = new Map<number, Map<number, Stored>>();
  private readonly v6 = new Map<number, Map<bigint, Stored>>();
  private v4Lens: number[] = [];
  private v6Lens: number[] = [];
  /** Prefixes that could not be parsed, per file. */
  readonly skipped = new Map<string, number>();
  private count = 0;

  /** Number of prefixes held. */
  get size(): number {
    return this.count;
  }

  /** Add the entries of one file. Unparseable prefixes are counted in `skipped`, not fatal. */
  add(entries: readonly RangeEntry[], source: string): void {
    for (const e of entries) {
      if (!this.addOne(e, source)) this.skipped.set(source, (this.skipped.get(source) ?? 0) + 1);
    }
    this.v4Lens = [...this.v4.keys()].sort((a, b) => b - a);
    this.v6Lens = [...this.v6.keys()].sort((a, b) => b - a);
  }

  private addOne(e: RangeEntry, source: string): boolean {
    const slash = e.cidr.indexOf('/');
    if (slash < 0) return false;
    const len = Number(e.cidr.slice(slash + 1));
    const addr = e.cidr.slice(0, slash);
    const stored: Stored = { region: e.region, prefix: e.cidr, source };
    const v4 = parseIPv4(addr);
    if (v4 >= 0) {
      if (!Number.isInteger(len) || len < 0 || len > 32) return false;
      const net = mask4(v4, len);
      const m = this.v4.get(len) ?? new Map<number, Stored>();
      this.v4.set(len, m);
      // A more specific entry with a region beats a regionless duplicate (Azure lists one prefix under many tags).
      if (!m.has(net) || (m.get(net)!.region === null && e.region !== null)) m.set(net, stored);
      this.count++;
      return true;
    }
    let v6: bigint;
    try {
      const p = ipToBigInt(addr);
      if (p.family !== 6) return false;
      v6 = p.value;
    } catch {
      return false;
    }
    if (!Number.isInteger(len) || len < 0 || len > 128) return false;
    const net = mask6(v6, len);
    const m = this.v6.get(len) ?? new Map<bigint, Stored>();
    this.v6.set(len, m);
    if (!m.has(net) || (m.get(net)!.region === null && e.region !== null)) m.set(net, stored);
    this.count++;
    return true;
  }

  /** The most specific prefix holding `address`, or null. Never throws. */
  lookup(address: string): RegionHit | null {
    const v4 = parseIPv4(address.startsWith('::ffff:') ? address.slice(7) : address);
    if (v4 >= 0) {
      for (const len of this.v4Lens) {
        const hit = this.v4.get(len)!.get(mask4(v4, len));
        if (hit) return hit;
      }
      return null;
    }
    let v6: bigint;
    try {
      const p = ipToBigInt(address);
      if (p.family !== 6) return null;
      v6 = p.value;
    } catch {
      return null;
    }
    for (const len of this.v6Lens) {
      const hit = this.v6.get(len)!.get(mask6(v6, len));
      if (hit) return hit;
    }
    return null;
  }

  /**
   * Load a directory: the files its `index.json` lists (`[{format, file}]`), or, without an index,
   * every file whose layout is recognised. Throws `InputError` for an unreadable directory or index
   * and for a listed file that cannot be read or parsed.
   */
  static loadDir(dir: string): RegionTable {
    const table = new RegionTable();
    let listed: { format?: RangeFormat; file: string }[];
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new InputError([
        { file: dir, line: 0, field: '(directory)', message: (e as NodeJS.ErrnoException).code ?? String(e) },
      ]);
    }
    if (names.includes('index.json')) {
      const indexPath = join(dir, 'index.json');
      try {
        listed = JSON.parse(readFileSync(indexPath, 'utf8'));
        if (!Array.isArray(listed)) throw new Error('not a list');
      } catch (e) {
        throw new InputError([{ file: indexPath, line: 1, field: '(index)', message: (e as Error).message }]);
      }
    } else {
      listed = names.filter((n) => !n.startsWith('.')).map((file) => ({ file }));
    }
    for (const item of listed) {
      if (!item || typeof item.file !== 'string') continue;
      const path = join(dir, item.file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new InputError([
          { file: path, line: 0, field: '(file)', message: (e as NodeJS.ErrnoException).code ?? String(e) },
        ]);
      }
      const format = item.format ?? sniffFormat(text);
      if (!format) continue;
      table.add(parseRanges(format, text, path), path);
    }
    return table;
  }
}

function mask4(v: number, len: number): number {
  return len === 0 ? 0 : (v & (0xffffffff << (32 - len))) >>> 0;
}

function mask6(v: bigint, len: number): bigint {
  if (len === 0) return 0n;
  const host = (1n << BigInt(128 - len)) - 1n;
  return v & ~host;
}

/** Recognise a file's layout from its content; null when it is none of the known ones. */
export function sniffFormat(text: string): RangeFormat | null {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t);
      if (Array.isArray(j.values)) return 'azure-service-tags';
      const p = j.prefixes?.[0];
      if (p && ('ip_prefix' in p || Array.isArray(j.ipv6_prefixes))) return 'aws-ip-ranges';
      if (p && ('ipv4Prefix' in p || 'ipv6Prefix' in p)) return 'gcp-cloud-json';
    } catch {
      return null;
    }
    return null;
  }
  const first = t.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'));
  if (!first) return null;
  if (/^[0-9a-f:.]+\/\d+\s*,/i.test(first)) return 'geofeed-csv';
  if (/^[0-9a-f:.]+\/\d+\s*$/i.test(first)) return 'plain-cidr-list';
  return null;
}

/** Parse one file of `format` into prefixes and regions. Throws `InputError` when JSON is malformed. */
export function parseRanges(format: RangeFormat, text: string, file: string): RangeEntry[] {
  const json = () => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new InputError([{ file, line: 1, field: '(json)', message: (e as Error).message }]);
    }
  };
  switch (format) {
    case 'aws-ip-ranges': {
      const j = json();
      return [
        ...(j.prefixes ?? []).map((p: { ip_prefix: string; region?: string }) => ({
          cidr: p.ip_prefix,
          region: cleanRegion(p.region),
        })),
        ...(j.ipv6_prefixes ?? []).map((p: { ipv6_prefix: string; region?: string }) => ({
          cidr: p.ipv6_prefix,
          region: cleanRegion(p.region),
        })),
      ].filter((e) => typeof e.cidr === 'string');
    }
    case 'gcp-cloud-json':
      return (json().prefixes ?? [])
        .map((p: { ipv4Prefix?: string; ipv6Prefix?: string; scope?: string }) => ({
          cidr: p.ipv4Prefix ?? p.ipv6Prefix,
          region: cleanRegion(p.scope),
        }))
        .filter((e: RangeEntry) => typeof e.cidr === 'string');
    case 'azure-service-tags':
      return (json().values ?? []).flatMap(
        (v: { properties?: { region?: string; addressPrefixes?: string[] } }) =>
          (v.properties?.addressPrefixes ?? []).map((cidr) => ({
            cidr,
            region: cleanRegion(v.properties?.region),
          })),
      );
    case 'plain-cidr-list':
      return text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((cidr) => ({ cidr, region: null }));
    case 'geofeed-csv':
      // RFC 8805: prefix,country,subdivision,city,postal. The world puts its region in `city`.
      return text
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('#'))
        .map((l) => {
          const cols = l.split(',').map((c) => c.trim());
          return { cidr: cols[0], region: cleanRegion(cols[3] || cols[2]) };
        });
    default:
      return [];
  }
}
