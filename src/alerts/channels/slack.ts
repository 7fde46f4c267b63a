/**
 * Slack incoming webhook, in Block Kit: a header, the details as mrkdwn, a link button to the
 * incident page. Incoming webhooks cannot thread, so every message names the incident.
 */
import { escapeMrkdwn } from '../message.ts';
import type { AlertMessage, ChannelFactory } from '../types.ts';
import { postJson } from './http.ts';

/** The Block Kit payload of a message. */
export function slackPayload(m: AlertMessage): object {
  // A header block is plain text of at most 150 characters.
  const header = m.title.length > 150 ? `${m.title.slice(0, 149)}…` : m.title;
  return {
    text: m.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: header, emoji: false } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: m.lines.map(escapeMrkdwn).join('\n').slice(0, 3000) },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Incident page' },
            url: m.url,
            action_id: 'open',
          },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Vigie · incident ${escapeMrkdwn(m.incidentId)} · ${escapeMrkdwn(m.kind)}`,
          },
        ],
      },
    ],
  };
}

export const slack: ChannelFactory = {
  settingsSchema: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: { url: { type: 'string', pattern: '^https?://' } },
  },
  // The incoming-webhook URL is the credential.
  secrets: ['url'],
  create(name, settings) {
    const url = String(settings.url);
    return {
      kind: 'slack',
      name,
      send: (m, signal) =>
        postJson(url, JSON.stringify(slackPayload(m)), { 'idempotency-key': m.eventId }, signal),
    };
  },
};
