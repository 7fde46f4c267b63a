/**
 * Email over SMTP (nodemailer): plain text and HTML, one thread per incident. The first message
 * about an incident has the incident's own Message-ID; every later one answers it (In-Reply-To,
 * References) under the same subject. Message-IDs are derived from the event, so a redelivery after
 * a crash carries the same id and mail clients show it once.
 */
import nodemailer from 'nodemailer';
import { escapeHtml } from '../message.ts';
import type { AlertMessage, ChannelFactory } from '../types.ts';

const safeId = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** Message-ID of the message that opens an incident's thread. */
export function threadId(incidentId: string, domain: string): string {
  return `<vigie.incident.${safeId(incidentId)}@${domain}>`;
}

/** The mail of a message (nodemailer's fields). */
export function emailMessage(m: AlertMessage, domain: string, from: string, to: string[]) {
  const root = threadId(m.incidentId, domain);
  const messageId = m.first ? root : `<vigie.${safeId(m.eventId)}@${domain}>`;
  const html =
    `<p><strong>${escapeHtml(m.title)}</strong></p>\n<ul>\n` +
    m.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('\n') +
    `\n</ul>\n<p><a href="${escapeHtml(m.url)}">Incident page</a></p>\n`;
  return {
    from,
    to,
    // One subject per incident: mail clients thread by it as well as by References.
    subject: `[Vigie] Incident ${m.incidentId}${m.test ? ' (test)' : ''}`,
    messageId,
    ...(m.first ? {} : { inReplyTo: root, references: [root] }),
    headers: { 'X-Vigie-Event': m.eventId, 'X-Vigie-Kind': m.kind },
    text: `${m.title}\n\n${m.lines.join('\n')}\n\nIncident page: ${m.url}\n`,
    html,
  };
}

export const email: ChannelFactory = {
  settingsSchema: {
    type: 'object',
    required: ['host', 'from', 'to'],
    additionalProperties: false,
    properties: {
      host: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      /** Implicit TLS (port 465). Otherwise STARTTLS is used when the server offers it. */
      secure: { type: 'boolean' },
      /** Refuse to send without STARTTLS. */
      require_tls: { type: 'boolean' },
      user: { type: 'string', minLength: 1 },
      password: { type: 'string', minLength: 1 },
      from: { type: 'string', minLength: 3 },
      to: { type: 'array', minItems: 1, items: { type: 'string', minLength: 3 } },
    },
  },
  secrets: ['password'],
  create(name, settings, ctx) {
    const transport = nodemailer.createTransport({
      host: String(settings.host),
      port: typeof settings.port === 'number' ? settings.port : 587,
      secure: settings.secure === true,
      requireTLS: settings.require_tls === true,
      auth:
        typeof settings.user === 'string'
          ? { user: settings.user, pass: String(settings.password ?? '') }
          : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    const from = String(settings.from);
    const to = (settings.to as string[]).map(String);
    return {
      kind: 'email',
      name,
      async send(m, signal) {
        signal.throwIfAborted();
        const sending = transport.sendMail(emailMessage(m, ctx.domain(), from, to));
        // nodemailer takes no AbortSignal: give up waiting (its own socket timeouts end the attempt).
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(signal.reason ?? new Error('aborted'));
          signal.addEventListener('abort', onAbort, { once: true });
          sending.then(
            () => {
              signal.removeEventListener('abort', onAbort);
              resolve();
            },
            (e: unknown) => {
              signal.removeEventListener('abort', onAbort);
              reject(e);
            },
          );
        });
      },
      async close() {
        transport.close();
      },
    };
  },
};
