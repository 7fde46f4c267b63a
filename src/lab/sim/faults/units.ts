/**
 * The units faults are drawn per (for `share`) and recover per (staged recovery): a site's domain, or the
 * address its hosting is on, so that the sites sharing one address fail and recover together.
 * Units are small integers with a stable 32-bit hash of their key ("site:<domain>" or "addr:<address>").
 */
import type { SiteSpec } from '../../scenario/types.ts';
import { fnv1a, mix32 } from './rand.ts';

export class Units {
  /** Unit ids: site i's domain is unit i; addresses are n, n+1, … in order of first use. */
  private readonly hashes: number[];
  private readonly addrId = new Map<string, number>();
  private readonly siteAddr: Int32Array;

  constructor(
    sites: readonly SiteSpec[],
    private readonly address: (i: number) => string,
  ) {
    this.hashes = sites.map((s) => mix32(fnv1a(s.domain, fnv1a('site:'))));
    this.siteAddr = new Int32Array(sites.length).fill(-1);
  }

  domainUnit(i: number): number {
    return i;
  }

  /** The unit of site i's hosting address (the address is asked once per site, when first needed). */
  addressUnit(i: number): number {
    let u = this.siteAddr[i];
    if (u < 0) {
      const a = this.address(i);
      u = this.addrId.get(a) ?? -1;
      if (u < 0) {
        u = this.hashes.length;
        this.hashes.push(mix32(fnv1a(a, fnv1a('addr:'))));
        this.addrId.set(a, u);
      }
      this.siteAddr[i] = u;
    }
    return u;
  }

  /** Upper bound (exclusive) of the unit ids handed out so far. */
  get size(): number {
    return this.hashes.length;
  }

  hash(u: number): number {
    return this.hashes[u];
  }
}
