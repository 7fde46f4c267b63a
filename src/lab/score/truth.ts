/**
 * Ground truth for scoring, recomputed from the scenario alone: the fault engine is deterministic
 * (its seed comes from the scenario's name), so the scorer needs nothing from the run but its
 * output. Each truth entry is read with the other entries naming the same cause: one cause cut into
 * several faults (a flap then a steady phase, a long tail) is one incident.
 */
import { loadCatalog } from '../../catalog/load.ts';
import type { Scenario, TruthSpec } from '../scenario/types.ts';
import { createFaultEngine } from '../sim/faults/engine.ts';
import { buildPlan } from '../sim/plan.ts';

export interface TruthFault {
  id: string;
  at: number;
  /** When the last hit site recovered; null: not before the end. */
  lastRecovery: number | null;
  /** Sites the fault reached at some time in the window. */
  sites: Set<string>;
}

/** A truth entry with what scoring needs: its fault and the group of faults with the same cause. */
export interface TruthEntry {
  spec: TruthSpec;
  fault: TruthFault;
  /** Start of the cause: the earliest fault of the group. */
  start: number;
  /** Last recovery of the cause (null: not before the end). */
  lastRecovery: number | null;
  /** Sites the cause reached (union over its group). */
  sites: Set<string>;
  /** The cause's time span, for telling a justified incident from a false alarm. */
  span: [number, number];
}

export interface Truth {
  entries: TruthEntry[];
  /** Every scenario fault (not noise), whether or not a truth entry names it. */
  faults: Map<string, TruthFault & { provider?: string }>;
}

function causeKey(c: TruthSpec['cause']): string {
  return JSON.stringify([c.provider, c.region ?? null, c.plan ?? null, c.role ?? null, c.component ?? null]);
}

export function computeTruth(scenario: Scenario): Truth {
  const catalog = loadCatalog();
  const plan = buildPlan(scenario, (id) => catalog.get(id));
  const engine = createFaultEngine({ scenario, hostingAddress: (i) => plan.sites[i].hostingAddress });
  const faults = new Map<string, TruthFault & { provider?: string }>();
  for (const f of engine.faults) {
    if (f.source !== 'scenario') continue;
    faults.set(f.id, {
      id: f.id,
      at: f.at,
      lastRecovery: f.lastRecovery !== null && f.lastRecovery < scenario.end ? f.lastRecovery : null,
      sites: new Set(),
      ...(f.target.provider ? { provider: f.target.provider } : {}),
    });
  }
  for (const iv of engine.truth()) faults.get(iv.fault)?.sites.add(iv.domain);
  const groups = new Map<string, TruthFault[]>();
  for (const t of scenario.truth) {
    const f = faults.get(t.fault);
    if (!f) continue;
    const k = causeKey(t.cause);
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const entries: TruthEntry[] = [];
  for (const spec of scenario.truth) {
    const fault = faults.get(spec.fault);
    if (!fault) continue;
    const group = groups.get(causeKey(spec.cause)) ?? [fault];
    const start = Math.min(...group.map((g) => g.at));
    const open = group.some((g) => g.lastRecovery === null);
    const lastRecovery = open ? null : Math.max(...group.map((g) => g.lastRecovery as number));
    const sites = new Set<string>();
    for (const g of group) for (const s of g.sites) sites.add(s);
    entries.push({ spec, fault, start, lastRecovery, sites, span: [start, lastRecovery ?? scenario.end] });
  }
  return { entries, faults };
}
