/**
 * Vigie's inference: the most likely small set of failed components, under a noisy-OR model.
 *
 * Each monitored service fails on its own with a small probability ε (noise: unrelated site trouble,
 * probe loss the detector let through). A failed group breaks each service it predicts with an unknown
 * probability θ (a partial fault hits 60 % of a region: θ = 0.6), fitted by maximum likelihood. Adding
 * group g to the explanation gains, over the failures it newly explains (a) and the services it predicts
 * that answer (b),
 *
 *     gain(g) = a · log((θ + ε(1−θ)) / ε) + b · log(1 − θ) − cost(g),   θ = a / (a + b)
 *
 * where the cost is the prior against one more cause. Failures whose signature the group could not
 * produce are neutral (a DNS failure masks a hosting failure on the same site), except that a failure
 * shows the steps it got past working: a site whose web fails after its name was resolved afresh
 * counts as answering for the groups holding its DNS role (`passed` in signals.ts) — a provider's
 * hosting failing is not the whole provider failing while the name servers it runs answer. Greedy selection with
 * explain-away (after choosing g, its failures no longer count for others), then a local search that
 * bans each chosen group in turn and keeps any re-run with a better total — this undoes the greedy
 * step's classic mistake of taking one broad group where two narrower ones fit better. Whatever no group
 * explains is a lone, site-level failure. Compared with SCORE's fixed hit-ratio threshold, the
 * likelihood trades coverage against the services that stay up, so a region is preferred to its
 * provider exactly when the provider's other regions answer, and a partial fault still scores.
 */
import { inferred, loneFailures } from './cause.ts';
import type { RiskModel } from './risk.ts';
import { type Round, readRound } from './round.ts';
import type { FailingService, GroupKind, Inference } from './types.ts';

export interface InferOptions {
  /** Probability a service fails on its own (default 0.01). */
  epsilon: number;
  /** Prior cost (nats) of one more cause (default 12). */
  cost: number;
  /** Cost of a declared component: the user told us it exists and is shared (default 4). */
  declaredCost: number;
  /** Fewest distinct failing sites behind a cause (default 3; never a provider from one site). */
  minSupport: number;
  /** A declared component may stand on 2 sites, if all its services fail. */
  declaredMinSupport: number;
  /** Smallest fitted θ accepted (default 0.2). */
  minHit: number;
  /** Local-search passes (default 3). */
  passes: number;
}

export const DEFAULT_INFER: InferOptions = {
  epsilon: 0.01,
  cost: 12,
  declaredCost: 4,
  minSupport: 3,
  declaredMinSupport: 2,
  minHit: 0.2,
  passes: 3,
};

/** Log-likelihood gain of a group explaining `a` failures while `b` of its services answer. */
export function likelihoodGain(a: number, b: number, eps: number): number {
  if (a <= 0) return Number.NEGATIVE_INFINITY;
  if (b <= 0) return a * Math.log(1 / eps);
  const th = a / (a + b);
  return a * Math.log((th + eps * (1 - th)) / eps) + b * Math.log(1 - th);
}

interface Pick {
  group: number;
  gain: number;
  failing: number;
  total: number;
}

interface Run {
  picks: Pick[];
  explained: Int32Array;
  objective: number;
  banned: Set<number>;
}

/** Run Vigie's inference over one round of failures. */
export function infer(
  model: RiskModel,
  failures: readonly FailingService[],
  options: Partial<InferOptions> = {},
): Inference {
  const o = { ...DEFAULT_INFER, ...options };
  const round = readRound(model, failures);
  let best = greedy(round, o, new Set());
  for (let pass = 0; pass < o.passes; pass++) {
    let improved = false;
    for (const p of best.picks) {
      // A pick whose services all fail cannot be beaten by narrower groups: only try the others.
      if (p.failing >= 0.98 * p.total) continue;
      const banned = new Set(best.banned).add(p.group);
      const r = greedy(round, o, banned);
      if (r.objective > best.objective + 1e-9) {
        best = r;
        improved = true;
        break;
      }
    }
    if (!improved) break;
  }
  return assemble(round, best, 'vigie');
}

/** Turn a run's picks into causes and lone failures. */
export function assemble(
  round: Round,
  run: { picks: Pick[]; explained: Int32Array },
  method: string,
): Inference {
  const lists: number[][] = run.picks.map(() => []);
  for (let i = 0; i < round.failures.length; i++) if (run.explained[i] >= 0) lists[run.explained[i]].push(i);
  return {
    method,
    causes: run.picks.map((p, k) => inferred(round, p.group, lists[k], p.gain, p.failing, p.total)),
    lone: loneFailures(round, run.explained),
    input: round.failures,
  };
}

function costOf(kind: GroupKind, o: InferOptions): number {
  return kind === 'hidden' ? o.declaredCost : o.cost;
}

/** Distinct sites among a group's unexplained predicted entries. */
export function support(round: Round, g: number, explained: Int32Array): number {
  const seen = new Set<number>();
  for (let k = round.byGroupStart[g]; k < round.byGroupStart[g + 1]; k++) {
    const e = round.byGroup[k];
    const i = round.owner[e];
    if (round.predicted[e] && explained[i] < 0 && round.site[i] >= 0) seen.add(round.site[i]);
  }
  return seen.size;
}

/** Mark every failure `g` explains as explained by pick `k`, withdrawing them from other groups. */
export function explainAway(round: Round, g: number, k: number, explained: Int32Array, a: Int32Array): void {
  for (let q = round.byGroupStart[g]; q < round.byGroupStart[g + 1]; q++) {
    const i = round.owner[round.byGroup[q]];
    if (explained[i] >= 0 || round.site[i] < 0) continue;
    explained[i] = k;
    for (let e = round.start[i]; e < round.start[i + 1]; e++) if (round.predicted[e]) a[round.group[e]]--;
  }
}

/** Explainable predicted failures per group, before anything is explained. */
export function initialHits(round: Round): Int32Array {
  const a = new Int32Array(round.model.groups.length);
  for (let e = 0; e < round.group.length; e++) {
    if (round.predicted[e] && round.site[round.owner[e]] >= 0) a[round.group[e]]++;
  }
  return a;
}

function greedy(round: Round, o: InferOptions, banned: Set<number>): Run {
  const model = round.model;
  const a = initialHits(round);
  const explained = new Int32Array(round.failures.length).fill(-1);
  const rejected = new Uint8Array(model.groups.length);
  const picks: Pick[] = [];
  let objective = 0;
  // a·log(1/ε) bounds a group's gain from above and `a` only falls: groups that cannot beat their
  // cost now never will (most groups touched by noise alone), so scan the rest only.
  const bound = Math.log(1 / o.epsilon);
  let live = round.touched.filter((g) => a[g] * bound > costOf(model.groups[g].kind, o) && !banned.has(g));
  for (;;) {
    let bestG = -1;
    let bestGain = 0;
    let w = 0;
    for (const g of live) {
      if (a[g] * bound <= costOf(model.groups[g].kind, o) || rejected[g]) continue;
      live[w++] = g;
      const b = model.groupUnits[g] - round.failingPredicted[g] + round.contradicted[g];
      const gain = likelihoodGain(a[g], b, o.epsilon) - costOf(model.groups[g].kind, o);
      if (gain > bestGain) {
        bestGain = gain;
        bestG = g;
      }
    }
    live = live.subarray(0, w);
    if (bestG < 0) break;
    const b = model.groupUnits[bestG] - round.failingPredicted[bestG] + round.contradicted[bestG];
    const theta = a[bestG] / (a[bestG] + b);
    const sites = support(round, bestG, explained);
    const declared = model.groups[bestG].kind === 'hidden';
    const enough = sites >= o.minSupport || (declared && sites >= o.declaredMinSupport && b === 0);
    if (theta < o.minHit || !enough) {
      rejected[bestG] = 1;
      continue;
    }
    picks.push({ group: bestG, gain: bestGain, failing: a[bestG], total: a[bestG] + b });
    objective += bestGain;
    explainAway(round, bestG, picks.length - 1, explained, a);
  }
  return { picks, explained, objective, banned };
}
