/**
 * Alerting on a replay (`vigie sim run --config FILE`, `vigie demo --config FILE`): the `alerts:` and
 * `maintenance:` blocks of a `vigie.yaml`, exercised on the incidents the pipeline publishes — each
 * incident change committed with its outbox events, the dispatcher delivering after, maintenance
 * windows keeping incidents from being published at all. Without a store of its own (sim run), the
 * outbox lives in an in-memory SQLite store.
 */
import { loadAlertsFile } from '../../alerts/config.ts';
import { Alerts } from '../../alerts/service.ts';
import type { Bus } from '../../bus/bus.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Incident } from '../../model/incident.ts';
import { openStore } from '../../store/index.ts';
import type { Store } from '../../store/types.ts';

export interface LabAlerts {
  /** The publication gate (maintenance windows). */
  publishes(i: Incident): boolean;
  /** Commit an incident change with its alert events (for a driver that persists incidents itself). */
  commit(i: Incident): Promise<void>;
  stop(): Promise<void>;
}

/** Read FILE's alerts and maintenance and start delivering; `store` given: commit through it. */
export async function startLabAlerts(o: {
  file: string;
  bus: Bus;
  clock: Clock;
  timeZone?: string;
  store?: Store;
  /** Commit every incident published on the Bus (a driver without its own persistence). */
  subscribe: boolean;
  log: (line: string) => void;
}): Promise<LabAlerts> {
  const { alerts: config, maintenance, publicUrl } = loadAlertsFile(o.file);
  const store = o.store ?? (await openStore('sqlite::memory:', { clock: o.clock }));
  const alerts = await Alerts.start({
    store,
    clock: o.clock,
    bus: o.bus,
    config,
    maintenance,
    publicUrl: publicUrl ?? 'http://localhost:8080',
    timeZone: o.timeZone,
    log: o.log,
  });
  let chain: Promise<void> = Promise.resolve();
  const off = o.subscribe
    ? o.bus.subscribe('incident', (i) => {
        chain = chain.then(() => alerts.commit(i)).catch((e) => o.log(`alerts: cannot commit ${i.id}: ${e}`));
      })
    : () => {};
  return {
    publishes: alerts.schedule.publishes,
    commit: (i) => alerts.commit(i),
    async stop() {
      off();
      await chain;
      await alerts.stop();
      if (!o.store) await store.close();
    },
  };
}
