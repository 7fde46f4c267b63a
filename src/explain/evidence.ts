/**
 * Evidence for and against: for each cause, failing / total of its dependents per role; the other
 * hypotheses the failures suggested and why each was rejected; and the providers cleared, with
 * numbers ("ovh: 0 of 512 monitored sites hosted there degraded").
 */
import type { Role } from '../model/component.ts';
import type { Exoneration } from '../model/incident.ts';
import type { RiskModel } from './risk.ts';
import { unitService } from './risk.ts';
import { implicated, ROLES, SLOT, serviceIndex } from './signals.ts';
import type { Inference, InferredCause } from './types.ts';

export interface RoleCount {
  role: Role;
  failing: number;
  total: number;
}

export interface Rejected {
  key: string;
  reason: string;
}

export interface CauseEvidence {
  key: string;
  perRole: RoleCount[];
  /** Human-readable lines: the counts, then the rejected hypotheses. */
  lines: string[];
  rejected: Rejected[];
  exonerated: Exoneration[];
}

export interface EvidenceOptions {
  maxRejected: number;
  maxExonerated: number;
}

const VERB: Record<string, string> = {
  hosting: 'hosted there',
  dns: 'using its DNS',
  mail: 'using its mail',
  cdn: 'behind it',
  platform: 'running on it',
  component: 'behind it',
};

const pct = (k: number, n: number) => `${n ? Math.round((100 * k) / n) : 0} %`;

/** Evidence for every cause of an inference. */
export function explainAll(
  model: RiskModel,
  inference: Inference,
  options: Partial<EvidenceOptions> = {},
): CauseEvidence[] {
  const o = { maxRejected: 6, maxExonerated: 8, ...options };
  // Failing services per site, as bits (web 1, dns 2, mail 4), and the implicated roles per site.
  const failing = new Map<number, number>();
  const masks = new Map<number, number>();
  const sigs = new Map<number, string>();
  for (const f of inference.input) {
    const s = model.siteIndex.get(f.site);
    if (s === undefined) continue;
    // The web probe's signature says most about a site; CDN pages are named by what they mean.
    if (!sigs.has(s) || f.role === 'web')
      sigs.set(s, f.meaning ? `${f.signature} (${f.meaning.replace('_', ' ')})` : f.signature);
    failing.set(s, (failing.get(s) ?? 0) | (1 << serviceIndex(f.role)));
    masks.set(s, (masks.get(s) ?? 0) | implicated(f, model.siteMask[s]));
  }
  // Failing sites per group, over every group a failing site is in.
  const failingSites = new Map<number, number>();
  for (const s of failing.keys()) {
    for (let j = model.siteStart[s]; j < model.siteStart[s + 1]; j++) {
      const g = model.siteGroup[j];
      if (j > model.siteStart[s] && model.siteGroup[j - 1] === g) continue;
      failingSites.set(g, (failingSites.get(g) ?? 0) + 1);
    }
  }
  const chosenProviders = new Set(inference.causes.map((c) => c.cause.provider));
  const chosen = new Set(inference.causes.map((c) => c.group));
  return inference.causes.map((c) => {
    const perRole = countPerRole(model, c.group, failing);
    const label = model.groups[c.group].label;
    const lines = perRole.map(
      (r) => `${label} ${r.role}: ${r.failing} of ${r.total} failing (${pct(r.failing, r.total)})`,
    );
    const rejected = rejectedFor(model, c, failingSites, masks, sigs, chosen).slice(0, o.maxRejected);
    for (const r of rejected) lines.push(`rejected ${r.key}: ${r.reason}`);
    const exonerated = exonerate(model, c, failing, failingSites, chosenProviders, o.maxExonerated);
    return { key: c.key, perRole, lines, rejected, exonerated };
  });
}

function countPerRole(model: RiskModel, g: number, failing: Map<number, number>): RoleCount[] {
  const fail = new Array(ROLES.length).fill(0);
  const total = new Array(ROLES.length).fill(0);
  for (let i = model.groupStart[g]; i < model.groupStart[g + 1]; i++) {
    const s = (model.groupSlots[i] / SLOT) | 0;
    const r = model.groupSlots[i] % SLOT;
    const u = unitService(r, model.monitored);
    if (u < 0) continue;
    total[r]++;
    if (((failing.get(s) ?? 0) >> u) & 1) fail[r]++;
  }
  return ROLES.flatMap((role, r) => (total[r] ? [{ role, failing: fail[r], total: total[r] }] : []));
}

/** Groups sharing the cause's failing sites, and why each is not the answer. */
function rejectedFor(
  model: RiskModel,
  c: InferredCause,
  failingSites: Map<number, number>,
  masks: Map<number, number>,
  sigs: Map<number, string>,
  chosen: Set<number>,
): Rejected[] {
  const overlap = new Map<number, { n: number; explainable: number; sigs: Map<string, number> }>();
  for (const site of c.sites) {
    const s = model.siteIndex.get(site) as number;
    for (let j = model.siteStart[s]; j < model.siteStart[s + 1]; j++) {
      const g = model.siteGroup[j];
      if (chosen.has(g)) continue;
      const x = overlap.get(g) ?? { n: 0, explainable: 0, sigs: new Map() };
      if (!overlap.has(g)) overlap.set(g, x);
      // Count a site once per group, explainable if any of its roles in the group is implicated.
      const ok = ((masks.get(s) ?? 0) >> model.siteRole[j]) & 1;
      if (j === model.siteStart[s] || model.siteGroup[j - 1] !== g) {
        x.n++;
        const sig = sigs.get(s) ?? 'ok';
        x.sigs.set(sig, (x.sigs.get(sig) ?? 0) + 1);
        x.explainable += ok;
      } else if (ok && x.explainable < x.n) x.explainable++;
    }
  }
  const label = model.groups[c.group].label;
  const listed = new Set<string>();
  const other = (g: number) => {
    const x = model.groups[g];
    return x.provider !== c.cause.provider && (x.asn === null || x.asn !== c.cause.asn) ? 1 : 0;
  };
  const share = (g: number) => (failingSites.get(g) ?? 0) / Math.max(1, model.groupSites[g]);
  return (
    [...overlap]
      // Suspects: groups holding many of the cause's sites, or with many of their own sites failing.
      .filter(([g, x]) => x.n >= 2 && (x.n >= c.sites.length / 4 || share(g) >= 0.25))
      // Other providers first: "why not the CDN?" matters more than "why not one of its own regions?".
      .sort((a, b) => other(b[0]) - other(a[0]) || share(b[0]) - share(a[0]) || b[1].n - a[1].n)
      // One hypothesis per provider: its broadest suspect group says enough.
      .filter(([g]) => {
        const p = model.groups[g].provider ?? model.groups[g].key;
        if (listed.has(p)) return false;
        listed.add(p);
        return true;
      })
      .map(([g, x]) => {
        const grp = model.groups[g];
        const k = failingSites.get(g) ?? 0;
        const n = model.groupSites[g];
        let reason: string;
        if (x.explainable < x.n / 2) {
          const [sig, m] = [...x.sigs].sort((p, q) => q[1] - p[1])[0];
          reason = `${k} of ${n} sites depending on it failing, ${m === x.n ? 'all' : `${m} of them`} with ${sig}, which points past it → not ${grp.label}`;
        } else if (n > c.sites.length && x.n >= c.sites.length * 0.9) {
          reason = `${k} of ${n} sites depending on it failing (${pct(k, n)}); the rest answer → the narrower ${label}`;
        } else {
          reason = `explains only ${x.n} of the ${c.sites.length} failing sites → the broader ${label}`;
        }
        return { key: grp.key, reason };
      })
  );
}

/** Providers the failing sites depend on, and the largest ones, shown not to be at fault. */
function exonerate(
  model: RiskModel,
  c: InferredCause,
  failing: Map<number, number>,
  failingSites: Map<number, number>,
  chosenProviders: Set<string | null>,
  max: number,
): Exoneration[] {
  const related = new Map<number, number>();
  for (const site of c.sites) {
    const s = model.siteIndex.get(site) as number;
    for (let j = model.siteStart[s]; j < model.siteStart[s + 1]; j++) {
      const g = model.siteGroup[j];
      if (model.groups[g].kind !== 'provider' || (j > model.siteStart[s] && model.siteGroup[j - 1] === g))
        continue;
      related.set(g, (related.get(g) ?? 0) + 1);
    }
  }
  const candidates: number[] = [];
  model.groups.forEach((g, i) => {
    if (g.kind === 'provider' && !chosenProviders.has(g.provider) && model.groupSites[i] > 0)
      candidates.push(i);
  });
  candidates.sort(
    (a, b) => (related.get(b) ?? 0) - (related.get(a) ?? 0) || model.groupSites[b] - model.groupSites[a],
  );
  const label = model.groups[c.group].label;
  return candidates.slice(0, max).map((g) => {
    const grp = model.groups[g];
    const role = mainRole(model, g);
    // Counted in the provider's main role: "sites hosted there", not every site using its DNS too.
    const main = countPerRole(model, g, failing).find((r) => r.role === role) ?? { failing: 0, total: 0 };
    const k = failingSites.get(g) ?? 0;
    const n = model.groupSites[g];
    const shared = related.get(g) ?? 0;
    let evidence = `${grp.provider}: ${main.failing} of ${main.total} monitored sites ${VERB[role]} degraded`;
    if (n > main.total) evidence += ` (${k} of ${n} depending on it in any role)`;
    if (shared > 0) evidence += `; the ${shared} of them also depending on ${label} fail from it (${c.kind})`;
    else evidence += `; none of the ${c.sites.length} affected sites depends on it`;
    return { provider: grp.provider as string, evidence };
  });
}

function mainRole(model: RiskModel, g: number): Role {
  const n = new Array(ROLES.length).fill(0);
  for (let i = model.groupStart[g]; i < model.groupStart[g + 1]; i++) n[model.groupSlots[i] % SLOT]++;
  // Hosting wins ties: "hosted there" is what readers ask about first.
  let best = 0;
  for (let r = 1; r < ROLES.length; r++) if (n[r] > n[best] && r !== 1) best = r;
  if (n[best] === 0) best = 1;
  return ROLES[best];
}
