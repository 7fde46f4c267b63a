/**
 * Address safety: which addresses Vigie may probe. A public observatory that lets anyone add a site
 * must not become a way to reach its own network (SSRF): loopback, private ranges, link-local and the
 * cloud metadata endpoints (169.254.169.254 and friends) are refused unless explicitly allowed — in a
 * simulation, the whole world lives on 127.0.0.0/8 and is allowed. IPv6 forms that embed an IPv4
 * address (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) are judged by the address they embed.
 */
import { formatIPv4 } from '../asn/ip.ts';
import { formatAddress, type ParsedAddress, parseAddress } from './ip-forms.ts';

/** What kind of address a text is. Everything but `public` is refused by default. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'metadata'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved'
  | 'invalid';

export interface Classification {
  class: AddressClass;
  /** Canonical spelling (`2130706433` → `127.0.0.1`); the input when invalid. */
  address: string;
  /** Why, for messages: the range that matched, and the embedded IPv4 address if any. */
  reason: string;
}

type V4Rule = [base: number, bits: number, cls: AddressClass, name: string];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

/** Most specific first: the first match wins. */
const V4_RULES: V4Rule[] = [
  [v4(169, 254, 169, 254), 32, 'metadata', 'cloud metadata endpoint 169.254.169.254'],
  [v4(169, 254, 170, 2), 32, 'metadata', 'container metadata endpoint 169.254.170.2'],
  [v4(100, 100, 100, 200), 32, 'metadata', 'cloud metadata endpoint 100.100.100.200'],
  [v4(255, 255, 255, 255), 32, 'broadcast', 'limited broadcast'],
  [v4(0, 0, 0, 0), 8, 'unspecified', '"this network" 0.0.0.0/8'],
  [v4(10, 0, 0, 0), 8, 'private', 'private 10.0.0.0/8 (RFC 1918)'],
  [v4(100, 64, 0, 0), 10, 'cgnat', 'shared address space 100.64.0.0/10 (CGNAT)'],
  [v4(127, 0, 0, 0), 8, 'loopback', 'loopback 127.0.0.0/8'],
  [v4(169, 254, 0, 0), 16, 'link-local', 'link-local 169.254.0.0/16'],
  [v4(172, 16, 0, 0), 12, 'private', 'private 172.16.0.0/12 (RFC 1918)'],
  [v4(192, 0, 0, 0), 24, 'reserved', 'IETF protocol assignments 192.0.0.0/24'],
  [v4(192, 0, 2, 0), 24, 'reserved', 'documentation 192.0.2.0/24'],
  [v4(192, 168, 0, 0), 16, 'private', 'private 192.168.0.0/16 (RFC 1918)'],
  [v4(198, 18, 0, 0), 15, 'reserved', 'benchmarking 198.18.0.0/15'],
  [v4(198, 51, 100, 0), 24, 'reserved', 'documentation 198.51.100.0/24'],
  [v4(203, 0, 113, 0), 24, 'reserved', 'documentation 203.0.113.0/24'],
  [v4(224, 0, 0, 0), 4, 'multicast', 'multicast 224.0.0.0/4'],
  [v4(240, 0, 0, 0), 4, 'reserved', 'reserved 240.0.0.0/4'],
];

function classifyV4(value: number): { class: AddressClass; reason: string } {
  for (const [base, bits, cls, name] of V4_RULES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === base) return { class: cls, reason: name };
  }
  return { class: 'public', reason: 'public' };
}

/** The IPv4 address an IPv6 address carries, and how, when it is one of the embedding forms. */
function embeddedV4(w: Uint32Array): { value: number; form: string } | null {
  const [a, b, c, d] = w;
  if (a === 0 && b === 0 && c === 0xffff) return { value: d, form: 'IPv4-mapped' };
  if (a === 0 && b === 0 && c === 0 && d > 1) return { value: d, form: 'IPv4-compatible' };
  if (a === 0x0064ff9b && b === 0 && c === 0) return { value: d, form: 'NAT64 64:ff9b::/96' };
  if (a >>> 16 === 0x2002) return { value: ((a & 0xffff) * 0x10000 + (b >>> 16)) >>> 0, form: '6to4' };
  // Teredo carries the client's address inverted in the last 32 bits.
  if (a === 0x20010000) return { value: ~d >>> 0, form: 'Teredo' };
  return null;
}

function classifyV6(w: Uint32Array): { class: AddressClass; reason: string } {
  const [a, b, c, d] = w;
  if (a === 0 && b === 0 && c === 0 && d === 0) return { class: 'unspecified', reason: 'unspecified ::' };
  if (a === 0 && b === 0 && c === 0 && d === 1) return { class: 'loopback', reason: 'loopback ::1' };
  const inner = embeddedV4(w);
  if (inner) {
    const x = classifyV4(inner.value);
    return { class: x.class, reason: `${inner.form} ${formatIPv4(inner.value)}: ${x.reason}` };
  }
  // AWS's IPv6 instance metadata endpoint fd00:ec2::254 (inside the ULA range, named for clarity).
  if (a === 0xfd000ec2 && b === 0 && c === 0 && d === 0x254)
    return { class: 'metadata', reason: 'cloud metadata endpoint fd00:ec2::254' };
  const top = a >>> 16;
  if (a === 0x0064ff9b && b >>> 16 === 1)
    return { class: 'private', reason: 'local-use NAT64 64:ff9b:1::/48' };
  if (top === 0x0100 && (a & 0xffff) === 0 && b === 0)
    return { class: 'reserved', reason: 'discard 100::/64' };
  if (a === 0x20010db8) return { class: 'reserved', reason: 'documentation 2001:db8::/32' };
  if (top >= 0xfc00 && top <= 0xfdff) return { class: 'private', reason: 'unique local fc00::/7' };
  if (top >= 0xfe80 && top <= 0xfebf) return { class: 'link-local', reason: 'link-local fe80::/10' };
  if (top >= 0xfec0 && top <= 0xfeff)
    return { class: 'private', reason: 'site-local fec0::/10 (deprecated)' };
  if (top >= 0xff00) return { class: 'multicast', reason: 'multicast ff00::/8' };
  // Only 2000::/3 is allocated as global unicast; anything else is not a real destination.
  if (top < 0x2000 || top > 0x3fff) return { class: 'reserved', reason: 'outside global unicast 2000::/3' };
  return { class: 'public', reason: 'public' };
}

/** Classify an address written in any form a URL parser or `inet_aton` accepts. */
export function classifyAddress(text: string): Classification {
  const parsed = parseAddress(text);
  if (!parsed) return { class: 'invalid', address: text, reason: 'not an IP address' };
  return classifyParsed(parsed);
}

function classifyParsed(parsed: ParsedAddress): Classification {
  const c = parsed.family === 4 ? classifyV4(parsed.value) : classifyV6(parsed.words);
  return { ...c, address: formatAddress(parsed) };
}

/** The verdict on one address. */
export type PolicyVerdict =
  | { ok: true; address: string; class: AddressClass }
  | { ok: false; address: string; class: AddressClass; reason: string };

export interface TargetPolicyOptions {
  /** Allow every non-public address (a simulation, or a private deployment watching an intranet). */
  allowPrivate?: boolean;
  /** Address classes allowed besides `public` (e.g. `['private']`); ignored with `allowPrivate`. */
  allowClasses?: readonly AddressClass[];
}

/** Which addresses may be probed. `invalid` is always refused. */
export class TargetPolicy {
  private readonly allowed: ReadonlySet<AddressClass>;

  constructor(readonly options: TargetPolicyOptions = {}) {
    this.allowed = new Set<AddressClass>(['public', ...(options.allowClasses ?? [])]);
  }

  /** A policy refusing everything but public addresses. */
  static strict(): TargetPolicy {
    return new TargetPolicy();
  }

  check(address: string): PolicyVerdict {
    const c = classifyAddress(address);
    if (c.class === 'invalid') return { ok: false, address, class: c.class, reason: c.reason };
    if (this.options.allowPrivate || this.allowed.has(c.class))
      return { ok: true, address: c.address, class: c.class };
    return { ok: false, address: c.address, class: c.class, reason: c.reason };
  }

  /**
   * Split resolved addresses into those that may be probed and those refused. The pipeline calls
   * this after every resolution, so a name that later re-resolves to a private address is caught at
   * probe time, not only when the site was added.
   */
  filter(addresses: readonly string[]): { allowed: string[]; refused: PolicyVerdict[] } {
    const allowed: string[] = [];
    const refused: PolicyVerdict[] = [];
    for (const a of addresses) {
      const v = this.check(a);
      if (v.ok) allowed.push(a);
      else refused.push(v);
    }
    return { allowed, refused };
  }
}

/** What a site's host text is, before any resolution. */
export type HostVerdict =
  | { kind: 'name'; host: string }
  | { kind: 'address'; verdict: PolicyVerdict }
  | { kind: 'invalid'; reason: string };

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * Judge a host as a URL parser would read it: an IP literal in any form is checked against the
 * policy; a name whose last label is numeric (`0x7f.1`, `127.1`) is an IPv4 address to a URL parser,
 * so it is one here too; anything else must be a syntactically valid DNS name.
 */
export function checkHost(host: string, policy: TargetPolicy): HostVerdict {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  const parsed = parseAddress(h);
  if (parsed) return { kind: 'address', verdict: policy.check(formatAddress(parsed)) };
  if (h.includes(':') || h.startsWith('[')) return { kind: 'invalid', reason: 'not a valid IPv6 address' };
  const labels = h.split('.');
  const last = labels[labels.length - 1];
  if (/^(0x[0-9a-f]*|[0-9]+)$/.test(last))
    return { kind: 'invalid', reason: 'ends in a number but is not a valid IPv4 address' };
  if (h.length > 253 || !labels.every((l) => LABEL.test(l)))
    return { kind: 'invalid', reason: 'not a valid domain name' };
  return { kind: 'name', host: h };
}
