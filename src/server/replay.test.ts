import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.ts';
import { ManualClock } from '../clock/clock.ts';
import type { Incident } from '../model/incident.ts';
import { ReportService } from '../reports/service.ts';
import { IncidentPublisher } from './replay.ts';
import { ReportFeed, reporterAddress } from './report-feed.ts';
import { StoreRiskSource } from './risk-cache.ts';
import { StatusSnapshot } from './status/snapshot.ts';
import { SwitchableServer } from './status/switchable.ts';
import type { StatusEvent } from './status/types.ts';
import { fixture, OPEN, SITES, T0 } from './testing.ts';

const MIN = 60_000;

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

describe('SwitchableServer', () => {
  it('serves one replay after another behind the same source, streams kept, versions increasing', async () => {
    const a = await fixture();
    const b = await fixture();
    try {
      const part = (f: typeof a) => ({
        clock: f.clock,
        store: f.store,
        snapshot: f.snapshot,
        reports: new ReportService({ clock: f.clock, isWatched: (d) => f.snapshot.site(d) !== null }),
        risk: new StoreRiskSource(f.store, f.clock),
      });
      const server = new SwitchableServer(part(a));
      const events: StatusEvent[] = [];
      server.onChange((e) => events.push(e));
      const v1 = server.version();
      expect(server.incident(OPEN.id)?.id).toBe(OPEN.id);
      b.snapshot.removeSites(['shop-1.test']);
      const prev = server.switchTo(part(b));
      expect(prev.snapshot).toBe(a.snapshot);
      expect(server.version()).toBeGreaterThan(v1);
      expect(server.site('shop-1.test')).toBeNull();
      expect(server.counts().sites).toBe(SITES.length - 1);
      expect(events.at(-1)).toMatchObject({ type: 'sites' });
      const sites = events.at(-1)?.data as { added: string[]; removed: string[] };
      expect(sites.removed).toContain('shop-1.test');
      expect(sites.added).not.toContain('shop-1.test');
      // The previous replay no longer reaches the streams; the current one does.
      const n = events.length;
      a.snapshot.applyVantage({ vantage: 'paris', healthy: false, at: T0, reason: 'x' });
      expect(events).toHaveLength(n);
      b.snapshot.applyVantage({ vantage: 'paris', healthy: false, at: T0, reason: 'x' });
      expect(events).toHaveLength(n + 1);
      // Forwarding parts reach the current replay's.
      expect((await server.store.listSites()).length).toBe(SITES.length);
      expect(server.clock.now()).toBe(b.clock.now());
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('IncidentPublisher', () => {
  const base: Incident = {
    id: 'inc-1',
    cause: {
      provider: 'ovh',
      asn: 16276,
      name: 'OVH SAS',
      region: null,
      plan: null,
      role: null,
      component: null,
    },
    kind: 'network',
    signature: 'connect_timeout',
    confidence: 0.99,
    startedAt: T0,
    detectedAt: T0 + MIN,
    peakAt: null,
    resolvedAt: null,
    affected: ['shop-1.test', 'shop-2.test', 'shop-3.test', 'shop-4.test', 'shop-5.test', 'shop-6.test'],
    exonerated: [
      { provider: 'cloudflare', evidence: 'cloudflare: 0 of 5 monitored sites behind it degraded' },
    ],
    evidence: ['ovh hosting: 6 of 6 failing (100 %)'],
    timeline: [],
  };

  function setup() {
    const clock = new ManualClock(T0 - 2 * 3_600_000);
    const bus = new InProcessBus((e) => {
      throw e;
    });
    const snapshot = new StatusSnapshot({ clock });
    snapshot.addSites([...SITES, { domain: 'quiet.test' }], false);
    snapshot.attach(bus);
    const reports = new ReportService({ clock, bus, isWatched: (d) => snapshot.site(d) !== null });
    const published: Incident[] = [];
    bus.subscribe('incident', (i) => published.push(i));
    let real = 0;
    const publisher = new IncidentPublisher(
      'ovh-mini',
      bus,
      reports,
      snapshot,
      () => {},
      () => (real += 2000),
    );
    publisher.providerSites = new Map([['ovh', base.affected]]);
    return { clock, snapshot, reports, published, publisher };
  }

  /** Distinct reporters from distinct networks, one report each. */
  function report(reports: ReportService, domain: string, n: number, tag: string) {
    for (let k = 0; k < n; k++)
      reports.submit(
        { domain, problem: 'site' },
        { address: `10.${k}.${tag.length}.1`, userAgent: `${tag}-${k}` },
      );
  }

  it('labels incidents with the scenario, attaches the report curve and the provider’s report evidence', () => {
    const { clock, reports, published, publisher } = setup();
    clock.advance(2 * 3_600_000 + 5 * MIN);
    for (const d of base.affected) report(reports, d, 3, d);
    clock.advance(MIN);
    publisher.tick(clock.now(), () => {});
    publisher.round(clock.now(), () => [base]);
    const [i] = published.filter((x) => x.id === 'ovh-mini-inc-1');
    expect(i).toBeDefined();
    expect(i.reports?.total).toBe(18);
    expect(i.reports?.peak).toBe(18);
    expect(i.reports?.peakAt).toBe(T0 + 5 * MIN);
    expect(i.evidence.at(-1)).toMatch(/^crowd reports for OVH SAS: 18 in 10 min vs .* expected .*, strong$/);
    // Unchanged: not published again.
    const n = published.length;
    publisher.round(clock.now(), () => [base]);
    expect(published).toHaveLength(n);
  });

  it('re-probes a site whose reports spike, and opens a low-confidence reported incident probes cannot confirm', () => {
    const { clock, reports, published, publisher, snapshot } = setup();
    snapshot.applyTransition({
      site: 'quiet.test',
      role: 'web',
      from: 'down',
      to: 'up',
      at: clock.now(),
      since: clock.now(),
      signature: 'ok',
      vantages: ['paris'],
    });
    clock.advance(2 * 3_600_000);
    report(reports, 'quiet.test', 8, 'q');
    clock.advance(MIN);
    const reprobed: string[] = [];
    publisher.tick(clock.now(), (d) => reprobed.push(d));
    expect(reprobed).toEqual(['quiet.test']);
    const r = published.find((i) => i.kind === 'reported');
    expect(r).toMatchObject({
      id: 'ovh-mini-reported-1',
      cause: { component: 'site:quiet.test' },
      affected: ['quiet.test'],
      resolvedAt: null,
    });
    expect(r!.confidence).toBeLessThanOrEqual(0.5);
    expect(r!.reports?.total).toBe(8);
    // The spike over, the reported incident is resolved.
    clock.advance(30 * MIN);
    publisher.tick(clock.now(), () => {});
    expect(published.at(-1)).toMatchObject({ id: 'ovh-mini-reported-1', resolvedAt: clock.now() });
  });

  it('closes an incident the tracker dropped instead of leaving it open', () => {
    const { clock, published, publisher } = setup();
    const lone: Incident = {
      ...base,
      id: 'inc-2',
      cause: { ...base.cause, provider: null, asn: null, name: null, component: 'site:shop-1.test' },
      affected: ['shop-1.test'],
    };
    publisher.round(clock.now(), () => [lone]);
    clock.advance(MIN);
    publisher.round(clock.now(), () => [base]);
    expect(published.find((i) => i.id === 'ovh-mini-inc-2' && i.resolvedAt !== null)).toMatchObject({
      resolvedAt: clock.now(),
    });
  });
});
