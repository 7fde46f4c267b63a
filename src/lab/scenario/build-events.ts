/**
 * Faults, vantages and ground truth: times resolved on the scenario clock, selectors checked
 * against the world, references between faults and truth checked.
 */

import type { PathSeg, ProblemList } from '../../config/yaml.ts';
import type { World } from './build-world.ts';
import { unknownProvider } from './build-world.ts';
import type { RawEffect, RawFault, RawSelector, RawTruth, RawVantage } from './raw.ts';
import { matchSites } from './select.ts';
import { formatLocal, MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration, resolveTime } from './time.ts';
import type { Effect, FaultSpec, Selector, TruthSpec, VantageFaultSpec, VantageSpec } from './types.ts';
import { suggest } from './validate.ts';

/** The scenario clock the times are read against. */
export interface Clock {
  zone: string;
  start: number;
  end: number;
}

/** Convert a schema-valid raw effect (defaults: overload latency 0, error rate 0, no queue page). */
export function toEffect(e: RawEffect): Effect {
  switch (e.kind) {
    case 'http_error':
      return {
        kind: 'http_error',
        status: e.status ?? 500,
        ...(e.page !== undefined ? { page: e.page } : {}),
      };
    case 'slow':
      return { kind: 'slow', latencyMs: e.latency_ms ?? 0 };
    case 'overload':
      return {
        kind: 'overload',
        latencyMs: e.latency_ms ?? 0,
        errorRate: e.error_rate ?? 0,
        queuePage: e.queue_page ?? false,
      };
    default:
      return { kind: e.kind } as Effect;
  }
}

/**
 * Resolve `at`/`until` of a fault (or vantage fault). `at` must come before the end; a clock-time
 * `until` that only recurs after the end is reported (it usually means a typo such as 09:00 for
 * 10:00), while an offset or datetime past the end is accepted (the fault simply outlasts the run).
 */
function resolveWindow(
  at: string,
  until: string | undefined,
  base: PathSeg[],
  clock: Clock,
  pl: ProblemList,
): { at: number; until: number | null } | null {
  const a = resolveTime(at, clock.zone, clock.start, clock.start);
  if (typeof a === 'string') {
    pl.add([...base, 'at'], a);
    return null;
  }
  if (a.t >= clock.end) {
    // `until` is not checked then: it is read relative to a start that is already wrong.
    pl.add(
      [...base, 'at'],
      `"${at}" is ${formatLocal(clock.zone, a.t)}, not before the scenario's end (${formatLocal(clock.zone, clock.end)})`,
    );
    return null;
  }
  if (until === undefined) return { at: a.t, until: null };
  const u = resolveTime(until, clock.zone, clock.start, a.t, true);
  if (typeof u === 'string') {
    pl.add([...base, 'until'], u);
    return null;
  }
  if (u.t <= a.t) {
    pl.add(
      [...base, 'until'],
      `"${until}" (${formatLocal(clock.zone, u.t)}) is not after at (${formatLocal(clock.zone, a.t)})`,
    );
    return null;
  }
  if (u.clock && u.t > clock.end) {
    pl.add(
      [...base, 'until'],
      `"${until}" next comes at ${formatLocal(clock.zone, u.t)}, after the scenario's end ` +
        `(${formatLocal(clock.zone, clock.end)}); omit until to last to the end`,
    );
    return null;
  }
  return { at: a.t, until: u.t };
}

/** Normalize faults. Defaults: share 1, recovery 0, flap duty 0.5. */
export function buildFaults(
  raw: readonly RawFault[],
  world: World,
  clock: Clock,
  pl: ProblemList,
): FaultSpec[] {
  const out: FaultSpec[] = [];
  const ids = new Map<string, number>();
  raw.forEach((f, i) => {
    const base: PathSeg[] = ['faults', i];
    const prev = ids.get(f.id);
    if (prev !== undefined) pl.add([...base, 'id'], `fault '${f.id}' is already defined at line ${prev}`);
    else ids.set(f.id, pl.lineOf(base));
    // Generated noise faults are named noise-<n>; a scenario fault must not be mistaken for one.
    if (/^noise-\d+$/.test(f.id)) pl.add([...base, 'id'], `ids noise-<n> are reserved for generated noise`);

    const window = resolveWindow(f.at, f.until, base, clock, pl);
    const target = checkSelector(f.target, [...base, 'target'], world, pl);
    let recoveryMs = f.recovery ? parseDuration(f.recovery.over) : 0;
    if (recoveryMs === null) pl.add([...base, 'recovery', 'over'], `not a duration`);
    else if (recoveryMs > MAX_DURATION_MS) {
      pl.add([...base, 'recovery', 'over'], `must be at most ${MAX_DURATION_TEXT}`);
      recoveryMs = null;
    }
    let flap: FaultSpec['flap'];
    if (f.flap) {
      const periodMs = parseDuration(f.flap.period);
      if (!periodMs || periodMs > MAX_DURATION_MS)
        pl.add(
          [...base, 'flap', 'period'],
          `must be a positive duration like 5m, at most ${MAX_DURATION_TEXT}`,
        );
      else flap = { periodMs, duty: f.flap.duty ?? 0.5 };
    }
    if (!window || !target || recoveryMs === null) return;
    out.push({
      id: f.id,
      at: window.at,
      until: window.until,
      target,
      effect: toEffect(f.effect),
      share: f.share ?? 1,
      recoveryMs,
      ...(flap ? { flap } : {}),
      line: pl.lineOf(base),
    });
  });
  return out;
}

function checkSelector(raw: RawSelector, base: PathSeg[], world: World, pl: ProblemList): Selector | null {
  let ok = true;
  const bad = (key: PathSeg | PathSeg[], msg: string) => {
    pl.add(base.concat(key), msg);
    ok = false;
  };
  const provider = raw.provider !== undefined ? world.byId.get(raw.provider) : undefined;
  if (raw.provider !== undefined && !provider) bad('provider', unknownProvider(raw.provider, world.byId));
  if (provider && raw.role !== undefined && !provider.roles.includes(raw.role) && raw.role !== 'hosting') {
    bad(
      'role',
      `provider '${provider.id}' does not have role ${raw.role} (its roles: ${provider.roles.join(', ')})`,
    );
  }
  if (raw.region !== undefined) {
    const regions = provider ? provider.regions : world.providers.flatMap((p) => p.regions);
    if (provider && !regions.includes(raw.region)) {
      bad(
        'region',
        `region '${raw.region}' is not one of provider '${provider.id}' (${regions.join(', ') || 'none'})`,
      );
    } else if (!provider && raw.provider === undefined && !regions.includes(raw.region)) {
      bad('region', `no provider has region '${raw.region}'`);
    }
  }
  if (raw.component !== undefined && !world.components.has(raw.component)) {
    const hint = suggest(raw.component, [...world.components]);
    bad(
      'component',
      `no site shares component '${raw.component}'${hint ? ` (did you mean '${hint}'?)` : ''}` +
        `; components: ${[...world.components].join(', ') || 'none'}`,
    );
  }
  const domains = raw.domains?.map((d) => d.toLowerCase().replace(/\.$/, ''));
  domains?.forEach((d, j) => {
    if (!world.domains.has(d)) bad(['domains', j], `no site has domain '${d}'`);
  });
  if (!ok) return null;
  const sel: Selector = {
    ...(raw.provider !== undefined ? { provider: raw.provider } : {}),
    ...(raw.region !== undefined ? { region: raw.region } : {}),
    ...(raw.plan !== undefined ? { plan: raw.plan } : {}),
    ...(raw.role !== undefined ? { role: raw.role } : {}),
    ...(raw.component !== undefined ? { component: raw.component } : {}),
    ...(domains !== undefined ? { domains } : {}),
  };
  if (matchSites(sel, world.sites, world.byId).length === 0) {
    pl.add(base, `selects no site (${JSON.stringify(raw)})`);
    return null;
  }
  return sel;
}

/** Normalize vantages; default one vantage `local` without faults. */
export function buildVantages(
  raw: readonly RawVantage[] | undefined,
  clock: Clock,
  pl: ProblemList,
): VantageSpec[] {
  if (!raw) return [{ id: 'local', faults: [] }];
  const seen = new Map<string, number>();
  return raw.map((v, i) => {
    const base: PathSeg[] = ['vantages', i];
    const prev = seen.get(v.id);
    if (prev !== undefined) pl.add([...base, 'id'], `vantage '${v.id}' is already defined at line ${prev}`);
    else seen.set(v.id, pl.lineOf(base));
    const faults: VantageFaultSpec[] = [];
    (v.faults ?? []).forEach((f, j) => {
      const w = resolveWindow(f.at, f.until, [...base, 'faults', j], clock, pl);
      if (w) faults.push({ ...w, effect: toEffect(f.effect) });
    });
    return { id: v.id, faults };
  });
}

/** Check ground truth against faults and providers. */
export function buildTruth(
  raw: readonly RawTruth[],
  faultIds: ReadonlySet<string>,
  world: World,
  pl: ProblemList,
): TruthSpec[] {
  const seen = new Map<string, number>();
  return raw.map((t, i) => {
    const base: PathSeg[] = ['truth', i];
    if (!faultIds.has(t.fault)) {
      const hint = suggest(t.fault, [...faultIds]);
      pl.add(
        [...base, 'fault'],
        `unknown fault '${t.fault}'${hint ? ` (did you mean '${hint}'?)` : ''}; faults: ${[...faultIds].join(', ') || 'none'}`,
      );
    } else if (seen.has(t.fault)) {
      pl.add(
        [...base, 'fault'],
        `truth for fault '${t.fault}' is already given at line ${seen.get(t.fault)}`,
      );
    } else seen.set(t.fault, pl.lineOf(base));

    const c = t.cause;
    const provider = world.byId.get(c.provider);
    if (!provider) pl.add([...base, 'cause', 'provider'], unknownProvider(c.provider, world.byId));
    else if (c.region !== undefined && !provider.regions.includes(c.region)) {
      pl.add([...base, 'cause', 'region'], `region '${c.region}' is not one of provider '${provider.id}'`);
    }
    if (c.component !== undefined && !world.components.has(c.component)) {
      pl.add([...base, 'cause', 'component'], `no site shares component '${c.component}'`);
    }
    (t.not ?? []).forEach((id, j) => {
      if (!world.byId.has(id)) pl.add([...base, 'not', j], unknownProvider(id, world.byId));
      else if (id === c.provider)
        pl.add([...base, 'not', j], `'${id}' is the cause; it cannot also be cleared`);
    });
    return {
      fault: t.fault,
      cause: {
        provider: c.provider,
        ...(c.region !== undefined ? { region: c.region } : {}),
        ...(c.plan !== undefined ? { plan: c.plan } : {}),
        ...(c.role !== undefined ? { role: c.role } : {}),
        ...(c.component !== undefined ? { component: c.component } : {}),
      },
      not: [...(t.not ?? [])],
      line: pl.lineOf(base),
    };
  });
}
