/** Vigie's own metrics, read from the status source at scrape time (all O(components + incidents)). */
import type { StatusSource } from '../status/types.ts';
import type { Family, Sample } from './text.ts';

export function statusFamilies(source: StatusSource, extra: { sseClients: number }): Family[] {
  const c = source.counts();
  const sites: Sample[] = (['up', 'degraded', 'down', 'unknown'] as const).map((state) => ({
    labels: { state },
    value: c[state],
  }));
  const byImpact = new Map<string, number>([
    ['minor', 0],
    ['major', 0],
    ['critical', 0],
  ]);
  for (const i of source.incidents('open')) byImpact.set(i.impact, (byImpact.get(i.impact) ?? 0) + 1);
  const byState = new Map<string, number>([
    ['operational', 0],
    ['degraded_performance', 0],
    ['partial_outage', 0],
    ['major_outage', 0],
  ]);
  for (const x of source.components()) byState.set(x.state, (byState.get(x.state) ?? 0) + 1);
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  return [
    { name: 'vigie_sites', help: 'Monitored sites by agreed state', type: 'gauge', samples: sites },
    {
      name: 'vigie_incidents_open',
      help: 'Open incidents by impact',
      type: 'gauge',
      samples: [...byImpact].map(([impact, value]) => ({ labels: { impact }, value })),
    },
    {
      name: 'vigie_components',
      help: 'Components by state',
      type: 'gauge',
      samples: [...byState].map(([state, value]) => ({ labels: { state }, value })),
    },
    {
      name: 'vigie_vantage_healthy',
      help: '1 when the vantage is healthy (Vigie noticing its own vantage is the broken part)',
      type: 'gauge',
      samples: source.vantages().map((v) => ({ labels: { vantage: v.vantage }, value: v.healthy ? 1 : 0 })),
    },
    {
      name: 'vigie_status_updated_timestamp_seconds',
      help: 'Clock time of the latest change of state',
      type: 'gauge',
      samples: [{ value: source.updatedAt() / 1000 }],
    },
    {
      name: 'vigie_sse_clients',
      help: 'Open live-event streams',
      type: 'gauge',
      samples: [{ value: extra.sseClients }],
    },
    {
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes',
      type: 'gauge',
      samples: [{ value: mem.rss }],
    },
    {
      name: 'process_cpu_seconds_total',
      help: 'User and system CPU time spent, seconds',
      type: 'counter',
      samples: [{ value: (cpu.user + cpu.system) / 1e6 }],
    },
  ];
}
