/**
 * Turning a chosen risk group and the failures it explains into the model's {@link Cause} and an
 * {@link InferredCause}: the granularity the evaluation contract asks for, the dominant signature and
 * kind, a confidence.
 */
import type { Cause, IncidentKind } from '../model/incident.ts';
import type { Signature } from '../model/observation.ts';
import type { RiskModel } from './risk.ts';
import type { Round } from './round.ts';
import { dominantKind, HOSTING, SLOT } from './signals.ts';
import type { InferredCause, LoneFailure } from './types.ts';

/** The provider hosting every site of a group, or null when they differ (a hidden device's owner). */
export function commonHostingProvider(model: RiskModel, g: number): string | null {
  let found: string | null = null;
  let lastSite = -1;
  for (let i = model.groupStart[g]; i < model.groupStart[g + 1]; i++) {
    const s = (model.groupSlots[i] / SLOT) | 0;
    if (s === lastSite) continue;
    lastSite = s;
    let p: string | null = null;
    for (let j = model.siteStart[s]; j < model.siteStart[s + 1]; j++) {
      const o = model.groups[model.siteGroup[j]];
      if (o.kind === 'provider' && model.siteRole[j] === HOSTING) p = o.provider;
    }
    if (p === null || (found !== null && p !== found)) return null;
    found = p;
  }
  return found;
}

/** The cause a group stands for, at its own granularity. */
export function causeOf(model: RiskModel, g: number): Cause {
  const x = model.groups[g];
  const base: Cause = {
    provider: x.provider,
    asn: x.asn,
    name: x.name,
    region: null,
    plan: null,
    role: null,
    component: null,
  };
  switch (x.kind) {
    case 'provider':
      return base;
    case 'role':
      return { ...base, role: x.role };
    case 'region':
      return { ...base, region: x.region };
    case 'plan':
      return { ...base, plan: x.plan };
    case 'segment':
      return { ...base, plan: 'shared', component: x.component };
    default: {
      const owner = commonHostingProvider(model, g);
      const og = owner === null ? undefined : model.groupIndex.get(`provider:${owner}`);
      const o = og === undefined ? null : model.groups[og];
      return {
        ...base,
        provider: owner ?? x.provider,
        asn: x.asn ?? o?.asn ?? null,
        name: x.name ?? o?.name ?? null,
        component: x.component,
      };
    }
  }
}

function dominant<T>(counts: Map<T, number>): T | undefined {
  let best: T | undefined;
  let n = -1;
  for (const [k, c] of counts) {
    if (c > n) {
      best = k;
      n = c;
    }
  }
  return best;
}

function tally(
  round: Round,
  failures: number[],
): { kind: Map<IncidentKind, number>; sig: Map<Signature, number> } {
  const kind = new Map<IncidentKind, number>();
  const sig = new Map<Signature, number>();
  for (const i of failures) {
    kind.set(round.kind[i], (kind.get(round.kind[i]) ?? 0) + 1);
    const s = round.failures[i].signature;
    sig.set(s, (sig.get(s) ?? 0) + 1);
  }
  return { kind, sig };
}

/** Assemble an {@link InferredCause}. `gain` is net of the prior cost; confidence grows with it. */
export function inferred(
  round: Round,
  g: number,
  failures: number[],
  gain: number,
  failing: number,
  total: number,
): InferredCause {
  const model = round.model;
  const cause = causeOf(model, g);
  const t = tally(round, failures);
  const sites = [...new Set(failures.map((i) => model.sites[round.site[i]]))];
  const kind =
    cause.role === 'mail' ? 'mail' : dominantKind(t.kind, cause.role === null && cause.component === null);
  // Odds of the cause against noise alone, tempered: the model's independence assumptions overstate them.
  const confidence = Math.min(0.999, Math.max(0.5, 1 / (1 + Math.exp(-gain / 4))));
  return {
    group: g,
    key: model.groups[g].key,
    cause,
    kind,
    signature: dominant(t.sig) ?? 'connect_timeout',
    failures,
    sites,
    failing,
    total,
    gain,
    confidence: Math.round(confidence * 1000) / 1000,
  };
}

/** Failures no cause explains, one entry per site. */
export function loneFailures(round: Round, explained: Int32Array): LoneFailure[] {
  const bySite = new Map<string, number[]>();
  for (let i = 0; i < round.failures.length; i++) {
    if (explained[i] >= 0 || round.site[i] === -2) continue;
    const site = round.failures[i].site;
    const list = bySite.get(site);
    if (list) list.push(i);
    else bySite.set(site, [i]);
  }
  return [...bySite].map(([site, failures]) => {
    const t = tally(round, failures);
    return {
      site,
      failures,
      kind: dominant(t.kind) ?? 'network',
      signature: dominant(t.sig) ?? 'connect_timeout',
    };
  });
}
