/**
 * Reads the dashboard needs beyond the status API: the server's clock (simulated in a replay, so the
 * browser's own clock cannot say "down for 12 minutes"), one site's recent probes with their phase
 * timings, and a component's history (per-minute rollups of the probes of the sites depending on it).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { publicErrors, ref } from '../schemas.ts';

const timings = {
  type: 'object',
  properties: {
    dns: { type: 'number' },
    connect: { type: 'number' },
    tls: { type: 'number' },
    ttfb: { type: 'number' },
    total: { type: 'number' },
  },
} as const;

export const dashboardRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  app.get(
    '/api/time',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'The pipeline’s clock (simulated during a replay) and the page’s name and time zone',
        tags: ['meta'],
        response: {
          200: {
            type: 'object',
            properties: {
              now: { type: 'integer' },
              name: { type: 'string' },
              timeZone: { type: 'string' },
              updatedAt: { type: 'integer' },
            },
          },
        },
      },
    },
    async () => ({
      now: Math.round(ctx.clock.now()),
      name: ctx.page.name,
      timeZone: ctx.page.timeZone,
      updatedAt: Math.round(ctx.source.updatedAt()),
    }),
  );

  app.get<{ Querystring: { component: string; since?: number } }>(
    '/api/history',
    {
      schema: {
        summary: 'A component’s history: per minute, probes of its dependent sites and how many failed',
        tags: ['components'],
        querystring: {
          type: 'object',
          required: ['component'],
          additionalProperties: false,
          properties: {
            component: { type: 'string', minLength: 1, maxLength: 300 },
            since: { type: 'integer', minimum: 0, description: 'Clock ms (default: the last 24 hours)' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              component: { type: 'string' },
              minutes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    minute: { type: 'integer' },
                    count: { type: 'integer' },
                    failures: { type: 'integer' },
                    degraded: { type: 'integer' },
                  },
                },
              },
            },
          },
          404: ref('Error'),
          ...publicErrors,
        },
      },
    },
    async (req) => {
      const id = req.query.component;
      if (!ctx.source.component(id)) throw new ApiError('VIGIE_NOT_FOUND', `no component ${id}`);
      const now = ctx.clock.now();
      const rows = await ctx.store.rollups({
        component: id,
        from: req.query.since ?? now - 24 * 3_600_000,
        to: now + 60_000,
      });
      return {
        component: id,
        minutes: rows.map((r) => ({
          minute: r.minute,
          count: r.count,
          failures: r.failures,
          degraded: r.degraded,
        })),
      };
    },
  );

  app.get<{ Params: { domain: string }; Querystring: { since?: number; limit: number } }>(
    '/api/sites/:domain/observations',
    {
      schema: {
        summary: 'One site’s recent probes (raw window): outcome, signature, failing phase, phase timings',
        tags: ['sites'],
        params: { type: 'object', properties: { domain: { type: 'string', maxLength: 253 } } },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            since: { type: 'integer', minimum: 0, description: 'Clock ms (default: the last 3 hours)' },
            limit: { type: 'integer', minimum: 1, maximum: 5000, default: 1000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              site: { type: 'string' },
              observations: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    time: { type: 'integer' },
                    vantage: { type: 'string' },
                    kind: { type: 'string' },
                    outcome: { type: 'string' },
                    signature: { type: 'string' },
                    phase: { type: 'string' },
                    status: { type: 'integer' },
                    speed: { type: 'number' },
                    timings,
                  },
                },
              },
            },
          },
          404: ref('Error'),
          ...publicErrors,
        },
      },
    },
    async (req) => {
      const domain = req.params.domain.toLowerCase();
      if (!ctx.source.site(domain)) throw new ApiError('VIGIE_NOT_FOUND', `no site ${domain}`);
      const now = ctx.clock.now();
      const from = req.query.since ?? now - 3 * 3_600_000;
      // The store answers oldest first: read a window and keep its newest `limit` rows.
      const rows = await ctx.store.observations({ site: domain, from, to: now + 1, limit: 20_000 });
      return { site: domain, observations: rows.slice(-req.query.limit) };
    },
  );
};
