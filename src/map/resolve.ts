/**
 * The DNS half of mapping: for one domain, its zone and name servers, its CNAME chain and addresses
 * (A and AAAA), and its mail exchangers; for the name servers and mail hosts, their addresses.
 * Shared lookups are cached for the whole run — the NS set per zone, the addresses per name-server
 * and mail host — so a run over thousands of domains of a few providers asks each only once.
 */
import type { Answer, RecordType } from 'dns-packet';
import { canonical } from '../dns/names.ts';
import type { DnsQuerier, DnsResult } from '../dns/types.ts';
import type { MapStatus } from './types.ts';

/** Longest CNAME chain followed; longer is reported as `chain_too_long` (as resolvers give up). */
export const MAX_CHAIN = 16;

/** Result of following a name to records of one type. */
export interface Chased {
  status: MapStatus;
  detail?: string;
  /** CNAME targets in order. */
  chain: string[];
  /** The name the records belong to (the end of the chain). */
  owner: string;
  records: Answer[];
  /** Owner of the SOA in the authority section, when the answer had one (the zone apex). */
  soa?: string;
  /** That SOA's primary name server (MNAME). */
  mname?: string;
}

export interface ZoneInfo {
  status: MapStatus;
  detail?: string;
  zone: string | null;
  nameServers: string[];
}

/** Everything DNS says about one domain. */
export interface DomainDns {
  status: MapStatus;
  detail?: string;
  chain: string[];
  addresses: string[];
  zone: ZoneInfo;
  mx: { exchange: string; preference: number }[];
}

/** The data of a record (every type but OPT has one). */
function dataOf(r: Answer): unknown {
  return (r as { data?: unknown }).data;
}

/** Label of the non-existent child asked for to learn a zone's SOA. */
const PROBE_LABEL = '_vigie-zone';

const RCODE_STATUS: Record<string, MapStatus> = {
  NXDOMAIN: 'nxdomain',
  SERVFAIL: 'servfail',
  REFUSED: 'refused',
};

/** Walks names through a stub resolver, with run-wide caches. */
export class DomainResolver {
  private readonly zones = new Map<string, Promise<ZoneInfo>>();
  private readonly hosts = new Map<string, Promise<string[]>>();

  constructor(
    private readonly dns: DnsQuerier,
    private readonly maxChain = MAX_CHAIN,
  ) {}

  /** Resolve a (valid, normalised) domain: zone + NS, addresses, MX — queried in parallel. */
  async resolve(domain: string): Promise<DomainDns> {
    const [a, aaaa, zone, mx] = await Promise.all([
      this.chase(domain, 'A'),
      this.chase(domain, 'AAAA'),
      this.zoneOf(domain),
      this.chase(domain, 'MX'),
    ]);
    const addresses = [...a.records, ...aaaa.records].map((r) => String(dataOf(r)));
    let status: MapStatus = a.status;
    let detail = a.detail;
    if (status === 'ok' && addresses.length === 0) {
      status = aaaa.status === 'ok' ? 'no_address' : aaaa.status;
      detail = status === 'no_address' ? 'no A or AAAA record' : aaaa.detail;
    }
    const exchanges =
      mx.status === 'ok'
        ? mx.records
            .map((r) => dataOf(r) as { exchange: string; preference: number })
            .filter((d) => d && typeof d.exchange === 'string' && d.exchange !== '' && d.exchange !== '.')
            .map((d) => ({ exchange: canonical(d.exchange), preference: d.preference }))
            .sort((x, y) => x.preference - y.preference || x.exchange.localeCompare(y.exchange))
        : [];
    return { status, detail, chain: a.chain, addresses: [...new Set(addresses)], zone, mx: exchanges };
  }

  /** Addresses (A then AAAA) of an infrastructure host (name server, mail host); cached. */
  hostAddresses(host: string): Promise<string[]> {
    const key = canonical(host);
    let p = this.hosts.get(key);
    if (!p) {
      p = Promise.all([this.chase(key, 'A'), this.chase(key, 'AAAA')]).then(([a, b]) =>
        [...a.records, ...b.records].map((r) => String(dataOf(r))),
      );
      this.hosts.set(key, p);
    }
    return p;
  }

  /**
   * The zone holding `name` and its name servers: NS at the name itself, else at the apex the SOA
   * of a negative answer names, else at each parent in turn. Cached per name asked.
   */
  zoneOf(name: string): Promise<ZoneInfo> {
    const key = canonical(name);
    let p = this.zones.get(key);
    if (!p) {
      p = this.findZone(key);
      this.zones.set(key, p);
    }
    return p;
  }

  private async findZone(name: string): Promise<ZoneInfo> {
    const r = await this.chase(name, 'NS', false);
    if (r.status !== 'ok') return { status: r.status, detail: r.detail, zone: null, nameServers: [] };
    const ns = r.records.filter((x) => canonical(x.name) === name).map((x) => canonical(String(dataOf(x))));
    if (ns.length > 0) return { status: 'ok', zone: name, nameServers: [...new Set(ns)].sort() };
    if (r.chain.length > 0) {
      // A CNAME at the name hides its NS set (and the NS query followed it elsewhere). A name that
      // cannot exist below it gets a negative answer carrying the SOA of the zone it falls in.
      const probe = await this.chase(`${PROBE_LABEL}.${name}`, 'A', false);
      if (probe.soa === name && probe.mname)
        return {
          status: 'ok',
          detail: 'NS hidden by a CNAME at the apex: name server from the SOA',
          zone: name,
          nameServers: [probe.mname],
        };
      if (probe.soa && name.endsWith(`.${probe.soa}`)) return this.zoneOf(probe.soa);
    }
    if (r.soa && r.soa !== name && name.endsWith(`.${r.soa}`)) return this.zoneOf(r.soa);
    const dot = name.indexOf('.');
    const parent = name.slice(dot + 1);
    if (dot < 0 || !parent.includes('.'))
      return { status: 'ok', detail: 'no NS found', zone: null, nameServers: [] };
    return this.zoneOf(parent);
  }

  /**
   * Query `type` for `name`, following CNAMEs — those the resolver already chased in its answer, and
   * by asking again when an answer stops at a CNAME — up to `maxChain` hops. Loops and over-long
   * chains are statuses, as are rcodes, timeouts and truncation.
   */
  async chase(name: string, type: RecordType, follow = true): Promise<Chased> {
    const chain: string[] = [];
    const seen = new Set([name]);
    let cur = name;
    for (;;) {
      const r: DnsResult = await this.dns.query(cur, type);
      if (r.kind === 'timeout')
        return { status: 'timeout', detail: `${type} ${cur}: no answer`, chain, owner: cur, records: [] };
      if (r.kind === 'error')
        return {
          status: 'error',
          detail: `${type} ${cur}: ${r.code} ${r.message}`,
          chain,
          owner: cur,
          records: [],
        };
      const asked = cur;
      // Walk the CNAMEs the answer holds, from the name asked.
      for (;;) {
        const cn = r.answers.find((x) => x.type === 'CNAME' && canonical(x.name) === cur);
        if (!cn || type === 'CNAME') break;
        const target = canonical(String(dataOf(cn)));
        if (seen.has(target)) {
          return {
            status: 'cname_loop',
            detail: `CNAME loop: ${[name, ...chain, target].join(' → ')}`,
            chain,
            owner: cur,
            records: [],
          };
        }
        seen.add(target);
        chain.push(target);
        if (chain.length > this.maxChain) {
          return {
            status: 'chain_too_long',
            detail: `CNAME chain longer than ${this.maxChain}`,
            chain,
            owner: cur,
            records: [],
          };
        }
        cur = target;
      }
      const soaRec = r.authorities.find((x) => x.type === 'SOA');
      const soa = soaRec ? canonical(soaRec.name) : undefined;
      const mnameRaw = soaRec ? (dataOf(soaRec) as { mname?: unknown } | undefined)?.mname : undefined;
      const mname = typeof mnameRaw === 'string' && mnameRaw !== '' ? canonical(mnameRaw) : undefined;
      if (r.truncated)
        return {
          status: 'truncated',
          detail: `${type} ${asked}: truncated, TCP retry failed`,
          chain,
          owner: cur,
          records: [],
        };
      if (r.rcode !== 'NOERROR') {
        const status = RCODE_STATUS[r.rcode] ?? 'error';
        return { status, detail: `${type} ${asked}: ${r.rcode}`, chain, owner: cur, records: [], soa, mname };
      }
      const records = r.answers.filter((x) => x.type === type && canonical(x.name) === cur);
      if (records.length > 0 || !follow || cur === asked || soa)
        return { status: 'ok', chain, owner: cur, records, soa, mname };
      // The answer stopped at a CNAME whose target it did not resolve: ask for the target.
    }
  }
}
