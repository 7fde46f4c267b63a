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
  const perAddress = new Map<string, number>();
  const eligible = (m: DomainMap) => m.status === 'ok' && m.hosting && !m.hosting.hidden && !m.platform;
  const count = (a: string) => perAddress.set(a, (perAddress.get(a) ?? 0) + 1);
  for (const m of maps) {
    if (eligible(m)) for (const a of m.hosting!.addresses) count(a);
    // An origin declared by address is a server like any other: it counts on its address.
    if (m.status === 'ok') for (const d of declaredOrigins(m)) count(d.address!);
  }
  // The plan of a declared origin is told the same way, unless the user gave it.
  for (const m of maps) {
    if (m.status !== 'ok') continue;
    for (const d of declaredOrigins(m)) {
      if (!d.plan) d.plan = (perAddress.get(d.address!) ?? 0) >= SHARED_THRESHOLD ? 'shared' : 'dedicated';
    }
  }
  for (const m of maps) {
    if (m.status !== 'ok') {
      m.plan = null;
      continue;
    }
    if (m.cdn || m.platform) {
      const via = m.cdn ? `CDN ${m.cdn.provider}` : `platform ${m.platform!.provider}`;
      m.plan = {
        value: null,
        sharedWith: 0,
        evidence: [`origin behind ${via}: plan not visible`],
        confidence: 0,
      };
      continue;
    }
    const addresses = m.hosting?.addresses ?? [];
    let best = 0;
    let at = '';
    for (const a of addresses) {
      const n = perAddress.get(a) ?? 0;
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

function declaredOrigins(m: DomainMap) {
  return (m.declared ?? []).filter((d) => d.role === 'hosting' && d.address);
}
