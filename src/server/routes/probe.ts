/**
 * `GET /probe?target=…&module=…`: blackbox_exporter's endpoint, answered by Vigie's probers (see
 * `metrics/blackbox.ts` for the modules). Probing a target someone names is an amplification and
 * SSRF risk, so unlike blackbox the endpoint needs the API token (Prometheus: `authorization:
 * {credentials_file: …}` in the scrape config), applies the server's target policy to the target and
 * to every address it resolves to, is rate limited per client address and bounded in probes in
 * flight, and honours Prometheus's scrape timeout.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import { guardResolver } from '../../net/guard-resolver.ts';
import { probe } from '../../probe/index.ts';
import type { ProbeContext } from '../../probe/types.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { blackboxMetrics, MODULES, type Module, probeTargetFor, TargetError } from '../metrics/blackbox.ts';
import { publicErrors, ref, writeErrors } from '../schemas.ts';

export interface ProbeEndpointOptions {
  /** The context probes are made from (one vantage's); null while there is none (between replays). */
  context: () => ProbeContext | null;
  /** Probes per client address per minute (default 30). */
  perMinute?: number;
  /** Probes in flight at once, every client together (default 8). */
  concurrency?: number;
}

/**
 * The probe context `/probe` uses, for a server whose prober changes while it serves (`vigie demo`:
 * one pipeline per replay): `set` it when a pipeline starts, call what `set` returned when it stops.
 */
export class ProbeContextSlot {
  private current: ProbeContext | null = null;

  /** Pass as {@link ProbeEndpointOptions.context}. */
  readonly get = (): ProbeContext | null => this.current;

  set(ctx: ProbeContext): () => void {
    this.current = ctx;
    return () => {
      if (this.current === ctx) this.current = null;
    };
  }
}

/** Deadline of a probe when Prometheus does not say (blackbox's default scrape timeout is 10 s). */
const DEFAULT_TIMEOUT_S = 10;
const MAX_TIMEOUT_S = 30;
/** Kept for the answer, as blackbox's `timeout_offset`. */
const OFFSET_S = 0.5;

export const probeRoutes: FastifyPluginAsync<{
  ctx: ServerContext;
  options: ProbeEndpointOptions | null;
}> = async (app, { ctx, options }) => {
  const perMinute = options?.perMinute ?? 30;
  const concurrency = options?.concurrency ?? 8;
  // Rate limited even when the server's global limit is off (`vigie demo`): a limiter of our own.
  if (!app.hasDecorator('rateLimit')) await app.register(rateLimit, { global: false });
  let inflight = 0;

  app.get<{ Querystring: { target: string; module: Module } }>(
    '/probe',
    {
      onRequest: ctx.requireToken,
      config: { rateLimit: { max: perMinute, timeWindow: 60_000 } },
      schema: {
        summary: 'blackbox_exporter-compatible probe of one target (token required)',
        description:
          'Modules: http_2xx, https_2xx (http(s)://HOST[:PORT]/ or HOST[:PORT]), tcp_connect (HOST:PORT), ' +
          'tls_connect (HOST[:PORT]), dns (NAME), smtp_banner (DOMAIN or ADDRESS[:PORT]). Answers blackbox’s ' +
          'metric names (probe_success, probe_duration_seconds, probe_http_status_code, ' +
          'probe_dns_lookup_time_seconds, probe_http_duration_seconds{phase}…) and vigie_probe_signature.',
        tags: ['metrics'],
        security: [{ bearer: [] }],
        produces: ['text/plain'],
        querystring: {
          type: 'object',
          required: ['target'],
          additionalProperties: false,
          properties: {
            target: { type: 'string', minLength: 1, maxLength: 300 },
            module: { type: 'string', enum: [...MODULES], default: 'http_2xx' },
          },
        },
        response: { 200: { type: 'string' }, 503: ref('Error'), ...publicErrors, ...writeErrors },
      },
    },
    async (req, reply) => {
      const base = options?.context() ?? null;
      if (!base) throw new ApiError('VIGIE_NOT_READY', 'no prober is running on this server');
      let target: ReturnType<typeof probeTargetFor>;
      try {
        target = probeTargetFor(req.query.module, req.query.target, ctx.policy);
      } catch (e) {
        if (e instanceof TargetError) throw new ApiError(e.code, e.message);
        throw e;
      }
      if (inflight >= concurrency)
        throw new ApiError(
          'VIGIE_RATE_LIMITED',
          `${concurrency} probes already in flight; try again shortly`,
        );
      const header = Number(req.headers['x-prometheus-scrape-timeout-seconds']);
      const seconds =
        Number.isFinite(header) && header > 0 ? Math.min(header, MAX_TIMEOUT_S) : DEFAULT_TIMEOUT_S;
      const deadlineMs = Math.max(500, (seconds - OFFSET_S) * 1000);
      // Every resolution goes through the policy: a name that resolves to a refused address is not probed.
      let refused: string | null = null;
      const probeCtx: ProbeContext = {
        ...base,
        resolver: guardResolver(base.resolver, ctx.policy, (r) => {
          ctx.metrics?.refused();
          if (r.allowed.length === 0) {
            const first = r.refused[0];
            refused = `${r.name} → ${first.address}${first.ok ? '' : ` (${first.reason})`}`;
          }
        }),
        timeouts: {
          dns: Math.min(base.timeouts.dns, deadlineMs),
          connect: Math.min(base.timeouts.connect, deadlineMs),
          tls: Math.min(base.timeouts.tls, deadlineMs),
          response: Math.min(base.timeouts.response, deadlineMs),
        },
      };
      inflight++;
      let observation: Awaited<ReturnType<typeof probe>>;
      try {
        observation = await probe(target, probeCtx, AbortSignal.timeout(deadlineMs));
      } finally {
        inflight--;
      }
      if (refused && observation.signature === 'probe_error')
        throw new ApiError('VIGIE_TARGET_REFUSED', `refused by the server's target policy: ${refused}`);
      const { type, body } = await blackboxMetrics(req.query.module, observation);
      reply.type(type);
      return body;
    },
  );
};
