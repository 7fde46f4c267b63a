/**
 * Generic webhook: POST of a JSON body (schema `AlertWebhookBody`, published in the OpenAPI
 * document) with `Idempotency-Key` (the event id: a redelivery after a crash carries the same key)
 * and, when a secret is set, `X-Vigie-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 */
import { createHmac } from 'node:crypto';
import { failingNow, peakFailing, restoredShare } from '../events.ts';
import type { AlertMessage, ChannelFactory } from '../types.ts';
import { postJson } from './http.ts';

/** The JSON body a webhook receives. */
export function webhookBody(m: AlertMessage, sentAt: number): object {
  const i = m.incident;
  return {
    version: 1,
    event: m.eventId,
    kind: m.kind,
    merged: m.merged,
    first: m.first,
    test: m.test ?? false,
    title: m.title,
    text: m.lines.join('\n'),
    url: m.url,
    at: new Date(m.at).toISOString(),
    sent_at: new Date(sentAt).toISOString(),
    incident: {
      id: i.id,
      kind: i.kind,
      signature: i.signature,
      confidence: i.confidence,
      cause: i.cause,
      started_at: new Date(i.startedAt).toISOString(),
      detected_at: new Date(i.detectedAt).toISOString(),
      resolved_at: i.resolvedAt === null ? null : new Date(i.resolvedAt).toISOString(),
      affected: i.affected.length,
      failing: failingNow(i),
      peak: peakFailing(i),
      restored: restoredShare(i),
      exonerated: i.exonerated,
    },
  };
}

/** The signature header's value for `body` under `secret`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const webhook: ChannelFactory = {
  settingsSchema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', pattern: '^https?://' },
      secret: { type: 'string', minLength: 16 },
    },
  },
  secrets: ['secret', 'url'],
  create(name, settings) {
    const url = String(settings.url);
    const secret = typeof settings.secret === 'string' ? settings.secret : null;
    return {
      kind: 'webhook',
      name,
      async send(m, signal) {
        const body = JSON.stringify(webhookBody(m, Date.now()));
        const headers: Record<string, string> = { 'idempotency-key': m.eventId, 'x-vigie-event': m.kind };
        if (secret) headers['x-vigie-signature'] = signBody(body, secret);
        await postJson(url, body, headers, signal);
      },
    };
  },
};

/** JSON Schema of {@link webhookBody}, for the OpenAPI document. */
export const webhookBodySchema = {
  title: 'AlertWebhookBody',
  type: 'object',
  description:
    'What a webhook channel receives (POST, application/json). Headers: Idempotency-Key (the event id; ' +
    'a redelivery carries the same key), X-Vigie-Event (the kind), X-Vigie-Signature ' +
    '(sha256=hex HMAC-SHA256 of the raw body with the shared secret, when one is set).',
  required: ['version', 'event', 'kind', 'title', 'text', 'url', 'incident'],
  properties: {
    version: { type: 'integer', enum: [1] },
    event: { type: 'string', description: 'Event id, also the idempotency key' },
    kind: {
      type: 'string',
      enum: ['opened', 'cause', 'peak', 'restoration', 'reopened', 'resolved', 'reported'],
    },
    merged: { type: 'array', items: { type: 'string' }, description: 'Earlier updates merged into this one' },
    first: { type: 'boolean', description: 'First message about this incident on this channel' },
    test: { type: 'boolean' },
    title: { type: 'string' },
    text: { type: 'string' },
    url: { type: 'string', description: 'The incident page' },
    at: { type: 'string', format: 'date-time' },
    sent_at: { type: 'string', format: 'date-time' },
    incident: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        kind: { type: 'string' },
        signature: { type: 'string' },
        confidence: { type: 'number' },
        cause: {
          type: 'object',
          properties: {
            provider: { type: ['string', 'null'] },
            asn: { type: ['integer', 'null'] },
            name: { type: ['string', 'null'] },
            region: { type: ['string', 'null'] },
            plan: { type: ['string', 'null'] },
            role: { type: ['string', 'null'] },
            component: { type: ['string', 'null'] },
          },
        },
        started_at: { type: 'string', format: 'date-time' },
        detected_at: { type: 'string', format: 'date-time' },
        resolved_at: { type: ['string', 'null'], format: 'date-time' },
        affected: { type: 'integer' },
        failing: { type: 'integer' },
        peak: { type: 'integer' },
        restored: { type: 'number' },
        exonerated: {
          type: 'array',
          items: {
            type: 'object',
            properties: { provider: { type: 'string' }, evidence: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;
