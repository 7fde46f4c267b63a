import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture, OPEN, T0 } from '../../test/support/server.ts';
import type { Observation } from '../model/observation.ts';

let f: Fixture;
let app: FastifyInstance;

beforeEach(async () => {
  f = await fixture();
  app = await f.build();
});
afterEach(() => f.close());

const PAGE_KEYS = ['id', 'name', 'url', 'time_zone', 'updated_at'];
const COMPONENT_KEYS = [
  'id',
  'name',
  'status',
  'created_at',
  'updated_at',
  'position',
  'description',
  'showcase',
  'start_date',
  'group_id',
  'page_id',
  'group',
  'only_show_if_degraded',
];
const INCIDENT_KEYS = [
  'id',
  'name',
  'status',
  'impact',
  'created_at',
  'updated_at',
  'monitoring_at',
  'resolved_at',
  'started_at',
  'shortlink',
  'page_id',
  'incident_updates',
  'components',
];
const UPDATE_KEYS = [
  'id',
  'status',
  'body',
  'incident_id',
  'created_at',
  'updated_at',
  'display_at',
  'affected_components',
  'deliver_notifications',
];
const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage'];
const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'];

function expectIncident(i: Record<string, unknown>) {
  expect(Object.keys(i).sort()).toEqual([...INCIDENT_KEYS].sort());
  expect(INCIDENT_STATUSES).toContain(i.status);
  expect(['none', 'minor', 'major', 'critical']).toContain(i.impact);
  for (const u of i.incident_updates as Record<string, unknown>[]) {
    expect(Object.keys(u).sort()).toEqual([...UPDATE_KEYS].sort());
    expect(INCIDENT_STATUSES).toContain(u.status);
  }
}

describe('Statuspage-compatible endpoints', () => {
  it('summary.json has the page, components, unresolved incidents and status', async () => {
    const r = await app.inject('/api/v2/summary.json');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    const s = r.json();
    expect(Object.keys(s).sort()).toEqual([
      'components',
      'incidents',
      'page',
      'scheduled_maintenances',
      'status',
    ]);
    expect(Object.keys(s.page).sort()).toEqual([...PAGE_KEYS].sort());
    for (const c of s.components) {
      expect(Object.keys(c).sort()).toEqual([...COMPONENT_KEYS].sort());
      expect(COMPONENT_STATUSES).toContain(c.status);
    }
    expect(s.components.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      // Blamed, 1 of its 6 sites failing now (83 % restored): a partial outage.
      ['provider:ovh', 'partial_outage'],
      ['provider:aws', 'operational'],
      ['provider:cloudflare', 'operational'],
    ]);
    expect(s.incidents).toHaveLength(1);
    expectIncident(s.incidents[0]);
    expect(s.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
  });

  it('an incident carries updates newest first, components and lifecycle times', async () => {
    const i = (await app.inject('/api/v2/incidents/unresolved.json')).json().incidents[0];
    expect(i).toMatchObject({
      id: OPEN.id,
      status: 'monitoring',
      resolved_at: null,
      monitoring_at: new Date(T0 + 600_000).toISOString(),
      shortlink: 'https://vigie.example/incidents/inc-2',
    });
    expect(i.incident_updates.map((u: { status: string }) => u.status)).toEqual([
      'monitoring',
      'identified',
      'investigating',
    ]);
    expect(i.incident_updates[0].body).toMatch(/83 %/);
    expect(i.components[0]).toMatchObject({ id: 'provider:ovh', status: 'partial_outage' });
  });

  it('status.json says none when nothing is open', async () => {
    f.snapshot.applyIncident({ ...OPEN, resolvedAt: T0 + 900_000 });
    const s = (await app.inject('/api/v2/status.json')).json();
    expect(Object.keys(s).sort()).toEqual(['page', 'status']);
    expect(s.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect((await app.inject('/api/v2/incidents/unresolved.json')).json().incidents).toEqual([]);
    const comps = (await app.inject('/api/v2/components.json')).json().components;
    expect(comps.every((c: { status: string }) => c.status === 'operational')).toBe(true);
  });

  it('incidents.json lists recent incidents, resolved ones included', async () => {
    const r = (await app.inject('/api/v2/incidents.json')).json();
    expect(Object.keys(r).sort()).toEqual(['incidents', 'page']);
    expect(r.incidents.map((i: { id: string }) => i.id)).toEqual(['inc-2', 'inc-1']);
    for (const i of r.incidents) expectIncident(i);
    const resolved = r.incidents[1];
    expect(resolved).toMatchObject({ status: 'resolved', impact: 'minor' });
    expect(resolved.incident_updates[0].status).toBe('resolved');
  });

  it('a whole-provider outage over many sites is critical', async () => {
    const affected = Array.from({ length: 60 }, (_, k) => `s${k}.test`);
    f.snapshot.applyIncident({ ...OPEN, id: 'inc-3', affected, timeline: [] });
    const s = (await app.inject('/api/v2/status.json')).json();
    expect(s.status).toEqual({ indicator: 'critical', description: 'Major Service Outage' });
  });
});

/** Minimal XML well-formedness: balanced tags, no raw `<` or bare `&` in text or attributes. */
function wellFormed(xml: string): boolean {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[6]) return false;
    const text = m[5] ?? m[3] ?? '';
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(text)) return false;
    if (m[5] !== undefined) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else if (!m[4]) stack.push(m[2]);
  }
  return stack.length === 0;
}

describe('Atom feed', () => {
  it('is well-formed and escapes strings from outside', async () => {
    const payload = '<script>alert("x")</script>&co';
    f.snapshot.applyIncident({
      ...OPEN,
      id: 'inc-9',
      affected: [`${payload}.example`],
      evidence: [`evil ${payload}`],
    });
    f.snapshot.acknowledge('inc-9', `note ${payload} \u0007`);
    const r = await app.inject('/api/incidents.atom');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/atom\+xml/);
    expect(r.body).not.toContain('<script>');
    expect(r.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;co');
    expect(r.body).not.toContain('\u0007');
    expect(wellFormed(r.body)).toBe(true);
    expect(wellFormed('<a><b></a>')).toBe(false);
    expect(r.body.match(/<entry>/g)).toHaveLength(3);
  });
});

describe('Server-Sent Events', () => {
  it('streams a change published on the bus', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const received = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/api/events?types=transition,incident' },
        (res) => {
          expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
          let buf = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            // The stream opens with a comment; publish once it is there, resolve on the event.
            if (buf.includes(': vigie') && !buf.includes('event:')) {
              f.bus.publish('vantage', { vantage: 'v', healthy: true, at: 0, reason: 'filtered out' });
              f.bus.publish('transition', {
                site: 'shop-2.test',
                role: 'web',
                from: 'up',
                to: 'down',
                at: T0 + 650_000,
                since: T0 + 640_000,
                signature: 'connect_timeout',
                vantages: ['paris'],
              });
            }
            const at = buf.indexOf('event:');
            if (at >= 0 && buf.includes('\n\n', at)) {
              req.destroy();
              resolve(buf);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(received).toMatch(/id: \d+\nevent: transition\ndata: \{"site":"shop-2.test"/);
    expect(received).not.toContain('event: vantage');
    expect((await app.inject('/api/sites/shop-2.test')).json().site.state).toBe('down');
  });
});

describe('/metrics', () => {
  it('is Prometheus text with aggregated probe metrics and Vigie’s own', async () => {
    const obs = (site: string, outcome: Observation['outcome'], total: number): Observation => ({
      site,
      vantage: 'paris',
      time: T0,
      kind: 'http',
      outcome,
      signature: outcome === 'down' ? 'connect_timeout' : 'ok',
      status: outcome === 'down' ? undefined : 200,
      timings: { dns: 2, connect: 3, tls: 4, ttfb: 20, total },
    });
    f.bus.publish('observation', obs('shop-1.test', 'down', 3000));
    f.bus.publish('observation', obs('shop-2.test', 'up', 40));
    f.bus.publish('observation', obs('shop-3.test', 'up', 30));
    f.bus.publish('observation', obs('shop-4.test', 'up', 35));
    const r = await app.inject('/metrics');
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = r.body.trimEnd().split('\n');
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?(\d+(\.\d+)?(e[+-]?\d+)?|\+Inf|-Inf|NaN)$/;
    for (const l of lines) {
      if (
        l === '' ||
        l.startsWith('# HELP ') ||
        /^# TYPE \S+ (gauge|counter|histogram|summary|untyped)$/.test(l)
      )
        continue;
      expect(l).toMatch(sample);
    }
    expect(r.body).toContain('probe_success{vantage="paris",kind="http"} 0.75');
    expect(r.body).toContain('probe_duration_seconds_count{vantage="paris",kind="http"} 4');
    expect(r.body).toContain(
      'probe_http_duration_seconds_bucket{le="0.025",vantage="paris",phase="processing"} 3',
    );
    expect(r.body).toContain('vigie_sites{state="down"} 1');
    expect(r.body).toContain('vigie_incidents_open{impact="major"} 1');
    expect(r.body).toContain('vigie_components{state="partial_outage"} 1');
  });
});
