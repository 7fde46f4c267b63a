/**
 * Who reported, privately: a keyed hash of the address and user agent (never either in clear), and
 * the network the address belongs to (/24 for IPv4, /48 for IPv6) for per-network limits.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** A fresh secret: reporter ids cannot be linked across restarts, nor reversed by anyone without it. */
export function newSecret(): Buffer {
  return randomBytes(32);
}

/** 48 bits of HMAC-SHA256(secret, address ‖ user agent), as a number (exact in a double). */
export function reporterId(secret: Buffer, address: string, userAgent: string): number {
  return createHmac('sha256', secret)
    .update(address)
    .update('\n')
    .update(userAgent)
    .digest()
    .readUIntBE(0, 6);
}

/** The network of an address: `a.b.c` (/24) for IPv4 and IPv4-mapped IPv6, the first 48 bits for IPv6. */
export function networkOf(address: string): string {
  const a = address.toLowerCase();
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(a);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}`;
  const zone = a.indexOf('%');
  const bare = zone >= 0 ? a.slice(0, zone) : a;
  const [head, tail] = bare.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups
    .slice(0, 3)
    .map((g) => (Number.parseInt(g || '0', 16) || 0).toString(16))
    .join(':');
}

/** 32-bit FNV-1a of a string, for hashing names into fixed-size tables. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's finaliser: spreads the bits of a 32-bit value. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
