/**
 * The probers, one per protocol, looked up by kind from one record: a new ProbeKind without a
 * prober does not type-check. {@link probe} is the one entry point a scheduler needs.
 */
import type { Observation, ProbeKind } from '../model/observation.ts';
import { probeDns } from './dns.ts';
import { probeHttp } from './http.ts';
import { begin, end } from './observe.ts';
import { probeSmtp } from './smtp.ts';
import { probeTcp } from './tcp.ts';
import { probeTls } from './tls.ts';
import type { ProbeContext, Prober, ProbeTarget } from './types.ts';

export { classifyHttp, classifySmtp, dnsFailure, failureSignature } from './classify.ts';
export type { OwnedProbeContext, ProbeContextOptions } from './context.ts';
export { createProbeContext, DEFAULT_PORTS, DEFAULT_SLOW_MS, DEFAULT_TIMEOUTS } from './context.ts';
export type { ProbeContext, ProbePorts, Prober, ProbeTarget, ProbeTimeouts } from './types.ts';

/** Every prober, by the kind of probe it makes. */
export const probers: Record<ProbeKind, Prober> = {
  dns: probeDns,
  tcp: probeTcp,
  tls: probeTls,
  http: probeHttp,
  smtp: probeSmtp,
};

/**
 * Probe `target` with the prober of its kind. Never rejects: a prober's own bug surfaces as a
 * `probe_error` observation (about the vantage, not the site) rather than a lost probe.
 */
export async function probe(
  target: ProbeTarget,
  ctx: ProbeContext,
  signal?: AbortSignal,
): Promise<Observation> {
  try {
    return await probers[target.kind](target, ctx, signal);
  } catch (err) {
    const p = begin(target, ctx, target.kind);
    return end(p, {
      signature: 'probe_error',
      outcome: 'down',
      detail: String((err as Error)?.message ?? err),
    });
  }
}
