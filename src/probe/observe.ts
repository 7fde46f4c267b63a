/**
 * Building observations: the common fields at probe start, then what each phase adds. Shared by
 * every prober so they all fill timings, phase and signature the same way.
 */
import type { Observation, ProbeKind } from '../model/observation.ts';
import { type Failure, failureSignature, successVerdict, type Verdict } from './classify.ts';
import type { DialResult } from './dial.ts';
import { type Resolved, resolveAddresses } from './resolve.ts';
import type { ProbeContext, ProbeTarget } from './types.ts';

/** An observation being filled, and the real instant its probe began. */
export interface Pending {
  obs: Observation;
  t0: number;
}

/** Start an observation: time on the pipeline's clock and vantage. */
export function begin(target: ProbeTarget, ctx: ProbeContext, kind: ProbeKind): Pending {
  const obs: Observation = {
    site: target.site,
    vantage: ctx.vantage,
    time: ctx.clock.now(),
    kind,
    outcome: 'down',
    signature: 'ok',
    timings: { total: 0 },
    family: target.family ?? 4,
  };
  return { obs, t0: performance.now() };
}

/** Record a resolution; returns the observation finished when it failed, else null. */
export function afterDns(p: Pending, r: Resolved): Observation | null {
  p.obs.timings.dns = r.ms;
  if (r.ok) {
    p.obs.addresses = r.addresses;
    p.obs.ttl = r.ttl;
    return null;
  }
  p.obs.phase = 'dns';
  p.obs.detail = r.detail;
  return end(p, { signature: r.signature, outcome: 'down' });
}

/**
 * The address to probe: the target's first given address, else the first the resolver returns for
 * its site. A failed resolution comes back as the finished observation.
 */
export async function addressOf(
  p: Pending,
  target: ProbeTarget,
  ctx: ProbeContext,
  signal?: AbortSignal,
  name = target.site,
): Promise<string | Observation> {
  let address = target.addresses?.[0];
  if (address === undefined) {
    const r = await resolveAddresses(ctx, name, target.family ?? 4, signal);
    const failed = afterDns(p, r);
    if (failed || !r.ok) return failed!;
    address = r.addresses[0];
  }
  p.obs.address = address;
  return address;
}

/** Record a dial's timings and certificate; returns the observation finished when it failed, else null. */
export function afterDial(p: Pending, d: DialResult): Observation | null {
  const t = p.obs.timings;
  if (d.connect !== undefined) t.connect = d.connect;
  if (d.tls !== undefined) t.tls = d.tls;
  if (d.ttfb !== undefined) t.ttfb = d.ttfb;
  if (d.cert) {
    p.obs.issuer = d.cert.issuer;
    p.obs.certExpiry = d.cert.expires;
  }
  return d.failure ? failed(p, d.failure) : null;
}

/** Finish with the signature of a failed phase. */
export function failed(p: Pending, f: Failure): Observation {
  p.obs.phase = f.phase;
  p.obs.detail = f.code;
  return end(p, { signature: failureSignature(f), outcome: 'down' });
}

/** Finish a success, `slow` beyond the threshold (applied to the clock's time). */
export function succeeded(p: Pending, ctx: ProbeContext): Observation {
  const clockMs = (performance.now() - p.t0) * ctx.clock.speed;
  return end(p, successVerdict(clockMs, ctx.slowMs));
}

/** Elapsed real milliseconds since the probe began, on the pipeline's clock. */
export function clockElapsed(p: Pending, ctx: ProbeContext): number {
  return (performance.now() - p.t0) * ctx.clock.speed;
}

/** Apply a verdict and stamp the total. */
export function end(p: Pending, v: Verdict): Observation {
  const o = p.obs;
  o.signature = v.signature;
  o.outcome = v.outcome;
  if (v.cdn !== undefined) o.cdn = v.cdn;
  if (v.meaning !== undefined) o.meaning = v.meaning;
  if (v.queue !== undefined) o.queue = v.queue;
  if (v.detail !== undefined) o.detail = v.detail;
  o.timings.total = performance.now() - p.t0;
  return o;
}
