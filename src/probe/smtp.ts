/**
 * The SMTP prober: the site's mail exchanger (MX, lowest preference; the domain itself when it has
 * none, as RFC 5321 §5.1 says), its address, a connection to the SMTP port, the banner, then the
 * dialogue up to the domain's postmaster as recipient ({@link SmtpDialogue}; no message is sent).
 * A 220 banner and an accepted recipient are up. A 4xx/5xx banner, silence (`read_timeout`) at any
 * step, a connection failure, or a temporary refusal of the recipient (4xx: the host's trouble with
 * this domain — or greylisting, which a steady refusal from the first probe shows) is the
 * signature; 421 at any step is an overloaded host (degraded). A permanent refusal of the null
 * sender or the recipient (5xx) is a policy, not an outage: the host answered.
 */
import { classifySmtp, dnsFailure } from './classify.ts';
import { dial } from './dial.ts';
import { addressOf, afterDial, begin, clockElapsed, end } from './observe.ts';
import { SmtpDialogue } from './readers.ts';
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
  const reader = new SmtpDialogue(target.site);
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
    const at =
      reader.banner === 220
        ? ` after ${reader.step === 'banner' ? 'the banner' : reader.step.toUpperCase()}`
        : '';
    failed.detail = `${host}: ${failed.detail}${at}`;
    return failed;
  }
  p.obs.phase = 'response';
  // The status is the banner's, or the reply that failed the dialogue.
  p.obs.status = reader.banner;
  const elapsed = clockElapsed(p, ctx);
  if (reader.banner === 220 && reader.code >= 400 && reader.code < 500) p.obs.status = reader.code;
  if (reader.banner !== 220 || reader.code === 421) {
    const v = classifySmtp(reader.banner !== 220 ? reader.banner : 421, elapsed, ctx.slowMs);
    return end(p, {
      ...v,
      detail: v.detail ?? `${host}: ${(reader.banner !== 220 ? reader.line : reader.reply).slice(0, 200)}`,
    });
  }
  if (reader.step === 'rcpt' && reader.code >= 400 && reader.code < 500) {
    return end(p, {
      signature: 'smtp_4xx',
      outcome: 'degraded',
      detail: `${host}: RCPT postmaster@${target.site}: ${reader.reply.slice(0, 200)}`,
    });
  }
  const v = classifySmtp(220, elapsed, ctx.slowMs);
  const refused =
    reader.code >= 500
      ? ` (${reader.step.toUpperCase()} refused by policy: ${reader.reply.slice(0, 120)})`
      : '';
  return end(p, { ...v, detail: v.detail ?? `${host}: ${reader.line.slice(0, 200)}${refused}` });
};
