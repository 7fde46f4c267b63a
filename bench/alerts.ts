/**
 * Alerts benchmark: the incident streams of the OVH backbone and Cloudflare 2025 seeds, as the
 * real pipeline published them (recorded from real runs: bench/fixtures/alerts-*.json.gz, made by
 * bench/alerts-record.ts — `runScenario` does not expose its Bus yet), replayed on their own clock
 * through the real outbox (SQLite) and dispatcher to real receivers on loopback: a signed webhook,
 * a Slack-shaped HTTP endpoint, an ntfy-shaped HTTP endpoint and an SMTP server, one subscription
 * per channel. Vantage-health changes of the run are replayed too (sending holds while every
 * vantage is unhealthy).
 *
 * Figures: `incidents`; `messages_per_incident_per_channel` (the largest, over incidents × channels;
 * target ≤ 6) and its mean; `per_monitor_equivalent` (messages per channel a per-site monitor would
 * have sent: one down and one up per affected site) and Vigie's own count per channel; `lost`
 * (incident × channel without a first message, resolved incidents without their resolution, and
 * deliveries left pending or failed); `duplicates` (an idempotency key received twice on one
 * channel); `p50_delay_s` from the incident's confirmation (detectedAt) to the receipt of its first
 * message, on the scenario's clock (`p50_update_delay_s`: any message, from its change).
 *
 *   npm run bench -- alerts [FIXTURE.json.gz…]
 *   npm run bench -- alerts --live [SPEED]   (runs the two seeds through the real pipeline first,
 *                                             3–15 min each, recording their streams the same way)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Alerts } from '../src/alerts/service.ts';
import { startHttpReceiver, startSmtpReceiver } from '../src/alerts/testing.ts';
import type { AlertsConfig, Subscription } from '../src/alerts/types.ts';
import { InProcessBus } from '../src/bus/bus.ts';
import { ManualClock } from '../src/clock/clock.ts';
import type { Incident } from '../src/model/incident.ts';
import { openStore } from '../src/store/open.ts';
import { readRecording } from './alerts-fixture.ts';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const args = process.argv.slice(2);
const live = args[0] === '--live';
const liveDir = live ? mkdtempSync(join(tmpdir(), 'vigie-bench-alerts-live-')) : '';
/** Run a seed through the real pipeline (bench/alerts-record.ts), its stream written to a file. */
function record(seed: string): string {
  const out = join(liveDir, `${seed}.json`);
  process.stderr.write(`running ${seed} through the real pipeline…\n`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', here('alerts-record.ts'), seed, ...(args[1] ? [args[1]] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 512 * 1024 * 1024 },
  );
  if (r.status !== 0) throw new Error(`recording ${seed} failed (${r.status})`);
  writeFileSync(out, r.stdout);
  return out;
}
const FIXTURES = live
  ? ['ovh-backbone-2021', 'cloudflare-2025'].map(record)
  : args.length
    ? args
    : [here('fixtures/alerts-ovh-backbone-2021.json.gz'), here('fixtures/alerts-cloudflare-2025.json.gz')];
const SECRET = 'bench-shared-secret-0123456789';
const CHANNELS = ['webhook', 'slack', 'ntfy', 'email'] as const;

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

interface Got {
  channel: string;
  key: string;
  incident: string;
  kind: string;
  first: boolean;
  clock: number;
}

async function replay(file: string) {
  const rec = readRecording(file);
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-alerts-'));
  const store = await openStore(`sqlite:${join(dir, 'alerts.db')}`);
  const hook = await startHttpReceiver({ secret: SECRET });
  const slack = await startHttpReceiver();
  const ntfy = await startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const events = rec.events;
  const clock = new ManualClock(events[0]?.clock ?? 0);
  const bus = new InProcessBus();
  const sub = (channel: string): Subscription => ({
    name: channel,
    channel,
    providers: [],
    sites: [],
    tags: [],
    minSites: 1,
    kinds: ['opened', 'cause', 'peak', 'restoration', 'reopened', 'resolved'],
  });
  const config: AlertsConfig = {
    channels: [
      { name: 'webhook', kind: 'webhook', settings: { url: `${hook.url}/hook`, secret: SECRET } },
      { name: 'slack', kind: 'slack', settings: { url: `${slack.url}/services/T/B/x` } },
      { name: 'ntfy', kind: 'ntfy', settings: { server: ntfy.url, topic: 'vigie' } },
      {
        name: 'email',
        kind: 'email',
        settings: { host: smtp.host, port: smtp.port, from: 'vigie@bench.test', to: ['ops@bench.test'] },
      },
    ],
    subscriptions: CHANNELS.map(sub),
    updateIntervalMs: 300_000,
    milestones: [0.5, 0.9],
  };
  const logs: string[] = [];
  const alerts = await Alerts.start({
    store,
    clock,
    bus,
    config,
    publicUrl: 'http://127.0.0.1:8080',
    pollMs: 3_600_000,
    retry: { baseMs: 1_000, maxMs: 60_000, maxAttempts: 12 },
    log: (l) => logs.push(l),
  });
  // Receipts stamped with the scenario's clock when they are seen.
  const got: Got[] = [];
  const seen = { webhook: 0, slack: 0, ntfy: 0, email: 0 };
  const collect = () => {
    for (const r of hook.received.slice(seen.webhook)) {
      const b = r.json as { event: string; kind: string; first: boolean; incident: { id: string } };
      if (!r.signatureOk) throw new Error('webhook signature mismatch');
      got.push({
        channel: 'webhook',
        key: b.event,
        incident: b.incident.id,
        kind: b.kind,
        first: b.first,
        clock: clock.now(),
      });
    }
    seen.webhook = hook.received.length;
    for (const [name, rx] of [
      ['slack', slack],
      ['ntfy', ntfy],
    ] as const) {
      for (const r of rx.received.slice(seen[name])) {
        const key = String(r.headers['idempotency-key']);
        got.push({
          channel: name,
          key,
          incident: key.split(':')[0],
          kind: key.split(':')[1],
          first: false,
          clock: clock.now(),
        });
      }
      seen[name] = rx.received.length;
    }
    for (const m of smtp.received.slice(seen.email)) {
      const key = String(m.headers.get('x-vigie-event'));
      got.push({
        channel: 'email',
        key,
        incident: key.split(':')[0],
        kind: key.split(':')[1],
        first: false,
        clock: clock.now(),
      });
    }
    seen.email = smtp.received.length;
  };

  const t0 = performance.now();
  const last = new Map<string, Incident>();
  for (const e of events) {
    if (e.clock > clock.now()) clock.advance(e.clock - clock.now());
    if (e.topic === 'vantage') bus.publish('vantage', e.msg);
    else {
      if (!alerts.schedule.publishes(e.msg)) continue;
      last.set(e.msg.id, e.msg);
      await alerts.commit(e.msg);
    }
    await alerts.dispatcher.settle(60_000);
    collect();
  }
  // After the end: the clock goes on until nothing waits (held updates, retries).
  for (let k = 0; k < 30; k++) {
    clock.advance(60_000);
    await alerts.dispatcher.settle(60_000);
    collect();
  }
  const realS = (performance.now() - t0) / 1000;

  const incidents = [...last.values()];
  const perPair: number[] = [];
  let lost = 0;
  let duplicates = 0;
  const firstDelays: number[] = [];
  const updateDelays: number[] = [];
  const eventAt = new Map((await store.outboxEvents({ limit: 100_000 })).map((x) => [x.id, x.at]));
  for (const ch of CHANNELS) {
    const mine = got.filter((g) => g.channel === ch);
    const keys = new Map<string, number>();
    for (const g of mine) keys.set(g.key, (keys.get(g.key) ?? 0) + 1);
    for (const c of keys.values()) if (c > 1) duplicates += c - 1;
    for (const i of incidents) {
      const msgs = mine.filter((g) => g.incident === i.id);
      perPair.push(msgs.length);
      if (msgs.length === 0) lost++;
      else firstDelays.push((msgs[0].clock - i.detectedAt) / 1000);
      if (i.resolvedAt !== null && !msgs.some((g) => g.kind === 'resolved')) lost++;
      for (const g of msgs) {
        const at = eventAt.get(g.key);
        if (at !== undefined) updateDelays.push((g.clock - at) / 1000);
      }
    }
  }
  const leftover = await store.alertDeliveries({ status: ['pending', 'failed'], limit: 100_000 });
  lost += leftover.length;
  const stats = alerts.dispatcher.stats();
  await alerts.stop();
  await Promise.all([hook.close(), slack.close(), ntfy.close(), smtp.close(), store.close()]);
  rmSync(dir, { recursive: true, force: true });
  return {
    scenario: rec.scenario,
    recorded: rec.command,
    published: events.filter((e) => e.topic === 'incident').length,
    vantageChanges: events.filter((e) => e.topic === 'vantage').length,
    incidents: incidents.length,
    affected: incidents.map((i) => i.affected.length),
    messages: Object.fromEntries(CHANNELS.map((c) => [c, got.filter((g) => g.channel === c).length])),
    perPair,
    perMonitor: incidents.reduce((n, i) => n + 2 * i.affected.length, 0),
    lost,
    duplicates,
    firstDelays,
    updateDelays,
    merged: stats.merged,
    realS,
    heldLines: logs.filter((l) => l.includes('held')).length,
    sequence: got
      .filter((g) => g.channel === 'webhook')
      .map((g) => `${g.key}@${new Date(g.clock).toISOString().slice(11, 19)}`),
  };
}

const runs = [];
for (const f of FIXTURES) {
  const r = await replay(f);
  runs.push(r);
  process.stderr.write(`${r.sequence.join('\n')}\n`);
  process.stdout.write(
    `${r.scenario}: ${r.published} incident publications, ${r.vantageChanges} vantage changes → ${r.incidents} incidents ` +
      `(sites ${r.affected.join(', ')}); messages per channel ${JSON.stringify(r.messages)} ` +
      `(a per-site monitor: ${r.perMonitor} each); per incident × channel max ${Math.max(0, ...r.perPair)}; ` +
      `merged ${r.merged}; lost ${r.lost}; duplicates ${r.duplicates}; ${r.realS.toFixed(1)} s real\n`,
  );
}
const all = runs.flatMap((r) => r.perPair);
const result = {
  incidents: runs.reduce((n, r) => n + r.incidents, 0),
  messages_per_incident_per_channel: Math.max(0, ...all),
  messages_per_incident_per_channel_mean: all.length
    ? Math.round((all.reduce((a, b) => a + b, 0) / all.length) * 100) / 100
    : 0,
  per_monitor_equivalent: runs.reduce((n, r) => n + r.perMonitor, 0),
  messages_per_channel: runs.reduce((n, r) => n + r.messages.webhook, 0),
  lost: runs.reduce((n, r) => n + r.lost, 0),
  duplicates: runs.reduce((n, r) => n + r.duplicates, 0),
  p50_delay_s: quantile(
    runs.flatMap((r) => r.firstDelays),
    0.5,
  ),
  p50_update_delay_s: quantile(
    runs.flatMap((r) => r.updateDelays),
    0.5,
  ),
  source: live ? 'real pipeline runs, now' : 'recorded incident streams of real runs (bench/fixtures)',
  scenarios: runs.map((r) => ({
    scenario: r.scenario,
    incidents: r.incidents,
    messages: r.messages,
    recorded: r.recorded,
  })),
};
if (live) rmSync(liveDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
