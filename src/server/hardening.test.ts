/**
 * What an attacker or a careless client hits first: malformed URLs and over-long parameters answer
 * the API's own codes (never Fastify's), domains up to 253 characters can be read and removed, write
 * routes check the token before reading a body, and each route caps its body to what it needs.
 */
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture, TOKEN } from '../../test/support/server.ts';

let f: Fixture;
let app: FastifyInstance;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeEach(async () => {
  f = await fixture();
  app = await f.build();
});
afterEach(() => f.close());

/** A valid host name of exactly `n` characters: labels of up to 63 `a`s, then `.example`. */
function longDomain(n: number): string {
  const labels: string[] = [];
  let left = n - '.example'.length;
  while (left > 0) {
    let len = Math.min(63, left);
    if (left - len === 1) len -= 1; // never leave room for a dot and nothing after it
    labels.push('a'.repeat(len));
    left -= len + 1;
  }
  return `${labels.join('.')}.example`;
}

describe('error contract: every error carries a VIGIE_ code', () => {
  it.each([
    ['/api/sites/%zz', 400, '/api/sites/%zz'],
    ['/api/components/%zz', 400, '/api/components/%zz'],
    ['/api/incidents/%E0%A4%A', 400, '/api/incidents/%E0%A4%A'],
    ['/api/sites/<2,008 characters>', 414, `/api/sites/${'a'.repeat(2000)}.example`],
  ])('GET %s → %i with a VIGIE_ code', async (_name, status, url) => {
    const r = await app.inject(url);
    expect(r.statusCode).toBe(status);
    expect(r.json().code).toMatch(/^VIGIE_/);
    expect(r.json().message.length).toBeLessThan(100);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('reads, and removes, a site whose domain has 120 and 253 characters', async () => {
    for (const n of [120, 253]) {
      const domain = longDomain(n);
      expect(domain).toHaveLength(n);
      const add = await app.inject({
        method: 'POST',
        url: '/api/sites',
        headers: auth,
        payload: { sites: [{ domain }] },
      });
      expect(add.statusCode).toBe(201);
      const read = await app.inject(`/api/sites/${domain}`);
      expect(read.statusCode).toBe(200);
      expect(read.json().site.domain).toBe(domain);
      expect((await app.inject(`/api/reports/${domain}`)).statusCode).toBe(200);
      const del = await app.inject({ method: 'DELETE', url: `/api/sites/${domain}`, headers: auth });
      expect(del.statusCode).toBe(200);
    }
  });

  it('answers malformed HTTP and oversized headers with a VIGIE_ code on a real socket', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => s.end(text));
        let out = '';
        s.on('data', (d) => {
          out += d;
        });
        s.on('close', () => resolve(out));
        s.on('error', reject);
      });
    const bad = await raw('GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400/);
    expect(bad).toContain('"code":"VIGIE_BAD_REQUEST"');
    const big = await raw(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431/);
    expect(big).toContain('"code":"VIGIE_HEADERS_TOO_LARGE"');
  });
});

describe('write routes: the token first, bodies capped', () => {
  const junk = JSON.stringify({ sites: Array.from({ length: 20_000 }, (_, i) => ({ x: i })) });

  it.each([
    ['POST', '/api/sites'],
    ['POST', '/api/incidents/inc-2/acknowledge'],
  ] as const)('%s %s without a token → 401 before the body is parsed or validated', async (method, url) => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }]) {
      const r = await app.inject({
        method,
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: junk,
      });
      expect(r.statusCode).toBe(401);
      expect(r.json().code).toBe('VIGIE_UNAUTHORIZED');
    }
  });

  it.each([
    ['/api/incidents/inc-2/acknowledge', { note: 'x'.repeat(64 * 1024) }],
    ['/api/v1/reports', { domain: 'shop-1.test', problem: 'down', country: 'x'.repeat(64 * 1024) }],
  ])('POST %s with a 64 KB body → 413 VIGIE_PAYLOAD_TOO_LARGE', async (url, payload) => {
    const r = await app.inject({ method: 'POST', url, headers: auth, payload });
    expect(r.statusCode).toBe(413);
    expect(r.json().code).toBe('VIGIE_PAYLOAD_TOO_LARGE');
  });
});
