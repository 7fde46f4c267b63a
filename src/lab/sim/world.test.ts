/**
 * The world, tested as a client sees it: real DNS queries, HTTP with Host, HTTPS with SNI, SMTP
 * banners, for every effect kind, with fault timing on the simulated clock.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.ts';
import { dnsQuery, smtpBanner, waitUntil, webGet } from './testing.ts';
import { startWorld, type World } from './world.ts';

const SCENARIO = `
name: world-test
title: every effect kind
start: 2021-01-01T00:00
end: 2021-01-01T02:00
speed: 60
probe_interval: 60s
providers:
  - {id: hostco, name: HOSTCO SAS, asn: 64500, roles: [hosting, dns, mail], regions: [r1, r2]}
  - {id: cloudflare, name: CLOUDFLARENET, asn: 13335, catalog: cloudflare, roles: [cdn, dns]}
sites:
  - {domain: ok.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: bh.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: rf.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: rs.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: he.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: sl.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: ov.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: sf.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: dt.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: te.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: mx.test, hosting: {provider: hostco, region: r2, plan: dedicated}, mail: hostco}
  - {domain: origin-down.test, hosting: {provider: hostco, plan: dedicated}, cdn: cloudflare, dns: cloudflare}
  - {domain: edge-down.test, hosting: {provider: hostco, plan: dedicated}, cdn: cloudflare, dns: cloudflare}
  - {domain: "sh-{n}.test", count: 4, hosting: {provider: hostco, plan: shared}}
faults:
  - {id: f-bh, at: "+3m", until: "+10m", target: {domains: [bh.test]}, effect: {kind: blackhole}}
  - {id: f-rf, at: "+3m", until: "+10m", target: {domains: [rf.test]}, effect: {kind: refuse}}
  - {id: f-rs, at: "+3m", until: "+10m", target: {domains: [rs.test]}, effect: {kind: reset}}
  - {id: f-he, at: "+3m", until: "+10m", target: {domains: [he.test]}, effect: {kind: http_error, status: 503}}
  - {id: f-sl, at: "+3m", until: "+10m", target: {domains: [sl.test]}, effect: {kind: slow, latency_ms: 60000}}
  - {id: f-ov, at: "+3m", until: "+10m", target: {domains: [ov.test]}, effect: {kind: overload, latency_ms: 6000, error_rate: 1.0, queue_page: true}}
  - {id: f-sf, at: "+3m", until: "+10m", target: {domains: [sf.test], role: dns}, effect: {kind: dns_servfail}}
  - {id: f-dt, at: "+3m", until: "+10m", target: {domains: [dt.test], role: dns}, effect: {kind: dns_timeout}}
  - {id: f-te, at: "+3m", until: "+10m", target: {domains: [te.test]}, effect: {kind: tls_expired}}
  - {id: f-mx, at: "+3m", until: "+10m", target: {provider: hostco, role: mail}, effect: {kind: blackhole}}
  - {id: f-origin, at: "+3m", until: "+10m", target: {domains: [origin-down.test], role: hosting}, effect: {kind: blackhole}}
  - {id: f-edge, at: "+3m", until: "+10m", target: {domains: [edge-down.test], role: cdn}, effect: {kind: http_error, status: 500, page: cloudflare}}
  - {id: f-sh, at: "+3m", until: "+10m", target: {domains: [sh-1.test]}, effect: {kind: http_error, status: 500}}
vantages:
  - id: good
  - id: broken
    faults: [{at: "+3m", until: "+10m", effect: {kind: blackhole}}]
  - id: deaf
    faults: [{at: "+3m", until: "+10m", effect: {kind: dns_timeout}}]
`;

let world: World;
let ca: string;
const T0 = Date.UTC(2021, 0, 1);
const MIN = 60_000;

function addr(domain: string): string {
  const i = world.plan.siteByDomain.get(domain)!;
  return world.plan.sites[i].frontAddresses[0];
}
const http = (domain: string, timeoutMs = 1500) =>
  webGet(addr(domain), world.info.ports.http, domain, { timeoutMs });
const https = (domain: string) =>
  webGet(addr(domain), world.info.ports.https, domain, { tls: { ca }, timeoutMs: 1500 });
const dns = (name: string, type: 'A' | 'NS' | 'MX' = 'A', localAddress?: string) =>
  dnsQuery(world.info.resolver.address, world.info.resolver.port, name, type, {
    timeoutMs: 700,
    localAddress,
  });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-world-'));
  world = await startWorld(parseScenario(SCENARIO, 'world-test.yaml'), {
    stateDir: dir,
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  ca = readFileSync(world.info.caFile, 'utf8');
});
afterAll(async () => {
  await world?.stop();
});

describe('the world before, during and after faults', () => {
  it('serves every site normally before the faults', async () => {
    expect(world.clock.now()).toBeLessThan(T0 + 3 * MIN);
    const r = await dns('bh.test');
    expect(r.kind === 'answer' && r.rcode).toBe('NOERROR');
    for (const d of ['bh.test', 'rf.test', 'rs.test', 'he.test', 'sh-1.test']) {
      const w = await http(d);
      expect(w.kind === 'response' && w.status, d).toBe(200);
    }
    const t = await https('te.test');
    expect(t.kind === 'response' && t.status).toBe(200);
    const mx = await dns('mx.test', 'MX');
    expect(mx.kind === 'answer' && mx.answers.length).toBeGreaterThan(0);
  });

  it('applies every effect kind while the faults run', async () => {
    await waitUntil(world.clock, T0 + 3 * MIN + 10_000);
    // blackhole on a dedicated address: SYNs are dropped, the connection never opens.
    const bh = await http('bh.test', 700);
    expect(bh).toMatchObject({ kind: 'error', phase: 'connect', code: 'TIMEOUT' });
    expect(await http('rf.test')).toMatchObject({ kind: 'error', phase: 'connect', code: 'ECONNREFUSED' });
    expect(await http('rs.test')).toMatchObject({ kind: 'error', code: 'ECONNRESET' });
    expect(await http('he.test')).toMatchObject({ kind: 'response', status: 503 });
    const slow = await http('sl.test', 3000);
    expect(slow.kind === 'response' && slow.ms).toBeGreaterThanOrEqual(900); // 60 s simulated at ×60
    const ov = await http('ov.test', 3000);
    expect(ov).toMatchObject({ kind: 'response', status: 503 });
    expect(ov.kind === 'response' && ov.body).toMatch(/in line/i);
    const sf = await dns('sf.test');
    expect(sf.kind === 'answer' && sf.rcode).toBe('SERVFAIL');
    expect(await dns('dt.test')).toEqual({ kind: 'timeout' });
    expect(await https('te.test')).toMatchObject({ kind: 'error', phase: 'tls', code: 'CERT_HAS_EXPIRED' });
    expect(await http('te.test')).toMatchObject({ kind: 'response', status: 200 });
    // the only domain mailing at hostco is hit: the whole mail host stops answering
    const mxHost = world.plan.providers.get('hostco')!.mailHosts[0];
    expect(await smtpBanner(mxHost.address, world.info.ports.smtp, 500)).toEqual({
      kind: 'error',
      code: 'TIMEOUT',
    });
    // origin down behind Cloudflare: Cloudflare's own 522 page, branded
    const od = await http('origin-down.test', 3000);
    expect(od).toMatchObject({ kind: 'response', status: 522 });
    expect(od.kind === 'response' && od.headers['cf-ray']).toBeTruthy();
    // Cloudflare itself failing: its 500 page
    const ed = await http('edge-down.test');
    expect(ed).toMatchObject({ kind: 'response', status: 500 });
    expect(ed.kind === 'response' && ed.body).toMatch(/cloudflare/i);
    // one virtual host of a shared address fails, its neighbours do not
    expect(await http('sh-1.test')).toMatchObject({ kind: 'response', status: 500 });
    expect(await http('sh-2.test')).toMatchObject({ kind: 'response', status: 200 });
    expect(await http('ok.test')).toMatchObject({ kind: 'response', status: 200 });
  });

  it('makes a broken vantage see nothing, while another vantage sees the world', async () => {
    const good = world.info.vantages.find((v) => v.id === 'good')!.address;
    const broken = world.info.vantages.find((v) => v.id === 'broken')!.address;
    const g = await dns('ok.test', 'A', good);
    expect(g.kind === 'answer' && g.rcode).toBe('NOERROR');
    expect(await dns('ok.test', 'A', broken)).toEqual({ kind: 'timeout' });
    const w = await webGet(addr('ok.test'), world.info.ports.http, 'ok.test', {
      localAddress: broken,
      timeoutMs: 500,
    });
    expect(w.kind).toBe('error');
  });

  it('makes a vantage that lost its resolver resolve nothing, yet reach servers by address', async () => {
    const deaf = world.info.vantages.find((v) => v.id === 'deaf')!.address;
    expect(await dns('ok.test', 'A', deaf)).toEqual({ kind: 'timeout' });
    const w = await webGet(addr('ok.test'), world.info.ports.http, 'ok.test', {
      localAddress: deaf,
      timeoutMs: 1500,
    });
    expect(w.kind === 'response' && w.status).toBe(200);
  });

  it('recovers when the faults end', async () => {
    await waitUntil(world.clock, T0 + 10 * MIN + 10_000);
    for (const d of ['bh.test', 'rf.test', 'rs.test', 'he.test', 'sh-1.test', 'origin-down.test']) {
      const w = await http(d, 3000);
      expect(w.kind === 'response' && w.status, d).toBe(200);
    }
    const sf = await dns('sf.test');
    expect(sf.kind === 'answer' && sf.rcode).toBe('NOERROR');
  }, 20_000);
});
