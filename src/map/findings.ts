/**
 * Turning what DNS, addresses, headers and certificates showed into findings with evidence and
 * confidence: DNS provider, CDN/platform in front, hosting network and region, mail provider.
 */
import { lastTwoLabels } from '../dns/names.ts';
import { type AddressInfo, CONFIDENCE, type Identifier, type NameMatch } from './identify.ts';
import type { ZoneInfo } from './resolve.ts';
import type {
  DnsFinding,
  DomainMap,
  FrontFinding,
  HostingFinding,
  MailFinding,
  TlsFinding,
} from './types.ts';
import type { HttpOutcome, TlsOutcome } from './web.ts';

/** Confidence when a second, independent piece of evidence agrees with the first. */
function agreed(c: number): number {
  return Math.min(0.99, c + CONFIDENCE.agreeBonus);
}

function asConfidence(info: AddressInfo | undefined): number {
  if (!info?.asn) return 0.2;
  return info.entry ? CONFIDENCE.catalogAs : CONFIDENCE.asOnly;
}

/** The first address with a known AS, else the first address. */
function primary(infos: AddressInfo[]): AddressInfo | undefined {
  return infos.find((i) => i.asn !== null) ?? infos[0];
}

/** DNS provider from the zone's NS names (catalog suffixes) and the AS of their addresses. */
export function dnsFinding(id: Identifier, zone: ZoneInfo, nsAddresses: string[][]): DnsFinding | null {
  if (!zone.zone || zone.nameServers.length === 0) return null;
  const evidence: string[] = [`NS ${zone.zone}: ${zone.nameServers.join(', ')}`];
  if (zone.detail) evidence.push(zone.detail);
  const votes = new Map<string, NameMatch>();
  const counts = new Map<string, number>();
  for (const ns of zone.nameServers) {
    const m = id.byName('ns', ns);
    if (!m) continue;
    votes.set(m.provider, m);
    counts.set(m.provider, (counts.get(m.provider) ?? 0) + 1);
  }
  const byName = [...votes.values()].sort(
    (a, b) => (counts.get(b.provider) ?? 0) - (counts.get(a.provider) ?? 0),
  )[0];
  const infos = nsAddresses.flat().map((a) => id.address(a));
  const as = primary(infos);
  if (byName) evidence.push(byName.evidence);
  if (as) evidence.push(...as.evidence.slice(0, 1));
  let provider: string;
  let confidence: number;
  if (byName) {
    provider = byName.provider;
    confidence = as?.provider === provider ? agreed(byName.confidence) : byName.confidence;
  } else if (as?.provider) {
    provider = as.provider;
    confidence = asConfidence(as);
  } else {
    const d = id.derived(zone.nameServers[0]);
    provider = d.provider;
    confidence = d.confidence;
    evidence.push(d.evidence);
  }
  return {
    provider,
    asn: as?.asn ?? null,
    org: as?.org ?? null,
    evidence,
    confidence,
    zone: zone.zone,
    nameServers: zone.nameServers,
  };
}

/**
 * What fronts the site: a CDN or a platform, from its CNAME chain (catalog suffixes; a name under a
 * domain the catalog does not know is a platform named after that domain) or, failing that, from the
 * AS of its addresses when that AS belongs to a CDN-only provider.
 */
export function frontFindings(
  id: Identifier,
  domain: string,
  chain: string[],
  infos: AddressInfo[],
): { cdn?: FrontFinding; platform?: FrontFinding } {
  const out: { cdn?: FrontFinding; platform?: FrontFinding } = {};
  const as = primary(infos);
  const addresses = infos.map((i) => i.address);
  const make = (m: NameMatch, extra: string[] = []): FrontFinding => ({
    provider: m.provider,
    asn: as?.asn ?? null,
    org: as?.org ?? null,
    evidence: [m.evidence, ...extra],
    confidence: m.confidence,
    addresses,
  });
  let derived: NameMatch | undefined;
  const own = lastTwoLabels(domain);
  for (const target of chain) {
    const m = id.byName('cname', target);
    if (m) {
      const role = id.frontRole(m.entry);
      if (role && !out[role]) out[role] = make({ ...m, evidence: `CNAME ${target}: ${m.evidence}` });
    } else if (!derived && lastTwoLabels(target) !== own) {
      derived = id.derived(target);
      derived = { ...derived, evidence: `CNAME ${target} (${derived.evidence})` };
    }
  }
  if (!out.cdn && !out.platform && derived)
    out.platform = make(derived, as ? [`front ends on AS${as.asn} "${as.org}"`] : []);
  if (!out.cdn && as?.entry && id.frontRole(as.entry) === 'cdn' && !id.has(as.entry, 'hosting')) {
    out.cdn = {
      provider: as.provider!,
      asn: as.asn,
      org: as.org,
      evidence: [as.evidence[0]],
      confidence: CONFIDENCE.catalogAs,
      addresses,
    };
  }
  return out;
}

/** The hosting network: the AS and region of the site's addresses; hidden when a CDN fronts it. */
export function hostingFinding(
  infos: AddressInfo[],
  front: { cdn?: FrontFinding; platform?: FrontFinding },
): HostingFinding {
  if (front.cdn) {
    return {
      provider: null,
      asn: null,
      org: null,
      addresses: [],
      region: null,
      evidence: [`origin hidden behind CDN ${front.cdn.provider}`],
      confidence: 0,
      hidden: true,
    };
  }
  const p = primary(infos);
  const evidence = [...(p?.evidence ?? ['no address'])];
  if (front.platform) evidence.push(`front ends of platform ${front.platform.provider} run on this network`);
  return {
    provider: p?.provider ?? null,
    asn: p?.asn ?? null,
    org: p?.org ?? null,
    addresses: infos.map((i) => i.address),
    region: p?.region ?? null,
    evidence,
    confidence: asConfidence(p),
    hidden: false,
  };
}

/** Mail provider from the best MX host: catalog suffix, else the AS of its address. */
export function mailFinding(
  id: Identifier,
  exchanges: string[],
  addresses: string[],
): MailFinding | undefined {
  if (exchanges.length === 0) return undefined;
  const host = exchanges[0];
  const m = id.byName('mx', host);
  const as = primary(addresses.map((a) => id.address(a)));
  const evidence = [`MX ${exchanges.join(', ')}`];
  if (m) evidence.push(m.evidence);
  if (as) evidence.push(as.evidence[0]);
  let provider: string;
  let confidence: number;
  if (m) {
    provider = m.provider;
    confidence = as?.provider === provider ? agreed(m.confidence) : m.confidence;
  } else if (as?.provider) {
    provider = as.provider;
    confidence = asConfidence(as);
  } else {
    const d = id.derived(host);
    provider = d.provider;
    confidence = d.confidence;
    evidence.push(d.evidence);
  }
  return { provider, asn: as?.asn ?? null, org: as?.org ?? null, evidence, confidence, exchanges };
}

/** Fold a GET's outcome in: header markers confirm or reveal a CDN or platform. */
export function applyHttp(id: Identifier, map: DomainMap, address: string, r: HttpOutcome): void {
  if (r.kind === 'error') {
    map.http = { address, error: r.code, markers: [] };
    return;
  }
  const marks = id.byHeaders(r.headers);
  map.http = { address, status: r.status, markers: marks.map((m) => m.provider) };
  for (const mark of marks) {
    const entry = id.entry(mark.provider);
    const role = id.frontRole(entry);
    if (!role) continue;
    const existing = map[role];
    if (existing && existing.provider === mark.provider) {
      existing.evidence.push(mark.evidence);
      existing.confidence = agreed(existing.confidence);
    } else if (!existing && !(role === 'platform' && map.cdn)) {
      const h = map.hosting;
      map[role] = {
        provider: mark.provider,
        asn: h?.asn ?? null,
        org: h?.org ?? null,
        evidence: [mark.evidence],
        confidence: CONFIDENCE.headers,
        addresses: h?.addresses ?? [],
      };
      if (role === 'cdn' && h && !h.hidden) map.hosting = { ...hostingFinding([], { cdn: map.cdn }) };
    }
  }
}

/** Fold a TLS handshake in: the issuer, and the provider issuing under that name. */
export function applyTls(id: Identifier, map: DomainMap, r: TlsOutcome): void {
  const tls: TlsFinding =
    r.kind === 'error'
      ? { issuer: null, authorized: false, error: r.code }
      : { issuer: r.issuer, authorized: r.authorized, ...(r.reason ? { error: r.reason } : {}) };
  const provider = tls.issuer ? id.byIssuer(tls.issuer) : undefined;
  if (provider) tls.provider = provider;
  map.tls = tls;
}
