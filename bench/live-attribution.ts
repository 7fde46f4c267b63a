/**
 * Live attribution: N random fault scenarios (src/lab/sim/generate-faults.ts: 150–400 sites, 1–3
 * concurrent faults at every level with share 0.3–1, background single-site failures, probe loss,
 * stalled recoveries, sometimes a vantage losing its network) each run through the REAL pipeline —
 * `runScenario` (src/lab/run/run.ts): the world in its own process, real sockets, real clock at the
 * scenario's speed — and scored by the independent scorer (`scoreRun`, src/lab/score/score.ts) from
 * the scenario file and the run's output only. Scenarios run one at a time, each in a child process
 * of this bench (its own process group) bounded by `--timeout` real seconds: a run that hits it, or
 * crashes, is counted as failed and all its causes as missed.
 *
 *   npm run bench -- live-attribution [--n 24] [--seed 1] [--load] [--timeout 300] [--keep]
 *   npm run bench -- live-attribution --rescore DIR     # figures again from a kept run (--keep)
 *
 * `--load` runs a CPU hog beside the whole run: a child process with two worker threads spinning.
 *
 * Figures (last stdout line, one JSON object):
 * - `causes`: true causes (truth entries naming the same cause — a stalled recovery's two faults —
 *   are one cause);
 * - `exact`: share of true causes matched by an incident at exactly the truth's granularity
 *   (the scorer's `matched`); `passing`: share that also meet every criterion of evaluation.md
 *   (detection ≤ 2 intervals, resolution between −1 and +2 intervals of the last recovery,
 *   affected precision and recall ≥ 0.95, at most max(2, 5 % of its sites) one-site incidents on
 *   its sites);
 * - `wrongly_blamed`: share of completed runs with at least one wrongly blamed incident (the
 *   scorer's list: a provider in a truth's `not` list, or a provider-level incident with no fault
 *   behind it);
 * - `storm_factor`: incidents RELATED to a true cause ÷ true causes, site-level incidents included.
 *   An incident is related to a cause when its span [startedAt, resolvedAt or the end] overlaps the
 *   cause's span [first fault, last recovery + 2 probe intervals] AND it names the cause's
 *   provider or shares at least one affected site with the sites the cause hit. Each incident is
 *   counted once. 1.0 is one incident per cause; incidents about nothing a fault did (a noise site
 *   failing alone, which deserves its one-site incident) are left out of it and reported as
 *   `unrelated_incidents`; `storm_factor_all` = `incidents_total` ÷ causes for comparison;
 *   `site_incidents` counts all one-site incidents (cause.component `site:…`). A missed cause
 *   lowers `storm_factor` (it has no incident at all), so `storm_factor_seen` is the same ratio
 *   over the causes that got at least one related incident, and `storm_max` the most any cause got;
 * - `detection_p50_intervals`: median detection delay of matched causes, in probe intervals;
 * - `score_*`: the same for the SCORE baseline the pipeline runs on the same observations
 *   (`runScenario({baseline: 'score'})` → `baseline.incidents`); null when the run has no baseline;
 * - `withheld_seconds`/`withheld_periods`: summed `run.withheld` (simulated seconds and periods
 *   during which the pipeline withheld verdicts because its own measurements were unreliable);
 *   null when the run output has no such field;
 * - `load_start`/`load_end`/`load_mean`: 1-minute load average (os.loadavg) at start, end, and
 *   sampled every 10 s; `wall_s`; `failed`: runs that timed out or crashed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/lab/run/run.ts';
import { loadScenario } from '../src/lab/scenario/load.ts';
import type { Scenario } from '../src/lab/scenario/types.ts';
import { namesProvider, type ScoredIncident, scoreRun } from '../src/lab/score/score.ts';
import { computeTruth, type Truth } from '../src/lab/score/truth.ts';
import { generateFaultScenario } from '../src/lab/sim/generate-faults.ts';
import type { RunOutput } from '../src/pipeline/export.ts';

const SELF = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);

/** Child mode: one scenario through the real pipeline, its output written to `out`. */
async function child(file: string, out: string): Promise<void> {
  const scenario = loadScenario(file);
  const result = await runScenario({
    scenario,
    baseline: 'score',
    log: (l) => process.stderr.write(`${l}\n`),
  });
  writeFileSync(out, JSON.stringify(result));
  process.exit(0);
}

interface CauseTally {
  matched: boolean;
  passing: boolean;
  detectionIntervals: number | null;
}

interface MethodTally {
  causes: CauseTally[];
  /** Related incidents per cause (for the storm figures on causes that got any incident). */
  perCause: number[];
  runsBlamed: number;
  related: number;
  unrelated: number;
  site: number;
  total: number;
}

const emptyTally = (): MethodTally => ({
  causes: [],
  perCause: [],
  runsBlamed: 0,
  related: 0,
  unrelated: 0,
  site: 0,
  total: 0,
});
const isSite = (i: ScoredIncident) => i.cause.provider === null && !!i.cause.component?.startsWith('site:');

/** Score one method's incidents against the scenario; add to `t`. Returns a one-line summary. */
function tally(t: MethodTally, sc: Scenario, truth: Truth, incidents: ScoredIncident[] | null): string {
  const I = sc.probeIntervalMs;
  const byCause = new Map<string, typeof truth.entries>();
  for (const e of truth.entries) {
    const k = JSON.stringify(e.spec.cause);
    byCause.set(k, [...(byCause.get(k) ?? []), e]);
  }
  if (incidents === null) {
    // A failed run: its causes are missed; it is not counted as a run with a wrongly blamed provider.
    for (const _ of byCause) t.causes.push({ matched: false, passing: false, detectionIntervals: null });
    return 'FAILED';
  }
  const score = scoreRun(sc, { incidents }, truth);
  const span = (i: ScoredIncident): [number, number] => [
    Date.parse(i.startedAt),
    i.resolvedAt ? Date.parse(i.resolvedAt) : sc.end,
  ];
  const counted = new Set<string>();
  let matched = 0;
  let related = 0;
  for (const entries of byCause.values()) {
    const e = entries[0];
    const s = score.entries.find((x) => x.fault === e.spec.fault)!;
    const provider = sc.providers.find((p) => p.id === e.spec.cause.provider)!;
    const causeSpan: [number, number] = e.span;
    const rel = incidents.filter((i) => {
      const [a, b] = span(i);
      // An incident over before the cause began is not about it; one may close up to 2 intervals late.
      if (a > causeSpan[1] + 2 * I || b < causeSpan[0]) return false;
      return namesProvider(i.cause, provider) || i.affected.some((d) => e.sites.has(d));
    });
    const siteStorm = rel.filter((i) => isSite(i) && i.affected.every((d) => e.sites.has(d))).length;
    for (const i of rel) counted.add(i.id);
    t.perCause.push(rel.length);
    const scores = entries.map((x) => score.entries.find((y) => y.fault === x.spec.fault)!);
    const passing = scores.every(
      (x) =>
        x.matched &&
        (x.detectionDelay as number) <= (2 * I) / 1000 &&
        x.resolutionDelay !== null &&
        x.resolutionDelay >= -I / 1000 &&
        x.resolutionDelay <= (2 * I) / 1000 &&
        (x.affectedPrecision as number) >= 0.95 &&
        (x.affectedRecall as number) >= 0.95,
    );
    const stormOk = siteStorm <= Math.max(2, 0.05 * e.sites.size);
    t.causes.push({
      matched: s.matched,
      passing: passing && stormOk,
      detectionIntervals: s.matched ? (s.detectionDelay as number) / (I / 1000) : null,
    });
    if (s.matched) matched++;
  }
  related = counted.size;
  const site = incidents.filter(isSite).length;
  t.related += related;
  t.unrelated += incidents.length - related;
  t.site += site;
  t.total += incidents.length;
  if (score.wronglyBlamed.length > 0) t.runsBlamed++;
  const blamed = score.wronglyBlamed.map((b) => b.provider).join(',');
  return (
    `matched ${matched}/${byCause.size}, blamed ${score.wronglyBlamed.length}${blamed ? ` (${blamed})` : ''}, ` +
    `incidents ${incidents.length} (site ${site}), storm ${(related / byCause.size).toFixed(1)}`
  );
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function figures(t: MethodTally, runs: number) {
  const n = t.causes.length;
  const seen = t.perCause.filter((k) => k > 0);
  return {
    exact: n ? r3(t.causes.filter((c) => c.matched).length / n) : null,
    passing: n ? r3(t.causes.filter((c) => c.passing).length / n) : null,
    wrongly_blamed: runs ? r3(t.runsBlamed / runs) : null,
    storm_factor: n ? r3(t.related / n) : null,
    storm_factor_all: n ? r3(t.total / n) : null,
    storm_factor_seen: seen.length ? r3(seen.reduce((a, b) => a + b, 0) / seen.length) : null,
    storm_max: t.perCause.length ? Math.max(...t.perCause) : null,
    detection_p50_intervals: median(
      t.causes.flatMap((c) => (c.detectionIntervals === null ? [] : [c.detectionIntervals])),
    ),
    incidents_total: t.total,
    site_incidents: t.site,
    unrelated_incidents: t.unrelated,
  };
}

/** A CPU hog beside the run: a child process with two worker threads spinning. */
function startHog(): ChildProcess {
  const code =
    "const { Worker } = require('node:worker_threads');" +
    "for (let i = 0; i < 2; i++) new Worker('for (;;) {}', { eval: true });" +
    'setInterval(() => {}, 1 << 30);';
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

/** Run one scenario file in a child process group; resolves with its output, or null (timeout, crash). */
function runChild(
  file: string,
  out: string,
  logFile: string,
  timeoutMs: number,
  onChild: (c: ChildProcess | null) => void,
): Promise<{ out: RunOutput | null; why: string }> {
  const log = openSync(logFile, 'w');
  const c = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', file, out], {
    stdio: ['ignore', 'ignore', log],
    detached: true, // its own process group: the world it starts goes down with it
  });
  closeSync(log);
  onChild(c);
  return new Promise((resolve) => {
    let why = '';
    const timer = setTimeout(() => {
      why = `timed out after ${timeoutMs / 1000} s`;
      killGroup(c, 'SIGTERM');
      setTimeout(() => killGroup(c, 'SIGKILL'), 10_000).unref();
    }, timeoutMs);
    c.once('exit', (code, signal) => {
      clearTimeout(timer);
      killGroup(c, 'SIGKILL'); // anything of the group left behind (the world)
      onChild(null);
      if (why || code !== 0) return resolve({ out: null, why: why || `exited ${signal ?? code}` });
      try {
        resolve({ out: JSON.parse(readFileSync(out, 'utf8')) as RunOutput, why: '' });
      } catch (e) {
        resolve({ out: null, why: `unreadable output: ${(e as Error).message}` });
      }
    });
  });
}

function killGroup(c: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (c.pid) process.kill(-c.pid, sig);
  } catch {
    // already gone
  }
}

/** Everything the runs add up to, for both methods. */
class Totals {
  vigie = emptyTally();
  base = emptyTally();
  runs = 0;
  failed = 0;
  baselineSeen = 0;
  baselineMissing = 0;
  withheldS: number | null = null;
  withheldP: number | null = null;

  /** Account one run (null: failed); returns its progress line. */
  add(sc: Scenario, out: RunOutput | null): string {
    const truth = computeTruth(sc);
    this.runs++;
    const causes = new Map<string, number>();
    for (const e of truth.entries) causes.set(label(e.spec.cause), e.sites.size);
    const vl = sc.vantages.some((v) => v.faults.length) ? ', vantage loss' : '';
    const head = `${sc.name} (${sc.sites.length} sites${vl}): ${[...causes].map(([k, v]) => `${k}:${v}`).join(' ')}`;
    if (!out) {
      this.failed++;
      tally(this.vigie, sc, truth, null);
      tally(this.base, sc, truth, null);
      return `${head} — FAILED`;
    }
    const line = tally(this.vigie, sc, truth, out.incidents);
    let baseLine = '';
    if (out.baseline?.incidents) {
      this.baselineSeen++;
      baseLine = `; SCORE ${tally(this.base, sc, truth, out.baseline.incidents)}`;
    } else this.baselineMissing++;
    const w = (out.run as { withheld?: { seconds?: number; periods?: number } } | undefined)?.withheld;
    let wh = '';
    if (w && typeof w.seconds === 'number') {
      this.withheldS = (this.withheldS ?? 0) + w.seconds;
      this.withheldP = (this.withheldP ?? 0) + (w.periods ?? 0);
      wh = `, withheld ${w.seconds} s`;
    }
    return `${head} — ${line}${baseLine}${wh}`;
  }

  result() {
    if (this.baselineMissing > 0)
      process.stderr.write(
        `note: ${this.baselineMissing} run(s) had no \`baseline\` in their output (SCORE not wired): score_* ` +
          `figures ${this.baselineSeen ? 'cover only the runs that had one' : 'are null'}\n`,
      );
    const v = figures(this.vigie, this.runs - this.failed);
    const b = this.baselineSeen ? figures(this.base, this.baselineSeen) : null;
    return {
      scenarios: this.runs,
      failed: this.failed,
      causes: this.vigie.causes.length,
      ...v,
      score_exact: b ? b.exact : null,
      score_passing: b ? b.passing : null,
      score_wrongly_blamed: b ? b.wrongly_blamed : null,
      score_storm_factor: b ? b.storm_factor : null,
      score_storm_factor_seen: b ? b.storm_factor_seen : null,
      score_detection_p50_intervals: b ? b.detection_p50_intervals : null,
      withheld_seconds: this.withheldS === null ? null : r3(this.withheldS),
      withheld_periods: this.withheldP,
    };
  }
}

function label(c: Scenario['truth'][number]['cause']): string {
  return [c.provider, c.role, c.region, c.plan, c.component].filter((x) => x).join('/');
}

/** `--rescore DIR`: the figures again from a kept run's scenario files and outputs (no pipeline run). */
function rescore(dir: string): void {
  const num = (f: string) => Number(/(\d+)\.yaml$/.exec(f)?.[1] ?? 0);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort((a, b) => num(a) - num(b));
  const totals = new Totals();
  for (const f of files) {
    const sc = loadScenario(join(dir, f));
    const outFile = join(dir, f.replace(/\.yaml$/, '.json'));
    const out = existsSync(outFile) ? (JSON.parse(readFileSync(outFile, 'utf8')) as RunOutput) : null;
    process.stderr.write(`${totals.add(sc, out)}\n`);
  }
  process.stdout.write(`${JSON.stringify({ rescored: dir, ...totals.result() })}\n`);
}

async function main(): Promise<void> {
  const opt = (name: string, d: number) => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : d;
    if (!Number.isFinite(v) || v < 0) {
      process.stderr.write(`--${name} must be a number\n`);
      process.exit(2);
    }
    return v;
  };
  const rescoreAt = args.indexOf('--rescore');
  if (rescoreAt >= 0) return rescore(args[rescoreAt + 1]);
  const n = opt('n', 24);
  const seed = opt('seed', 1);
  const timeoutMs = opt('timeout', 300) * 1000;
  const load = args.includes('--load');
  const keep = args.includes('--keep');
  const dir = mkdtempSync(join(tmpdir(), 'vigie-live-'));
  const t0 = Date.now();
  const loadStart = loadavg()[0];
  const samples: number[] = [loadStart];
  const sampler = setInterval(() => samples.push(loadavg()[0]), 10_000);
  const hog = load ? startHog() : null;
  let current: ChildProcess | null = null;
  const cleanup = () => {
    if (current) killGroup(current, 'SIGKILL');
    hog?.kill('SIGKILL');
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      cleanup();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  process.stderr.write(
    `live-attribution: ${n} scenarios from seed ${seed}${load ? ', CPU hog running' : ''}; files in ${dir}\n`,
  );
  const totals = new Totals();
  for (let k = 0; k < n; k++) {
    const g = generateFaultScenario({ seed: seed + k });
    const file = join(dir, `${g.name}.yaml`);
    writeFileSync(file, g.text);
    const sc = loadScenario(file);
    const a = Date.now();
    const logFile = join(dir, `${g.name}.log`);
    const res = await runChild(file, join(dir, `${g.name}.json`), logFile, timeoutMs, (c) => {
      current = c;
    });
    const secs = Math.round((Date.now() - a) / 1000);
    const why = res.out ? '' : `: ${res.why} (log ${logFile})`;
    process.stderr.write(`[${k + 1}/${n}] ${totals.add(sc, res.out)}${why}, ${secs} s\n`);
  }
  clearInterval(sampler);
  cleanup();
  const loadEnd = loadavg()[0];
  samples.push(loadEnd);
  const result = totals.result();
  if (result.failed > 0 || keep) process.stderr.write(`scenario files, outputs and logs kept in ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
  const out = {
    ...result,
    seed,
    load,
    load_start: r3(loadStart),
    load_end: r3(loadEnd),
    load_mean: r3(samples.reduce((x, y) => x + y, 0) / samples.length),
    wall_s: Math.round((Date.now() - t0) / 1000),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (args[0] === '--child') await child(args[1], args[2]);
else await main();
