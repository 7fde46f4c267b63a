/**
 * Small, allocation-free IP address helpers for the IP-to-AS table.
 *
 * The table's hot path parses millions of addresses a second, so the parsers work on char codes and
 * write into caller-provided storage instead of returning objects. IPv6 addresses are four unsigned
 * 32-bit words, most significant first, so they compare lexicographically without BigInt; BigInt is
 * used only on cold paths (CIDR arithmetic, formatting, overlap resolution).
 */

/** Address family, as in `node:net`. */
export type IpFamily = 4 | 6;

/**
 * Parses dotted-quad IPv4 into an unsigned 32-bit number, or returns -1. Strict: exactly four decimal
 * parts 0–255 without leading zeros (a leading zero would mean octal to some parsers, so it is ambiguous).
 */
export function parseIPv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (leadingZero) return -1;
      if (digits === 0 && c === 48) leadingZero = true;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      leadingZero = false;
      dots++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  // Multiplication, not shifts: shifts would go negative above 2^31.
  return value * 256 + part;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) into four 32-bit words written at
 * `out[at..at+3]`. Returns false, leaving `out` in an unspecified state, when the text is not IPv6.
 * Zone indices (`%eth0`) are rejected: an AS table has no notion of links.
 */
export function parseIPv6(s: string, out: Uint32Array, at = 0, from = 0, to = s.length): boolean {
  // Up to eight 16-bit groups; `gap` is where `::` stands, -1 if absent.
  const groups = scratchGroups;
  let n = 0;
  let gap = -1;
  let i = from;
  if (to - from < 2) return false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === to) {
      out[at] = out[at + 1] = out[at + 2] = out[at + 3] = 0;
      return true;
    }
  }
  for (;;) {
    // One group: 1–4 hex digits, or a dotted IPv4 tail taking two groups.
    const start = i;
    let v = 0;
    while (i < to) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      i++;
    }
    const len = i - start;
    if (i < to && s.charCodeAt(i) === 46) {
      if (n > 6) return false;
      const v4 = parseIPv4(s, start, to);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = to;
      break;
    }
    if (len === 0 || len > 4 || n === 8) return false;
    groups[n++] = v;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < to && s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === to) break;
    } else if (i === to) {
      return false; // a single trailing colon
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  // Expand: groups before the gap, zeros, groups after.
  const fill = 8 - n;
  for (let w = 0; w < 4; w++) {
    const hi = expandedGroup(groups, 2 * w, gap, fill, n);
    const lo = expandedGroup(groups, 2 * w + 1, gap, fill, n);
    out[at + w] = ((hi << 16) | lo) >>> 0;
  }
  return true;
}

const scratchGroups = new Uint16Array(8);

function expandedGroup(groups: Uint16Array, k: number, gap: number, fill: number, n: number): number {
  if (gap < 0 || k < gap) return groups[k];
  if (k < gap + fill) return 0;
  const j = k - fill;
  return j < n ? groups[j] : 0;
}

const scratchWords = new Uint32Array(4);

/** 4 or 6 for a valid address, 0 otherwise (like `net.isIP`, but with this module's strict IPv4). */
export function ipFamily(address: string): 0 | IpFamily {
  if (parseIPv4(address) >= 0) return 4;
  return parseIPv6(address, scratchWords) ? 6 : 0;
}

/** An address as a family and a BigInt value (cold paths only). Throws on invalid text. */
export function ipToBigInt(address: string): { family: IpFamily; value: bigint } {
  const v4 = parseIPv4(address);
  if (v4 >= 0) return { family: 4, value: BigInt(v4) };
  if (!parseIPv6(address, scratchWords)) throw new RangeError(`not an IP address: ${address}`);
  return { family: 6, value: wordsToBigInt(scratchWords, 0) };
}

/** Four 32-bit words (most significant first) at `words[at..]` as one 128-bit BigInt. */
export function wordsToBigInt(words: ArrayLike<number>, at: number): bigint {
  return (
    (BigInt(words[at]) << 96n) |
    (BigInt(words[at + 1]) << 64n) |
    (BigInt(words[at + 2]) << 32n) |
    BigInt(words[at + 3])
  );
}

/** Writes a 128-bit BigInt as four 32-bit words at `out[at..]`. */
export function bigIntToWords(value: bigint, out: Uint32Array, at: number): void {
  out[at] = Number((value >> 96n) & 0xffffffffn);
  out[at + 1] = Number((value >> 64n) & 0xffffffffn);
  out[at + 2] = Number((value >> 32n) & 0xffffffffn);
  out[at + 3] = Number(value & 0xffffffffn);
}

/** Formats an unsigned 32-bit number as dotted-quad IPv4. */
export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Formats a 128-bit value as IPv6 in the RFC 5952 canonical form (longest zero run compressed). */
export function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let k = 7; k >= 0; k--) groups.push(Number((value >> BigInt(16 * k)) & 0xffffn));
  let bestAt = -1;
  let bestLen = 1; // RFC 5952: a single zero group is not compressed
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && groups[e] === 0) e++;
    if (e - k > bestLen) {
      bestAt = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}

/** Formats a family and BigInt value back into address text. */
export function formatIp(family: IpFamily, value: bigint): string {
  return family === 4 ? formatIPv4(Number(value)) : formatIPv6(value);
}

/** Orders two addresses: IPv4 before IPv6, then numerically. Throws on invalid text. */
export function compareIp(a: string, b: string): number {
  const x = ipToBigInt(a);
  const y = ipToBigInt(b);
  if (x.family !== y.family) return x.family - y.family;
  return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
}

/** An inclusive address range. */
export interface IpRange {
  family: IpFamily;
  start: string;
  end: string;
}

/** `192.0.2.0/24` → its first and last addresses. Host bits set in the address are ignored. */
export function cidrToRange(cidr: string): IpRange {
  const slash = cidr.indexOf('/');
  if (slash < 0) throw new RangeError(`not a CIDR prefix: ${cidr}`);
  const { family, value } = ipToBigInt(cidr.slice(0, slash));
  const bits = family === 4 ? 32 : 128;
  const lenText = cidr.slice(slash + 1);
  const len = Number(lenText);
  if (!/^\d{1,3}$/.test(lenText) || len > bits) throw new RangeError(`bad prefix length in ${cidr}`);
  const host = (1n << BigInt(bits - len)) - 1n;
  const start = value & ~host;
  return { family, start: formatIp(family, start), end: formatIp(family, start | host) };
}

/**
 * The largest CIDR block that contains `value` and lies entirely within `[start, end]` — for a range
 * that is exactly one prefix, that prefix; otherwise the piece of the range the address falls in.
 */
export function enclosingCidr(family: IpFamily, value: bigint, start: bigint, end: bigint): string {
  const bits = family === 4 ? 32 : 128;
  for (let len = 0; len <= bits; len++) {
    const host = (1n << BigInt(bits - len)) - 1n;
    const first = value & ~host;
    if (first >= start && (first | host) <= end) return `${formatIp(family, first)}/${len}`;
  }
  // Unreachable while start <= value <= end: the /bits block of the address itself always fits.
  return `${formatIp(family, value)}/${bits}`;
}
