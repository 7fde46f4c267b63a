/**
 * IP-to-AS table: which autonomous system (number and organisation) an address belongs to.
 *
 * The source is CSV in the `@ip-location-db/asn` layout — `start,end,asn,organisation`, one inclusive
 * address range per line, no header, organisation quoted when it contains a comma or a quote — which is
 * also the layout the simulated world writes (see `write.ts`). Over half a million ranges are held in
 * parallel typed arrays (starts, ends, index of a shared result) and searched by bisection within the
 * address's /16, so a lookup allocates nothing and the whole table stays in a few megabytes. Names are
 * stored once each: the real data has ~81,000 distinct organisations for ~515,000 ranges.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InputError, type InputProblem, UsageError, VigieError } from '../errors.ts';
import {
  bigIntToWords,
  enclosingCidr,
  formatIPv4,
  formatIPv6,
  type IpFamily,
  parseIPv4,
  parseIPv6,
  wordsToBigInt,
} from './ip.ts';

/** What the table knows about an address. */
export interface AsnInfo {
  asn: number;
  org: string;
  /** The CIDR block of the matching range that holds the address (filled by `lookupDetail`). */
  prefix?: string;
}

/** A lookup result with the matching range spelled out. */
export interface AsnDetail extends AsnInfo {
  prefix: string;
  family: IpFamily;
  /** First and last address of the matching range, inclusive. */
  start: string;
  end: string;
}

/** One row of the table, as written in the CSV. */
export interface AsnRow {
  start: string;
  end: string;
  asn: number;
  org: string;
}

/** Code of the error `lookup` throws for text that is not an IP address. */
export const BAD_ADDRESS = 'VIGIE_BAD_ADDRESS';

/** Stop collecting problems after this many: a wrong file would otherwise print half a million lines. */
const MAX_PROBLEMS = 20;

/**
 * The CSV files of the `@ip-location-db/asn` package (IPv4 then IPv6), resolved through Node's module
 * resolution so they are found wherever npm put the package.
 */
export function defaultAsnPaths(): string[] {
  const require = createRequire(import.meta.url);
  return [
    require.resolve('@ip-location-db/asn/asn-ipv4.csv'),
    require.resolve('@ip-location-db/asn/asn-ipv6.csv'),
  ];
}

/** An immutable IP-to-AS table for IPv4 and IPv6, built from CSV files or rows. */
export class AsnTable {
  /** Scratch for parsing IPv6 lookups without allocating. */
  private readonly words = new Uint32Array(4);

  private readonly v4Start: Uint32Array;
  private readonly v4End: Uint32Array;
  /** Index into `infos` per range. */
  private readonly v4Info: Uint32Array;
  /** Four words per range, most significant first. */
  private readonly v6Start: Uint32Array;
  private readonly v6End: Uint32Array;
  private readonly v6Info: Uint32Array;
  /**
   * One frozen result per distinct (AS number, organisation) pair, shared by all the ranges that have
   * it: ~85,000 objects for ~500,000 ranges, and `lookup` allocates nothing.
   */
  private readonly infos: readonly AsnInfo[];
  private readonly orgCountValue: number;
  /**
   * `v4Bucket[k]` is the number of IPv4 ranges starting below `k << 16`, so the search for an address
   * starts within its /16 instead of the whole table: a few probes instead of nineteen, each of which
   * would otherwise be a cache miss. `v6Bucket` does the same on the first 16 bits of IPv6.
   */
  private readonly v4Bucket: Uint32Array;
  private readonly v6Bucket: Uint32Array;

  private constructor(data: TableData) {
    [this.v4Start, this.v4End] = data.v4;
    [this.v6Start, this.v6End] = data.v6;
    const infos: AsnInfo[] = [];
    const byPair = new Map<number | string, number>();
    // A numeric key is exact while org < 2^21 (asn < 2^32); past that many names, fall back to strings.
    const small = data.orgs.length < 2 ** 21;
    const pairIds = (asn: Uint32Array, org: Uint32Array): Uint32Array =>
      asn.map((a, i) => {
        const o = org[i];
        const key = small ? o * 2 ** 32 + a : `${o}:${a}`;
        let id = byPair.get(key);
        if (id === undefined) {
          id = infos.push(Object.freeze({ asn: a, org: data.orgs[o] })) - 1;
          byPair.set(key, id);
        }
        return id;
      });
    this.v4Info = pairIds(data.v4[2], data.v4[3]);
    this.v6Info = pairIds(data.v6[2], data.v6[3]);
    this.infos = infos;
    this.orgCountValue = data.orgs.length;
    this.v4Bucket = buckets(this.v4Start, 1, 16);
    this.v6Bucket = buckets(this.v6Start, 4, 16);
  }

  /** Number of IPv4 ranges after overlaps were resolved. */
  get rangesV4(): number {
    return this.v4Start.length;
  }

  /** Number of IPv6 ranges after overlaps were resolved. */
  get rangesV6(): number {
    return this.v6Info.length;
  }

  /** Number of distinct organisation names. */
  get orgCount(): number {
    return this.orgCountValue;
  }

  /** The real database: the `@ip-location-db/asn` package's IPv4 and IPv6 files. */
  static loadDefault(): AsnTable {
    return AsnTable.load(defaultAsnPaths());
  }

  /**
   * Loads one or more CSV files into one table (typically an IPv4 file and an IPv6 file; a file may
   * also mix both families). Throws `UsageError` for an unreadable file and `InputError` with
   * `file:line` for malformed rows.
   */
  static load(paths: string | readonly string[]): AsnTable {
    const builder = new Builder();
    for (const path of typeof paths === 'string' ? [paths] : paths) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        throw new UsageError(`cannot read ASN database ${path}: ${code}`);
      }
      builder.addCsv(text, path);
    }
    return new AsnTable(builder.build());
  }

  /** Builds a table from CSV text; `file` names it in error messages. */
  static fromCsv(text: string, file = '<csv>'): AsnTable {
    const builder = new Builder();
    builder.addCsv(text, file);
    return new AsnTable(builder.build());
  }

  /** Builds a table from rows; errors name the row by its 1-based position. */
  static fromRows(rows: readonly AsnRow[], file = '<rows>'): AsnTable {
    const builder = new Builder();
    rows.forEach((row, i) => {
      builder.addRow(row.start, row.end, row.asn, row.org, file, i + 1);
    });
    builder.throwIfProblems();
    return new AsnTable(builder.build());
  }

  /**
   * The AS of an address (IPv4, IPv6, or IPv4-mapped IPv6 such as `::ffff:1.1.1.1`), or null when no
   * range holds it. Throws a `VigieError` with code `BAD_ADDRESS` when the text is not an address.
   * The result is frozen and shared with every other address of the same AS and organisation.
   */
  lookup(address: string): AsnInfo | null {
    const v4 = parseIPv4(address);
    if (v4 >= 0) return this.infoV4(this.indexV4(v4));
    const w = this.words;
    if (!parseIPv6(address, w)) throw badAddress(address);
    if (isMappedV4(w)) return this.infoV4(this.indexV4(w[3]));
    const i = this.indexV6(w[0], w[1], w[2], w[3]);
    return i < 0 ? null : this.infos[this.v6Info[i]];
  }

  /** Like `lookup`, plus the matching range and the CIDR block within it that holds the address. */
  lookupDetail(address: string): AsnDetail | null {
    const v4 = parseIPv4(address);
    const w = this.words;
    if (v4 < 0 && !parseIPv6(address, w)) throw badAddress(address);
    if (v4 >= 0 || isMappedV4(w)) {
      const value = v4 >= 0 ? v4 : w[3];
      const i = this.indexV4(value);
      if (i < 0) return null;
      const start = this.v4Start[i];
      const end = this.v4End[i];
      return {
        ...this.infos[this.v4Info[i]],
        family: 4,
        prefix: enclosingCidr(4, BigInt(value), BigInt(start), BigInt(end)),
        start: formatIPv4(start),
        end: formatIPv4(end),
      };
    }
    const value = wordsToBigInt(w, 0);
    const i = this.indexV6(w[0], w[1], w[2], w[3]);
    if (i < 0) return null;
    const start = wordsToBigInt(this.v6Start, 4 * i);
    const end = wordsToBigInt(this.v6End, 4 * i);
    return {
      ...this.infos[this.v6Info[i]],
      family: 6,
      prefix: enclosingCidr(6, value, start, end),
      start: formatIPv6(start),
      end: formatIPv6(end),
    };
  }

  private infoV4(i: number): AsnInfo | null {
    return i < 0 ? null : this.infos[this.v4Info[i]];
  }

  /** Index of the IPv4 range holding `ip` (an unsigned 32-bit number), or -1. */
  indexV4(ip: number): number {
    const starts = this.v4Start;
    // Last range starting at or before ip; ranges are sorted and disjoint, so only it can hold ip. It is
    // the last one starting in ip's /16, or failing that the last one before it.
    const top = ip >>> 16;
    let found = this.v4Bucket[top] - 1;
    let lo = found + 1;
    let hi = this.v4Bucket[top + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= ip) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && this.v4End[found] >= ip ? found : -1;
  }

  /** Index of the IPv6 range holding the address given as four 32-bit words, or -1. */
  indexV6(w0: number, w1: number, w2: number, w3: number): number {
    const starts = this.v6Start;
    const top = w0 >>> 16;
    let found = this.v6Bucket[top] - 1;
    let lo = found + 1;
    let hi = this.v6Bucket[top + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(starts, 4 * mid, w0, w1, w2, w3) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && compareWords(this.v6End, 4 * found, w0, w1, w2, w3) >= 0 ? found : -1;
  }
}

function badAddress(address: string): VigieError {
  return new VigieError(BAD_ADDRESS, `not an IP address: ${JSON.stringify(address)}`);
}

/**
 * For sorted keys whose first word is at `starts[stride * i]`: entry k (0 ≤ k ≤ 2^bits) counts the keys
 * whose top `bits` bits are below k.
 */
function buckets(starts: Uint32Array, stride: number, bits: number): Uint32Array {
  const size = 1 << bits;
  const shift = 32 - bits;
  const out = new Uint32Array(size + 1);
  const n = starts.length / stride;
  let i = 0;
  for (let k = 0; k <= size; k++) {
    while (i < n && starts[stride * i] >>> shift < k) i++;
    out[k] = i;
  }
  return out;
}

/** `::ffff:a.b.c.d` is an IPv4 address carried in IPv6 and belongs to the IPv4 table. */
function isMappedV4(w: Uint32Array): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

/** Sign of (words at a[k..k+3]) − (w0..w3). */
function compareWords(a: Uint32Array, k: number, w0: number, w1: number, w2: number, w3: number): number {
  let x = a[k];
  if (x !== w0) return x < w0 ? -1 : 1;
  x = a[k + 1];
  if (x !== w1) return x < w1 ? -1 : 1;
  x = a[k + 2];
  if (x !== w2) return x < w2 ? -1 : 1;
  x = a[k + 3];
  if (x !== w3) return x < w3 ? -1 : 1;
  return 0;
}

/** A Uint32Array that grows by doubling, so loading never goes through boxed JS arrays. */
class U32List {
  data = new Uint32Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }

  private grow(): void {
    const next = new Uint32Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }

  /** An exactly-sized copy, so the table does not keep the slack of the last doubling. */
  toArray(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

/** Accumulates rows from any number of sources, then sorts, resolves overlaps and freezes them. */
class Builder {
  private readonly v4Start = new U32List();
  private readonly v4End = new U32List();
  private readonly v4Asn = new U32List();
  private readonly v4Org = new U32List();
  private readonly v6Start = new U32List();
  private readonly v6End = new U32List();
  private readonly v6Asn = new U32List();
  private readonly v6Org = new U32List();
  private readonly orgs: string[] = [];
  private readonly orgIndex = new Map<string, number>();
  private readonly problems: InputProblem[] = [];
  private readonly s6 = new Uint32Array(4);
  private readonly e6 = new Uint32Array(4);

  /** Parses CSV text line by line without splitting it, so a 24 MB file makes no per-line arrays. */
  addCsv(text: string, file: string): void {
    const length = text.length;
    let pos = 0;
    let line = 0;
    while (pos < length && this.problems.length < MAX_PROBLEMS) {
      line++;
      let eol = text.indexOf('\n', pos);
      if (eol < 0) eol = length;
      let end = eol;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      const from = pos;
      pos = eol + 1;
      // Blank lines (notably after the final newline) carry nothing; skipping them is harmless.
      if (end === from) continue;
      const c1 = text.indexOf(',', from);
      const c2 = c1 < 0 || c1 >= end ? -1 : text.indexOf(',', c1 + 1);
      const c3 = c2 < 0 || c2 >= end ? -1 : text.indexOf(',', c2 + 1);
      if (c3 < 0 || c3 >= end) {
        this.problem(file, line, 'row', 'expected 4 fields: start,end,asn,organisation');
        continue;
      }
      if (line === 1 && isHeader(text, from, c1)) continue;
      const org = this.parseOrg(text, c3 + 1, end, file, line);
      if (org === undefined) continue;
      const asn = parseAsn(text, c2 + 1, c3);
      if (asn < 0) {
        this.problem(file, line, 'asn', `not an AS number: ${JSON.stringify(text.slice(c2 + 1, c3))}`);
        continue;
      }
      this.addRange(text, from, c1, c1 + 1, c2, asn, org, file, line);
    }
    this.throwIfProblems();
  }

  /** Adds one row given as separate values (from `fromRows`). */
  addRow(start: string, end: string, asn: number, org: string, file: string, line: number): void {
    if (this.problems.length >= MAX_PROBLEMS) return;
    if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) {
      this.problem(file, line, 'asn', `not an AS number: ${asn}`);
      return;
    }
    if (typeof org !== 'string') {
      this.problem(file, line, 'org', 'must be a string');
      return;
    }
    const text = `${start},${end}`;
    this.addRange(text, 0, start.length, start.length + 1, text.length, asn, this.orgId(org), file, line);
  }

  throwIfProblems(): void {
    if (this.problems.length > 0) throw new InputError(this.problems.splice(0));
  }

  private problem(file: string, line: number, field: string, message: string): void {
    this.problems.push({ file, line, field, message });
  }

  /** Parses the range `text[sa..sb]`–`text[ea..eb]` and stores it; quotes around fields are allowed. */
  private addRange(
    text: string,
    sa: number,
    sb: number,
    ea: number,
    eb: number,
    asn: number,
    org: number,
    file: string,
    line: number,
  ): void {
    if (sb - sa >= 2 && text.charCodeAt(sa) === 34 && text.charCodeAt(sb - 1) === 34) {
      sa++;
      sb--;
    }
    if (eb - ea >= 2 && text.charCodeAt(ea) === 34 && text.charCodeAt(eb - 1) === 34) {
      ea++;
      eb--;
    }
    const s6 = this.s6;
    const e6 = this.e6;
    let s4 = parseIPv4(text, sa, sb);
    let e4 = parseIPv4(text, ea, eb);
    const sFamily = s4 >= 0 ? 4 : parseIPv6(text, s6, 0, sa, sb) ? 6 : 0;
    const eFamily = e4 >= 0 ? 4 : parseIPv6(text, e6, 0, ea, eb) ? 6 : 0;
    if (sFamily === 0) {
      this.problem(file, line, 'start', `not an IP address: ${JSON.stringify(text.slice(sa, sb))}`);
      return;
    }
    if (eFamily === 0) {
      this.problem(file, line, 'end', `not an IP address: ${JSON.stringify(text.slice(ea, eb))}`);
      return;
    }
    // A range written in IPv4-mapped IPv6 is an IPv4 range: lookups of mapped addresses go there.
    if (sFamily === 6 && eFamily === 6 && isMappedV4(s6) && isMappedV4(e6)) {
      s4 = s6[3];
      e4 = e6[3];
    } else if (sFamily !== eFamily) {
      this.problem(file, line, 'end', 'start and end are not the same address family');
      return;
    }
    if (s4 >= 0) {
      if (e4 < s4) {
        this.problem(file, line, 'end', 'end is before start');
        return;
      }
      this.v4Start.push(s4);
      this.v4End.push(e4);
      this.v4Asn.push(asn);
      this.v4Org.push(org);
      return;
    }
    if (compareWords(e6, 0, s6[0], s6[1], s6[2], s6[3]) < 0) {
      this.problem(file, line, 'end', 'end is before start');
      return;
    }
    for (let k = 0; k < 4; k++) {
      this.v6Start.push(s6[k]);
      this.v6End.push(e6[k]);
    }
    this.v6Asn.push(asn);
    this.v6Org.push(org);
  }

  /** The organisation field `text[from..to]`, unquoted and interned; undefined after a problem. */
  private parseOrg(text: string, from: number, to: number, file: string, line: number): number | undefined {
    if (text.charCodeAt(from) !== 34) {
      const bad = text.indexOf('"', from);
      if (bad >= 0 && bad < to) {
        this.problem(file, line, 'organisation', 'quote inside an unquoted field');
        return undefined;
      }
      const comma = text.indexOf(',', from);
      if (comma >= 0 && comma < to) {
        this.problem(file, line, 'organisation', 'unquoted value contains a comma (too many fields?)');
        return undefined;
      }
      return this.orgId(text.slice(from, to));
    }
    if (to - from < 2 || text.charCodeAt(to - 1) !== 34) {
      this.problem(file, line, 'organisation', 'unterminated quoted value');
      return undefined;
    }
    const inner = text.slice(from + 1, to - 1);
    // Inside quotes, a quote must be doubled; a lone one means the field ended early.
    let q = inner.indexOf('"');
    while (q >= 0) {
      if (inner.charCodeAt(q + 1) !== 34) {
        this.problem(file, line, 'organisation', 'stray quote inside a quoted value');
        return undefined;
      }
      q = inner.indexOf('"', q + 2);
    }
    return this.orgId(inner.includes('""') ? inner.replaceAll('""', '"') : inner);
  }

  private orgId(org: string): number {
    let id = this.orgIndex.get(org);
    if (id === undefined) {
      id = this.orgs.length;
      // `org` is usually a slice of the whole file's text, and V8 slices keep their parent alive; a
      // copy lets the 24 MB file text be collected once loading ends.
      const own = copyString(org);
      this.orgs.push(own);
      this.orgIndex.set(own, id);
    }
    return id;
  }

  build(): TableData {
    return {
      v4: finishV4(this.v4Start, this.v4End, this.v4Asn, this.v4Org),
      v6: finishV6(this.v6Start, this.v6End, this.v6Asn, this.v6Org),
      orgs: this.orgs,
    };
  }
}

/** A string with its own storage (see `orgId`). Short strings are always copied by V8 anyway. */
function copyString(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** An optional first line naming the columns, e.g. `start,end,asn,organisation`. */
function isHeader(text: string, from: number, to: number): boolean {
  return /^"?[A-Za-z_ ]+"?$/.test(text.slice(from, to)) && parseIPv4(text, from, to) < 0;
}

/** Decimal AS number in `text[from..to]` (optionally quoted), or -1. */
function parseAsn(text: string, from: number, to: number): number {
  if (to - from >= 2 && text.charCodeAt(from) === 34 && text.charCodeAt(to - 1) === 34) {
    from++;
    to--;
  }
  if (to <= from || to - from > 10) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n > 0xffffffff ? -1 : n;
}

/** Starts, ends, AS numbers and organisation indices of one family, sorted and disjoint. */
type Columns = [Uint32Array, Uint32Array, Uint32Array, Uint32Array];

interface TableData {
  v4: Columns;
  v6: Columns;
  orgs: string[];
}

/**
 * Freezes the IPv4 columns. Sorted, disjoint data is checked in one pass and copied as is; anything else
 * goes through `flatten`. Keys are plain numbers: exact up to 2^53, so `end + 1` cannot overflow.
 */
function finishV4(start: U32List, end: U32List, asn: U32List, org: U32List): Columns {
  const n = start.length;
  const s = start.data;
  const e = end.data;
  let clean = true;
  for (let i = 1; i < n && clean; i++) clean = s[i] > e[i - 1];
  if (clean) return [start.toArray(), end.toArray(), asn.toArray(), org.toArray()];
  const out = [new U32List(), new U32List(), new U32List(), new U32List()];
  const keys: Keys<number> = {
    start: (i) => s[i],
    end: (i) => e[i],
    compare: (a, b) => a - b,
    next: (a) => a + 1,
    previous: (a) => a - 1,
    zero: 0,
  };
  flatten(n, keys, (from, to, i) => {
    out[0].push(from);
    out[1].push(to);
    out[2].push(asn.data[i]);
    out[3].push(org.data[i]);
  });
  return [out[0].toArray(), out[1].toArray(), out[2].toArray(), out[3].toArray()];
}

/** Same as `finishV4` for IPv6: four words per address, and BigInt keys on the unclean path. */
function finishV6(start: U32List, end: U32List, asn: U32List, org: U32List): Columns {
  const n = asn.length;
  const s = start.data;
  const e = end.data;
  let clean = true;
  for (let i = 1; i < n && clean; i++) {
    const k = 4 * (i - 1);
    clean = compareWords(s, 4 * i, e[k], e[k + 1], e[k + 2], e[k + 3]) > 0;
  }
  if (clean) return [start.toArray(), end.toArray(), asn.toArray(), org.toArray()];
  const starts = Array.from({ length: n }, (_, i) => wordsToBigInt(s, 4 * i));
  const ends = Array.from({ length: n }, (_, i) => wordsToBigInt(e, 4 * i));
  const out = [new U32List(), new U32List(), new U32List(), new U32List()];
  const words = new Uint32Array(4);
  const keys: Keys<bigint> = {
    start: (i) => starts[i],
    end: (i) => ends[i],
    compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    next: (a) => a + 1n,
    previous: (a) => a - 1n,
    zero: 0n,
  };
  flatten(n, keys, (from, to, i) => {
    bigIntToWords(from, words, 0);
    for (const w of words) out[0].push(w);
    bigIntToWords(to, words, 0);
    for (const w of words) out[1].push(w);
    out[2].push(asn.data[i]);
    out[3].push(org.data[i]);
  });
  return [out[0].toArray(), out[1].toArray(), out[2].toArray(), out[3].toArray()];
}

/** Access to row `i`'s range, and arithmetic on keys: numbers for IPv4, BigInt for IPv6. */
interface Keys<K> {
  start(i: number): K;
  end(i: number): K;
  compare(a: K, b: K): number;
  next(a: K): K;
  previous(a: K): K;
  zero: K;
}

/**
 * Turns rows `0..n-1` of possibly overlapping ranges into sorted disjoint pieces, passed to `emit` with
 * the row they take their data from. The most specific wins: a range that starts inside another takes
 * over from its start (a /24 inside a /16 is carved out of it, as in longest-prefix routing), and of two
 * identical ranges the later row wins. The real IPv4 file has one such overlap (two DoD ranges), so this
 * runs on every load of it: it works on row indices, and sorts only when the rows are out of order.
 */
function flatten<K>(n: number, keys: Keys<K>, emit: (from: K, to: K, row: number) => void): void {
  const before = (a: number, b: number) =>
    keys.compare(keys.start(a), keys.start(b)) || keys.compare(keys.end(b), keys.end(a)) || a - b;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = before(i - 1, i) < 0;
  const rows = Array.from({ length: n }, (_, i) => i);
  if (!sorted) rows.sort(before);
  // Rows whose range contains the cursor, innermost last.
  const open: number[] = [];
  let cursor = keys.zero;
  // Pops the innermost open range, emits what is left of it, and moves the cursor past it.
  const close = () => {
    const top = open.pop()!;
    const end = keys.end(top);
    if (keys.compare(end, cursor) >= 0) {
      emit(cursor, end, top);
      cursor = keys.next(end);
    }
  };
  for (const r of rows) {
    const start = keys.start(r);
    while (open.length > 0 && keys.compare(keys.end(open[open.length - 1]), start) < 0) close();
    if (open.length > 0 && keys.compare(cursor, start) < 0) {
      emit(cursor, keys.previous(start), open[open.length - 1]);
    }
    cursor = start;
    open.push(r);
  }
  while (open.length > 0) close();
}
