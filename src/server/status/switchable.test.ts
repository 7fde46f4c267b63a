import { describe, expect, it } from 'vitest';
import { fixture, OPEN, SITES, T0 } from '../../../test/support/server.ts';
import { ManualClock } from '../../clock/clock.ts';
import { ReportService } from '../../reports/service.ts';
import { StoreRiskSource } from '../risk-cache.ts';
import { StatusSnapshot } from './snapshot.ts';
import { SwitchableServer } from './switchable.ts';
import type { StatusEvent } from './types.ts';

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
