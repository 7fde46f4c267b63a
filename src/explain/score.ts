/**
 * Baselines, on the same risk model and the same reading of signatures as Vigie's method, so the
 * comparison is about inference alone.
 *
 * - SCORE (Kompella, Yates, Greenberg, Snoeren — "IP Fault Localization Via Risk Modeling", NSDI 2005):
 *   greedy set cover over shared-risk groups. A group is a candidate when its hit ratio (failing members
 *   over members, over all of the round's failures) reaches a threshold α; among candidates, the one
 *   covering the most still-unexplained failures is chosen; repeat until nothing more is covered.
 * - naive: the provider most common among failing sites, blamed as a whole.
 */
import { inferred, loneFailures } from './cause.ts';
import { explainAway, initialHits, support } from './infer.ts';
import type { RiskModel } from './risk.ts';
import { readRound } from './round.ts';
import type { FailingService, Inference } from './types.ts';

export interface ScoreOptions {
  /** Hit-ratio threshold α (default 0.6). */
  alpha: number;
  /** Fewest distinct failing sites behind a group (default 3, as for Vigie). */
  minSupport: number;
}

export const DEFAULT_SCORE: ScoreOptions = { alpha: 0.6, minSupport: 3 };

/** SCORE greedy set cover over one round. */
export function score(
  model: RiskModel,
  failures: readonly FailingService[],
  options: Partial<ScoreOptions> = {},
): Inference {
  const o = { ...DEFAULT_SCORE, ...options };
  const round = readRound(model, failures);
  const total = initialHits(round);
  const a = total.slice();
  const explained = new Int32Array(failures.length).fill(-1);
  const picks: { group: number; gain: number; failing: number; total: number }[] = [];
  // Hit ratio over every failure of the round (SCORE's definition), fixed for the round.
  const hit = (g: number) => total[g] / Math.max(1, model.groupUnits[g]);
  const rejected = new Uint8Array(model.groups.length);
  for (;;) {
    let best = -1;
    for (const g of round.touched) {
      if (a[g] <= 0 || rejected[g] || hit(g) < o.alpha) continue;
      if (best < 0 || a[g] > a[best] || (a[g] === a[best] && hit(g) > hit(best))) best = g;
    }
    if (best < 0) break;
    if (support(round, best, explained) < o.minSupport) {
      rejected[best] = 1;
      continue;
    }
    picks.push({ group: best, gain: a[best], failing: total[best], total: model.groupUnits[best] });
    explainAway(round, best, picks.length - 1, explained, a);
  }
  const lists: number[][] = picks.map(() => []);
  for (let i = 0; i < failures.length; i++) if (explained[i] >= 0) lists[explained[i]].push(i);
  return {
    method: 'score',
    causes: picks.map((p, k) => ({
      ...inferred(round, p.group, lists[k], 40, p.failing, p.total),
      confidence: Math.round(hit(p.group) * 1000) / 1000,
    })),
    lone: loneFailures(round, explained),
    input: failures,
  };
}

/** The provider most common among failing sites (any dependency role), blamed provider-wide. */
export function naive(model: RiskModel, failures: readonly FailingService[]): Inference {
  const round = readRound(model, failures);
  const counts = new Map<number, Set<number>>();
  for (let i = 0; i < failures.length; i++) {
    const s = round.site[i];
    if (s < 0) continue;
    for (let j = model.siteStart[s]; j < model.siteStart[s + 1]; j++) {
      const g = model.siteGroup[j];
      if (model.groups[g].kind !== 'provider') continue;
      const set = counts.get(g) ?? new Set<number>();
      counts.set(g, set);
      set.add(s);
    }
  }
  let best = -1;
  let n = 0;
  for (const [g, set] of counts) {
    if (set.size > n) {
      best = g;
      n = set.size;
    }
  }
  const explained = new Int32Array(failures.length).fill(-1);
  if (best >= 0 && n >= 3) {
    for (let q = round.byGroupStart[best]; q < round.byGroupStart[best + 1]; q++) {
      explained[round.owner[round.byGroup[q]]] = 0;
    }
  }
  const list: number[] = [];
  for (let i = 0; i < failures.length; i++) if (explained[i] === 0) list.push(i);
  return {
    method: 'naive',
    causes: best >= 0 && n >= 3 ? [inferred(round, best, list, 40, n, model.groupSites[best])] : [],
    lone: loneFailures(round, explained),
    input: failures,
  };
}
