import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ReportFeed, reporterAddress } from './report-feed.ts';

const T0 = Date.parse('2021-10-13T07:12:00Z');

describe('reporterAddress', () => {
  it('puts reporters on many loopback /24 networks, always the same for one reporter', () => {
    const addresses = Array.from({ length: 200 }, (_, k) => reporterAddress(`r${k}`));
    expect(reporterAddress('r1')).toBe(addresses[1]);
    for (const a of addresses) expect(a).toMatch(/^127\.(2[0-4]\d)\.\d{1,3}\.\d{1,3}$/);
    const networks = new Set(addresses.map((a) => a.split('.').slice(0, 3).join('.')));
    expect(networks.size).toBeGreaterThan(190);
  });
});

describe('ReportFeed', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });
  const listen = async (handler: http.RequestListener) => {
    const s = http.createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return (s.address() as { port: number }).port;
  };

  it('posts each streamed report from its reporter’s own address, the reporter in the user agent', async () => {
    const seen: { address: string; agent: string; body: string }[] = [];
    const intake = await listen((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ address: req.socket.remoteAddress ?? '', agent: req.headers['user-agent'] ?? '', body });
        res.writeHead(seen.length === 3 ? 404 : 202).end('{}');
      });
    });
    const control = await listen((req, res) => {
      expect(req.url).toBe('/reports/stream');
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ time: T0, domain: 'shop-1.test', problem: 'site', reporter: 'a' })}\n`);
      res.write(
        `${JSON.stringify({ time: T0, domain: 'shop-2.test', problem: 'login', reporter: 'b' })}\n{"ti`,
      );
      res.write(`me":${T0},"domain":"nope.test","problem":"site","reporter":"c"}\n`);
    });
    const feed = new ReportFeed({
      control: `http://127.0.0.1:${control}`,
      intake: { host: '127.0.0.1', port: intake },
    });
    feed.start();
    const until = Date.now() + 5000;
    while (seen.length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await feed.stop();
    expect(seen.map((s) => JSON.parse(s.body))).toEqual([
      { domain: 'shop-1.test', problem: 'site' },
      { domain: 'shop-2.test', problem: 'login' },
      { domain: 'nope.test', problem: 'site' },
    ]);
    expect(seen[0].address).toBe(reporterAddress('a'));
    expect(seen[1].address).toBe(reporterAddress('b'));
    expect(seen[0].agent).toBe('vigie-simulated-reporter/a');
    expect(feed.stats).toEqual({ received: 3, accepted: 2, duplicate: 0, refused: 1, failed: 0 });
  });
});
