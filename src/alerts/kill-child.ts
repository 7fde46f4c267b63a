/**
 * Child process of the kill -9 test: opens the store at argv[2], starts alerts with one webhook
 * channel to argv[3], commits an incident, and freezes (no close, nothing more) once argv[4] is
 * reached — `committed` (the dispatcher held: the event is only in the outbox) or `sending` (the
 * delivery is in flight: the receiver holds the request open). It prints that word, then blocks.
 */
import { writeSync } from 'node:fs';
import { SystemClock } from '../clock/clock.ts';
import { openStore } from '../store/open.ts';
import { Alerts } from './service.ts';

const [url, hook, mode] = process.argv.slice(2);
const store = await openStore(url);
const alerts = await Alerts.start({
  store,
  clock: new SystemClock(),
  publicUrl: 'https://status.example.org',
  pollMs: 20,
  config: {
    channels: [
      { name: 'hook', kind: 'webhook', settings: { url: hook, secret: 'a-shared-secret-of-some-length' } },
    ],
    subscriptions: [
      {
        name: 'all',
        channel: 'hook',
        providers: [],
        sites: [],
        tags: [],
        minSites: 1,
        kinds: ['opened', 'resolved'],
      },
    ],
    updateIntervalMs: 300_000,
    milestones: [0.5, 0.9, 1],
  },
});
const freeze = (word: string) => {
  writeSync(1, `${word}\n`);
  // Block the event loop: nothing else (no mark, no close) may happen before the kill.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
};
if (mode === 'committed') alerts.dispatcher.hold('kill test: stop between commit and delivery');
const now = Date.now();
await alerts.commit({
  id: 'inc-k',
  cause: { provider: 'ovh', asn: 16276, name: null, region: null, plan: null, role: null, component: null },
  kind: 'network',
  signature: 'connect_timeout',
  confidence: 0.9,
  startedAt: now - 120_000,
  detectedAt: now,
  peakAt: null,
  resolvedAt: null,
  affected: ['a.test', 'b.test', 'c.test'],
  exonerated: [],
  evidence: [],
  timeline: [{ time: now, failing: 3, restored: 0 }],
});
if (mode === 'committed') freeze('committed');
// `sending`: the parent's receiver prints nothing back; it tells the parent the request arrived.
writeSync(1, 'waiting\n');
