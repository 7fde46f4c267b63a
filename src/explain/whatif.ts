/**
 * What-if and concentration, straight from the risk model: the sites that would fail if a component
 * failed (its blast radius), and how concentrated the monitored web is on each provider — the share of
 * sites depending on it, and the Herfindahl–Hirschman index per role (Σ of squared percentage shares,
 * 0–10,000; above 2,500 is "highly concentrated" in the antitrust reading).
 */
import type { Role } from '../model/component.ts';
import type { RiskModel } from './risk.ts';
import { ROLES, SLOT } from './signals.ts';

export interface BlastRadius {
  key: string;
  label: string;
  sites: string[];
  /** Sites per dependency role through which they would be hit. */
  byRole: Partial<Record<Role, number>>;
  /** Share of all monitored sites. */
  share: number;
}

/**
 * Blast radius of a component: a group key (`provider:ovh`, `role:ovh/dns`, `region:ovh/sbg`,
 * `plan:fluxus/shared`, `segment:<addr>`, `network:as16276`, `hidden:<name>`) — the map's component
 * ids are such keys. Null when the model knows no such component.
 */
export function whatIf(model: RiskModel, key: string): BlastRadius | null {
  const g = model.groupIndex.get(key);
  if (g === undefined) return null;
  const sites: string[] = [];
  const byRole: Partial<Record<Role, number>> = {};
  let last = -1;
  for (let i = model.groupStart[g]; i < model.groupStart[g + 1]; i++) {
    const s = (model.groupSlots[i] / SLOT) | 0;
    const role = ROLES[model.groupSlots[i] % SLOT];
    byRole[role] = (byRole[role] ?? 0) + 1;
    if (s !== last) sites.push(model.sites[s]);
    last = s;
  }
  return {
    key,
    label: model.groups[g].label,
    sites,
    byRole,
    share: sites.length / Math.max(1, model.sites.length),
  };
}

export interface ProviderShare {
  provider: string;
  sites: number;
  share: number;
}

export interface Concentration {
  sites: number;
  /** Providers by share of all sites depending on them in any role, largest first. */
  overall: ProviderShare[];
  /** Per role: providers by share of the sites having that role, and the role's HHI. */
  roles: Partial<
    Record<Exclude<Role, 'component'>, { sites: number; hhi: number; providers: ProviderShare[] }>
  >;
}

/** Concentration of the monitored sites on providers. */
export function concentration(model: RiskModel): Concentration {
  const N = model.sites.length;
  const overall: ProviderShare[] = [];
  const perRole = new Map<string, ProviderShare[]>();
  model.groups.forEach((grp, g) => {
    const n = model.groupSites[g];
    if (!grp.provider || n === 0) return;
    if (grp.kind === 'provider')
      overall.push({ provider: grp.provider, sites: n, share: n / Math.max(1, N) });
    if (grp.kind === 'role' && grp.role) {
      const list = perRole.get(grp.role) ?? [];
      list.push({ provider: grp.provider, sites: n, share: 0 });
      perRole.set(grp.role, list);
    }
  });
  const roles: Concentration['roles'] = {};
  for (const [r, list] of perRole) {
    const bit = 1 << ROLES.indexOf(r as Role);
    let withRole = 0;
    for (let s = 0; s < N; s++) if (model.siteMask[s] & bit) withRole++;
    let hhi = 0;
    for (const p of list) {
      p.share = p.sites / Math.max(1, withRole);
      hhi += (100 * p.share) ** 2;
    }
    list.sort((a, b) => b.sites - a.sites);
    roles[r as Exclude<Role, 'component'>] = { sites: withRole, hhi: Math.round(hhi), providers: list };
  }
  overall.sort((a, b) => b.sites - a.sites);
  return { sites: N, overall, roles };
}
