/**
 * Bad input never crashes or hangs: every domain ends with a status. Hand-made answers come from a
 * scriptable DNS server (loops, long chains, truncation, silence); DNS faults from a real world.
 */
import type { Question } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rr, type Scripted, startTestDns, type TestDnsServer } from '../../test/support/dns-server.ts';
import { mapWorld, startTestWorld } from '../../test/support/map.ts';
import { AsnTable } from '../asn/table.ts';
import { loadCatalog } from '../catalog/load.ts';
import { DnsClient } from '../dns/client.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import type { World } from '../lab/sim/world.ts';
import { mapDomains } from './mapper.ts';
import type { DomainMap } from './types.ts';

function script(q: Question, transport: 'udp' | 'tcp'): Scripted {
  const n = q.name.toLowerCase();
  if (n === 'loop.test') return { answers: [rr.cname(n, 'loop2.test')] };
  if (n === 'loop2.test') return { answers: [rr.cname(n, 'loop.test')] };
  const long = /^c(\d+)\.long\.test$/.exec(n);
  if (long) return { answers: [rr.cname(n, `c${Number(long[1]) + 1}.long.test`)] };
  if (n === 'nx.test') return { rcode: 3 };
  if (n === 'sf.test') return { rcode: 2 };
  if (n === 'silent.test') return { drop: true };
  if (n === 'tc.test' && q.type === 'A')
    return transport === 'udp' ? { truncated: true } : { answers: [rr.a(n, '127.0.0.9')] };
  if (q.type === 'A' && (n === 'xn--bcher-kva.test' || n === 'ok.test'))
    return { answers: [rr.a(n, '127.0.0.8')] };
  return {};
}

let server: TestDnsServer;
let noTcp: TestDnsServer;
beforeAll(async () => {
  server = await startTestDns(script);
  noTcp = await startTestDns(script, { tcp: false });
});
afterAll(async () => {
  await server?.close();
  await noTcp?.close();
});

async function map(domains: string[], target: TestDnsServer): Promise<Map<string, DomainMap>> {
  const dns = new DnsClient({ server: target, timeoutMs: 150, retries: 1, ednsPayload: 0 });
  const r = await mapDomains(domains, { dns, catalog: loadCatalog(), asn: AsnTable.fromRows([]) });
  await dns.close();
  return new Map(r.domains.map((d) => [d.input ?? d.domain, d]));
}

describe('per-domain statuses from hand-made answers', () => {
  it('gives every bad case its status', async () => {
    const t0 = Date.now();
    const m = await map(
      [
        'loop.test',
        'c0.long.test',
        'nx.test',
        'sf.test',
        'silent.test',
        'tc.test',
        'Bücher.test',
        'ok.test',
        'bad..name',
        '-x.test',
        'single',
        `${'a'.repeat(64)}.test`,
        '',
      ],
      server,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(m.get('loop.test')).toMatchObject({ status: 'cname_loop' });
    expect(m.get('c0.long.test')).toMatchObject({ status: 'chain_too_long' });
    expect(m.get('c0.long.test')!.cname.length).toBe(17);
    expect(m.get('nx.test')).toMatchObject({ status: 'nxdomain' });
    expect(m.get('sf.test')).toMatchObject({ status: 'servfail' });
    expect(m.get('silent.test')).toMatchObject({ status: 'timeout' });
    expect(m.get('tc.test')).toMatchObject({ status: 'ok', hosting: { addresses: ['127.0.0.9'] } });
    expect(m.get('Bücher.test')).toMatchObject({ domain: 'xn--bcher-kva.test', status: 'ok' });
    expect(m.get('ok.test')).toMatchObject({ status: 'ok' });
    for (const bad of ['bad..name', '-x.test', 'single', `${'a'.repeat(64)}.test`, ''])
      expect(m.get(bad), bad).toMatchObject({ status: 'invalid_name' });
  });

  it('says truncated when the TCP retry fails too', async () => {
    const m = await map(['tc.test'], noTcp);
    expect(m.get('tc.test')).toMatchObject({ status: 'truncated' });
  });
});

const FAULTY = `
name: map-faults
start: 2021-01-01T00:00
end: 2021-01-01T02:00
providers:
  - {id: hostco, name: HOSTCO SAS, asn: 64500, roles: [hosting, dns]}
sites:
  - {domain: fine.test, hosting: hostco}
  - {domain: sf.test, hosting: hostco}
  - {domain: dt.test, hosting: hostco}
faults:
  - {id: f-sf, at: "+0m", target: {domains: [sf.test], role: dns}, effect: {kind: dns_servfail}}
  - {id: f-dt, at: "+0m", target: {domains: [dt.test], role: dns}, effect: {kind: dns_timeout}}
`;

describe('DNS faults of a real world', () => {
  let world: World;
  beforeAll(async () => {
    world = await startTestWorld(parseScenario(FAULTY, 'faults.yaml'));
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('maps SERVFAIL and timeouts as statuses, and the rest normally', async () => {
    const r = await mapWorld(world, { domains: ['fine.test', 'sf.test', 'dt.test', 'missing.test'] });
    const by = new Map(r.domains.map((d) => [d.domain, d]));
    expect(by.get('fine.test')).toMatchObject({ status: 'ok', hosting: { asn: 64500 } });
    expect(by.get('sf.test')).toMatchObject({ status: 'servfail' });
    expect(by.get('dt.test')).toMatchObject({ status: 'timeout' });
    expect(by.get('missing.test')).toMatchObject({ status: 'nxdomain' });
  });
});
