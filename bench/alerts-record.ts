/**
 * Records the incident stream a real pipeline run produces, for `bench/alerts.ts` to replay through
 * the alert outbox without re-running the world (3–7 minutes per seed). It is `runScenario`
 * (src/lab/run/run.ts) reduced to what the recording needs, plus a subscription to the Bus's
 * `incident` and `vantage` topics — `runScenario` does not expose its Bus (yet).
 *
 *   node --import tsx bench/alerts-record.ts SCENARIO [SPEED] > bench/fixtures/alerts-SCENARIO.json
 *
 * Output: one JSON object { note, scenario, command, recordedAt, speed, sites, events: [{topic, clock, msg}] },
 * compacted: an incident's `affected` list is written only when it changed since the incident's
 * previous event (else `"affected": "="`), its timeline only from the first new point (`timelineFrom`).
 * `expandRecording()` (bench/alerts-fixture.ts) restores the exact published incidents.
 *   node --import tsx bench/alerts-record.ts --compact RAW.json   (compacts an uncompacted recording)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus } from '../src/bus/bus.ts';
import { resolveScenarioPath } from '../src/cli/commands/sim.ts';
import { ScaledClock } from '../src/clock/clock.ts';
import { startWorldChild } from '../src/lab/run/world-child.ts';
import { loadScenario } from '../src/lab/scenario/load.ts';
import { parseDeclarations } from '../src/map/declare.ts';
import { worldEnvironment } from '../src/pipeline/environment.ts';
import { Pipeline } from '../src/pipeline/pipeline.ts';
import { compactEvents, type RecordedEvent } from './alerts-fixture.ts';

const [name, speedArg] = process.argv.slice(2);
if (name === '--compact' && speedArg) {
  const raw = JSON.parse(readFileSync(speedArg, 'utf8')) as { events: RecordedEvent[] };
  process.stdout.write(`${JSON.stringify({ ...raw, compact: true, events: compactEvents(raw.events) })}\n`);
  process.exit(0);
}
if (!name) {
  process.stderr.write('usage: alerts-record.ts SCENARIO [SPEED]\n');
  process.exit(2);
}
const scenario = loadScenario(resolveScenarioPath(name));
const log = (l: string) => void process.stderr.write(`${l}\n`);
const stateDir = mkdtempSync(join(tmpdir(), 'vigie-record-'));
const world = await startWorldChild({
  scenarioFile: scenario.file,
  stateDir,
  speed: speedArg ? Number(speedArg) : undefined,
  log: (l) => log(`world: ${l}`),
});
const events: RecordedEvent[] = [];
try {
  const info = world.info;
  const url = `${info.control}/config/declarations`;
  const declared = parseDeclarations(JSON.stringify(await (await fetch(url)).json()), url);
  const clock = new ScaledClock(info.clock.origin, info.clock.speed, info.clock.anchor);
  const bus = new InProcessBus((err, topic) => log(`${topic} handler: ${err}`));
  bus.subscribe('incident', (i) => events.push({ topic: 'incident', clock: clock.now(), msg: i }));
  bus.subscribe('vantage', (v) => events.push({ topic: 'vantage', clock: clock.now(), msg: v }));
  const pipeline = new Pipeline({
    clock,
    bus,
    env: worldEnvironment(info),
    intervalMs: info.probeIntervalMs,
    declared,
    remapEveryMs: 0,
    log,
  });
  const domains = scenario.sites.map((s) => s.domain);
  await pipeline.add(domains);
  pipeline.start();
  const remaining = info.clock.end - clock.now();
  if (remaining > 0) await clock.sleep(remaining);
  pipeline.round(Math.min(info.clock.end, clock.now()));
  await pipeline.stop();
  process.stdout.write(
    `${JSON.stringify({
      note: 'Recorded from a real run of the pipeline against the simulated world (not hand-written).',
      scenario: scenario.name,
      command: `node --import tsx bench/alerts-record.ts ${process.argv.slice(2).join(' ')}`,
      recordedAt: new Date().toISOString(),
      speed: info.clock.speed,
      sites: scenario.sites.map((s) => ({ domain: s.domain, tags: (s as { tags?: string[] }).tags ?? [] })),
      compact: true,
      events: compactEvents(events),
    })}\n`,
  );
} finally {
  await world.stop();
  rmSync(stateDir, { recursive: true, force: true });
}
