/**
 * `npm run bench -- serve-vs-run [SEED…]`: the production path scored like the lab path. For each
 * seed scenario (default: oxalide-2015 and fluxus-2001), once with `vigie sim run --json`, once with
 * `vigie serve --config` pointed at the same scenario's world (`world: DIR`, the scenario's domains
 * in `sites_file`) left running to the scenario's end, then `vigie incidents --json` — both scored by
 * the independent scorer. Prints one line per seed and mode on stderr; the last stdout line is one
 * JSON object: per seed and mode the score totals, and `same` (same causes matched, nothing wrongly
 * blamed in either).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorldChild } from '../src/lab/run/world-child.ts';
import { loadScenario } from '../src/lab/scenario/load.ts';
import { type Score, scoreRun } from '../src/lab/score/score.ts';

const BIN = fileURLToPath(new URL('../bin/vigie.js', import.meta.url));
const SEEDS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const seeds = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (seeds.length === 0) seeds.push('oxalide-2015', 'fluxus-2001');

const say = (l: string) => process.stderr.write(`${l}\n`);

function summary(s: Score) {
  return {
    matched: s.totals.matched,
    entries: s.totals.entries,
    wronglyBlamed: s.totals.wronglyBlamed,
    detectionDelayMax: s.totals.detectionDelayMax,
    resolutionDelayMax: s.totals.resolutionDelayMax,
    matchedCauses: s.entries.map((e) => (e.matched ? e.fault : null)),
  };
}

async function viaRun(file: string): Promise<Score> {
  const r = spawnSync(process.execPath, [BIN, 'sim', 'run', file, '--json', '--quiet'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`sim run ${file}: exit ${r.status}: ${r.stderr.slice(-500)}`);
  return JSON.parse(r.stdout).score as Score;
}

async function viaServe(file: string): Promise<Score> {
  const scenario = loadScenario(file);
  const dir = mkdtempSync(join(tmpdir(), 'vigie-svr-'));
  const world = await startWorldChild({ scenarioFile: file, stateDir: join(dir, 'world') });
  try {
    writeFileSync(join(dir, 'sites.txt'), `${scenario.sites.map((s) => s.domain).join('\n')}\n`);
    const db = join(dir, 'serve.db');
    writeFileSync(
      join(dir, 'vigie.yaml'),
      [
        `world: ${join(dir, 'world')}`,
        `store: sqlite:${db}`,
        'listen: 127.0.0.1:0',
        'sites_file: sites.txt',
        'rate_limit: false',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [BIN, 'serve', '--config', join(dir, 'vigie.yaml')], {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const c = world.info.clock;
    const realLeft = (c.end - (c.origin + (Date.now() - c.anchor) * c.speed)) / c.speed;
    await new Promise((r) => setTimeout(r, Math.max(0, realLeft) + 1000));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const out = spawnSync(process.execPath, [BIN, 'incidents', '--store', `sqlite:${db}`, '--json'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (out.status !== 0) throw new Error(`incidents: ${out.stderr}`);
    return scoreRun(scenario, JSON.parse(out.stdout));
  } finally {
    await world.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const load0 = loadavg()[0];
const t0 = Date.now();
const results: Record<string, { run: ReturnType<typeof summary>; serve: ReturnType<typeof summary> }> = {};
let same = true;
for (const seed of seeds) {
  const file = seed.includes('/') ? seed : join(SEEDS, `${seed}.yaml`);
  const run = summary(await viaRun(file));
  say(`${seed}  sim run: ${run.matched}/${run.entries} matched, ${run.wronglyBlamed} wrongly blamed`);
  const serve = summary(await viaServe(file));
  say(`${seed}  serve:   ${serve.matched}/${serve.entries} matched, ${serve.wronglyBlamed} wrongly blamed`);
  results[seed] = { run, serve };
  same &&=
    JSON.stringify(run.matchedCauses) === JSON.stringify(serve.matchedCauses) &&
    run.wronglyBlamed === 0 &&
    serve.wronglyBlamed === 0;
}
process.stdout.write(
  `${JSON.stringify({ seeds: results, same, load_start: load0, load_end: loadavg()[0], seconds: Math.round((Date.now() - t0) / 1000) })}\n`,
);
