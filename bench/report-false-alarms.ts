/**
 * Crowd-report spike detection on synthetic quiet days: false alarms and recall.
 *
 * SITES sites (default 1,000) with heterogeneous report rates (log-uniform 0.01–60 per hour), a daily
 * shape (evening peak of random height and hour), a weekly one (weekends busier or quieter) and
 * over-dispersion (each hour's rate multiplied by a gamma variable of random shape 5–50). After
 * WARMUP days of history (7; alarms counted apart), DAYS quiet days (30) are replayed minute by minute
 * through the detector, evaluated every minute: every rise to `strong` (and to `moderate`) is a false
 * alarm. Then recall: 200 sites get a surge (×30, ramping up over 10 min like the simulated world's)
 * for an hour; a surge is caught if the site reaches `strong` within 30 minutes; and a provider-level
 * surge (100 quiet sites at 0.02/h, ×40) must be caught on the aggregate while no site alone is.
 * `npm run bench -- report-false-alarms [SITES] [DAYS] [WARMUP]`; last line one JSON object.
 */
import { ManualClock } from '../src/clock/clock.ts';
import { ReportDetector } from '../src/reports/detector.ts';

const SITES = Number(process.argv[2] ?? 1000);
const DAYS = Number(process.argv[3] ?? 30);
const WARMUP = Number(process.argv[4] ?? 7);
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5); // a Monday

let seed = 0x9e3779b9;
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function poisson(l: number): number {
  if (l > 50) return Math.max(0, Math.round(l + Math.sqrt(l) * normal()));
  const limit = Math.exp(-l);
  let k = 0;
  let p = rnd();
  while (p > limit) {
    k++;
    p *= rnd();
  }
  return k;
}
function normal(): number {
  return Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
}
/** Gamma(shape k, mean 1) by Marsaglia–Tsang (k ≥ 1). */
function gamma1(k: number): number {
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal();
    const v = (1 + c * x) ** 3;
    if (v > 0 && Math.log(rnd()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / k;
  }
}

interface SiteModel {
  domain: string;
  perHour: number;
  peakHour: number;
  amplitude: number;
  weekend: number;
  shape: number;
  noise: number;
}
const sites: SiteModel[] = Array.from({ length: SITES }, (_, i) => ({
  domain: `site-${i}.example`,
  perHour: 0.01 * 6000 ** rnd(),
  peakHour: 17 + Math.floor(rnd() * 6),
  amplitude: rnd() * 0.9,
  weekend: 0.6 + rnd(),
  shape: 5 + rnd() * 45,
  noise: 1,
}));

function rateAt(s: SiteModel, t: number): number {
  const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
  const day = (new Date(t).getUTCDay() + 6) % 7;
  const diurnal = 1 + s.amplitude * Math.cos(((hour - s.peakHour) / 24) * 2 * Math.PI);
  return (s.perHour / 60) * diurnal * (day >= 5 ? s.weekend : 1) * s.noise;
}

const clock = new ManualClock(T0);
const detector = new ReportDetector(clock);
let nextId = 1;
function emit(domain: string, n: number) {
  for (let j = 0; j < n; j++) {
    const id = nextId++;
    detector.record(domain, 0, clock.now() + Math.floor(rnd() * MIN), id, (id * 2654435761) >>> 0);
  }
}

const alarms = { warmup: { strong: 0, moderate: 0 }, quiet: { strong: 0, moderate: 0 } };
const alarmedSites = new Set<string>();
const started = performance.now();
let reports = 0;
const totalMin = (WARMUP + DAYS) * 1440;
for (let m = 0; m < totalMin; m++) {
  if (m % 60 === 0) for (const s of sites) s.noise = gamma1(s.shape);
  for (const s of sites) {
    const n = poisson(rateAt(s, clock.now()));
    if (n) {
      emit(s.domain, n);
      reports += n;
    }
  }
  clock.advance(MIN);
  const phase = m < WARMUP * 1440 ? alarms.warmup : alarms.quiet;
  for (const c of detector.evaluate()) {
    if (c.spike.level === 'strong' && c.from !== 'strong') {
      phase.strong++;
      if (phase === alarms.quiet) alarmedSites.add(c.domain);
    }
    if (c.spike.level === 'moderate' && c.from === 'none') phase.moderate++;
  }
}
const quietSeconds = (performance.now() - started) / 1000;

// Recall: 200 sites surge ×30 for an hour (ramping over 10 min); caught if strong within 30 min.
const SURGE = 30;
const surged = sites.slice(0, Math.min(200, SITES));
const start = clock.now();
const firstStrong = new Map<string, number>();
for (let m = 0; m < 60; m++) {
  const factor = 1 + (SURGE - 1) * Math.min(1, m / 10);
  for (const s of surged) emit(s.domain, poisson(rateAt(s, clock.now()) * factor));
  clock.advance(MIN);
  for (const s of surged)
    if (!firstStrong.has(s.domain) && detector.spike(s.domain).level === 'strong')
      firstStrong.set(s.domain, m + 1);
}
// "Detectable": at least 10 extra reports expected in the first 30 minutes.
const extra30 = (s: SiteModel) => {
  let e = 0;
  for (let m = 0; m < 30; m++) e += rateAt(s, start + m * MIN) * (SURGE - 1) * Math.min(1, m / 10);
  return e;
};
const detectable = surged.filter((s) => extra30(s) >= 10);
const caught = (list: SiteModel[]) => list.filter((s) => (firstStrong.get(s.domain) ?? 99) <= 30).length;
const delays = [...firstStrong.values()].sort((a, b) => a - b);

// A provider: 100 quiet sites (0.02/h each), ×40 surge; the aggregate must go strong, no site alone.
const provider = Array.from({ length: 100 }, (_, i) => `ovh-${i}.example`);
const pClock = new ManualClock(T0);
const pDet = new ReportDetector(pClock);
let pid = 1;
let providerAt: number | null = null;
let lonelyStrong = 0;
for (let m = 0; m < 4 * 1440 + 60; m++) {
  const surge = m >= 4 * 1440 ? 1 + 39 * Math.min(1, (m - 4 * 1440) / 10) : 1;
  for (const d of provider)
    for (let j = poisson((0.02 / 60) * surge); j > 0; j--) pDet.record(d, 0, pClock.now(), pid, pid++);
  pClock.advance(MIN);
  if (m >= 4 * 1440) {
    if (providerAt === null && pDet.aggregate(provider).level === 'strong') providerAt = m - 4 * 1440 + 1;
    lonelyStrong += provider.filter((d) => pDet.spike(d).level === 'strong').length;
  }
}

const siteYears = (SITES * DAYS) / 365;
const figures = {
  sites: SITES,
  quiet_days: DAYS,
  warmup_days: WARMUP,
  reports,
  strong_alarms: alarms.quiet.strong,
  sites_with_strong_alarm: alarmedSites.size,
  false_alarms_per_site_year: Number((alarms.quiet.strong / siteYears).toFixed(3)),
  moderate_alarms_per_site_year: Number((alarms.quiet.moderate / siteYears).toFixed(3)),
  warmup_strong_alarms: alarms.warmup.strong,
  surge_recall: Number((caught(surged) / surged.length).toFixed(3)),
  surge_recall_detectable: Number((caught(detectable) / Math.max(1, detectable.length)).toFixed(3)),
  detectable_surges: detectable.length,
  median_detection_min: delays.length ? delays[Math.floor(delays.length / 2)] : null,
  provider_detection_min: providerAt,
  provider_sites_strong_alone: lonelyStrong,
  seconds: Number(quietSeconds.toFixed(1)),
};
console.log(
  `${SITES} sites × ${DAYS} quiet days (+${WARMUP} warm-up): ${alarms.quiet.strong} strong false alarms ` +
    `(${figures.false_alarms_per_site_year} per site-year), moderate ${figures.moderate_alarms_per_site_year}/site-year`,
);
console.log(
  `surges ×${SURGE}: recall ${figures.surge_recall} (detectable ${figures.surge_recall_detectable} of ${detectable.length}), ` +
    `median ${figures.median_detection_min} min; provider aggregate strong after ${providerAt} min`,
);
console.log(JSON.stringify(figures));
