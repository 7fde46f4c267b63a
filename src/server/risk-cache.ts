/**
 * The risk model behind what-if and concentration, built from the Store's components and
 * dependencies on first use and kept until the sites change or it grows old (dependencies change
 * slowly: the map runs far less often than the probes). Concurrent requests share one build.
 */
import { buildRisk, type RiskModel } from '../explain/risk.ts';
import type { Store } from '../store/types.ts';

export interface RiskSource {
  model(): Promise<RiskModel>;
  invalidate(): void;
}

export class StoreRiskSource implements RiskSource {
  private building: Promise<RiskModel> | null = null;
  private builtAt = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: { now(): number },
    private readonly maxAgeMs = 5 * 60_000,
  ) {}

  model(): Promise<RiskModel> {
    if (this.building && this.clock.now() - this.builtAt < this.maxAgeMs) return this.building;
    this.builtAt = this.clock.now();
    const p = (async () => {
      const [components, dependencies, sites] = await Promise.all([
        this.store.listComponents(),
        this.store.dependencies(),
        this.store.listSites(),
      ]);
      return buildRisk({ components, dependencies, sites: sites.map((s) => s.domain) });
    })();
    // A failed build is not cached: the next request tries again.
    p.catch(() => {
      if (this.building === p) this.building = null;
    });
    this.building = p;
    return p;
  }

  invalidate(): void {
    this.building = null;
  }
}
