/**
 * ntfy (ntfy.sh or self-hosted): JSON publishing to the server root, so titles and messages are
 * UTF-8 without header encoding. The incident page is the click action; resolved messages are
 * sent at default priority, openings high.
 */
import type { AlertMessage, ChannelFactory } from '../types.ts';
import { postJson } from './http.ts';

/** The JSON ntfy publishes. */
export function ntfyPayload(topic: string, m: AlertMessage): object {
  return {
    topic,
    title: m.title.slice(0, 250),
    message: m.lines.join('\n').slice(0, 4000),
    click: m.url,
    priority: m.kind === 'opened' || m.kind === 'reopened' ? 4 : 3,
    tags: [m.kind === 'resolved' ? 'white_check_mark' : 'warning', `vigie-${m.incidentId}`],
  };
}

export const ntfy: ChannelFactory = {
  settingsSchema: {
    type: 'object',
    required: ['topic'],
    additionalProperties: false,
    properties: {
      server: { type: 'string', pattern: '^https?://' },
      topic: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
      token: { type: 'string', minLength: 1 },
    },
  },
  secrets: ['token'],
  create(name, settings) {
    const server = String(settings.server ?? 'https://ntfy.sh').replace(/\/+$/, '');
    const topic = String(settings.topic);
    const token = typeof settings.token === 'string' ? settings.token : null;
    return {
      kind: 'ntfy',
      name,
      send: (m, signal) =>
        postJson(
          `${server}/`,
          JSON.stringify(ntfyPayload(topic, m)),
          // ntfy ignores the key; a proxy or a test receiver can deduplicate on it.
          { 'idempotency-key': m.eventId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          signal,
        ),
    };
  },
};
