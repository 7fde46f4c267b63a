import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../bus/bus.ts';
import { ManualClock } from '../clock/clock.ts';
import type { Incident } from '../model/incident.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { Alerts } from './service.ts';
import { startHttpReceiver, startSmtpReceiver } from './testing.ts';
import type { AlertsConfig, Subscription } from './types.ts';

const MIN = 60_000;
/** 2021-10-13 09:12 CEST. */
const T = Date.UTC(2021, 9, 13, 7, 12);
const SECRET = 'a-shared-secret-of-some-length';
const PUBLIC = 'https://status.example.org';
const dir = mkdtempSync(join(tmpdir(), 'vigie-alerts-'));
let n = 0;
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

async function store(): Promise<Store> {
  const s = await openStore(`sqlite:${join(dir, `s${++n}.db`)}`);
  cleanup.push(() => s.close());
  return s;
}

const sites = (k: number, prefix = 's') => Array.from({ length: k }, (_, i) => `${prefix}${i}.test`);

function ovh(patch: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-4',
    cause: { provider: 'ovh', asn: 16276, name: null, region: null, plan: null, role: null, component: null },
    kind: 'network',
    signature: 'connect_timeout',
    confidence: 0.97,
    startedAt: T,
    detectedAt: T + 2 * MIN,
    peakAt: T + 2 * MIN,
    resolvedAt: null,
    affected: sites(950),
    exonerated: [{ provider: 'cloudflare', evidence: '0 of 120 sites failing' }],
    evidence: ['950 sites at AS16276 time out from every vantage'],
    timeline: [{ time: T + 2 * MIN, failing: 950, restored: 0 }],
    ...patch,
  };
}

const sub = (channel: string, patch: Partial<Subscription> = {}): Subscription => ({
  name: channel,
  channel,
  providers: [],
  sites: [],
  tags: [],
  minSites: 1,
  kinds: ['opened', 'cause', 'peak', 'restoration', 'reopened', 'resolved'],
  ...patch,
});

async function setUp(
  channels: AlertsConfig['channels'],
  subs: Subscription[],
  o: { status?: () => number } = {},
) {
  const hook = await startHttpReceiver({ secret: SECRET, status: o.status });
  const slack = await startHttpReceiver();
  const smtp = await startSmtpReceiver();
  cleanup.push(hook.close, slack.close, smtp.close);
  const clock = new ManualClock(T);
  const s = await store();
  const bus = new InProcessBus();
  const lines: string[] = [];
  const config: AlertsConfig = {
    channels: channels.map((c) => ({
      ...c,
      settings:
        c.kind === 'webhook'
          ? { url: `${hook.url}/hook`, secret: SECRET }
          : c.kind === 'slack'
            ? { url: `${slack.url}/services/T0/B0/x` }
            : { host: smtp.host, port: smtp.port, from: 'vigie@example.org', to: ['ops@example.org'] },
    })),
    subscriptions: subs,
    updateIntervalMs: 5 * MIN,
    milestones: [0.5, 0.9, 1],
  };
  const alerts = await Alerts.start({
    store: s,
    clock,
    bus,
    config,
    publicUrl: PUBLIC,
    timeZone: 'Europe/Paris',
    log: (l) => lines.push(l),
    pollMs: 50,
    retry: { baseMs: 20, maxMs: 50, maxAttempts: 4 },
    attemptTimeoutMs: 5_000,
  });
  cleanup.push(() => alerts.stop());
  const settle = async () => expect(await alerts.dispatcher.settle(20_000)).toBe(true);
  return { hook, slack, smtp, clock, store: s, bus, alerts, lines, settle };
}

const ALL = [
  { name: 'hook', kind: 'webhook' as const, settings: {} },
  { name: 'chat', kind: 'slack' as const, settings: {} },
  { name: 'mail', kind: 'email' as const, settings: {} },
];

describe('alert delivery to real receivers on loopback', () => {
  it('tells an incident’s story once per step on every channel, in words, signed and threaded', async () => {
    const t = await setUp(ALL, [sub('hook'), sub('chat'), sub('mail')]);
    await t.alerts.commit(ovh());
    await t.settle();
    expect(t.hook.received).toHaveLength(1);
    const [h] = t.hook.received;
    expect(h.signatureOk).toBe(true);
    expect(h.headers['idempotency-key']).toBe('inc-4:opened');
    const body = h.json as Record<string, unknown>;
    expect(body).toMatchObject({
      version: 1,
      event: 'inc-4:opened',
      kind: 'opened',
      first: true,
      title: 'OVHcloud (AS16276) stopped answering — 950 of your sites; Cloudflare cleared',
      url: `${PUBLIC}/#/incident/inc-4`,
      incident: { id: 'inc-4', affected: 950, peak: 950, cause: { provider: 'ovh', asn: 16276 } },
    });

    const slack = t.slack.received[0].json as {
      text: string;
      blocks: { type: string; [k: string]: unknown }[];
    };
    expect(t.slack.received[0].path).toBe('/services/T0/B0/x');
    expect(slack.text).toBe(body.title);
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'actions', 'context']);
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: body.title, emoji: false },
    });
    expect(JSON.stringify(slack.blocks[2])).toContain(`"url":"${PUBLIC}/#/incident/inc-4"`);

    const [m1] = t.smtp.received;
    expect(m1.to).toEqual(['ops@example.org']);
    expect(m1.headers.get('subject')).toBe('[Vigie] Incident inc-4');
    expect(m1.text).toContain('OVHcloud (AS16276) stopped answering — 950 of your sites; Cloudflare cleared');
    expect(m1.text).toContain('Cause: OVHcloud (AS16276) (connect_timeout), confidence 97 %');
    expect(m1.text).toContain(`Incident page: ${PUBLIC}/#/incident/inc-4`);
    expect(m1.html).toContain(`<a href="${PUBLIC}/#/incident/inc-4">`);

    // Recovery: half restored, then resolved at 10:20 Paris time.
    t.clock.advance(40 * MIN);
    await t.alerts.commit(
      ovh({ timeline: [...ovh().timeline, { time: T + 50 * MIN, failing: 400, restored: 0.58 }] }),
    );
    await t.settle();
    t.clock.advance(30 * MIN);
    const resolvedAt = Date.UTC(2021, 9, 13, 8, 20);
    await t.alerts.commit(
      ovh({ resolvedAt, timeline: [...ovh().timeline, { time: resolvedAt, failing: 0, restored: 1 }] }),
    );
    await t.settle();
    expect(t.hook.received.map((r) => (r.json as { title: string }).title)).toEqual([
      'OVHcloud (AS16276) stopped answering — 950 of your sites; Cloudflare cleared',
      'OVHcloud (AS16276): 58 % restored at 10:02',
      'OVHcloud (AS16276): resolved, 100 % restored at 10:20',
    ]);
    expect(t.hook.received.every((r) => r.signatureOk)).toBe(true);
    const mails = t.smtp.received;
    expect(mails).toHaveLength(3);
    const root = mails[0].headers.get('message-id');
    expect(root).toMatch(/^<vigie\.incident\.inc-4@status\.example\.org>$/);
    for (const m of mails.slice(1)) {
      expect(m.headers.get('in-reply-to')).toBe(root);
      expect(m.headers.get('references')).toBe(root);
      expect(m.headers.get('subject')).toBe('[Vigie] Incident inc-4');
    }
    expect(mails[2].text).toContain('resolved, 100 % restored at 10:20');
    expect(t.slack.received).toHaveLength(3);
    expect(t.alerts.dispatcher.stats().sent).toEqual({ hook: 3, chat: 3, mail: 3 });
  });

  it('merges updates within the interval, sends a cause change and the resolution at once', async () => {
    const t = await setUp([ALL[0]], [sub('hook')]);
    const small = (k: number, time: number, patch: Partial<Incident> = {}) =>
      ovh({ affected: sites(k), timeline: [{ time, failing: k, restored: 0 }], exonerated: [], ...patch });
    await t.alerts.commit(small(15, T));
    await t.settle();
    // Growth past 20, 50 and 100 within a few minutes: updates, held until 5 min after the opening.
    for (const [k, dt] of [
      [25, 1],
      [60, 2],
      [130, 3],
    ] as const) {
      t.clock.advance(MIN);
      await t.alerts.commit(small(k, T + dt * MIN));
      await t.settle();
    }
    expect(t.hook.received).toHaveLength(1);
    const region = { ...ovh().cause, region: 'sbg' };
    t.clock.advance(MIN);
    await t.alerts.commit(small(130, T + 4 * MIN, { cause: region }));
    await t.settle();
    expect(t.hook.received.map((r) => (r.json as { kind: string }).kind)).toEqual(['opened', 'cause']);
    expect((t.hook.received[1].json as { merged: string[] }).merged).toEqual([
      'inc-4:peak:20',
      'inc-4:peak:50',
      'inc-4:peak:100',
    ]);
    expect((t.hook.received[1].json as { title: string }).title).toBe(
      'cause refined: OVHcloud (AS16276), region sbg — 130 of your sites',
    );
    t.clock.advance(MIN);
    await t.alerts.commit(small(260, T + 5 * MIN, { cause: region }));
    await t.settle();
    expect(t.hook.received).toHaveLength(2); // the peak waits for the interval
    t.clock.advance(5 * MIN);
    await t.settle();
    expect(t.hook.received.map((r) => (r.json as { kind: string }).kind)).toEqual([
      'opened',
      'cause',
      'peak',
    ]);
    t.clock.advance(MIN);
    await t.alerts.commit(small(260, T + 12 * MIN, { cause: region, resolvedAt: T + 12 * MIN }));
    await t.settle();
    expect(t.hook.received.map((r) => (r.json as { kind: string }).kind)).toEqual([
      'opened',
      'cause',
      'peak',
      'resolved',
    ]);
    // Each message once: no idempotency key twice.
    const keys = t.hook.received.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps delivering on live channels while one is dead; the dead one retries with backoff, then gives up visibly', async () => {
    let hookUp = false;
    const t = await setUp(ALL.slice(0, 2), [sub('hook'), sub('chat')], {
      status: () => (hookUp ? 200 : 503),
    });
    await t.alerts.commit(ovh());
    await t.settle();
    expect(t.slack.received).toHaveLength(1);
    expect(t.hook.received).toHaveLength(0);
    // A second incident reaches Slack too, while the webhook keeps failing.
    await t.alerts.commit(ovh({ id: 'inc-5', affected: sites(12, 'x') }));
    await t.settle();
    expect(t.slack.received).toHaveLength(2);
    const pending = await t.store.alertDeliveries({ channel: 'hook', status: ['pending'] });
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(pending[0].lastError).toMatch(/HTTP 503/);
    expect(t.lines.some((l) => /alert inc-4:opened to hook failed \(attempt 1\): HTTP 503/.test(l))).toBe(
      true,
    );
    expect(t.lines.join('\n')).not.toContain(SECRET);
    // The receiver comes back: the waiting messages arrive, each once.
    hookUp = true;
    const until = Date.now() + 15_000;
    while (t.hook.received.length < 2 && Date.now() < until) {
      // Retries are due on the pipeline's clock: move it on.
      t.clock.advance(1_000);
      t.alerts.dispatcher.notify();
      await new Promise((r) => setTimeout(r, 60));
    }
    await t.settle();
    expect(t.hook.received.map((r) => r.headers['idempotency-key']).sort()).toEqual([
      'inc-4:opened',
      'inc-5:opened',
    ]);
    expect(t.alerts.dispatcher.stats().errors.hook).toBeGreaterThanOrEqual(1);
    // Down for good: after maxAttempts the delivery is `failed`, counted, logged.
    hookUp = false;
    await t.alerts.commit(ovh({ resolvedAt: T + 9 * MIN }));
    const end = Date.now() + 15_000;
    while (t.alerts.dispatcher.stats().failed.hook === 0 && Date.now() < end) {
      t.clock.advance(1_000);
      t.alerts.dispatcher.notify();
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(t.alerts.dispatcher.stats().failed.hook).toBe(1);
    expect(await t.store.alertDeliveries({ status: ['failed'] })).toEqual([
      expect.objectContaining({ eventId: `inc-4:resolved:${T + 9 * MIN}`, channel: 'hook', attempts: 4 }),
    ]);
    expect(t.lines.some((l) => /failed for good after 4 attempts/.test(l))).toBe(true);
  });

  it('renders user-supplied strings safely in HTML email and Slack mrkdwn', async () => {
    const t = await setUp([ALL[1], ALL[2]], [sub('chat'), sub('mail')]);
    await t.alerts.commit(
      ovh({
        cause: { ...ovh().cause, provider: null, name: '<b>Evil</b> & co', asn: null },
        evidence: ['<script>alert(1)</script> <!channel> <https://evil.example|click>'],
      }),
    );
    await t.settle();
    const html = t.smtp.received[0].html;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>Evil');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    const section =
      (t.slack.received[0].json as { blocks: { text?: { text: string } }[] }).blocks[1].text?.text ?? '';
    expect(section).not.toMatch(/<!channel>|<https:/);
    expect(section).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt;');
  });

  it('sends nothing while every vantage is unhealthy, and catches up after', async () => {
    const t = await setUp([ALL[0]], [sub('hook')]);
    t.bus.publish('vantage', { vantage: 'v1', healthy: false, at: T, reason: 'resolver unreachable' });
    await t.alerts.commit(ovh());
    await t.settle();
    expect(t.hook.received).toHaveLength(0);
    expect(t.alerts.dispatcher.stats().held).toBe(true);
    expect(t.lines).toContain('vigie: alerts held: every vantage unhealthy (v1: resolver unreachable)');
    t.bus.publish('vantage', { vantage: 'v1', healthy: true, at: T + MIN, reason: 'ok' });
    await t.settle();
    expect(t.hook.received).toHaveLength(1);
  });

  it('filters by provider, site, tag, minimum sites and kind', async () => {
    const t = await setUp(ALL, [
      sub('hook', { providers: ['cloudflare'] }),
      sub('chat', { sites: ['s1.test', 's2.test'], kinds: ['resolved'] }),
      sub('mail', { providers: ['provider:ovh'], minSites: 1000 }),
    ]);
    await t.alerts.commit(ovh());
    await t.settle();
    expect([t.hook.received.length, t.slack.received.length, t.smtp.received.length]).toEqual([0, 0, 0]);
    await t.alerts.commit(ovh({ resolvedAt: T + 9 * MIN }));
    await t.settle();
    expect(t.slack.received).toHaveLength(1);
    expect((t.slack.received[0].json as { text: string }).text).toBe(
      'OVHcloud (AS16276) stopped answering — 2 of your sites; Cloudflare cleared; resolved, 100 % restored at 09:21',
    );
    expect(t.hook.received.length + t.smtp.received.length).toBe(0);
  });
});
