/**
 * A resolver that never hands the probers an address the policy refuses. Filtering at resolution,
 * on every query, is what catches a name that re-resolves to a private address after it was added
 * (DNS rebinding): the probers connect only to the addresses a resolution gave them.
 */
import type { DnsQuerier, DnsResult } from '../dns/types.ts';
import type { PolicyVerdict, TargetPolicy } from './address-policy.ts';

/** A refused answer, for logs and metrics. */
export interface RefusedResolution {
  name: string;
  refused: PolicyVerdict[];
  /** Addresses still allowed in the same answer (an answer may mix public and private ones). */
  allowed: string[];
}

/**
 * The error code a fully refused answer carries: `EPERM` is one the probers' classifier reads as
 * `probe_error` — "this probe could not be made here", which says nothing about the site's health,
 * so a refused target is never reported down (nor up).
 */
export const REFUSED_CODE = 'EPERM';

/**
 * Wrap `querier` so that A and AAAA records the policy refuses are removed from every answer. When
 * none is left, the query fails with {@link REFUSED_CODE} rather than answering "no address", so
 * the refusal is not mistaken for the site's own DNS failing.
 */
export function guardResolver(
  querier: DnsQuerier,
  policy: TargetPolicy,
  onRefused: (r: RefusedResolution) => void = () => {},
): DnsQuerier {
  return {
    async query(name, type, signal) {
      const result = await querier.query(name, type, signal);
      return guardAnswer(result, name, policy, onRefused);
    },
  };
}

/** Apply the policy to one DNS result (exported for callers holding results, not a querier). */
export function guardAnswer(
  result: DnsResult,
  name: string,
  policy: TargetPolicy,
  onRefused: (r: RefusedResolution) => void = () => {},
): DnsResult {
  if (result.kind !== 'answer') return result;
  const refused: PolicyVerdict[] = [];
  const allowed: string[] = [];
  const answers = result.answers.filter((a) => {
    if (a.type !== 'A' && a.type !== 'AAAA') return true;
    const v = policy.check(String(a.data));
    if (v.ok) allowed.push(String(a.data));
    else refused.push(v);
    return v.ok;
  });
  if (refused.length === 0) return result;
  onRefused({ name, refused, allowed });
  if (allowed.length > 0) return { ...result, answers };
  const first = refused[0];
  return {
    kind: 'error',
    code: REFUSED_CODE,
    message: `target policy refused ${name} → ${first.address}: ${first.ok ? '' : first.reason}`,
  };
}
