/** The risk model's shape, shared by the builder (`risk.ts`) and its freezing step (`risk-finish.ts`). */
import type { Monitored, RiskGroup } from './types.ts';

/** The built model. Arrays are read-only by convention; indices are stable for its lifetime. */
export interface RiskModel {
  sites: string[];
  siteIndex: Map<string, number>;
  groups: RiskGroup[];
  groupIndex: Map<string, number>;
  /** For a group deduplicated away, the group kept in its place; else itself. */
  canonical: Int32Array;
  /** CSR group → sorted slots (`site * SLOT + role`). */
  groupStart: Int32Array;
  groupSlots: Int32Array;
  /** Predicted failing services (units) and distinct sites per group. */
  groupUnits: Int32Array;
  groupSites: Int32Array;
  /** CSR site → (canonical group, role) pairs. */
  siteStart: Int32Array;
  siteGroup: Int32Array;
  siteRole: Uint8Array;
  /** Bit mask of the roles each site has a dependency in. */
  siteMask: Uint8Array;
  monitored: Monitored;
}

/** The service (0 web, 1 dns, 2 mail) a slot of `role` predicts to fail, or -1 when unprobed. */
export function unitService(role: number, monitored: Monitored): number {
  if (role === 1) return monitored.dns ? 1 : 0;
  if (role === 2) return monitored.mail ? 2 : -1;
  return 0;
}
