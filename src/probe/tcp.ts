/** The TCP prober: resolve (unless given addresses), then open a connection and close it. */
import { dial } from './dial.ts';
import { addressOf, afterDial, begin, succeeded } from './observe.ts';
import type { Prober } from './types.ts';

export const probeTcp: Prober = async (target, ctx, signal) => {
  const p = begin(target, ctx, 'tcp');
  const address = await addressOf(p, target, ctx, signal);
  if (typeof address !== 'string') return address;
  const d = await dial(
    {
      address,
      port: target.port ?? ctx.ports.http,
      localAddress: ctx.localAddress,
      timeouts: ctx.timeouts,
    },
    signal,
  );
  p.obs.phase = 'connect';
  return afterDial(p, d) ?? succeeded(p, ctx);
};
