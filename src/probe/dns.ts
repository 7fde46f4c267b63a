/**
 * The DNS prober: the site's addresses through the configured resolver, as the vantage sees them.
 * NXDOMAIN, SERVFAIL and silence are signatures; a slow answer is `slow`.
 */
import { afterDns, begin, succeeded } from './observe.ts';
import { resolveAddresses } from './resolve.ts';
import type { Prober } from './types.ts';

export const probeDns: Prober = async (target, ctx, signal) => {
  const p = begin(target, ctx, 'dns');
  const r = await resolveAddresses(ctx, target.site, target.family ?? 4, signal);
  const failed = afterDns(p, r);
  if (failed || !r.ok) return failed!;
  p.obs.address = r.addresses[0];
  p.obs.phase = 'dns';
  return succeeded(p, ctx);
};
