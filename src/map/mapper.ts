/**
 * The mapper: for a list of domains, everything that can be learned from outside about what they
 * depend on. Phases, each over the whole list with bounded concurrency:
 *   1. DNS — zone and name servers, CNAME chain and addresses, MX (shared lookups cached);
 *   2. HTTP — one GET per domain with its Host, one kept-alive connection per address, so the
 *      virtual hosts of a shared address or a CDN edge cost one connection;
 *   3. TLS (optional) — one handshake per domain with its SNI, for the certificate issuer;
 *   4. co-hosting — plans, once every domain is resolved; then declared dependencies.
 * Dependencies come in through {@link MapperOptions}: the resolver, tables and clock are injected.
 */
import http from 'node:http';
import type { AsnTable } from '../asn/table.ts';
import type { Catalog } from '../catalog/match.ts';
import { normaliseDomain } from '../dns/names.ts';
import type { DnsQuerier } from '../dns/types.ts';
import { assignPlans } from './cohost.ts';
import type { Declarations } from './declare.ts';
import { applyHttp, applyTls, dnsFinding, frontFindings, hostingFinding, mailFinding } from './findings.ts';
import { Identifier } from './identify.ts';
import { forEachLimit } from './pool.ts';
import type { RegionTable } from './ranges.ts';
import { DomainResolver } from './resolve.ts';
import type { DeclaredDependency, DomainMap, MapReport } from './types.ts';
import { clientContext, httpGet, tlsIssuer } from './web.ts';

export interface MapperOptions {
  dns: DnsQuerier;
  catalog: Catalog;
  asn: AsnTable;
  /** Per-region ranges; null → regions unknown. */
  regions?: RegionTable | null;
  /** HTTP look at each site (port 80 in the real world); null → skipped. */
  http?: { port: number; timeoutMs?: number } | null;
  /** TLS issuer of each site (port 443); null → skipped. `ca`: extra roots to verify against. */
  tls?: { port: number; timeoutMs?: number; ca?: string } | null;
  /**
   * Which resolved addresses may be contacted over HTTP/TLS (outside a simulated world: the target
   * policy refusing private, loopback and link-local addresses). Default: all.
   */
  allowAddress?: (address: string) => boolean;
  /** Source address for HTTP/TLS connections (a vantage). */
  localAddress?: string;
  /** Domains resolved at once (default 256). */
  concurrency?: number;
  declared?: Declarations;
  onProgress?: (p: { phase: 'dns' | 'http' | 'tls'; done: number; total: number }) => void;
  /** Milliseconds clock for timings (default Date.now). */
  now?: () => number;
}

/** Domains per kept-alive connection, so one big shared address still spreads over a few connections. */
const PER_CONNECTION = 32;

export async function mapDomains(inputs: readonly string[], opts: MapperOptions): Promise<MapReport> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const concurrency = opts.concurrency ?? 256;
  let dnsQueries = 0;
  const counted: DnsQuerier = {
    query: (n, t) => {
      dnsQueries++;
      return opts.dns.query(n, t);
    },
  };
  const resolver = new DomainResolver(counted);
  const id = new Identifier(opts.catalog, opts.asn, opts.regions ?? null);
  const maps = initial(inputs);
  const live = maps.filter((m) => m.status !== 'invalid_name');
  const progress = (phase: 'dns' | 'http' | 'tls', total: number) => {
    let done = 0;
    return () => opts.onProgress?.({ phase, done: ++done, total });
  };

  const tickDns = progress('dns', live.length);
  await forEachLimit(live, concurrency, async (m) => {
    await resolveOne(resolver, id, m);
    tickDns();
  });

  const ok = maps.filter((m) => m.status === 'ok');
  let httpRequests = 0;
  if (opts.http) {
    const tick = progress('http', ok.length);
    const { port, timeoutMs = 3000 } = opts.http;
    const allowed = opts.allowAddress ?? (() => true);
    const groups = groupByAddress(ok).filter(([address]) => allowed(address));
    await forEachLimit(groups, Math.max(1, Math.floor(concurrency / 2)), async ([address, group]) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (const m of group) {
          httpRequests++;
          applyHttp(
            id,
            m,
            address,
            await httpGet(address, port, m.domain, { timeoutMs, agent, localAddress: opts.localAddress }),
          );
          tick();
        }
      } finally {
        agent.destroy();
      }
    });
  }
  let tlsHandshakes = 0;
  if (opts.tls) {
    const tick = progress('tls', ok.length);
    const { port, timeoutMs = 3000, ca } = opts.tls;
    const secureContext = clientContext(ca);
    await forEachLimit(ok, concurrency, async (m) => {
      tlsHandshakes++;
      const address = firstAddress(m);
      applyTls(
        id,
        m,
        await tlsIssuer(address, port, m.domain, {
          timeoutMs,
          secureContext,
          localAddress: opts.localAddress,
        }),
      );
      tick();
    });
  }
  for (const m of maps) {
    const declared = opts.declared?.get(m.domain);
    if (declared?.length) m.declared = declared.map((d) => identifyDeclared(id, d));
  }
  assignPlans(maps);
  for (const m of maps) m.confidence = overall(m);
  return {
    domains: maps,
    stats: { domains: maps.length, ok: ok.length, ms: now() - t0, dnsQueries, httpRequests, tlsHandshakes },
  };
}

/**
 * A declared origin given by address is identified like a visible server: AS, organisation,
 * provider and region from the tables (what the user wrote explicitly wins). Copies, never mutates.
 */
function identifyDeclared(id: Identifier, d: DeclaredDependency): DeclaredDependency {
  if (d.role !== 'hosting' || !d.address) return d;
  const info = id.address(d.address);
  const provider = d.provider ?? info.provider ?? undefined;
  const region = d.region ?? info.region ?? undefined;
  return {
    ...d,
    ...(provider ? { provider } : {}),
    ...(region ? { region } : {}),
    ...(info.asn !== null ? { asn: info.asn } : {}),
    ...(info.org !== null ? { org: info.org } : {}),
  };
}

/** One record per distinct input name, in input order; invalid names are settled at once. */
function initial(inputs: readonly string[]): DomainMap[] {
  const seen = new Set<string>();
  const out: DomainMap[] = [];
  for (const input of inputs) {
    const n = normaliseDomain(input);
    const base = { cname: [], dns: null, hosting: null, plan: null, confidence: 0 };
    if (!n.ok) {
      out.push({ domain: input, status: 'invalid_name', detail: n.reason, ...base });
      continue;
    }
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    out.push({ domain: n.name, ...(n.name !== input ? { input } : {}), status: 'ok', ...base });
  }
  return out;
}

async function resolveOne(resolver: DomainResolver, id: Identifier, m: DomainMap): Promise<void> {
  const d = await resolver.resolve(m.domain);
  const [nsAddresses, mxAddresses] = await Promise.all([
    Promise.all(d.zone.nameServers.map((ns) => resolver.hostAddresses(ns))),
    d.mx.length > 0 ? resolver.hostAddresses(d.mx[0].exchange) : Promise.resolve([]),
  ]);
  m.status = d.status;
  if (d.detail) m.detail = d.detail;
  m.cname = d.chain;
  m.dns = dnsFinding(id, d.zone, nsAddresses);
  const mail = mailFinding(
    id,
    d.mx.map((x) => x.exchange),
    mxAddresses,
  );
  if (mail) m.mail = mail;
  if (d.status !== 'ok') return;
  const infos = d.addresses.map((a) => id.address(a));
  const front = frontFindings(id, m.domain, d.chain, infos);
  if (front.cdn) m.cdn = front.cdn;
  if (front.platform) m.platform = front.platform;
  m.hosting = hostingFinding(infos, front);
}

function firstAddress(m: DomainMap): string {
  const all = m.cdn?.addresses ?? m.platform?.addresses ?? m.hosting?.addresses ?? [];
  return all.find((a) => !a.includes(':')) ?? all[0];
}

/** Domains grouped by the address their GET goes to, cut into connection-sized chunks. */
function groupByAddress(maps: DomainMap[]): [string, DomainMap[]][] {
  const by = new Map<string, DomainMap[]>();
  for (const m of maps) {
    const a = firstAddress(m);
    if (!a) continue;
    const g = by.get(a);
    if (g) g.push(m);
    else by.set(a, [m]);
  }
  const out: [string, DomainMap[]][] = [];
  for (const [a, g] of by)
    for (let i = 0; i < g.length; i += PER_CONNECTION) out.push([a, g.slice(i, i + PER_CONNECTION)]);
  return out;
}

/** The lowest confidence among the findings that say something. */
function overall(m: DomainMap): number {
  if (m.status !== 'ok') return 0;
  const cs = [m.dns?.confidence, m.cdn?.confidence, m.platform?.confidence, m.mail?.confidence];
  if (m.hosting && !m.hosting.hidden) cs.push(m.hosting.confidence);
  if (m.plan?.value) cs.push(m.plan.confidence);
  const present = cs.filter((c): c is number => typeof c === 'number');
  return present.length ? Math.round(Math.min(...present) * 100) / 100 : 0;
}
