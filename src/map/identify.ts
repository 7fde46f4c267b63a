/**
 * From evidence to provider identities: addresses → AS → provider and region; name-server, CNAME
 * and MX names → catalog entries; response headers and certificate issuers → catalog entries.
 * Pure and cached per address / organisation; no I/O.
 */
import type { AsnTable } from '../asn/table.ts';
import type { Catalog, CatalogMatch } from '../catalog/match.ts';
import type { CatalogEntry, CatalogRole } from '../catalog/types.ts';
import { lastTwoLabels } from '../dns/names.ts';
import type { RegionTable } from './ranges.ts';

/** Confidence of each kind of evidence, alone (combined evidence takes the highest, plus a bonus). */
export const CONFIDENCE = {
  /** A catalog name suffix (NS, CNAME, MX): providers choose these names themselves. */
  catalogName: 0.95,
  /** The AS number or organisation matches a catalog entry. */
  catalogAs: 0.9,
  /** Only the AS is known: its number is certain, the provider behind it is `as<N>`. */
  asOnly: 0.8,
  /** Response headers matched a provider's markers. */
  headers: 0.85,
  /** A name under a domain the catalog does not know (provider id derived from the domain). */
  nameOnly: 0.6,
  /** Two independent pieces of evidence agree. */
  agreeBonus: 0.04,
} as const;

/** What is known about one address. */
export interface AddressInfo {
  address: string;
  asn: number | null;
  org: string | null;
  /** Provider id: catalog id when recognised from the AS, else `as<N>`, else null (no AS). */
  provider: string | null;
  /** The catalog entry behind `provider`, if any. */
  entry?: CatalogEntry;
  region: string | null;
  evidence: string[];
}

/** A provider recognised from a name. */
export interface NameMatch {
  provider: string;
  entry?: CatalogEntry;
  evidence: string;
  confidence: number;
}

/** Recognises providers; one per mapping run (its caches assume fixed tables). */
export class Identifier {
  private readonly addresses = new Map<string, AddressInfo>();
  private readonly issuers = new Map<string, string>();

  constructor(
    private readonly catalog: Catalog,
    private readonly asn: AsnTable,
    private readonly regions: RegionTable | null,
  ) {
    for (const e of catalog.all()) if (e.tlsIssuer) this.issuers.set(e.tlsIssuer.toLowerCase(), e.id);
  }

  /** AS, provider and region of an address; cached. */
  address(address: string): AddressInfo {
    let info = this.addresses.get(address);
    if (info) return info;
    let as: { asn: number; org: string } | null = null;
    try {
      as = this.asn.lookup(address);
    } catch {
      as = null;
    }
    const evidence: string[] = [];
    let provider: string | null = null;
    let entry: CatalogEntry | undefined;
    if (as) {
      const m = this.fromAs(as.asn, as.org);
      provider = m.provider;
      entry = m.entry;
      evidence.push(
        `${address} in AS${as.asn} "${as.org}"${m.entry ? ` → ${m.provider} (${m.evidence})` : ''}`,
      );
    } else evidence.push(`${address}: not in the IP-to-AS table`);
    const hit = this.regions?.lookup(address) ?? null;
    if (hit?.region)
      evidence.push(`${address} in ${hit.prefix}, region ${hit.region} (${baseName(hit.source)})`);
    info = {
      address,
      asn: as?.asn ?? null,
      org: as?.org ?? null,
      provider,
      entry,
      region: hit?.region ?? null,
      evidence,
    };
    this.addresses.set(address, info);
    return info;
  }

  /** Provider behind an AS: the catalog entry announcing it, or whose organisation pattern matches, else `as<N>`. */
  fromAs(asn: number, org: string): { provider: string; entry?: CatalogEntry; evidence: string } {
    const m: CatalogMatch | undefined =
      this.catalog.byAsn(asn)[0] ?? (org ? this.catalog.byOrg(org)[0] : undefined);
    if (m) return { provider: m.id, entry: this.catalog.get(m.id), evidence: m.evidence };
    return { provider: `as${asn}`, evidence: `AS${asn}` };
  }

  /** A catalog entry from a name-server, CNAME-target or MX host name. */
  byName(kind: 'ns' | 'cname' | 'mx', host: string): NameMatch | null {
    const m =
      kind === 'ns'
        ? this.catalog.byNs(host)
        : kind === 'cname'
          ? this.catalog.byCname(host)
          : this.catalog.byMx(host);
    if (!m) return null;
    return {
      provider: m.id,
      entry: this.catalog.get(m.id),
      evidence: m.evidence,
      confidence: CONFIDENCE.catalogName,
    };
  }

  /**
   * A provider id from a name the catalog does not know: the first label of its last two
   * (`a.b.vclass.test` → `vclass`), the convention of providers outside the catalog.
   */
  derived(host: string): NameMatch {
    const domain = lastTwoLabels(host);
    return {
      provider: domain.split('.')[0],
      evidence: `name ${host} under ${domain}`,
      confidence: CONFIDENCE.nameOnly,
    };
  }

  /** The catalog entry with this id. */
  entry(id: string): CatalogEntry | undefined {
    return this.catalog.get(id);
  }

  /** Catalog providers whose header markers are present. */
  byHeaders(
    headers: Record<string, string | string[] | undefined>,
  ): { provider: string; evidence: string }[] {
    return this.catalog.byHeaders(headers).map((m) => ({ provider: m.id, evidence: m.evidence }));
  }

  /** The catalog provider issuing its own certificates under this issuer organisation. */
  byIssuer(issuer: string): string | undefined {
    return this.issuers.get(issuer.toLowerCase());
  }

  /** The first of cdn/platform in an entry's roles: its main front-end role. */
  frontRole(entry: CatalogEntry | undefined): 'cdn' | 'platform' | null {
    for (const r of entry?.roles ?? []) if (r === 'cdn' || r === 'platform') return r;
    return null;
  }

  /** True when the entry has `role`. */
  has(entry: CatalogEntry | undefined, role: CatalogRole): boolean {
    return entry?.roles.includes(role) ?? false;
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
