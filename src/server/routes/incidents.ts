/** Incidents: list and read with evidence, exonerations and timeline (public); acknowledge (token). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { publicErrors, ref, writeErrors } from '../schemas.ts';
import { isLoneSite } from '../status/derive.ts';

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const incidentRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  app.get<{
    Querystring: {
      status: 'open' | 'resolved' | 'all';
      scope: 'all' | 'shared' | 'site';
      limit: number;
      offset: number;
    };
  }>(
    '/api/incidents',
    {
      schema: {
        summary: 'Incidents, most recently started first, a page at a time (`total`: how many match)',
        tags: ['incidents'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['open', 'resolved', 'all'], default: 'all' },
            scope: {
              type: 'string',
              enum: ['all', 'shared', 'site'],
              default: 'all',
              description:
                'shared: a component several sites share is the cause; site: one site failing alone',
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              incidents: { type: 'array', items: ref('IncidentView') },
            },
          },
          ...publicErrors,
        },
      },
    },
    async (req) => {
      const { status, scope, limit, offset } = req.query;
      let list = ctx.source.incidents(status);
      if (scope !== 'all') list = list.filter((i) => isLoneSite(i) === (scope === 'site'));
      return { total: list.length, incidents: list.slice(offset, offset + limit) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/incidents/:id',
    {
      schema: {
        summary: 'One incident: cause, evidence, exonerations, timeline',
        tags: ['incidents'],
        params: idParams,
        response: { 200: ref('IncidentView'), 404: ref('Error'), ...publicErrors },
      },
    },
    async (req) => {
      const i = ctx.source.incident(req.params.id);
      if (!i) throw new ApiError('VIGIE_NOT_FOUND', `no incident ${req.params.id}`);
      // From where its failure is seen: read per request, not kept on every incident of the list.
      return { ...i, seenFrom: ctx.source.incidentVantages(i.id) };
    },
  );

  app.post<{ Params: { id: string }; Body: { note?: string } | undefined }>(
    '/api/incidents/:id/acknowledge',
    {
      onRequest: ctx.requireToken,
      // A note of up to 2,000 characters (up to 6 bytes each once JSON-escaped).
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Acknowledge an incident (a human has seen it), with an optional note',
        tags: ['incidents'],
        security: [{ bearer: [] }],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { note: { type: 'string', maxLength: 2000 } },
        },
        response: { 200: ref('IncidentView'), 404: ref('Error'), ...writeErrors },
      },
    },
    async (req) => {
      const ack = ctx.writer.acknowledge(req.params.id, req.body?.note ?? '');
      if (!ack) throw new ApiError('VIGIE_NOT_FOUND', `no incident ${req.params.id}`);
      return ctx.source.incident(req.params.id);
    },
  );
};
