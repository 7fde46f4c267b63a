/**
 * How the world answers a DNS question, as the resolver (recursive, follows CNAME chains) or as one
 * provider's authoritative server. Pure: the servers in dns-server.ts do the sockets.
 */
import type { Answer, Packet, Question } from 'dns-packet';
import type { Effect } from '../scenario/types.ts';
import type { FaultEngine } from './faults/types.ts';
import { type NameData, type WorldPlan, zoneOf } from './plan.ts';

const TTL = 60;
const MAX_CHAIN = 16;

export type DnsMode = { kind: 'resolver' } | { kind: 'authoritative'; provider: string };

export interface DnsOutcome {
  /** Do not answer at all (the client times out). */
  drop: boolean;
  /** Simulated milliseconds to wait before answering. */
  delayMs: number;
  response?: Packet;
}

/** Which effects break name resolution, and how. Web-only effects (http_error…) do not. */
function dnsImpact(e: Effect, strict: boolean): 'drop' | 'servfail' | 'slow' | null {
  switch (e.kind) {
    case 'blackhole':
    case 'dns_timeout':
      return 'drop';
    case 'dns_servfail':
      return 'servfail';
    case 'refuse':
    case 'reset':
      // A resolver that gets refused by every authoritative server answers SERVFAIL.
      return strict ? 'servfail' : null;
    case 'slow':
      return strict ? 'slow' : null;
    default:
      return null;
  }
}

function effectOnName(engine: FaultEngine, data: NameData | undefined, t: number): Effect | null {
  if (!data || data.site === undefined || !data.role) return null;
  return engine.effectOn(data.site, data.role, t)?.effect ?? null;
}

export function answerQuery(
  plan: WorldPlan,
  engine: FaultEngine,
  query: Packet,
  mode: DnsMode,
  t: number,
): DnsOutcome {
  const q = query.questions?.[0];
  const base: Packet = {
    id: query.id,
    type: 'response',
    flags: (query.flags ?? 0) & 0x0100, // echo RD
    questions: query.questions,
    answers: [],
    authorities: [],
  };
  if (!q) return { drop: false, delayMs: 0, response: { ...base, flags: base.flags! | 1 } }; // FORMERR
  const name = q.name.toLowerCase().replace(/\.$/, '');
  if (mode.kind === 'authoritative') return authoritative(plan, engine, base, q, name, mode.provider, t);
  return recursive(plan, engine, base, q, name, t);
}

function rcodeFlags(base: Packet, rcode: number, aa: boolean, ra: boolean): number {
  return (base.flags ?? 0) | rcode | (aa ? 0x0400 : 0) | (ra ? 0x0080 : 0) | 0x8000;
}

function recursive(
  plan: WorldPlan,
  engine: FaultEngine,
  base: Packet,
  q: Question,
  qname: string,
  t: number,
): DnsOutcome {
  const answers: Answer[] = [];
  let delayMs = 0;
  let name = qname;
  const seen = new Set<string>();
  for (let depth = 0; depth <= MAX_CHAIN; depth++) {
    const zone = zoneOf(plan, name);
    const data = plan.names.get(name);
    const owner = data ?? (zone?.site !== undefined ? zoneData(plan, zone.apex) : undefined);
    const e = effectOnName(engine, owner, t);
    if (e) {
      const impact = dnsImpact(e, owner?.role === 'dns');
      if (impact === 'drop') return { drop: true, delayMs: 0 };
      if (impact === 'servfail')
        return { drop: false, delayMs, response: { ...base, flags: rcodeFlags(base, 2, false, true) } };
      if (impact === 'slow' && e.kind === 'slow') delayMs += e.latencyMs;
    }
    if (!data) {
      return {
        drop: false,
        delayMs,
        response: {
          ...base,
          flags: rcodeFlags(base, 3, false, true),
          answers,
          authorities: soaOf(plan, zone?.apex),
        },
      };
    }
    if (data.cname && q.type !== 'CNAME' && !apexHas(data, q.type)) {
      answers.push({ type: 'CNAME', name, ttl: TTL, class: 'IN', data: data.cname });
      if (seen.has(data.cname)) break;
      seen.add(name);
      name = data.cname;
      continue;
    }
    answers.push(...recordsOf(name, data, q.type));
    const noData = answers.every((a) => a.type === 'CNAME') && q.type !== 'CNAME';
    return {
      drop: false,
      delayMs,
      response: {
        ...base,
        flags: rcodeFlags(base, 0, false, true),
        answers,
        authorities: noData ? soaOf(plan, zoneOf(plan, name)?.apex) : [],
      },
    };
  }
  // Chain too long or looping: a real resolver gives up with SERVFAIL.
  return { drop: false, delayMs, response: { ...base, flags: rcodeFlags(base, 2, false, true) } };
}

function authoritative(
  plan: WorldPlan,
  engine: FaultEngine,
  base: Packet,
  q: Question,
  name: string,
  provider: string,
  t: number,
): DnsOutcome {
  const zone = zoneOf(plan, name);
  if (!zone || zone.authority !== provider) {
    return { drop: false, delayMs: 0, response: { ...base, flags: rcodeFlags(base, 5, false, false) } }; // REFUSED
  }
  const data = plan.names.get(name);
  const owner = data ?? zoneData(plan, zone.apex);
  const e = effectOnName(engine, owner, t);
  let delayMs = 0;
  if (e) {
    const impact = dnsImpact(e, owner?.role === 'dns');
    if (impact === 'drop') return { drop: true, delayMs: 0 };
    if (impact === 'servfail')
      return { drop: false, delayMs: 0, response: { ...base, flags: rcodeFlags(base, 2, false, false) } };
    if (impact === 'slow' && e.kind === 'slow') delayMs = e.latencyMs;
  }
  if (!data) {
    return {
      drop: false,
      delayMs,
      response: { ...base, flags: rcodeFlags(base, 3, true, false), authorities: soaOf(plan, zone.apex) },
    };
  }
  const answers =
    data.cname && q.type !== 'CNAME' && !apexHas(data, q.type)
      ? [{ type: 'CNAME', name, ttl: TTL, class: 'IN', data: data.cname } as Answer]
      : recordsOf(name, data, q.type);
  return {
    drop: false,
    delayMs,
    response: {
      ...base,
      flags: rcodeFlags(base, 0, true, false),
      answers,
      authorities: answers.length === 0 ? soaOf(plan, zone.apex) : [],
    },
  };
}

/**
 * A zone apex whose address records point at a CDN or platform through a CNAME still answers its own
 * NS, MX and SOA, as providers that "flatten" apex CNAMEs do (a bare CNAME cannot sit beside them).
 */
function apexHas(data: NameData, type: string): boolean {
  if (type === 'NS' || type === 'SOA') return !!data.ns?.length;
  if (type === 'MX') return !!data.mx?.length;
  return false;
}

function zoneData(plan: WorldPlan, apex: string): NameData | undefined {
  return plan.names.get(apex);
}

function recordsOf(name: string, data: NameData, type: string): Answer[] {
  const out: Answer[] = [];
  const want = (t: string) => type === t || type === 'ANY';
  if (want('A')) for (const a of data.a ?? []) out.push({ type: 'A', name, ttl: TTL, class: 'IN', data: a });
  if (want('NS'))
    for (const ns of data.ns ?? []) out.push({ type: 'NS', name, ttl: TTL, class: 'IN', data: ns });
  if (want('MX'))
    for (const mx of data.mx ?? []) out.push({ type: 'MX', name, ttl: TTL, class: 'IN', data: mx });
  if (want('SOA') && data.ns?.length) out.push(soa(name, data.ns[0]));
  return out;
}

function soa(apex: string, mname: string): Answer {
  return {
    type: 'SOA',
    name: apex,
    ttl: TTL,
    class: 'IN',
    data: {
      mname,
      rname: `hostmaster.${apex}`,
      serial: 2021010101,
      refresh: 3600,
      retry: 600,
      expire: 604800,
      minimum: TTL,
    },
  };
}

function soaOf(plan: WorldPlan, apex: string | undefined): Answer[] {
  if (!apex) return [];
  const zone = plan.zones.get(apex);
  const p = zone && plan.providers.get(zone.authority);
  const mname = p?.nameServers[0]?.host ?? `ns1.${apex}`;
  return [soa(apex, mname)];
}
