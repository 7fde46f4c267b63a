/**
 * The SMTP prober: the site's mail exchanger (MX, lowest preference; the domain itself when it has
 * none, as RFC 5321 §5.1 says), its address, a connection to the SMTP port, and the banner. A 220
 * is up; a 4xx/5xx banner, silence (`read_timeout`) or a connection failure is the signature.
 */
import { classifySmtp, dnsFailure } from './classify.ts';
import { dial } from './dial.ts';
import { addressOf, afterDial, begin, clockElapsed, end } from './observe.ts';
import { SmtpReader } from './readers.ts';
import { resolveRecords } from './resolve.ts';
import type { Prober } from './types.ts';

/** Said after the banner: the server answers 221 and closes first, as a polite client expects. */
const QUIT = Buffer.from('QUIT\r\n');

export const probeSmtp: Prober = async (target, ctx, signal) => {
  const p = begin(target, ctx, 'smtp');
  let host = target.site;
  if (!target.addresses?.length) {
    const { result, ms } = await resolveRecords(ctx, target.site, 'MX', signal);
    p.obs.timings.dns = ms;
    const mx =
      result.kind === 'answer'
        ? result.answers
            .filter((a) => a.type === 'MX')
            .map((a) => a.data as { preference: number; exchange: string })
            .sort((a, b) => a.preference - b.preference)
        : [];
    // NOERROR without MX falls back to the domain itself; anything else is a DNS failure.
    const failed = dnsFailure(result, result.kind === 'answer' && result.rcode === 'NOERROR' ? 1 : 0);
    if (failed) {
      p.obs.phase = 'dns';
      p.obs.detail = `MX: ${failed.detail}`;
      return end(p, { signature: failed.signature, outcome: 'down' });
    }
    if (mx.length > 0) host = mx[0].exchange;
  }
  const dnsMs = p.obs.timings.dns ?? 0;
  const address = await addressOf(p, target, ctx, signal, host);
  if (typeof address !== 'string') {
    p.obs.timings.dns = dnsMs + (p.obs.timings.dns ?? 0);
    p.obs.detail = `${host}: ${p.obs.detail}`;
    return address;
  }
  if (p.obs.timings.dns !== undefined) p.obs.timings.dns += dnsMs;
  const reader = new SmtpReader();
  const d = await dial(
    {
      address,
      port: target.port ?? ctx.ports.smtp,
      localAddress: ctx.localAddress,
      reader,
      farewell: QUIT,
      timeouts: ctx.timeouts,
    },
    signal,
  );
  const failed = afterDial(p, d);
  if (failed) {
    failed.detail = `${host}: ${failed.detail}`;
    return failed;
  }
  p.obs.phase = 'response';
  p.obs.status = reader.code;
  const v = classifySmtp(reader.code, clockElapsed(p, ctx), ctx.slowMs);
  return end(p, { ...v, detail: v.detail ?? `${host}: ${reader.line.slice(0, 200)}` });
};
