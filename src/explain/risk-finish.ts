/**
 * Freezing a risk model: edges (group, slot) → CSR per group (sorted, unique), indistinguishable
 * groups collapsed onto the broadest, the reverse index site → groups, and per-group counts.
 */
import { type RiskModel, unitService } from './risk-model.ts';
import { SLOT } from './signals.ts';
import type { GroupKind, Monitored, RiskGroup } from './types.ts';

const RANK: Record<GroupKind, number> = {
  provider: 0,
  role: 1,
  region: 2,
  plan: 3,
  hidden: 4,
  network: 5,
  segment: 6,
};

/** @internal */
export function finish(
  sites: string[],
  siteIndex: Map<string, number>,
  groups: RiskGroup[],
  groupIndex: Map<string, number>,
  b: { edges: { group: Int32Array; slot: Int32Array; length: number; siteMask: Uint8Array } },
  monitored: Monitored,
): RiskModel {
  const { group: eg, slot: es, length: ne, siteMask: rawMask } = b.edges;
  const G = groups.length;
  const N = sites.length;
  // Counting sort of edges by group.
  const start = new Int32Array(G + 1);
  for (let i = 0; i < ne; i++) start[eg[i] + 1]++;
  for (let g = 0; g < G; g++) start[g + 1] += start[g];
  const fill = start.slice(0, G);
  const slots = new Int32Array(ne);
  for (let i = 0; i < ne; i++) slots[fill[eg[i]]++] = es[i];
  // Sort and deduplicate each group's slots in place, compacting.
  const groupStart = new Int32Array(G + 1);
  let w = 0;
  for (let g = 0; g < G; g++) {
    const seg = slots.subarray(start[g], start[g + 1]);
    seg.sort();
    groupStart[g] = w;
    let last = -1;
    for (let i = 0; i < seg.length; i++) {
      if (seg[i] !== last) slots[w++] = seg[i];
      last = seg[i];
    }
  }
  groupStart[G] = w;
  const groupSlots = slots.slice(0, w);
  const canonical = dedupe(groups, groupStart, groupSlots);
  // Units and sites per group.
  const groupUnits = new Int32Array(G);
  const groupSites = new Int32Array(G);
  for (let g = 0; g < G; g++) {
    let lastSite = -1;
    let seen = 0;
    for (let i = groupStart[g]; i < groupStart[g + 1]; i++) {
      const s = (groupSlots[i] / SLOT) | 0;
      const u = unitService(groupSlots[i] % SLOT, monitored);
      if (s !== lastSite) {
        groupSites[g]++;
        lastSite = s;
        seen = 0;
      }
      if (u >= 0 && !(seen & (1 << u))) {
        seen |= 1 << u;
        groupUnits[g]++;
      }
    }
  }
  // Reverse index over canonical groups only.
  const siteStart = new Int32Array(N + 1);
  for (let g = 0; g < G; g++) {
    if (canonical[g] !== g) continue;
    for (let i = groupStart[g]; i < groupStart[g + 1]; i++) siteStart[((groupSlots[i] / SLOT) | 0) + 1]++;
  }
  for (let s = 0; s < N; s++) siteStart[s + 1] += siteStart[s];
  const at = siteStart.slice(0, N);
  const siteGroup = new Int32Array(siteStart[N]);
  const siteRole = new Uint8Array(siteStart[N]);
  for (let g = 0; g < G; g++) {
    if (canonical[g] !== g) continue;
    for (let i = groupStart[g]; i < groupStart[g + 1]; i++) {
      const s = (groupSlots[i] / SLOT) | 0;
      siteGroup[at[s]] = g;
      siteRole[at[s]++] = groupSlots[i] % SLOT;
    }
  }
  return {
    sites,
    siteIndex,
    groups,
    groupIndex,
    canonical,
    groupStart,
    groupSlots,
    groupUnits,
    groupSites,
    siteStart,
    siteGroup,
    siteRole,
    siteMask: rawMask.slice(0, N),
    monitored,
  };
}

/** Groups with identical slot sets: keep the broadest (lowest rank, then first built). */
function dedupe(groups: RiskGroup[], start: Int32Array, slots: Int32Array): Int32Array {
  const G = groups.length;
  const canonical = new Int32Array(G);
  const buckets = new Map<string, number[]>();
  for (let g = 0; g < G; g++) {
    canonical[g] = g;
    let h = 0x811c9dc5;
    for (let i = start[g]; i < start[g + 1]; i++) h = Math.imul(h ^ slots[i], 0x01000193);
    const key = `${start[g + 1] - start[g]}:${h >>> 0}`;
    const list = buckets.get(key);
    if (list) list.push(g);
    else buckets.set(key, [g]);
  }
  const same = (a: number, b: number) => {
    for (let i = 0; i < start[a + 1] - start[a]; i++)
      if (slots[start[a] + i] !== slots[start[b] + i]) return false;
    return true;
  };
  for (const list of buckets.values()) {
    if (list.length < 2) continue;
    for (const g of list) {
      if (canonical[g] !== g) continue;
      for (const o of list) {
        if (o === g || canonical[o] !== o || !same(g, o)) continue;
        const keep = RANK[groups[o].kind] < RANK[groups[g].kind] ? o : g;
        const drop = keep === g ? o : g;
        canonical[drop] = keep;
        if (drop === g) break;
      }
    }
  }
  // Resolve chains.
  for (let g = 0; g < G; g++) {
    let c = canonical[g];
    while (canonical[c] !== c) c = canonical[c];
    canonical[g] = c;
  }
  return canonical;
}
