/** Components and providers with state and exonerations; what-if (blast radius); concentration. */
import type { FastifyPluginAsync } from 'fastify';
import { concentration, whatIf } from '../../explain/whatif.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { publicErrors, ref } from '../schemas.ts';
import type { ComponentState } from '../status/types.ts';

const componentState = {
  type: 'string',
  enum: ['operational', 'degraded_performance', 'partial_outage', 'major_outage'],
} as const;
const componentKind = {
  type: 'string',
  enum: ['provider', 'region', 'network', 'cdn', 'dns', 'mail', 'segment', 'platform', 'hidden'],
} as const;
const list = {
  type: 'object',
  properties: { total: { type: 'integer' }, components: { type: 'array', items: ref('ComponentView') } },
};
/** A page of a list: at most `limit` from `offset` (the default keeps an answer small). */
const paging = {
  limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
  offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
} as const;

const blastRadius = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    label: { type: 'string' },
    count: { type: 'integer' },
    share: { type: 'number' },
    byRole: { type: 'object', additionalProperties: { type: 'integer' } },
    sites: { type: 'array', items: { type: 'string' } },
  },
} as const;

const providerShare = {
  type: 'object',
  properties: { provider: { type: 'string' }, sites: { type: 'integer' }, share: { type: 'number' } },
} as const;

export const componentRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  app.get<{
    Querystring: {
      kind?: string;
      state?: ComponentState;
      provider?: string;
      affected?: boolean;
      limit: number;
      offset: number;
    };
  }>(
    '/api/components',
    {
      schema: {
        summary:
          'Components (providers, regions, networks, segments…) with state and exonerations, by dependent sites',
        tags: ['components'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: componentKind,
            state: componentState,
            provider: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description: 'Parts of this provider id',
            },
            affected: { type: 'boolean', description: 'Only those not operational or with failing sites' },
            ...paging,
          },
        },
        response: { 200: list, ...publicErrors },
      },
    },
    async (req) => {
      const { kind, state, provider, affected, limit, offset } = req.query;
      const all = ctx.source
        .components()
        .filter(
          (c) =>
            (!kind || c.kind === kind) &&
            (!state || c.state === state) &&
            (!provider || c.provider === provider) &&
            (!affected || c.state !== 'operational' || c.failing > 0),
        );
      return { total: all.length, components: all.slice(offset, offset + limit) };
    },
  );

  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/api/providers',
    {
      schema: {
        summary: 'Providers with state and exonerations, by dependent sites',
        tags: ['components'],
        querystring: { type: 'object', additionalProperties: false, properties: paging },
        response: { 200: list, ...publicErrors },
      },
    },
    async (req) => {
      const all = ctx.source.components().filter((c) => c.kind === 'provider');
      return {
        total: all.length,
        components: all.slice(req.query.offset, req.query.offset + req.query.limit),
      };
    },
  );

  // Component ids contain `:` and `/` (`region:ovh/sbg`): the id is the rest of the path, routed as a
  // wildcard and published as a parameter named `id` (client generators mishandle one named `*`).
  app.get<{ Params: { '*': string } }>(
    '/api/components/*',
    {
      config: {
        swaggerTransform: ({ schema, url }) => ({
          url: url.replace(/\*$/, ':id'),
          schema: {
            ...schema,
            params: {
              type: 'object',
              required: ['id'],
              properties: {
                id: {
                  type: 'string',
                  description: 'The component id; its `/` may be sent as is or percent-encoded (%2F)',
                  example: 'region:ovh/sbg',
                },
              },
            },
          },
        }),
      },
      schema: {
        summary: 'One component by id (e.g. provider:ovh, region:ovh/sbg)',
        tags: ['components'],
        response: { 200: ref('ComponentView'), 404: ref('Error'), ...publicErrors },
      },
    },
    async (req) => {
      const id = req.params['*'];
      const c = ctx.source.component(id);
      if (!c) throw new ApiError('VIGIE_NOT_FOUND', `no component ${id}`);
      return c;
    },
  );

  app.get<{ Querystring: { component: string; limit: number } }>(
    '/api/whatif',
    {
      schema: {
        summary: 'Blast radius: the sites that would fail if a component failed',
        tags: ['explain'],
        querystring: {
          type: 'object',
          required: ['component'],
          additionalProperties: false,
          properties: {
            component: { type: 'string', minLength: 1, maxLength: 300 },
            limit: { type: 'integer', minimum: 0, maximum: 100_000, default: 1000 },
          },
        },
        response: { 200: blastRadius, 404: ref('Error'), ...publicErrors },
      },
    },
    async (req) => {
      const r = whatIf(await ctx.risk.model(), req.query.component);
      if (!r) throw new ApiError('VIGIE_NOT_FOUND', `no component ${req.query.component} in the risk model`);
      return { ...r, count: r.sites.length, sites: r.sites.slice(0, req.query.limit) };
    },
  );

  app.get(
    '/api/concentration',
    {
      schema: {
        summary: 'Concentration of the monitored sites on providers: shares and HHI per role',
        tags: ['explain'],
        response: {
          200: {
            type: 'object',
            properties: {
              sites: { type: 'integer' },
              overall: { type: 'array', items: providerShare },
              roles: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  properties: {
                    sites: { type: 'integer' },
                    hhi: { type: 'integer' },
                    providers: { type: 'array', items: providerShare },
                  },
                },
              },
            },
          },
          ...publicErrors,
        },
      },
    },
    async () => concentration(await ctx.risk.model()),
  );
};
