/**
 * Domain names as users type them → the ASCII form DNS carries. Internationalised names (IDN) are
 * converted to punycode with WHATWG's `domainToASCII` (UTS #46 processing, as browsers do).
 */
import { domainToASCII } from 'node:url';

/** A name ready to query, or why it cannot be. */
export type NameCheck = { ok: true; name: string; idn: boolean } | { ok: false; reason: string };

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Normalise `input` (trim, lower-case, drop one trailing dot, IDN → punycode) and check it is a
 * fully qualified host name: 2+ labels of 1–63 letters, digits, inner dashes (underscores tolerated,
 * as real zones hold them), 253 characters at most.
 */
export function normaliseDomain(input: string): NameCheck {
  let raw = input.trim();
  if (raw.endsWith('.')) raw = raw.slice(0, -1);
  if (raw.length === 0) return { ok: false, reason: 'empty name' };
  const ascii = /^[\x00-\x7f]*$/.test(raw);
  let name = raw.toLowerCase();
  if (!ascii) {
    name = domainToASCII(raw);
    if (name === '')
      return { ok: false, reason: `not a valid internationalised name: ${JSON.stringify(input)}` };
  }
  if (name.length > 253) return { ok: false, reason: 'longer than 253 characters' };
  const labels = name.split('.');
  if (labels.length < 2) return { ok: false, reason: 'not a fully qualified name (like shop.example)' };
  for (const l of labels) {
    if (l.length === 0) return { ok: false, reason: 'empty label' };
    if (l.length > 63) return { ok: false, reason: `label longer than 63 characters: ${l.slice(0, 20)}…` };
    if (!LABEL.test(l)) return { ok: false, reason: `invalid label ${JSON.stringify(l)}` };
  }
  return { ok: true, name, idn: !ascii };
}

/** The registrable-looking part of a host: its last two labels (`a.b.vclass.test` → `vclass.test`). */
export function lastTwoLabels(host: string): string {
  const labels = host.split('.');
  return labels.slice(-2).join('.');
}

/** Name comparison form: lower-case, no trailing dot. */
export function canonical(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}
