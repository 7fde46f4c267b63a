/**
 * Crowd reports: `POST /api/v1/reports` (public, the "report a problem" button), the current spikes and
 * one site's report curve and level. Reports for sites Vigie does not watch are refused (404
 * VIGIE_NOT_FOUND) and nothing is kept about them. A counted report answers 202; one not counted again
 * (same reporter, or too many from its network, within the window) answers 200 `duplicate`; a reporter
 * or network over its budget answers 429 with `retry-after`. This route has its own limits (per
 * reporter and per /24 or /48 network) instead of the app-wide per-address limit.
 */
import type { FastifyPluginAsync } from 'fastify';
import { checkHost } from '../../net/address-policy.ts';
import type { ReportService } from '../../reports/service.ts';
import { PROBLEMS, type ReportInput } from '../../reports/types.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { publicErrors, ref } from '../schemas.ts';

export interface ReportRouteOptions {
  ctx: ServerContext;
  reports: ReportService;
}

const level = { type: 'string', enum: ['none', 'moderate', 'strong'] } as const;
const spike = {
  type: 'object',
  properties: {
    level,
    count: { type: 'integer' },
    expected: { type: 'number' },
    p: { type: 'number' },
    from: { type: 'integer' },
    to: { type: 'integer' },
  },
} as const;
const curve = {
  type: 'object',
  properties: {
    from: { type: 'integer' },
    stepMs: { type: 'integer' },
    counts: { type: 'array', items: { type: 'integer' } },
    total: { type: 'integer' },
    peakAt: { type: ['integer', 'null'] },
    peak: { type: 'integer' },
    problems: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;
const domainParams = {
  type: 'object',
  properties: { domain: { type: 'string', minLength: 1, maxLength: 253 } },
} as const;

export const reportRoutes: FastifyPluginAsync<ReportRouteOptions> = async (app, { ctx, reports }) => {
  app.post<{ Body: ReportInput }>(
    '/api/v1/reports',
    {
      config: { rateLimit: false },
      // A domain, a problem, a vantage name and a country code.
      bodyLimit: 2048,
      schema: {
        summary: 'Report a problem with a watched site (counted once per reporter per site per 15 min)',
        tags: ['reports'],
        body: {
          type: 'object',
          required: ['domain', 'problem'],
          additionalProperties: false,
          properties: {
            domain: { type: 'string', minLength: 1, maxLength: 253 },
            problem: { type: 'string', enum: [...PROBLEMS] },
            vantage: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[\\p{L}\\p{N} ._,-]+$' },
            country: { type: 'string', pattern: '^[A-Za-z]{2}$' },
          },
        },
        response: {
          202: { type: 'object', properties: { status: { type: 'string', enum: ['accepted'] } } },
          200: {
            type: 'object',
            properties: {
              status: { type: 'string', enum: ['duplicate'] },
              reason: { type: 'string', enum: ['reporter', 'network'] },
            },
          },
          404: ref('Error'),
          ...publicErrors,
        },
      },
    },
    async (req, reply) => {
      const domain = watchedName(req.body.domain, ctx);
      const input = { ...req.body, domain };
      const r = reports.submit(input, { address: req.ip, userAgent: req.headers['user-agent'] ?? '' });
      switch (r.status) {
        case 'accepted':
          reply.code(202);
          return r;
        case 'duplicate':
          return r;
        case 'unknown_site':
          throw new ApiError('VIGIE_NOT_FOUND', `${domain} is not a watched site`);
        case 'rate_limited':
          reply.header('retry-after', String(Math.max(1, Math.ceil(r.retryAfterMs / 1000))));
          throw new ApiError('VIGIE_RATE_LIMITED', `too many reports from this ${r.scope}`, {
            scope: r.scope,
          });
      }
    },
  );

  app.get(
    '/api/reports',
    {
      schema: {
        summary: 'Sites whose crowd reports are at a spike level now, strongest first',
        tags: ['reports'],
        response: {
          200: {
            type: 'object',
            properties: {
              spikes: {
                type: 'array',
                items: { type: 'object', properties: { domain: { type: 'string' }, spike } },
              },
            },
          },
          ...publicErrors,
        },
      },
    },
    async () => ({ spikes: reports.spikes() }),
  );

  app.get<{ Params: { domain: string }; Querystring: { minutes: number } }>(
    '/api/reports/:domain',
    {
      schema: {
        summary: "One site's crowd reports: level now, and reports per minute with the peak",
        tags: ['reports'],
        params: domainParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { minutes: { type: 'integer', minimum: 1, maximum: 10_080, default: 120 } },
        },
        response: {
          200: { type: 'object', properties: { domain: { type: 'string' }, spike, curve } },
          404: ref('Error'),
          ...publicErrors,
        },
      },
    },
    async (req) => {
      const domain = req.params.domain.toLowerCase().replace(/\.$/, '');
      if (!ctx.source.site(domain)) throw new ApiError('VIGIE_NOT_FOUND', `no site ${domain}`);
      const now = ctx.clock.now();
      const to = Math.ceil((now + 1) / 60_000) * 60_000;
      return {
        domain,
        spike: reports.spike(domain),
        curve: reports.curve(domain, to - req.query.minutes * 60_000, to),
      };
    },
  );
};

/** A syntactically valid domain name (not an address), normalised. */
function watchedName(input: string, ctx: ServerContext): string {
  const v = checkHost(input, ctx.policy);
  if (v.kind === 'invalid') throw new ApiError('VIGIE_INVALID_DOMAIN', `domain: ${v.reason}`);
  if (v.kind === 'address')
    throw new ApiError('VIGIE_INVALID_DOMAIN', 'domain: a domain name, not an address');
  return v.host;
}
