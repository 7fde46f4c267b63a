/**
 * One round's evidence, indexed for inference: each failing service read into the dependency roles
 * it implicates, then matched against the risk groups containing the site — the entries
 * (failure, group, predicted?) every method works from. A group "explains" a failure when the site
 * depends on it in an implicated role; the failure is one the group *predicts* when it is the very
 * service that role's failure breaks (a DNS fault predicts the dns probe failing; the web probe
 * failing with a DNS timeout is explained but not predicted).
 */
import type { IncidentKind } from '../model/incident.ts';
import type { RiskModel } from './risk.ts';
import { unitService } from './risk.ts';
import { implicated, kindOf, passed, serviceIndex } from './signals.ts';
import type { FailingService } from './types.ts';

export interface Round {
  model: RiskModel;
  failures: readonly FailingService[];
  /** Site index per failure; -1 for a site the model does not know, -2 for a repeat of a service already listed. */
  site: Int32Array;
  service: Uint8Array;
  kind: IncidentKind[];
  /** Entries of failure i: [start[i], start[i+1]). */
  start: Int32Array;
  group: Int32Array;
  /** Failure index of each entry. */
  owner: Int32Array;
  predicted: Uint8Array;
  /** Failing predicted services per group, whatever their signature (for hit ratios). */
  failingPredicted: Int32Array;
  /**
   * Per group, the failures that show one of its roles for the site working (`passed` in
   * signals.ts: the site's DNS answered while its web failed): services it predicts that its
   * failure would have broken another way, and did not.
   */
  contradicted: Int32Array;
  /** Groups with at least one entry. */
  touched: Int32Array;
  /** CSR group → entry indices. */
  byGroupStart: Int32Array;
  byGroup: Int32Array;
}

/** Read a round's failures against the model. */
export function readRound(model: RiskModel, failures: readonly FailingService[]): Round {
  const F = failures.length;
  const G = model.groups.length;
  const site = new Int32Array(F);
  const service = new Uint8Array(F);
  const kind: IncidentKind[] = new Array(F);
  const start = new Int32Array(F + 1);
  const seen = new Set<number>();
  let cap = F * 8 + 16;
  let group = new Int32Array(cap);
  let predicted = new Uint8Array(cap);
  let owner = new Int32Array(cap);
  let n = 0;
  const failingPredicted = new Int32Array(G);
  const contradicted = new Int32Array(G);
  const { siteStart, siteGroup, siteRole, siteMask, monitored } = model;
  for (let i = 0; i < F; i++) {
    const f = failures[i];
    start[i] = n;
    kind[i] = kindOf(f);
    const s = model.siteIndex.get(f.site) ?? -1;
    const svc = serviceIndex(f.role);
    service[i] = svc;
    if (s < 0 || seen.has(s * 3 + svc)) {
      site[i] = s < 0 ? -1 : -2;
      continue;
    }
    seen.add(s * 3 + svc);
    site[i] = s;
    const mask = implicated(f, siteMask[s]);
    const worked = passed(f, siteMask[s]);
    // A site's slots in one group are adjacent. Two of them can predict the same service (hosting
    // and DNS both predict the web when DNS is not probed): the failure counts once per group.
    let countedFor = -1;
    let entryFor = -1;
    let contradictedFor = -1;
    for (let j = siteStart[s]; j < siteStart[s + 1]; j++) {
      const r = siteRole[j];
      if ((worked >> r) & 1 && siteGroup[j] !== contradictedFor) {
        contradicted[siteGroup[j]]++;
        contradictedFor = siteGroup[j];
      }
      let pred = unitService(r, monitored) === svc;
      if (pred && siteGroup[j] !== countedFor) {
        failingPredicted[siteGroup[j]]++;
        countedFor = siteGroup[j];
      }
      if (!((mask >> r) & 1)) continue;
      if (pred && siteGroup[j] === entryFor) pred = false;
      else if (pred) entryFor = siteGroup[j];
      if (n === cap) {
        cap *= 2;
        const g2 = new Int32Array(cap);
        g2.set(group);
        group = g2;
        const p2 = new Uint8Array(cap);
        p2.set(predicted);
        predicted = p2;
        const o2 = new Int32Array(cap);
        o2.set(owner);
        owner = o2;
      }
      owner[n] = i;
      group[n] = siteGroup[j];
      predicted[n++] = pred ? 1 : 0;
    }
  }
  start[F] = n;
  const byGroupStart = new Int32Array(G + 1);
  for (let e = 0; e < n; e++) byGroupStart[group[e] + 1]++;
  const touchedList: number[] = [];
  for (let g = 0; g < G; g++) {
    if (byGroupStart[g + 1] > 0) touchedList.push(g);
    byGroupStart[g + 1] += byGroupStart[g];
  }
  const at = byGroupStart.slice(0, G);
  const byGroup = new Int32Array(n);
  for (let e = 0; e < n; e++) byGroup[at[group[e]]++] = e;
  return {
    model,
    failures,
    site,
    service,
    kind,
    start,
    group: group.subarray(0, n),
    owner: owner.subarray(0, n),
    predicted: predicted.subarray(0, n),
    failingPredicted,
    contradicted,
    touched: Int32Array.from(touchedList),
    byGroupStart,
    byGroup,
  };
}
