/**
 * Inference at scale: 1,000,000 sites, ~100,000 components (providers with regions, shared
 * addresses, DNS and mail providers, CDNs, platforms, declared components), 50,000 failing services
 * (a region, a DNS provider, a CDN, a shared plan… plus noise). The model is built once through the
 * integer builder (as a store loading millions of edges would); the figure that matters is one
 * inference round: target ≤ 1 s and ≤ 1 GB resident.
 * Run with `npm run bench -- inference-scale [SITES]`; the last line is one JSON object.
 */
import { explainAll } from '../src/explain/evidence.ts';
import { infer } from '../src/explain/infer.ts';
import { RiskBuilder } from '../src/explain/risk.ts';
import type { FailingService } from '../src/explain/types.ts';
import type { Component } from '../src/model/component.ts';
import { rng } from '../test/support/explain/simulate.ts';

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const say = (s: string) => process.stdout.write(`${s}\n`);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const r = rng(42);
const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Zipf rank in [0, n) by inverse transform on a precomputed CDF. */
function zipfSampler(n: number, s = 1.05): () => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1) ** s;
  return () => {
    const x = r() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const t0 = performance.now();
const b = new RiskBuilder();
const HOSTS = 10_000;
const CDNS = 20;
const MAILS = 50;
const PLATFORMS = 500;
const prov = (id: string, asn?: number): Component => ({
  id: `provider:${id}`,
  kind: 'provider',
  provider: id,
  ...(asn ? { asn } : {}),
  label: id,
});
const host = Array.from({ length: HOSTS }, (_, i) => b.component(prov(`h${i}`, 100_000 + i)));
const net = Array.from({ length: HOSTS }, (_, i) =>
  b.component({
    id: `network:as${100_000 + i}`,
    kind: 'network',
    asn: 100_000 + i,
    label: `AS${100_000 + i}`,
  }),
);
const regions = Array.from({ length: HOSTS }, (_, i) =>
  Array.from({ length: i < 200 ? 4 : 1 }, (_, k) =>
    b.component({
      id: `region:h${i}/r${k}`,
      kind: 'region',
      provider: `h${i}`,
      region: `r${k}`,
      label: `h${i} r${k}`,
    }),
  ),
);
const cdn = Array.from({ length: CDNS }, (_, i) => b.component(prov(`cdn${i}`, 200_000 + i)));
const mail = Array.from({ length: MAILS }, (_, i) => b.component(prov(`mail${i}`, 300_000 + i)));
const platform = Array.from({ length: PLATFORMS }, (_, i) => b.component(prov(`saas${i}`)));
const hidden = Array.from({ length: 8_000 }, (_, i) =>
  b.component({ id: `hidden:fw${i}`, kind: 'hidden', label: `fw${i}` }),
);
const pickHost = zipfSampler(HOSTS);
const segments = new Map<number, number>(); // host*4+region → current segment component, 8 sites each
const segFill = new Map<number, number>();
let segCount = 0;
const siteHost = new Int32Array(N);
const siteRegion = new Int8Array(N);
const siteSeg = new Int32Array(N).fill(-1);
const siteCdn = new Int16Array(N).fill(-1);
const sitePlat = new Int16Array(N).fill(-1);
const siteMailP = new Int32Array(N).fill(-1);
for (let s = 0; s < N; s++) {
  const i = b.site(`s${s}.test`);
  const h = pickHost();
  const reg = int(0, regions[h].length - 1);
  siteHost[s] = h;
  siteRegion[s] = reg;
  const x = r();
  if (x < 0.1) {
    const c = int(0, CDNS - 1);
    siteCdn[s] = c;
    b.edge(i, cdn[c], 'cdn');
    b.edge(i, cdn[c], 'dns');
  } else if (x < 0.15) {
    const p = int(0, PLATFORMS - 1);
    sitePlat[s] = p;
    b.edge(i, platform[p], 'platform');
    b.edge(i, host[h], 'hosting');
    b.edge(i, host[h], 'dns');
  } else {
    b.edge(i, host[h], 'hosting');
    b.edge(i, net[h], 'hosting');
    b.edge(i, regions[h][reg], 'hosting');
    b.edge(i, host[h], 'dns');
    if (r() < 0.6) {
      const key = h * 4 + reg;
      let seg = segments.get(key);
      if (seg === undefined || (segFill.get(key) ?? 0) >= 8) {
        seg = b.component({
          id: `segment:${segCount}`,
          kind: 'segment',
          provider: `h${h}`,
          address: `a${segCount}`,
          label: `seg${segCount}`,
        });
        segCount++;
        segments.set(key, seg);
        segFill.set(key, 0);
      }
      segFill.set(key, (segFill.get(key) ?? 0) + 1);
      siteSeg[s] = seg;
      b.edge(i, seg, 'hosting');
    } else if (r() < 0.01) {
      b.edge(i, hidden[int(0, hidden.length - 1)], 'component');
    }
  }
  if (r() < 0.4) {
    const m = r() < 0.5 ? host[h] : mail[int(0, MAILS - 1)];
    siteMailP[s] = m;
    b.edge(i, m, 'mail');
  }
}
const model = b.build();
const buildSeconds = (performance.now() - t0) / 1000;

// Faults until ~50,000 failing services: a big provider's region, a DNS provider, a CDN's edge, a
// mid-size provider's shared plan, a platform — then 0.3 % noise.
const failures: FailingService[] = [];
const fail = (
  s: number,
  role: FailingService['role'],
  signature: FailingService['signature'],
  extra: Partial<FailingService> = {},
) => failures.push({ site: `s${s}.test`, role, state: 'down', signature, since: 0, ...extra });
const dnsDown = 8;
const cdnDown = 1;
for (let s = 0; s < N; s++) {
  const h = siteHost[s];
  if (siteCdn[s] === cdnDown) fail(s, 'web', 'cdn_error', { status: 500, meaning: 'edge_error' });
  else if (siteCdn[s] < 0 && sitePlat[s] < 0 && h === 0 && siteRegion[s] === 1 && r() < 0.6)
    fail(s, 'web', 'connect_timeout');
  else if (siteCdn[s] < 0 && h === dnsDown) {
    fail(s, 'dns', 'servfail');
    if (r() < 0.7) fail(s, 'web', 'servfail');
  } else if (sitePlat[s] === 7) fail(s, 'web', 'slow');
  else if (siteSeg[s] >= 0 && h === 5) fail(s, 'web', 'reset');
  else if (r() < 0.003) fail(s, 'web', 'refused');
}
gc();
const rssBefore = process.memoryUsage().rss;
const t1 = performance.now();
const result = infer(model, failures);
const seconds = (performance.now() - t1) / 1000;
const t2 = performance.now();
const evidence = explainAll(model, result);
const evidenceSeconds = (performance.now() - t2) / 1000;
const rss = Math.max(rssBefore, process.memoryUsage().rss);
say(
  `model: ${N.toLocaleString('en')} sites, ${model.groups.length.toLocaleString('en')} risk groups, ${model.groupSlots.length.toLocaleString('en')} slots, built in ${buildSeconds.toFixed(2)} s`,
);
say(
  `round: ${failures.length.toLocaleString('en')} failing services → ${result.causes.length} causes (${result.causes.map((c) => `${c.key} ${c.sites.length}`).join(', ')}), ${result.lone.length} lone`,
);
say(
  `inference ${seconds.toFixed(3)} s, evidence ${evidenceSeconds.toFixed(3)} s (${evidence.length} causes), rss ${Math.round(rss / 2 ** 20)} MB`,
);
say(
  JSON.stringify({
    sites: N,
    components: b.componentCount,
    groups: model.groups.length,
    failing: failures.length,
    causes: result.causes.length,
    seconds: Math.round(seconds * 1000) / 1000,
    evidence_seconds: Math.round(evidenceSeconds * 1000) / 1000,
    build_seconds: Math.round(buildSeconds * 100) / 100,
    rss_mb: Math.round(rss / 2 ** 20),
  }),
);
