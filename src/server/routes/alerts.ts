/**
 * Alerts: the configured channels (secrets hidden) with their delivery counters (public), the
 * deliveries not delivered (token: their errors may name hosts), a test message per channel (token),
 * and an example of the webhook body (its schema, `AlertWebhookBody`, is in the OpenAPI document).
 */
import type { FastifyPluginAsync } from 'fastify';
import { webhookBody, webhookBodySchema } from '../../alerts/channels/webhook.ts';
import { renderMessage } from '../../alerts/message.ts';
import { type Alerts, sampleIncident } from '../../alerts/service.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { publicErrors, ref, writeErrors } from '../schemas.ts';

const counters = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export const alertRoutes: FastifyPluginAsync<{ ctx: ServerContext; alerts: Alerts }> = async (
  app,
  { ctx, alerts },
) => {
  // Schemas stay inline (no addSchema in a plugin: it would get Fastify's default validator).
  app.get(
    '/api/alerts',
    {
      schema: {
        summary: 'Alert channels (secrets hidden), subscriptions and delivery counters',
        tags: ['alerts'],
        response: {
          200: {
            type: 'object',
            properties: {
              channels: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    kind: { type: 'string' },
                    settings: { type: 'object', additionalProperties: true },
                  },
                },
              },
              subscriptions: { type: 'array', items: { type: 'object', additionalProperties: true } },
              sent: counters,
              errors: counters,
              failed: counters,
              merged: { type: 'integer' },
              suppressed: { type: 'integer' },
              held: { type: 'boolean' },
            },
          },
          ...publicErrors,
        },
      },
    },
    async () => ({
      channels: alerts.channels(),
      subscriptions: alerts.subscriptions(),
      ...alerts.dispatcher.stats(),
    }),
  );
  app.get<{ Querystring: { status: 'pending' | 'failed' | 'suppressed'; limit: number } }>(
    '/api/alerts/deliveries',
    {
      onRequest: ctx.requireToken,
      schema: {
        summary: 'Deliveries waiting (with their last error), given up, or suppressed by maintenance',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['pending', 'failed', 'suppressed'], default: 'failed' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: { type: 'array', items: { type: 'object', additionalProperties: true } },
          ...writeErrors,
        },
      },
    },
    async (req) => ctx.store.alertDeliveries({ status: [req.query.status], limit: req.query.limit }),
  );
  app.post<{ Params: { channel: string } }>(
    '/api/alerts/test/:channel',
    {
      onRequest: ctx.requireToken,
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: {
        summary: 'Send a test message on one channel now',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { channel: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              channel: { type: 'string' },
              delivered: { type: 'boolean' },
              error: { type: 'string' },
            },
          },
          404: ref('Error'),
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const error = await alerts.test(req.params.channel);
      if (error === undefined)
        throw new ApiError('VIGIE_NOT_FOUND', `no alert channel ${req.params.channel}`);
      return error === null
        ? { channel: req.params.channel, delivered: true }
        : { channel: req.params.channel, delivered: false, error };
    },
  );
  app.get(
    '/api/alerts/example',
    {
      schema: {
        summary: 'An example of the JSON body a webhook channel receives (schema AlertWebhookBody)',
        tags: ['alerts'],
        response: { 200: webhookBodySchema, ...publicErrors },
      },
    },
    async () => {
      const now = ctx.clock.now();
      const incident = sampleIncident(now);
      const m = renderMessage(
        { id: 'test:opened', incidentId: 'test', kind: 'opened', at: now, value: null, incident },
        { first: true, merged: [], sites: 3, test: true },
        { publicUrl: ctx.page.url, timeZone: ctx.page.timeZone },
      );
      return webhookBody(m, now);
    },
  );
};
