/**
 * The report intake: decides whether one submitted report is counted. In order: the site must be
 * watched; the reporter's network (/24, /48) and the reporter (keyed hash of address and user agent)
 * must have tokens left; the reporter must not have reported this site within the window; and the
 * network must not already have `perNetworkPerSite` counted reports for this site within the window.
 * A counted report goes to the detector. Every structure has a fixed size (see `limits.ts`), so
 * memory is bounded whatever the load. Pure logic on an injected clock.
 */
import type { ReportDetector } from './detector.ts';
import { fnv1a, mix32, networkOf, newSecret, reporterId } from './identity.ts';
import { type BucketRule, BucketTable, RotatingBloom } from './limits.ts';
import { type AcceptResult, PROBLEM_INDEX, type ReportInput, type ReportSource } from './types.ts';

export interface IntakeOptions {
  /** Key of the reporter hash. Default: random per process (ids cannot be linked across restarts). */
  secret: Buffer;
  /** One counted report per reporter per site per window (ms). */
  windowMs: number;
  /** Counted reports per network per site per window (0: no such limit — benchmarks from one address). */
  perNetworkPerSite: number;
  reporter: BucketRule;
  network: BucketRule;
  /** Token buckets remembered (least recently used forgotten first). */
  maxReporters: number;
  maxNetworks: number;
  /** log2 of the bits of each of the 4 dedup filter generations (24: 2 MB each). */
  filterBits: number;
}

export const DEFAULT_INTAKE: Omit<IntakeOptions, 'secret'> = {
  windowMs: 15 * 60_000,
  perNetworkPerSite: 3,
  reporter: { burst: 10, perHour: 30 },
  network: { burst: 300, perHour: 3_000 },
  maxReporters: 200_000,
  maxNetworks: 50_000,
  filterBits: 25,
};

export class ReportIntake {
  readonly options: IntakeOptions;
  private readonly reporters: BucketTable<number>;
  private readonly networks: BucketTable<string>;
  private readonly seen: RotatingBloom;

  constructor(
    private readonly clock: { now(): number },
    private readonly detector: ReportDetector,
    private readonly isWatched: (domain: string) => boolean,
    options: Partial<IntakeOptions> = {},
  ) {
    this.options = { ...DEFAULT_INTAKE, secret: options.secret ?? newSecret(), ...options };
    const o = this.options;
    this.reporters = new BucketTable(o.reporter, o.maxReporters);
    this.networks = new BucketTable(o.network, o.maxNetworks);
    this.seen = new RotatingBloom(o.windowMs, o.filterBits);
  }

  /** Sizes of the bounded structures (for tests and metrics). */
  stats(): { reporters: number; networks: number; filterBytes: number } {
    return { reporters: this.reporters.size, networks: this.networks.size, filterBytes: this.seen.bytes };
  }

  /** `input.domain` must already be a normalised (lower-case, no trailing dot) name. */
  accept(input: ReportInput, source: ReportSource): AcceptResult {
    if (!this.isWatched(input.domain)) return { status: 'unknown_site' };
    const now = this.clock.now();
    const network = networkOf(source.address);
    const waitNet = this.networks.take(network, now);
    if (waitNet > 0) return { status: 'rate_limited', scope: 'network', retryAfterMs: waitNet };
    const id = reporterId(this.options.secret, source.address, source.userAgent);
    const waitRep = this.reporters.take(id, now);
    if (waitRep > 0) return { status: 'rate_limited', scope: 'reporter', retryAfterMs: waitRep };

    const site = fnv1a(input.domain);
    const site2 = fnv1a(input.domain, 0x2f5a3b17);
    const lo = id % 0x1_0000_0000;
    const hi = Math.floor(id / 0x1_0000_0000);
    // Keys: (site, reporter) for dedup; (site, network, slot) for the per-network allowance.
    const r1 = mix32(site ^ lo) ^ hi;
    const r2 = mix32(site2 ^ mix32(lo + hi));
    if (this.seen.has(r1, r2, now)) return { status: 'duplicate', reason: 'reporter' };
    const net = fnv1a(network);
    let slot = -1;
    for (let k = 0; k < this.options.perNetworkPerSite; k++) {
      const n1 = mix32(site ^ mix32(net + k + 1));
      const n2 = mix32(site2 ^ net ^ (k * 0x9e3779b9));
      if (!this.seen.has(n1, n2, now)) {
        slot = k;
        this.seen.add(n1, n2, now);
        break;
      }
    }
    if (slot < 0 && this.options.perNetworkPerSite > 0) return { status: 'duplicate', reason: 'network' };
    this.seen.add(r1, r2, now);
    this.detector.record(input.domain, PROBLEM_INDEX[input.problem], now, id, net);
    return { status: 'accepted' };
  }
}
