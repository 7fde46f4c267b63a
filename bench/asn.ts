/**
 * IP-to-AS table benchmark: loads the real `@ip-location-db/asn` database, then looks up millions of
 * random addresses. Targets: load ≤ 3 s, ≥ 1,000,000 lookups/s, resident memory growth ≤ 150 MB.
 * Run with `npm run bench -- asn [LOOKUPS]`; the last line of output is one JSON object of the figures.
 */
import { AsnTable, defaultAsnPaths } from '../src/asn/table.ts';

const lookups = Number(process.argv[2] ?? 5_000_000);
/** Share of IPv6 addresses in the lookup mix: the web is still mostly reached over IPv4. */
const V6_SHARE = 0.1;
/** Distinct addresses, prepared before timing so string building is not measured; reused in a cycle. */
const POOL = 1 << 20;

// gc is exposed by bench/run.js (--expose-gc); without it the memory figure is only less precise.
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function rssMb(): number {
  gc();
  gc();
  return process.memoryUsage().rss / 2 ** 20;
}

/** A deterministic generator, so every run looks up the same addresses. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(42);
const u32 = () => Math.floor(random() * 2 ** 32);
const hex16 = () => Math.floor(random() * 0x10000).toString(16);
const pool: string[] = [];
for (let i = 0; i < POOL; i++) {
  if (random() < V6_SHARE) {
    // Inside 2000::/4, where all allocated global unicast space lies, so lookups mostly hit.
    const first = (0x2000 + Math.floor(random() * 0x1000)).toString(16);
    pool.push(`${first}:${hex16()}:${hex16()}:${hex16()}::${hex16()}`);
  } else {
    const n = u32();
    pool.push(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
  }
}

const rssBefore = rssMb();
const t0 = performance.now();
const table = AsnTable.load(defaultAsnPaths());
const loadS = (performance.now() - t0) / 1000;
const rssAfter = rssMb();

// Warm up so the optimising compiler has run before timing.
let hits = 0;
for (let i = 0; i < 200_000; i++) if (table.lookup(pool[i & (POOL - 1)]) !== null) hits++;

hits = 0;
let asnSum = 0;
const t1 = performance.now();
for (let i = 0; i < lookups; i++) {
  const r = table.lookup(pool[i & (POOL - 1)]);
  if (r !== null) {
    hits++;
    asnSum += r.asn; // use the result so the lookup cannot be optimised away
  }
}
const lookupS = (performance.now() - t1) / 1000;

const figures = {
  load_s: round(loadS, 3),
  lookups_per_s: Math.round(lookups / lookupS),
  ns_per_lookup: round((lookupS * 1e9) / lookups, 1),
  lookups,
  v6_share: V6_SHARE,
  hit_rate: round(hits / lookups, 3),
  rss_mb: round(rssAfter - rssBefore, 1),
  rss_total_mb: round(rssAfter, 1),
  ranges_v4: table.rangesV4,
  ranges_v6: table.rangesV6,
  orgs: table.orgCount,
  checksum: asnSum % 1_000_000_007,
};

console.log(
  `load:    ${figures.load_s} s (${figures.ranges_v4} IPv4 + ${figures.ranges_v6} IPv6 ranges, ${figures.orgs} organisations)`,
);
console.log(`memory:  +${figures.rss_mb} MB resident after load and gc (${figures.rss_total_mb} MB total)`);
console.log(
  `lookups: ${figures.lookups_per_s.toLocaleString('en')}/s, ${figures.ns_per_lookup} ns each, ${Math.round(figures.hit_rate * 100)} % found`,
);
console.log(JSON.stringify(figures));

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
