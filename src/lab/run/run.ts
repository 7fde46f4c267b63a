/**
 * `vigie sim run`: start a scenario's world in a child process, run Vigie's pipeline against it
 * until the scenario's end, and shape the result. What the pipeline is given is configuration —
 * the domains to watch (every scenario site) and the operators' declarations, which the world
 * serves at `/config/declarations` (origins by address, hidden components by name) — never faults
 * or provider ids.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigieError } from '../../errors.ts';
import { parseDeclarations } from '../../map/declare.ts';
import type { Scenario } from '../scenario/types.ts';
import { formatIncidents, type RunOutput } from './output.ts';
import { type PipelineHooks, runPipeline } from './pipeline.ts';
import { startWorldChild, type WorldChild } from './world-child.ts';

export interface RunOptions {
  scenario: Scenario;
  speed?: number;
  /** Probe deadline override, clock ms. */
  timeoutMs?: number;
  mail?: boolean;
  /** Ground truth file the world writes (for evaluators; the pipeline never reads it). */
  truthOut?: string;
  log?: (line: string) => void;
  /** Also write the result here (the CLI prints it). */
  out?: string;
  /** Hooks into the pipeline (see {@link PipelineHooks}); `world` is told the world's description first. */
  hooks?: PipelineHooks & { world?(info: WorldChild['info']): void | Promise<void> };
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new VigieError('VIGIE_WORLD_CONTROL', `${url}: HTTP ${res.status}`);
  return res.json();
}

/** Run a scenario end to end. Resolves with the result (score not included: see `src/score`). */
export async function runScenario(o: RunOptions): Promise<RunOutput> {
  const log = o.log ?? (() => {});
  const stateDir = mkdtempSync(join(tmpdir(), 'vigie-run-'));
  const world = await startWorldChild({
    scenarioFile: o.scenario.file,
    stateDir,
    speed: o.speed,
    truthOut: o.truthOut,
    log: (l) => log(`world: ${l}`),
  });
  // Interrupted: take the world down with us rather than leave it serving.
  const onSignal = (sig: NodeJS.Signals) => {
    void world.stop().finally(() => {
      rmSync(stateDir, { recursive: true, force: true });
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const info = world.info;
    await o.hooks?.world?.(info);
    const declarationsUrl = `${info.control}/config/declarations`;
    const declared = parseDeclarations(JSON.stringify(await fetchJson(declarationsUrl)), declarationsUrl);
    const domains = o.scenario.sites.map((s) => s.domain);
    log(
      `world ${info.scenario} up (pid ${world.pid}) at ×${info.clock.speed}; ${domains.length} domains, ` +
        `${declared.size} with declarations`,
    );
    const r = await runPipeline({
      world: info,
      domains,
      declared,
      timeoutMs: o.timeoutMs,
      mail: o.mail,
      log,
      hooks: o.hooks,
    });
    const out: RunOutput = {
      scenario: o.scenario.name,
      title: o.scenario.title,
      speed: info.clock.speed,
      sites: r.sites,
      probes: r.probes,
      incidents: formatIncidents(r.incidents, info.clock.timezone),
      run: {
        realSeconds: Math.round(r.stats.realMs / 100) / 10,
        mapSeconds: Math.round(r.stats.mapMs / 100) / 10,
        mapped: r.mapped,
        probesPerSecond: r.stats.probesPerSecond,
        probeTimeoutS: r.stats.timeoutMs / 1000,
        rounds: r.stats.rounds,
        maxRoundMs: r.stats.maxRoundMs,
        skipped: r.stats.scheduler.skipped,
        latenessP50Ms: r.stats.scheduler.latenessP50Ms,
        latenessP99Ms: r.stats.scheduler.latenessP99Ms,
        latenessMaxMs: Math.round(r.stats.scheduler.latenessMaxMs),
      },
    };
    if (o.out) writeFileSync(o.out, `${JSON.stringify(out)}\n`);
    return out;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await world.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
