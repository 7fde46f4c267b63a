import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rr, startTestDns, type TestDnsServer } from '../../test/support/dns-server.ts';
import { DnsClient } from './client.ts';

let server: TestDnsServer;
let noTcp: TestDnsServer;

const script = (q: { name: string; type: string }, transport: 'udp' | 'tcp') => {
  const n = q.name.toLowerCase();
  if (n === 'silent.test') return { drop: true as const };
  if (n === 'nx.test') return { rcode: 3 };
  if (n === 'fail.test') return { rcode: 2 };
  if (n === 'big.test')
    return transport === 'udp' ? { truncated: true } : { answers: [rr.a(n, '127.0.0.9')] };
  return { answers: [rr.a(n, '127.0.0.7')] };
};

beforeAll(async () => {
  server = await startTestDns(script);
  noTcp = await startTestDns(script, { tcp: false });
});
afterAll(async () => {
  await server.close();
  await noTcp.close();
});

describe('DnsClient', () => {
  it('answers, multiplexing thousands of queries over one socket', async () => {
    const c = new DnsClient({ server, maxInFlight: 128 });
    const names = Array.from({ length: 3000 }, (_, i) => `n${i}.test`);
    const rs = await Promise.all(names.map((n) => c.query(n, 'A')));
    expect(rs.every((r) => r.kind === 'answer' && r.rcode === 'NOERROR' && r.answers.length === 1)).toBe(
      true,
    );
    expect(c.stats.queries).toBe(3000);
    await c.close();
  });

  it('reports rcodes as data', async () => {
    const c = new DnsClient({ server });
    expect(await c.query('nx.test', 'A')).toMatchObject({ kind: 'answer', rcode: 'NXDOMAIN' });
    expect(await c.query('fail.test', 'A')).toMatchObject({ kind: 'answer', rcode: 'SERVFAIL' });
    await c.close();
  });

  it('times out after its retries', async () => {
    const c = new DnsClient({ server, timeoutMs: 100, retries: 2 });
    const t0 = Date.now();
    expect(await c.query('silent.test', 'A')).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(server.log.filter((l) => l.endsWith('silent.test'))).toHaveLength(3);
    await c.close();
  });

  it('retries over TCP when truncated, and says truncated when TCP fails too', async () => {
    const c = new DnsClient({ server, ednsPayload: 0 });
    const r = await c.query('big.test', 'A');
    expect(r).toMatchObject({ kind: 'answer', via: 'tcp', truncated: false });
    const c2 = new DnsClient({ server: noTcp, timeoutMs: 200, retries: 0 });
    expect(await c2.query('big.test', 'A')).toMatchObject({ kind: 'answer', via: 'udp', truncated: true });
    await c.close();
    await c2.close();
  });

  it('turns an unencodable name into an error, never a throw', async () => {
    const c = new DnsClient({ server });
    const r = await c.query(`${'a'.repeat(70)}.test`, 'A');
    expect(r.kind).toBe('error');
    await c.close();
  });

  it('never sends a query whose caller gave up while it waited for a slot', async () => {
    const c = new DnsClient({ server, maxInFlight: 1, timeoutMs: 200, retries: 0 });
    const blocker = c.query('silent.test', 'A'); // holds the only slot for 200 ms
    const ctl = new AbortController();
    const queued = c.query('n1.test', 'A', ctl.signal);
    ctl.abort();
    expect(await queued).toMatchObject({ kind: 'timeout' });
    await blocker;
    expect(c.stats.sent).toBe(1);
    await c.close();
  });

  it('ends a pending query when its caller aborts, and closes cleanly with queries waiting', async () => {
    const c = new DnsClient({ server, maxInFlight: 1, timeoutMs: 5_000, retries: 0 });
    const ctl = new AbortController();
    const pending = c.query('silent.test', 'A', ctl.signal);
    setTimeout(() => ctl.abort(), 20);
    const t0 = Date.now();
    expect(await pending).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(1_000);
    const held = c.query('silent.test', 'A');
    const waiting = [c.query('n2.test', 'A'), c.query('n3.test', 'A')];
    await c.close();
    for (const r of await Promise.all([held, ...waiting]))
      expect(r).toMatchObject({ kind: 'error', code: 'ECLOSED' });
  });
});
