/**
 * Resolution through the configured resolver, as a probe phase: addresses, or the DNS signature of
 * why there are none. Bounded by the DNS timeout and the caller's signal.
 */
import type { RecordType } from 'dns-packet';
import type { DnsResult } from '../dns/types.ts';
import type { Signature } from '../model/observation.ts';
import { dnsFailure } from './classify.ts';
import type { ProbeContext } from './types.ts';

export type Resolved =
  | { ok: true; addresses: string[]; ttl: number; ms: number }
  | { ok: false; signature: Signature; detail: string; ms: number };

/** Query `type` records of `name`; keep the records of that type (the CNAME chain is followed by the resolver). */
export async function resolveRecords(
  ctx: ProbeContext,
  name: string,
  type: RecordType,
  signal?: AbortSignal,
): Promise<{ result: DnsResult; ms: number }> {
  const t0 = performance.now();
  // The resolver client is told when this phase gives up, so a query still queued for a slot is
  // never sent: under load, abandoned queries must not take the slots of live ones.
  const giveUp = new AbortController();
  const result = await bounded(ctx.resolver.query(name, type, giveUp.signal), ctx.timeouts.dns, signal);
  if (result.kind === 'timeout') giveUp.abort();
  return { result, ms: performance.now() - t0 };
}

/** The A (family 4) or AAAA (family 6) addresses of `name`. */
export async function resolveAddresses(
  ctx: ProbeContext,
  name: string,
  family: 4 | 6,
  signal?: AbortSignal,
): Promise<Resolved> {
  const type = family === 6 ? 'AAAA' : 'A';
  const { result, ms } = await resolveRecords(ctx, name, type, signal);
  const addresses: string[] = [];
  let ttl = Number.POSITIVE_INFINITY;
  if (result.kind === 'answer')
    for (const a of result.answers)
      if (a.type === type) {
        addresses.push(a.data as string);
        ttl = Math.min(ttl, a.ttl ?? 0);
      }
  const failed = dnsFailure(result, addresses.length);
  if (failed) return { ok: false, ...failed, ms };
  return { ok: true, addresses, ttl, ms };
}

/** `p`, or a timeout result when `ms` pass or `signal` aborts first. */
function bounded(p: Promise<DnsResult>, ms: number, signal?: AbortSignal): Promise<DnsResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const expire = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', expire);
      resolve({ kind: 'timeout', ms: Math.round(performance.now() - t0) });
    };
    const timer = setTimeout(expire, ms);
    if (signal?.aborted) return expire();
    signal?.addEventListener('abort', expire, { once: true });
    p.then((r) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', expire);
      resolve(r);
    });
  });
}
