/**
 * Loading a scenario file: YAML/JSON → schema → semantic checks → the normalized {@link Scenario}.
 * Every problem is located as `file:line: field: message`, and all of a stage's problems are
 * reported together in one {@link InputError}. Stages run in order and stop at the first stage
 * that found problems, because later checks assume the earlier ones held (a reference check on a
 * document with the wrong shape would only produce noise).
 *
 * Where scenario-format.md is silent, the loader decides (and tests) that:
 * - title defaults to name; provider name defaults to its id; plan defaults to `dedicated`;
 * - a site without region on a provider with regions is in the provider's first region;
 * - a site without `dns` uses its hosting provider, which then gets role `dns` if it lacked it;
 * - `hosting: ovh` is shorthand for `{provider: ovh}`; `{n}` may appear anywhere in the domain;
 * - `until` as a clock time is its first occurrence strictly after `at`, and must not fall after
 *   `end` (that is nearly always a typo); as an offset or datetime it may outlast the run;
 *   `at` must be before `end`; offsets are elapsed time (`+1d` = 24 h, even across DST);
 * - a local time skipped by DST is moved forward by the gap; a repeated one is its first occurrence;
 * - `hosted_on` is accepted on any provider (the provider runs on that network);
 * - flap duty defaults to 0.5; overload parameters default to 0 / 0 / false; reports' fields
 *   default to the format's example values (0.05 per hour, surge 30);
 * - fault ids `noise-<n>` are reserved; truth may name each fault once, and not clear its cause;
 * - `x-` keys (extensions) are accepted in every object and dropped from the normalized scenario.
 */
import { readFileSync } from 'node:fs';
import { ProblemList, parseYaml } from '../../config/yaml.ts';
import { InputError, type InputProblem } from '../../errors.ts';
import { buildFaults, buildTruth, buildVantages, type Clock } from './build-events.ts';
import { buildProviders, buildSites } from './build-world.ts';
import type { RawScenario } from './raw.ts';
import {
  canonicalZone,
  formatDuration,
  MAX_DURATION_MS,
  MAX_DURATION_TEXT,
  parseDateTime,
  parseDuration,
} from './time.ts';
import type { Scenario } from './types.ts';
import { validateSchema } from './validate.ts';

/** Defaults for fields the format lets a scenario omit. */
export const SCENARIO_DEFAULTS = {
  timezone: 'UTC',
  speed: 60,
  probeIntervalMs: 60_000,
  baselinePerHour: 0.05,
  surge: 30,
} as const;

/**
 * Most sites a scenario may hold, templates expanded: the inference bench runs a million; more would
 * only exhaust memory before anything could be said about it.
 */
export const MAX_SITES = 1_000_000;
/** Shortest probe interval (simulated): finer would only measure the machine. */
export const MIN_PROBE_INTERVAL_MS = 1000;

/** Read and load the scenario at `path`. Throws {@link InputError} on any problem. */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError([
      { file: path, line: 1, field: 'file', message: `cannot read: ${e.code ?? e.message}` },
    ]);
  }
  return parseScenario(text, path);
}

/** Load a scenario from its text; `file` names it in messages and in `Scenario.file`. */
export function parseScenario(text: string, file: string): Scenario {
  const parsed = parseYaml(text, file);
  fail(parsed.problems);
  fail(validateSchema(parsed, file));
  const raw = parsed.data as RawScenario;
  const pl = new ProblemList(file, parsed);

  const zone = canonicalZone(raw.timezone ?? SCENARIO_DEFAULTS.timezone);
  if (zone === null)
    pl.add(['timezone'], `unknown time zone '${raw.timezone}' (an IANA name like Europe/Paris)`);
  const tz = zone ?? 'UTC';
  const start = parseDateTime(raw.start, tz);
  const end = parseDateTime(raw.end, tz);
  if (typeof start === 'string') pl.add(['start'], start);
  if (typeof end === 'string') pl.add(['end'], end);
  const timesOk = zone !== null && typeof start === 'number' && typeof end === 'number';
  if (timesOk && end <= start) pl.add(['end'], `end (${raw.end}) must be after start (${raw.start})`);
  if (timesOk && end - start > MAX_DURATION_MS)
    pl.add(['end'], `the scenario lasts ${formatDuration(end - start)}; at most ${MAX_DURATION_TEXT}`);

  let probeIntervalMs: number = SCENARIO_DEFAULTS.probeIntervalMs;
  if (raw.probe_interval !== undefined) {
    const d = parseDuration(raw.probe_interval);
    if (!d || d < MIN_PROBE_INTERVAL_MS || d > MAX_DURATION_MS)
      pl.add(['probe_interval'], `must be a duration like 60s, from 1s to ${MAX_DURATION_TEXT}`);
    else probeIntervalMs = d;
  }
  // Counted before expanding: a template's count is what could exhaust memory.
  const total = raw.sites.reduce((n, s) => n + (s.count ?? 1), 0);
  if (total > MAX_SITES) {
    let at = 0;
    for (let sum = raw.sites[0].count ?? 1; sum <= MAX_SITES; sum += raw.sites[at].count ?? 1) at++;
    pl.add(
      ['sites', at],
      `${total.toLocaleString('en')} sites in all (counts expanded); a scenario holds at most ${MAX_SITES.toLocaleString('en')}`,
    );
    fail(pl.items);
  }

  const byId = buildProviders(raw.providers, pl);
  const world = buildSites(raw.sites, byId, pl);
  const clock: Clock | null = timesOk && end > start ? { zone: tz, start, end } : null;
  // Without a valid clock, fault times cannot be placed; the clock's own problem is reported.
  const faults = clock ? buildFaults(raw.faults ?? [], world, clock, pl) : [];
  const vantages = clock ? buildVantages(raw.vantages, clock, pl) : [];
  const faultIds = new Set((raw.faults ?? []).map((f) => f.id));
  const truth = buildTruth(raw.truth ?? [], faultIds, world, pl);
  fail(pl.items);

  return {
    name: raw.name,
    title: raw.title ?? raw.name,
    timezone: tz,
    start: start as number,
    end: end as number,
    speed: raw.speed ?? SCENARIO_DEFAULTS.speed,
    probeIntervalMs,
    providers: world.providers,
    sites: world.sites,
    faults,
    noise: { siteFailures: raw.noise?.site_failures ?? 0, probeLoss: raw.noise?.probe_loss ?? 0 },
    reports: raw.reports
      ? {
          baselinePerHour: raw.reports.baseline_per_hour ?? SCENARIO_DEFAULTS.baselinePerHour,
          surge: raw.reports.surge ?? SCENARIO_DEFAULTS.surge,
        }
      : null,
    vantages,
    truth,
    file,
  };
}

function fail(problems: InputProblem[]): void {
  if (problems.length === 0) return;
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.field.localeCompare(b.field));
  throw new InputError(sorted);
}
