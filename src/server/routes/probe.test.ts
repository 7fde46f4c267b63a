/**
 * `/probe`, blackbox_exporter's endpoint, against a small simulated world started in process (real
 * DNS, HTTP(S), SMTP servers on loopback, free ports): the modules and blackbox's metric names, the
 * token, the target policy (addresses and names resolving to refused addresses), the rate limit —
 * and `promtool check metrics` on what it answers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, fixture, TOKEN } from '../../../test/support/server.ts';
import { loadCatalog } from '../../catalog/load.ts';
import { parseScenario } from '../../lab/scenario/load.ts';
import { startWorld, type World } from '../../lab/sim/world.ts';
import { TargetPolicy } from '../../net/address-policy.ts';
import { createProbeContext, type OwnedProbeContext } from '../../probe/index.ts';
import { ProbeContextSlot } from './probe.ts';

const SCENARIO = `
name: blackbox-test
title: targets for /probe
start: 2021-01-01T00:00
end: 2021-01-01T06:00
speed: 1
probe_interval: 60s
providers:
  - {id: hostco, name: HOSTCO SAS, asn: 64500, roles: [hosting, dns, mail], regions: [r1]}
  - {id: cloudflare, name: CLOUDFLARENET, asn: 13335, catalog: cloudflare, roles: [cdn, dns]}
sites:
  - {domain: ok.test, hosting: {provider: hostco, plan: dedicated}, mail: hostco}
  - {domain: he.test, hosting: {provider: hostco, plan: dedicated}}
  - {domain: edge-down.test, hosting: {provider: hostco, plan: dedicated}, cdn: cloudflare, dns: cloudflare}
faults:
  - {id: f-he, at: "+0m", target: {domains: [he.test]}, effect: {kind: http_error, status: 500}}
  - {id: f-edge, at: "+0m", target: {domains: [edge-down.test], role: cdn}, effect: {kind: http_error, status: 500, page: cloudflare}}
vantages:
  - id: good
`;

// CI installs promtool (.ci/run, Debian package prometheus) and sets VIGIE_REQUIRE_PROMTOOL.
const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env.VIGIE_REQUIRE_PROMTOOL)
  throw new Error('promtool is missing: apt-get install -y prometheus');

/** `promtool check metrics` on a text: its verdict and what it said. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** A sample's value in Prometheus text, by its exact series (name and labels as written). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let world: World;
let owned: OwnedProbeContext;
let f: Fixture;
let open: FastifyInstance;
let strict: FastifyInstance;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  world = await startWorld(parseScenario(SCENARIO, 'blackbox-test.yaml'), {
    stateDir: mkdtempSync(join(tmpdir(), 'vigie-blackbox-')),
    ports: { dns: 0, http: 0, https: 0, smtp: 0, control: 0 },
  });
  owned = createProbeContext({
    vantage: 'good',
    localAddress: world.info.vantages[0].address,
    resolver: world.info.resolver,
    ports: { http: world.info.ports.http, https: world.info.ports.https, smtp: world.info.ports.smtp },
    ca: readFileSync(world.info.caFile, 'utf8'),
    timeouts: { dns: 1500, connect: 1500, tls: 1500, response: 3000 },
    slowMs: 60_000,
    clock: world.clock,
    catalog: loadCatalog(),
  });
  f = await fixture();
  const probe = { context: () => owned.ctx, perMinute: 1000 };
  // As in a simulation: the world lives on loopback, private targets allowed.
  open = await f.build({ policy: new TargetPolicy({ allowPrivate: true }), probe, rateLimit: false });
  // As a public server: the same prober, the default policy, a small limit.
  strict = await f.build({ policy: TargetPolicy.strict(), probe: { ...probe, perMinute: 3 } });
  await new Promise((r) => setTimeout(r, 300));
}, 60_000);
afterAll(async () => {
  await f?.close();
  await owned?.close();
  await world?.stop();
});

const get = (app: FastifyInstance, query: string, headers: Record<string, string> = auth) =>
  app.inject({ method: 'GET', url: `/probe?${query}`, headers });

describe('/probe (blackbox_exporter)', () => {
  it('needs the token', async () => {
    const r = await get(open, 'target=ok.test&module=http_2xx', {});
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('VIGIE_UNAUTHORIZED');
  });

  it('http_2xx: success, status code, phases, signature, as blackbox names them', async () => {
    const r = await get(open, 'target=ok.test&module=http_2xx');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(r.body, 'probe_success')).toBe(1);
    expect(value(r.body, 'probe_http_status_code')).toBe(200);
    expect(value(r.body, 'probe_http_ssl')).toBe(0);
    expect(value(r.body, 'probe_failed_due_to_regex')).toBe(0);
    expect(value(r.body, 'probe_duration_seconds')).toBeGreaterThan(0);
    expect(value(r.body, 'probe_dns_lookup_time_seconds')).toBeGreaterThan(0);
    expect(value(r.body, 'probe_http_duration_seconds{phase="connect"}')).toBeGreaterThan(0);
    expect(value(r.body, 'probe_ip_protocol')).toBe(4);
    expect(r.body).toContain('vigie_probe_signature{signature="ok",phase="response",vantage="good"} 1');
  });

  it('a failing site and a CDN error page (the catalog marker as blackbox’s regex failure)', async () => {
    const he = await get(open, `target=${encodeURIComponent('http://he.test/')}&module=http_2xx`);
    expect(value(he.body, 'probe_success')).toBe(0);
    expect(value(he.body, 'probe_http_status_code')).toBe(500);
    expect(he.body).toContain('signature="http_5xx"');
    const cdn = await get(open, 'target=edge-down.test&module=https_2xx');
    expect(value(cdn.body, 'probe_success')).toBe(0);
    expect(value(cdn.body, 'probe_failed_due_to_regex')).toBe(1);
    expect(value(cdn.body, 'probe_http_ssl')).toBe(1);
  });

  it('dns, tcp_connect, tls_connect, smtp_banner', async () => {
    const dns = await get(open, 'target=ok.test&module=dns');
    expect(value(dns.body, 'probe_success')).toBe(1);
    expect(value(dns.body, 'probe_dns_answer_rrs')).toBeGreaterThan(0);
    const nx = await get(open, 'target=missing.test&module=dns');
    expect(value(nx.body, 'probe_success')).toBe(0);
    expect(nx.body).toContain('signature="nxdomain"');
    const tcp = await get(open, `target=ok.test:${world.info.ports.http}&module=tcp_connect`);
    expect(value(tcp.body, 'probe_success')).toBe(1);
    const tls = await get(open, 'target=ok.test&module=tls_connect');
    expect(value(tls.body, 'probe_success')).toBe(1);
    expect(value(tls.body, 'probe_ssl_earliest_cert_expiry')).toBeGreaterThan(Date.now() / 1000);
    const smtp = await get(open, 'target=ok.test&module=smtp_banner');
    expect(value(smtp.body, 'probe_success')).toBe(1);
  });

  it('refuses bad input with stable codes', async () => {
    expect((await get(open, 'target=ok.test&module=icmp')).json().code).toBe('VIGIE_BAD_REQUEST');
    expect((await get(open, 'target=ok.test&module=tcp_connect')).json().code).toBe('VIGIE_BAD_REQUEST');
    expect((await get(open, 'target=http%3A%2F%2Fok.test%2Fadmin&module=http_2xx')).json().code).toBe(
      'VIGIE_BAD_REQUEST',
    );
    expect((await get(open, 'target=bad..name&module=http_2xx')).json().code).toBe('VIGIE_BAD_REQUEST');
  });

  it('follows the target policy: loopback addresses and names resolving to them are refused', async () => {
    const literal = await get(strict, `target=${encodeURIComponent('http://127.0.0.1:1/')}&module=http_2xx`);
    expect(literal.statusCode).toBe(400);
    expect(literal.json().code).toBe('VIGIE_TARGET_REFUSED');
    const metadata = await get(strict, 'target=169.254.169.254:80&module=tcp_connect');
    expect(metadata.json().code).toBe('VIGIE_TARGET_REFUSED');
    // ok.test resolves (through the world's resolver) to a loopback address: refused at resolution.
    const rebound = await get(strict, 'target=ok.test&module=http_2xx');
    expect(rebound.statusCode).toBe(400);
    expect(rebound.json()).toMatchObject({ code: 'VIGIE_TARGET_REFUSED' });
    expect(rebound.json().message).toMatch(/ok\.test → 127\./);
  });

  it('is rate limited per client address', async () => {
    // The strict app allows 3 a minute; the refusals above spent 3.
    const r = await get(strict, 'target=ok.test&module=dns');
    expect(r.statusCode).toBe(429);
    expect(r.json().code).toBe('VIGIE_RATE_LIMITED');
  });

  it('answers 503 where no prober runs, and follows a prober that comes and goes', async () => {
    const bare = await f.build({ rateLimit: false });
    const r = await get(bare, 'target=ok.test&module=http_2xx');
    expect(r.statusCode).toBe(503);
    expect(r.json().code).toBe('VIGIE_NOT_READY');
    // As in `vigie demo`: one pipeline per replay.
    const slot = new ProbeContextSlot();
    const demo = await f.build({
      rateLimit: false,
      policy: new TargetPolicy({ allowPrivate: true }),
      probe: { context: slot.get },
    });
    expect((await get(demo, 'target=ok.test&module=dns')).statusCode).toBe(503);
    const off = slot.set(owned.ctx);
    expect(value((await get(demo, 'target=ok.test&module=dns')).body, 'probe_success')).toBe(1);
    off();
    expect((await get(demo, 'target=ok.test&module=dns')).statusCode).toBe(503);
  });

  it.skipIf(!promtool)('passes promtool check metrics', async () => {
    for (const q of [
      'target=ok.test&module=http_2xx',
      'target=edge-down.test&module=https_2xx',
      'target=ok.test&module=dns',
      `target=ok.test:${world.info.ports.http}&module=tcp_connect`,
      'target=ok.test&module=smtp_banner',
    ]) {
      const r = await get(open, q);
      expect(r.statusCode).toBe(200);
      const check = promtoolCheck(r.body);
      expect(check.output).toBe('');
      expect(check.status).toBe(0);
    }
  });
});
