/**
 * Vigie's own state as Prometheus metrics, read from the status source at scrape time (all
 * O(components + incidents)): sites by state, open incidents, components by state, per-provider
 * sites and failing sites (bounded by the number of providers, not of sites), vantage health.
 */
import { Gauge, type Registry } from 'prom-client';
import type { StatusSource } from '../status/types.ts';

const COMPONENT_STATES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage'] as const;

/** Register the status gauges in `registry`; `sseClients` is read at each scrape. */
export function registerStatusMetrics(
  registry: Registry,
  source: StatusSource,
  sseClients: () => number,
): void {
  const registers = [registry];
  new Gauge({
    name: 'vigie_sites',
    help: 'Monitored sites by agreed state',
    labelNames: ['state'],
    registers,
    collect() {
      const c = source.counts();
      for (const state of ['up', 'degraded', 'down', 'unknown'] as const) this.set({ state }, c[state]);
    },
  });
  new Gauge({
    name: 'vigie_incidents_open',
    help: 'Open incidents by impact',
    labelNames: ['impact'],
    registers,
    collect() {
      const by = new Map([
        ['minor', 0],
        ['major', 0],
        ['critical', 0],
      ]);
      for (const i of source.incidents('open')) by.set(i.impact, (by.get(i.impact) ?? 0) + 1);
      for (const [impact, n] of by) this.set({ impact }, n);
    },
  });
  new Gauge({
    name: 'vigie_components',
    help: 'Components by state',
    labelNames: ['state'],
    registers,
    collect() {
      const by = new Map<string, number>(COMPONENT_STATES.map((s) => [s, 0]));
      for (const x of source.components()) by.set(x.state, (by.get(x.state) ?? 0) + 1);
      for (const [state, n] of by) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'vigie_provider_sites',
    help: 'Monitored sites depending on each provider (any role)',
    labelNames: ['provider'],
    registers,
    collect() {
      this.reset();
      for (const c of source.components()) if (c.kind === 'provider') this.set({ provider: c.id }, c.sites);
    },
  });
  new Gauge({
    name: 'vigie_provider_failing_sites',
    help: 'Of the sites depending on each provider, how many fail now (degraded or down)',
    labelNames: ['provider'],
    registers,
    collect() {
      this.reset();
      for (const c of source.components()) if (c.kind === 'provider') this.set({ provider: c.id }, c.failing);
    },
  });
  new Gauge({
    name: 'vigie_provider_status',
    help: 'State of each provider (1 for the state it is in), Statuspage vocabulary',
    labelNames: ['provider', 'state'],
    registers,
    collect() {
      this.reset();
      for (const c of source.components())
        if (c.kind === 'provider')
          for (const state of COMPONENT_STATES)
            this.set({ provider: c.id, state }, c.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vigie_vantage_healthy',
    help: '1 when the vantage is healthy (Vigie noticing its own vantage is the broken part)',
    labelNames: ['vantage'],
    registers,
    collect() {
      this.reset();
      for (const v of source.vantages()) this.set({ vantage: v.vantage }, v.healthy ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vigie_status_updated_timestamp_seconds',
    help: 'Clock time of the latest change of state',
    registers,
    collect() {
      this.set(source.updatedAt() / 1000);
    },
  });
  new Gauge({
    name: 'vigie_sse_clients',
    help: 'Open live-event streams',
    registers,
    collect() {
      this.set(sseClients());
    },
  });
}
