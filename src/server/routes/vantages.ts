/**
 * Vantages: every vantage point with its state (healthy, degraded, gone), last heartbeat and probe
 * rate; the sites as one vantage sees them; one site as every vantage sees it; the sites failing
 * from some vantages only (path problems).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { pageQuery, publicErrors, ref } from '../schemas.ts';

const results = { type: 'array', items: ref('VantageResult') } as const;
const outcome = { type: 'string', enum: ['up', 'degraded', 'down'] } as const;
/** A site failing from some healthy vantages only (src/detect/consensus.ts). */
const pathProblem = {
  type: 'object',
  properties: {
    site: { type: 'string' },
    failingFrom: {
      type: 'array',
      items: { type: 'string' },
      description: 'Healthy vantages that see it failing',
    },
    okFrom: { type: 'array', items: { type: 'string' }, description: 'Healthy vantages that see it working' },
    signature: { type: 'string' },
    since: { type: 'number', description: 'Clock time (ms) of the first failure of the views now failing' },
  },
} as const;

export const vantageRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  app.get(
    '/api/vantages',
    {
      schema: {
        summary: 'Vigie’s vantage points: state (healthy, degraded, gone), last heartbeat, probes per second',
        tags: ['vantages'],
        response: {
          200: {
            type: 'object',
            properties: { vantages: { type: 'array', items: ref('VantageSummary') } },
          },
          ...publicErrors,
        },
      },
    },
    async () => ({ vantages: ctx.source.vantages() }),
  );

  app.get<{
    Params: { vantage: string };
    Querystring: { state?: 'up' | 'degraded' | 'down'; q?: string; offset: number; limit: number };
  }>(
    '/api/vantages/:vantage',
    {
      schema: {
        summary: 'One vantage, and each site’s latest results from it (failing sites first)',
        tags: ['vantages'],
        params: {
          type: 'object',
          properties: { vantage: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { state: outcome, q: { type: 'string', maxLength: 253 }, ...pageQuery },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              vantage: ref('VantageSummary'),
              total: { type: 'integer' },
              sites: {
                type: 'array',
                items: { type: 'object', properties: { site: { type: 'string' }, state: outcome, results } },
              },
            },
          },
          404: ref('Error'),
          ...publicErrors,
        },
      },
    },
    async (req) => {
      const name = req.params.vantage;
      const vantage = ctx.source.vantages().find((v) => v.vantage === name);
      const page = vantage ? ctx.source.vantageSites(name, req.query) : null;
      if (!vantage || !page) throw new ApiError('VIGIE_NOT_FOUND', `no vantage ${name}`);
      return { vantage, total: page.total, sites: page.items };
    },
  );

  app.get(
    '/api/paths',
    {
      schema: {
        summary:
          'Sites failing from some healthy vantages but fewer than a quorum: path or regional problems, not outages',
        tags: ['vantages'],
        response: {
          200: { type: 'object', properties: { paths: { type: 'array', items: pathProblem } } },
          ...publicErrors,
        },
      },
    },
    async () => ({ paths: ctx.source.paths() }),
  );

  app.get<{ Params: { domain: string } }>(
    '/api/sites/:domain/vantages',
    {
      schema: {
        summary: 'One site as each vantage sees it: its latest result per service from every vantage',
        tags: ['sites', 'vantages'],
        params: { type: 'object', properties: { domain: { type: 'string', maxLength: 253 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              site: { type: 'string' },
              path: {
                description:
                  'Set while the site fails from some healthy vantages but fewer than a quorum: a path or regional problem, not an outage',
                anyOf: [pathProblem, { type: 'null' }],
              },
              vantages: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    vantage: { type: 'string' },
                    state: { type: 'string', enum: ['healthy', 'degraded', 'gone'] },
                    healthy: { type: 'boolean' },
                    failing: { type: 'boolean' },
                    confirmedFailure: {
                      type: 'boolean',
                      description: 'This vantage agreed on the site’s latest confirmed failure',
                    },
                    results,
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
      const known = new Map(ctx.source.vantages().map((v) => [v.vantage, v]));
      return {
        site: domain,
        path: ctx.source.paths(domain)[0] ?? null,
        vantages: ctx.source.siteVantages(domain).map((r) => {
          const v = known.get(r.vantage);
          return { ...r, state: v?.state ?? 'healthy', healthy: v?.healthy ?? true };
        }),
      };
    },
  );
};
