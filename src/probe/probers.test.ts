/**
 * Every effect kind of the world, probed for real and classified: a table of effect → expected
 * signature, run against a world started in-process on free ports, faults active from the start.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../catalog/load.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import { startWorld, type World } from '../lab/sim/world.ts';
import type { Observation } from '../model/observation.ts';
import { createProbeContext, type OwnedProbeContext, type ProbeTarget, probe, probers } from './index.ts';

const SCENARIO = `
name: probe-test
title: every effect kind, probed
start: 2021-01-01T00:00
end: 2021-01-01T06:00
speed: 60
probe_interval: 60s
providers:
  - {id: hostco, name: HOSTCO SAS, asn: 64500, roles: [hosting, dns, mail], regions: [r1]}
  - {id: mailco, name: MAILCO SAS, asn: 64501, roles: [mail]}
  - {id: sharedmx, name: SHAREDMX SAS, asn: 64502, roles: [mail]}
  - {id: cloudflare, name: CLOUDFLARENET, asn: 13335, catalog: cloudflare, roles: [cdn, dns]}
sites:
  - {domain: ok.test, hosting: {provider: hostco, plan: dedicated}, mail: hostco}
  - {domain: bh.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: rf.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: rs.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: he.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: sl.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: ov.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: sf.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: dt.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: te.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: mx-down.test, hosting: {provider: hostco, plan: dedicated}, mail: mailco}
  - {domain: cf-ok.test, hosting: {provider: hostco, plan: dedicated}, cdn: cloudflare, dns: cloudflare}
  - {domain: origin-down.test, hosting: {provider: hostco, plan: dedicated}, cdn: cloudflare, dns: cloudflare}
  - {domain: edge-down.test, hosting: {provider: hostco, plan: dedicated}, cdn: cloudflare, dns: cloudflare}
  - {domain: "sh-{n}.test", count: 3, hosting: {provider: hostco, plan: shared}}
  - {domain: "mx-{n}.test", count: 5, hosting: {provider: hostco, plan: dedicated}, mail: sharedmx}
faults:
  - {id: f-bh, at: "+0m", target: {domains: [bh.test]}, effect: {kind: blackhole}}
  - {id: f-rf, at: "+0m", target: {domains: [rf.test]}, effect: {kind: refuse}}
  - {id: f-rs, at: "+0m", target: {domains: [rs.test]}, effect: {kind: reset}}
  - {id: f-he, at: "+0m", target: {domains: [he.test]}, effect: {kind: http_error, status: 500}}
  - {id: f-sl, at: "+0m", target: {domains: [sl.test]}, effect: {kind: slow, latency_ms: 8000}}
  - {id: f-ov, at: "+0m", target: {domains: [ov.test]}, effect: {kind: overload, latency_ms: 3000, error_rate: 1.0, queue_page: true}}
  - {id: f-sf, at: "+0m", target: {domains: [sf.test], role: dns}, effect: {kind: dns_servfail}}
  - {id: f-dt, at: "+0m", target: {domains: [dt.test], role: dns}, effect: {kind: dns_timeout}}
  - {id: f-te, at: "+0m", target: {domains: [te.test]}, effect: {kind: tls_expired}}
  - {id: f-mx, at: "+0m", target: {provider: mailco, role: mail}, effect: {kind: blackhole}}
  - {id: f-origin, at: "+0m", target: {domains: [origin-down.test], role: hosting}, effect: {kind: blackhole}}
  - {id: f-edge, at: "+0m", target: {domains: [edge-down.test], role: cdn}, effect: {kind: http_error, status: 500, page: cloudflare}}
  - {id: f-sh, at: "+0m", target: {domains: [sh-1.test]}, effect: {kind: blackhole}}
  - {id: f-mx2, at: "+0m", target: {domains: [mx-2.test], role: mail}, effect: {kind: blackhole}}
  - {id: f-mx3, at: "+0m", target: {domains: [mx-3.test], role: mail}, effect: {kind: refuse}}
  - {id: f-mx4, at: "+0m", target: {domains: [mx-4.test], role: mail}, effect: {kind: http_error, status: 451}}
  - {id: f-mx5, at: "+0m", target: {domains: [mx-5.test], role: mail}, effect: {kind: overload, latency_ms: 0, error_rate: 1.0, queue_page: false}}
vantages:
  - id: good
  - id: broken
    faults: [{at: "+0m", effect: {kind: blackhole}}]
`;

let world: World;
let good: OwnedProbeContext;
let broken: OwnedProbeContext;

/** Real-ms timeouts short enough for a test, long enough for a loaded machine. */
const TIMEOUTS = { dns: 800, connect: 600, tls: 600, response: 1500 };

/**
 * The table's threshold: 60 s simulated, 1 s real at ×60 — a first TLS handshake (the world mints
 * the certificate) must not count as slow on a loaded machine. The slow test sets its own.
 */
function contextFor(vantage: string, slowMs = 60_000): OwnedProbeContext {
  const v = world.info.vantages.find((x) => x.id === vantage)!;
  return createProbeContext({
    vantage,
    localAddress: v.address,
    resolver: world.info.resolver,
    ports: { http: world.info.ports.http, https: world.info.ports.https, smtp: world.info.ports.smtp },
    ca: readFileSync(world.info.caFile, 'utf8'),
    timeouts: TIMEOUTS,
    slowMs,
    clock: world.clock,
    catalog: loadCatalog(),
  });
}

function addressOf(domain: string): string {
  return world.plan.sites[world.plan.siteByDomain.get(domain)!].frontAddresses[0];
}

beforeAll(async () => {
  world = await startWorld(parseScenario(SCENARIO, 'probe-test.yaml'), {
    stateDir: mkdtempSync(join(tmpdir(), 'vigie-probe-')),
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  good = contextFor('good');
  broken = contextFor('broken');
  // Faults at "+0m" are in force once the servers reconcile (every 100 ms real).
  await new Promise((r) => setTimeout(r, 300));
});
afterAll(async () => {
  await good?.close();
  await broken?.close();
  await world?.stop();
});

const http = (site: string): ProbeTarget => ({ site, kind: 'http' });
const https = (site: string): ProbeTarget => ({ site, kind: 'http', secure: true });

/** World effect → expected observation, every probe from the healthy vantage. */
const TABLE: [string, ProbeTarget, Partial<Observation>][] = [
  [
    'healthy site (http)',
    http('ok.test'),
    { signature: 'ok', outcome: 'up', status: 200, phase: 'response' },
  ],
  [
    'healthy site (https)',
    https('ok.test'),
    { signature: 'ok', outcome: 'up', status: 200, scheme: 'https' },
  ],
  ['blackhole → connect_timeout', http('bh.test'), { signature: 'connect_timeout', phase: 'connect' }],
  ['refuse → refused', http('rf.test'), { signature: 'refused', phase: 'connect', detail: 'ECONNREFUSED' }],
  ['reset → reset', http('rs.test'), { signature: 'reset', outcome: 'down' }],
  ['http_error 500, no page → http_5xx', http('he.test'), { signature: 'http_5xx', status: 500 }],
  [
    'http_error 500 with Cloudflare page, on a Cloudflare site → cdn_error edge_error',
    http('edge-down.test'),
    { signature: 'cdn_error', status: 500, cdn: 'cloudflare', meaning: 'edge_error', front: 'cloudflare' },
  ],
  [
    'origin blackhole behind Cloudflare → cdn_error 522 origin_unreachable',
    http('origin-down.test'),
    { signature: 'cdn_error', status: 522, cdn: 'cloudflare', meaning: 'origin_unreachable' },
  ],
  ['healthy Cloudflare site', https('cf-ok.test'), { signature: 'ok', status: 200, front: 'cloudflare' }],
  [
    'overload, error_rate 1, queue page → http_5xx 503 + queue',
    http('ov.test'),
    { signature: 'http_5xx', status: 503, queue: true, outcome: 'degraded' },
  ],
  ['dns_servfail → servfail', http('sf.test'), { signature: 'servfail', phase: 'dns' }],
  ['dns_timeout → dns_timeout', http('dt.test'), { signature: 'dns_timeout', phase: 'dns' }],
  ['nonexistent name → nxdomain', http('nowhere.test'), { signature: 'nxdomain', phase: 'dns' }],
  ['tls_expired → tls_expired (https)', https('te.test'), { signature: 'tls_expired', phase: 'tls' }],
  ['tls_expired leaves plain http alone', http('te.test'), { signature: 'ok', status: 200 }],
  [
    'blackhole on one vhost of a shared address → read_timeout',
    http('sh-1.test'),
    { signature: 'read_timeout', phase: 'response' },
  ],
  ['… its neighbour on the same address is fine', http('sh-2.test'), { signature: 'ok', status: 200 }],
  [
    'blackhole on one vhost, over https → read_timeout (no ServerHello)',
    https('sh-1.test'),
    { signature: 'read_timeout', phase: 'tls' },
  ],
  ['dns probe, healthy', { site: 'ok.test', kind: 'dns' }, { signature: 'ok', kind: 'dns' }],
  ['dns probe, servfail', { site: 'sf.test', kind: 'dns' }, { signature: 'servfail' }],
  ['dns probe, nxdomain', { site: 'nowhere.test', kind: 'dns' }, { signature: 'nxdomain' }],
  ['tcp probe, healthy', { site: 'ok.test', kind: 'tcp' }, { signature: 'ok', phase: 'connect' }],
  ['tcp probe, refused', { site: 'rf.test', kind: 'tcp' }, { signature: 'refused' }],
  ['tcp probe, blackhole', { site: 'bh.test', kind: 'tcp' }, { signature: 'connect_timeout' }],
  [
    'tls probe, healthy',
    { site: 'ok.test', kind: 'tls' },
    { signature: 'ok', issuer: 'Vigie Sim Certificates' },
  ],
  ['tls probe, expired', { site: 'te.test', kind: 'tls' }, { signature: 'tls_expired', outcome: 'down' }],
  ['smtp banner ok', { site: 'ok.test', kind: 'smtp' }, { signature: 'ok', status: 220, outcome: 'up' }],
  [
    'mail blackhole → read_timeout (accepted, no banner)',
    { site: 'mx-down.test', kind: 'smtp' },
    { signature: 'read_timeout', phase: 'response' },
  ],
  // One mail host shared by five domains, faults on some of them only: the banner greets everyone,
  // the recipient tells each domain's fate.
  [
    'shared mail host, healthy domain',
    { site: 'mx-1.test', kind: 'smtp' },
    { signature: 'ok', outcome: 'up', status: 220 },
  ],
  [
    'shared mail host, blackhole on one domain → read_timeout after RCPT',
    { site: 'mx-2.test', kind: 'smtp' },
    {
      signature: 'read_timeout',
      phase: 'response',
      outcome: 'down',
      detail: expect.stringContaining('after RCPT'),
    },
  ],
  [
    'shared mail host, refuse on one domain → reset',
    { site: 'mx-3.test', kind: 'smtp' },
    { signature: 'reset', outcome: 'down' },
  ],
  [
    'shared mail host, temporary refusal of one domain → smtp_4xx',
    { site: 'mx-4.test', kind: 'smtp' },
    { signature: 'smtp_4xx', status: 451, outcome: 'degraded' },
  ],
  [
    'shared mail host, one domain overloaded → 421, degraded',
    { site: 'mx-5.test', kind: 'smtp' },
    { signature: 'smtp_4xx', status: 421, outcome: 'degraded' },
  ],
];

describe('probers against the real world', () => {
  it.concurrent.each(TABLE)('%s', async (_name, target, expected) => {
    const o = await probe(target, good.ctx);
    expect(o, JSON.stringify(o)).toMatchObject({ site: target.site, vantage: 'good', ...expected });
    expect(o.timings.total).toBeGreaterThan(0);
  });

  it('stamps observations with the clock time at probe start', async () => {
    const before = world.clock.now();
    const o = await probers.http(http('ok.test'), good.ctx);
    expect(o.time).toBeGreaterThanOrEqual(before);
    expect(o.time).toBeLessThanOrEqual(world.clock.now());
    expect(o.timings.dns).toBeGreaterThanOrEqual(0);
    expect(o.timings.connect).toBeGreaterThanOrEqual(0);
    expect(o.timings.ttfb).toBeGreaterThanOrEqual(0);
    expect(o).toMatchObject({ address: addressOf('ok.test'), addresses: [addressOf('ok.test')], ttl: 60 });
  });

  it('applies the slow threshold on clock time: 8 s simulated is 133 ms real at ×60', async () => {
    const strict = contextFor('good', 5000);
    const lax = contextFor('good', 20_000);
    const [a, b] = await Promise.all([probe(http('sl.test'), strict.ctx), probe(http('sl.test'), lax.ctx)]);
    expect(a).toMatchObject({ signature: 'slow', outcome: 'degraded', status: 200 });
    expect(a.timings.total).toBeLessThan(1000);
    expect(b).toMatchObject({ signature: 'ok', outcome: 'up' });
    await strict.close();
    await lax.close();
  });

  it('records issuer and expiry of an expired certificate', async () => {
    const o = await probe({ site: 'te.test', kind: 'tls' }, good.ctx);
    expect(o.issuer).toBe('Vigie Sim Certificates');
    // Verification runs on real time (the simulated clock may be years back): so does expiry.
    expect(o.certExpiry).toBeLessThan(Date.now());
  });

  it('probes a pre-resolved address without asking DNS', async () => {
    const o = await probe({ site: 'ok.test', kind: 'http', addresses: [addressOf('ok.test')] }, good.ctx);
    expect(o).toMatchObject({ signature: 'ok', status: 200 });
    expect(o.timings.dns).toBeUndefined();
  });

  it('fails every probe of a broken vantage while the other vantage succeeds', async () => {
    const [g, viaDns, direct, mail] = await Promise.all([
      probe(http('ok.test'), good.ctx),
      probe(http('ok.test'), broken.ctx),
      probe({ site: 'ok.test', kind: 'http', addresses: [addressOf('ok.test')] }, broken.ctx),
      probe({ site: 'ok.test', kind: 'smtp' }, broken.ctx),
    ]);
    expect(g).toMatchObject({ vantage: 'good', signature: 'ok' });
    expect(viaDns).toMatchObject({ vantage: 'broken', signature: 'dns_timeout', outcome: 'down' });
    expect(direct).toMatchObject({ vantage: 'broken', signature: 'read_timeout', outcome: 'down' });
    expect(mail).toMatchObject({ vantage: 'broken', outcome: 'down' });
  });

  it('answers an aborted probe with the signature of the phase it was in', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    const o = await probe(http('bh.test'), good.ctx, ac.signal);
    expect(Date.now() - t0).toBeLessThan(TIMEOUTS.connect);
    expect(o).toMatchObject({ signature: 'connect_timeout', detail: 'ABORTED' });
  });

  it('reports a source address it cannot use as probe_error, not as the site failing', async () => {
    const { ctx, close } = contextFor('good');
    const o = await probe(
      { site: 'ok.test', kind: 'http', addresses: [addressOf('ok.test')] },
      { ...ctx, localAddress: '192.0.2.1' },
    );
    expect(o).toMatchObject({ signature: 'probe_error', detail: 'EADDRNOTAVAIL' });
    await close();
    // A name where an address belongs would be resolved by the system, behind the resolver's back.
    const named = await probe({ site: 'ok.test', kind: 'tcp', addresses: ['ok.test'] }, good.ctx);
    expect(named).toMatchObject({ signature: 'probe_error', detail: 'EBADADDRESS' });
    const badPort = await probe({ site: 'ok.test', kind: 'tcp', port: 70_000 }, good.ctx);
    expect(badPort).toMatchObject({ signature: 'probe_error', outcome: 'down' });
  });
});
