/**
 * Test and benchmark helper: a population of mapped sites (`DomainMap`s as the mapper hands them
 * over, before `assignPlans`), shaped like the `inference-scale` bench's world — Zipf-sized hosting
 * providers (the biggest with several regions), shared addresses of up to 8 sites, dedicated
 * servers alone on theirs, CDNs (10 %), platforms (5 %), mail at the host or a mail provider (40 %),
 * a few sites whose hosting is an AS-only provider a named DNS provider announces from, a few
 * declared origins and hidden components, 1 % of names that do not resolve. Not used by the pipeline.
 */
import type { DeclaredDependency, DomainMap } from '../../src/map/types.ts';
import { rng } from './explain/simulate.ts';

export interface Population {
  /** A new site (`s<n>.test`, numbered in creation order). */
  site(): DomainMap;
  /** The same site mapped again after it moved: another host, address, maybe another plan. */
  moved(m: DomainMap): DomainMap;
}

/** A population whose providers are sized for about `sites` sites. */
export function population(seed: number, sites: number): Population {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const HOSTS = Math.max(20, Math.round(sites / 100));
  const CDNS = 20;
  const MAILS = 50;
  const PLATFORMS = Math.max(5, Math.round(sites / 2000));
  const cdf = new Float64Array(HOSTS);
  let acc = 0;
  for (let i = 0; i < HOSTS; i++) cdf[i] = acc += 1 / (i + 1) ** 1.05;
  const pickHost = () => {
    const x = r() * acc;
    let lo = 0;
    let hi = HOSTS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const regionsOf = (h: number) => (h < 20 ? 4 : 1);
  /** Hosts 13, 17, 19… (every one ≡ 3 mod 10 past 10): AS-only, their AS also announcing a named DNS provider. */
  const asOnly = (h: number) => h > 10 && h % 10 === 3;
  /** Shared address being filled, per host and region, and its count. */
  const filling = new Map<string, { address: string; n: number }>();
  let addresses = 0;
  let next = 0;
  const finding = (provider: string, asn: number | null) => ({
    provider,
    asn,
    // One site in ten sees no organisation: components are described differently by different sites.
    org: asn && r() >= 0.1 ? `ORG-${provider.toUpperCase()}` : null,
    evidence: [`${provider} seen`],
    confidence: 0.9,
  });
  const hosting = (m: DomainMap, h: number, shared: boolean) => {
    const region = int(0, regionsOf(h) - 1);
    const provider = asOnly(h) ? `as${100_000 + h}` : `h${h}`;
    let address: string;
    if (shared) {
      const key = `${h}/${region}`;
      let f = filling.get(key);
      if (!f || f.n >= 8 || r() < 0.05) {
        f = { address: `10.${h >> 8}.${h & 255}.${addresses++}`, n: 0 };
        filling.set(key, f);
      }
      f.n++;
      address = f.address;
    } else address = `11.0.0.${addresses++}`;
    m.hosting = {
      ...finding(provider, 100_000 + h),
      addresses: [address],
      region: regionsOf(h) > 1 ? `r${region}` : null,
      hidden: false,
    };
    m.dns = {
      ...finding(asOnly(h) ? `dns${h}` : `h${h}`, 100_000 + h),
      zone: m.domain,
      nameServers: [`ns1.h${h}.test`],
    };
  };
  const site = (domain: string): DomainMap => {
    const m: DomainMap = {
      domain,
      status: 'ok',
      cname: [],
      dns: null,
      hosting: null,
      plan: null,
      confidence: 0.9,
    };
    if (r() < 0.01) {
      m.status = 'nxdomain';
      return m;
    }
    const h = pickHost();
    const x = r();
    if (x < 0.1) {
      const c = int(0, CDNS - 1);
      m.cdn = { ...finding(`cdn${c}`, 200_000 + c), addresses: [`12.0.0.${c}`] };
      m.dns = { ...finding(`cdn${c}`, 200_000 + c), zone: domain, nameServers: [] };
      m.hosting = { ...finding('', null), provider: null, addresses: [], region: null, hidden: true };
      if (r() < 0.2) {
        // A declared origin, by address: its plan told from co-hosting like any server's.
        const d: DeclaredDependency = {
          role: 'hosting',
          provider: `h${h}`,
          asn: 100_000 + h,
          address:
            r() < 0.5 ? `10.${h >> 8}.${h & 255}.${int(0, Math.max(0, addresses - 1))}` : `13.0.0.${next}`,
          source: 'declared',
        };
        m.declared = [d];
      }
    } else if (x < 0.15) {
      const p = int(0, PLATFORMS - 1);
      m.platform = { ...finding(`saas${p}`, null), addresses: [`14.0.0.${p}`] };
      hosting(m, h, false);
    } else {
      hosting(m, h, r() < 0.6);
      if (r() < 0.01) m.declared = [{ role: 'component', component: `fw${int(0, 50)}`, source: 'declared' }];
    }
    if (r() < 0.4) {
      const k = r() < 0.5 ? -1 : int(0, MAILS - 1);
      const mp = k < 0 ? `h${h}` : `mail${k}`;
      m.mail = { ...finding(mp, k < 0 ? 100_000 + h : 300_000 + k), exchanges: [`mx.${mp}.test`] };
    }
    return m;
  };
  return {
    site: () => site(`s${next++}.test`),
    moved(old) {
      const m = site(old.domain);
      if (m.status !== 'ok') return this.moved(old);
      return m;
    },
  };
}
