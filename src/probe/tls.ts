/**
 * The TLS prober: resolve (unless given addresses), connect, handshake with the site as server
 * name, and judge the certificate: valid, expired (`tls_expired`), or otherwise refused
 * (`tls_error`) — recording its issuer and expiry either way.
 */
import { dial } from './dial.ts';
import { addressOf, afterDial, begin, succeeded } from './observe.ts';
import type { Prober } from './types.ts';

export const probeTls: Prober = async (target, ctx, signal) => {
  const p = begin(target, ctx, 'tls');
  const address = await addressOf(p, target, ctx, signal);
  if (typeof address !== 'string') return address;
  const d = await dial(
    {
      address,
      port: target.port ?? ctx.ports.https,
      localAddress: ctx.localAddress,
      tls: { servername: target.site, secureContext: ctx.secureContext, wantCert: true },
      timeouts: ctx.timeouts,
    },
    signal,
  );
  p.obs.phase = 'tls';
  return afterDial(p, d) ?? succeeded(p, ctx);
};
