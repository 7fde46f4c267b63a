/**
 * The world's certificate authority. At start the world creates a root CA (written out so clients
 * can trust it), one issuing CA per issuer organisation (providers that issue their own
 * certificates show their own issuer, like Cloudflare or Google), and issues leaf certificates on
 * demand, at the first TLS handshake for a name. All leaves share one key: the world impersonates
 * thousands of sites and generating a key per site would dominate start-up for no fidelity gain.
 * Validity is in real time (clients check it against the real clock); `tls_expired` gets a leaf
 * whose validity ended yesterday.
 */
import 'reflect-metadata';
import { type KeyObject, KeyObject as KO, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { issueLeaf, toPem } from './der.ts';

x509.cryptoProvider.set(webcrypto as never);

type KeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

interface Issuer {
  cert: x509.X509Certificate;
  keys: KeyPair;
  pem: string;
  /** DER of its subject Name and its private key as a KeyObject, for the fast leaf path. */
  nameDer: Buffer;
  key: KeyObject;
}

export interface LeafPem {
  key: string;
  /** Leaf then issuing CA, PEM. */
  chain: string;
}

export class WorldPki {
  private issuers = new Map<string, Promise<Issuer>>();
  private serial = 1;

  private constructor(
    private root: Issuer,
    private leafSpki: Buffer,
    readonly leafKeyPem: string,
  ) {}

  static async create(name = 'Vigie Simulated Internet Root CA'): Promise<WorldPki> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: `CN=${name}, O=Vigie simulation`,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      signingAlgorithm: ALG,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 1, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
    const leafKeyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
    const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', leafKeys.publicKey));
    return new WorldPki(await asIssuer(cert, keys), spki, leafKeyPem);
  }

  /** The root certificate, PEM: what `--cacert` / the prober's trust store needs. */
  get rootPem(): string {
    return this.root.pem;
  }

  private issuer(org: string): Promise<Issuer> {
    let p = this.issuers.get(org);
    if (!p) {
      p = this.makeIssuer(org);
      this.issuers.set(org, p);
    }
    return p;
  }

  private async makeIssuer(org: string): Promise<Issuer> {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (++this.serial).toString(16).padStart(2, '0'),
      subject: `CN=${dn(org)} Issuing CA (simulated), O=${dn(org)}`,
      issuer: this.root.cert.subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 3650 * DAY),
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: this.root.keys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.root.cert, false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return asIssuer(cert, keys);
  }

  /** Issue a leaf for `names` (the first is the subject) from `issuerOrg`. */
  async leaf(names: string[], issuerOrg: string, expired = false): Promise<LeafPem> {
    const issuer = await this.issuer(issuerOrg);
    const now = Date.now();
    const der = issueLeaf({
      serial: BigInt(`0x${randomBytes(12).toString('hex')}`) + 1n,
      issuerName: issuer.nameDer,
      names,
      notBefore: expired ? new Date(now - 90 * DAY) : new Date(now - DAY),
      notAfter: expired ? new Date(now - DAY) : new Date(now + 90 * DAY),
      spki: this.leafSpki,
      issuerKey: issuer.key,
    });
    return { key: this.leafKeyPem, chain: `${toPem(der)}${issuer.pem}` };
  }
}

async function asIssuer(cert: x509.X509Certificate, keys: KeyPair): Promise<Issuer> {
  return {
    cert,
    keys,
    pem: cert.toString('pem'),
    nameDer: Buffer.from(cert.subjectName.toArrayBuffer()),
    key: KO.from(keys.privateKey as unknown as Parameters<typeof KO.from>[0]),
  };
}

/** Escape an attribute value for a DN string (RFC 4514): "Cloudflare, Inc." must stay one value. */
function dn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}
