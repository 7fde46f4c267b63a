/**
 * Shared or dedicated hosting, told from co-hosting: once every domain of a run is resolved, an
 * address that serves at least {@link SHARED_THRESHOLD} of the mapped domains is a shared-hosting
 * address (many virtual hosts on one server), and its domains are on a shared plan; a domain alone
 * on its addresses is dedicated. CDN edges and platform front ends serve many domains by design and
 * say nothing about the plan of the origin behind them, so those domains get no plan (unless
 * declared). The verdict is relative to the run: a shared host's lone customer in a list looks
 * dedicated — map a whole population, not one site, to tell them apart.
 */
import type { DomainMap } from './types.ts';

/** Mapped domains on one address from which it counts as shared hosting. */
export const SHARED_THRESHOLD = 2;

/** Fill in `plan` on every domain of the run. */
export function assignPlans(maps: DomainMap[]): void {
  const co = new CoHosting();
  for (const m of maps) co.add(m);
  for (const m of maps) co.tell(m);
}

/**
 * Mapped domains per address, kept as sites come and go. {@link tell} gives a domain its plan from
 * the counts as they stand; with `neighbours`, the domains on each address are kept too, so that
 * the domains whose plan a change may alter can be told again (and only those).
 */
export class CoHosting {
  private readonly perAddress = new Map<string, number>();
  private readonly on: Map<string, Set<string>> | null;

  constructor(neighbours = false) {
    this.on = neighbours ? new Map() : null;
  }

  /** Count a domain on its addresses. */
  add(m: DomainMap): void {
    for (const a of countedAddresses(m)) {
      this.perAddress.set(a, (this.perAddress.get(a) ?? 0) + 1);
      if (!this.on) continue;
      const set = this.on.get(a) ?? new Set<string>();
      set.add(m.domain);
      this.on.set(a, set);
    }
  }

  /** Uncount a domain counted by {@link add} (the same map, unchanged since). */
  remove(m: DomainMap): void {
    for (const a of countedAddresses(m)) {
      const n = (this.perAddress.get(a) ?? 0) - 1;
      if (n > 0) this.perAddress.set(a, n);
      else this.perAddress.delete(a);
      const set = this.on?.get(a);
      set?.delete(m.domain);
      if (set?.size === 0) this.on?.delete(a);
    }
  }

  /** Domains counted on any of these addresses (needs `neighbours`). */
  neighbours(addresses: Iterable<string>, into = new Set<string>()): Set<string> {
    for (const a of addresses) for (const d of this.on?.get(a) ?? []) into.add(d);
    return into;
  }

  /** Tell a domain's plan, and its declared origins' plans the user did not give, from the counts. */
  tell(m: DomainMap): void {
    if (m.status !== 'ok') {
      m.plan = null;
      return;
    }
    for (const d of declaredOrigins(m)) {
      if (d.plan && !d.planTold) continue;
      d.plan = (this.perAddress.get(d.address!) ?? 0) >= SHARED_THRESHOLD ? 'shared' : 'dedicated';
      d.planTold = true;
    }
    if (m.cdn || m.platform) {
      const via = m.cdn ? `CDN ${m.cdn.provider}` : `platform ${m.platform!.provider}`;
      m.plan = {
        value: null,
        sharedWith: 0,
        evidence: [`origin behind ${via}: plan not visible`],
        confidence: 0,
      };
      return;
    }
    const addresses = m.hosting?.addresses ?? [];
    let best = 0;
    let at = '';
    for (const a of addresses) {
      const n = this.perAddress.get(a) ?? 0;
      if (n > best) {
        best = n;
        at = a;
      }
    }
    if (best >= SHARED_THRESHOLD) {
      m.plan = {
        value: 'shared',
        sharedWith: best - 1,
        evidence: [`${at} serves ${best} mapped domains (shared from ${SHARED_THRESHOLD})`],
        confidence: Math.min(0.95, 0.6 + 0.05 * best),
      };
    } else {
      m.plan = {
        value: 'dedicated',
        sharedWith: 0,
        evidence: [`no other mapped domain on ${addresses.join(', ') || 'its addresses'}`],
        confidence: 0.7,
      };
    }
  }
}

/**
 * The addresses a domain counts on: its server's, when it is visible and not a platform's front
 * end; a declared origin's (a server like any other).
 */
export function countedAddresses(m: DomainMap): string[] {
  if (m.status !== 'ok') return [];
  const out: string[] = [];
  if (m.hosting && !m.hosting.hidden && !m.platform) out.push(...m.hosting.addresses);
  for (const d of declaredOrigins(m)) out.push(d.address!);
  return out;
}

function declaredOrigins(m: DomainMap) {
  return (m.declared ?? []).filter((d) => d.role === 'hosting' && d.address);
}
