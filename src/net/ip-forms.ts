/**
 * Every spelling of an address a URL parser or `inet_aton` accepts, reduced to one canonical form.
 * A check on `127.0.0.1` alone would let `2130706433`, `0177.0.0.1`, `0x7f.1` or `127.1` through:
 * WHATWG URL parsers and the C library read all of them as loopback.
 */
import { formatIPv4, parseIPv6 } from '../asn/ip.ts';

/** A parsed address: IPv4 as an unsigned 32-bit number, IPv6 as four 32-bit words (most significant first). */
export type ParsedAddress = { family: 4; value: number } | { family: 6; words: Uint32Array };

/**
 * IPv4 in the loose forms URL parsers accept (WHATWG "IPv4 parser", also `inet_aton`): one to four
 * dot-separated parts, each decimal, octal (leading `0`) or hex (`0x`); the last part fills the
 * remaining bytes (`127.1` = 127.0.0.1, `2130706433` = 127.0.0.1). A single trailing dot is allowed.
 * Returns the unsigned 32-bit value, or null when the text is not IPv4 in any form.
 */
export function parseLooseIPv4(text: string): number | null {
  let s = text;
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s === '') return null;
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const n = parseLoosePart(p);
    if (n === null) return null;
    nums.push(n);
  }
  const last = nums.pop() as number;
  for (const n of nums) if (n > 255) return null;
  if (last >= 256 ** (4 - nums.length)) return null;
  let value = 0;
  for (const n of nums) value = value * 256 + n;
  return value * 256 ** (4 - nums.length) + last;
}

function parseLoosePart(p: string): number | null {
  if (p === '') return null;
  let digits = p;
  let radix = 10;
  if (/^0[xX]/.test(p)) {
    digits = p.slice(2);
    radix = 16;
    if (digits === '') return 0; // `0x` alone is zero for the URL parser
    if (!/^[0-9a-fA-F]+$/.test(digits)) return null;
  } else if (p.length > 1 && p[0] === '0') {
    digits = p.slice(1);
    radix = 8;
    if (!/^[0-7]+$/.test(digits)) return null;
  } else if (!/^[0-9]+$/.test(p)) {
    return null;
  }
  const n = Number.parseInt(digits, radix);
  return Number.isSafeInteger(n) && n <= 0xffffffff ? n : null;
}

/**
 * Parse an address in any accepted spelling: IPv6 (optionally in brackets, zone index dropped) or
 * loose IPv4. Null when the text is not an address (a host name).
 */
export function parseAddress(text: string): ParsedAddress | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes(':')) {
    const zone = s.indexOf('%');
    if (zone >= 0) s = s.slice(0, zone);
    const words = new Uint32Array(4);
    return parseIPv6(s.toLowerCase(), words) ? { family: 6, words } : null;
  }
  const v4 = parseLooseIPv4(s);
  return v4 === null ? null : { family: 4, value: v4 };
}

/** The canonical text of a parsed address (dotted quad, or compressed IPv6). */
export function formatAddress(a: ParsedAddress): string {
  if (a.family === 4) return formatIPv4(a.value);
  const groups: string[] = [];
  for (const w of a.words) groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
  // Compress the longest run of zero groups (at least two), as RFC 5952 says.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
