/**
 * Just enough DER to issue the world's leaf certificates fast. The general-purpose X.509 library
 * spends ~2.6 ms per certificate in JavaScript ASN.1 and WebCrypto plumbing; a leaf differs from its
 * siblings only in serial, names and validity, so it is assembled here from fixed parts and signed
 * with node:crypto (~0.1 ms). Mapping or probing thousands of HTTPS sites no longer waits on the
 * world's certificate minting.
 */
import { type KeyObject, sign } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...p: Buffer[]) => tlv(0x30, ...p);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const n of rest) {
    const stack = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) stack.unshift(0x80 | (v & 0x7f));
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function integer(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const EXTENSIONS_FIXED = [
  // basicConstraints: critical, cA false (empty sequence)
  seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq())),
  // keyUsage: critical, digitalSignature
  seq(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from([0x07, 0x80])))),
  // extKeyUsage: serverAuth
  seq(oid('2.5.29.37'), tlv(0x04, seq(oid('1.3.6.1.5.5.7.3.1')))),
];

export interface LeafSpec {
  serial: bigint;
  /** DER of the issuer's subject Name. */
  issuerName: Buffer;
  /** DNS names; the first is the subject CN. */
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the leaf key. */
  spki: Buffer;
  /** The issuer's EC P-256 private key. */
  issuerKey: KeyObject;
}

/** Issue a leaf certificate (DER). */
export function issueLeaf(s: LeafSpec): Buffer {
  const cn = seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(s.names[0], 'utf8')));
  const subject = seq(tlv(0x31, cn));
  const san = seq(
    oid('2.5.29.17'),
    tlv(0x04, seq(...s.names.map((n) => tlv(0x82, Buffer.from(n, 'ascii'))))),
  );
  const tbs = seq(
    tlv(0xa0, integer(2n)), // v3
    integer(s.serial),
    ECDSA_SHA256,
    s.issuerName,
    seq(time(s.notBefore), time(s.notAfter)),
    subject,
    s.spki,
    tlv(0xa3, seq(...EXTENSIONS_FIXED, san)),
  );
  const signature = sign('sha256', tbs, { key: s.issuerKey, dsaEncoding: 'der' });
  return seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}
