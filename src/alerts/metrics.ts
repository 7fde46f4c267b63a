/**
 * The dispatcher's counters as Prometheus metrics (prom-client), read at scrape time. Whoever owns
 * the registry (`/metrics`) calls `registerAlertMetrics(registry, () => dispatcher.stats())`.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DispatcherStats } from './dispatcher.ts';

/** Register the alert series on `registry`; they read `stats()` on every scrape. */
export function registerAlertMetrics(registry: Registry, stats: () => DispatcherStats): void {
  const perChannel = (name: string, help: string, pick: (s: DispatcherStats) => Record<string, number>) =>
    new Counter({
      name,
      help,
      labelNames: ['channel'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [channel, v] of Object.entries(pick(stats()))) this.inc({ channel }, v);
      },
    });
  perChannel('vigie_alerts_sent_total', 'Alert messages delivered, per channel', (s) => s.sent);
  perChannel(
    'vigie_alerts_errors_total',
    'Failed delivery attempts (each retried), per channel',
    (s) => s.errors,
  );
  perChannel(
    'vigie_alerts_failed_total',
    'Deliveries given up after the last retry, per channel',
    (s) => s.failed,
  );
  const total = (name: string, help: string, pick: (s: DispatcherStats) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(pick(stats()));
      },
    });
  total('vigie_alerts_merged_total', 'Updates merged into a later message', (s) => s.merged);
  total(
    'vigie_alerts_suppressed_total',
    'Deliveries not sent because of a maintenance window',
    (s) => s.suppressed,
  );
  new Gauge({
    name: 'vigie_alerts_held',
    help: '1 while sending is held (every vantage unhealthy)',
    registers: [registry],
    collect() {
      this.set(stats().held ? 1 : 0);
    },
  });
}
