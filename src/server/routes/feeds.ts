/**
 * An Atom feed (RFC 4287) of incidents, newest first: one entry per incident, updated as it moves
 * through its lifecycle. Every string from outside (site names, notes, evidence) is escaped, and
 * characters XML 1.0 forbids are dropped, so the feed stays well-formed whatever was monitored.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.ts';
import { incidentUrl } from '../public-url.ts';
import { publicErrors } from '../schemas.ts';
import type { IncidentView } from '../status/types.ts';

const FEED_SIZE = 50;

/** Escape text for XML content and attribute values; drop characters XML 1.0 does not allow. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const iso = (ms: number) => new Date(ms).toISOString();

function entry(i: IncidentView, base: string): string {
  const link = incidentUrl(base, i.id);
  const lines = [
    `Status: ${i.status}; impact: ${i.impact}; ${i.affected.length} site(s) affected; ${Math.round(i.restored * 100)} % restored.`,
    ...i.evidence,
    ...i.exonerated.map((x) => `Exonerated: ${x.evidence}`),
  ];
  if (i.affected.length)
    lines.push(`Affected: ${i.affected.slice(0, 20).join(', ')}${i.affected.length > 20 ? ', …' : ''}`);
  if (i.acknowledged?.note) lines.push(`Note: ${i.acknowledged.note}`);
  return [
    '  <entry>',
    `    <id>${xmlEscape(link)}</id>`,
    `    <title>${xmlEscape(`[${i.status}] ${i.name}`)}</title>`,
    `    <link rel="alternate" href="${xmlEscape(link)}"/>`,
    `    <published>${iso(i.detectedAt)}</published>`,
    `    <updated>${iso(i.updatedAt)}</updated>`,
    `    <category term="${xmlEscape(i.impact)}"/>`,
    `    <content type="text">${xmlEscape(lines.join('\n'))}</content>`,
    '  </entry>',
  ].join('\n');
}

export const feedRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  // The permalink every outward link uses (shortlinks, feed entries): a real path, sent on to the
  // dashboard's route. Relative, so it holds behind a reverse proxy's path prefix too.
  app.get<{ Params: { id: string } }>(
    '/incidents/:id',
    {
      schema: {
        summary: 'Permalink of an incident: redirects to the dashboard’s page for it',
        tags: ['feeds'],
        params: {
          type: 'object',
          properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 302: { type: 'null' }, ...publicErrors },
      },
    },
    async (req, reply) => reply.redirect(`../#/incident/${encodeURIComponent(req.params.id)}`, 302),
  );

  let cache: { version: number; body: string } | null = null;
  app.get(
    '/api/incidents.atom',
    {
      schema: {
        summary: 'Atom feed of incidents',
        tags: ['feeds'],
        produces: ['application/atom+xml'],
        response: { 200: { type: 'string' }, ...publicErrors },
      },
    },
    async (_req, reply) => {
      reply.type('application/atom+xml; charset=utf-8');
      const v = ctx.source.version();
      if (cache?.version === v) return cache.body;
      const base = ctx.page.url.replace(/\/$/, '');
      const incidents = ctx.source.incidents('all').slice(0, FEED_SIZE);
      const body = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        `  <id>${xmlEscape(`${base}/api/incidents.atom`)}</id>`,
        `  <title>${xmlEscape(`${ctx.page.name} — incidents`)}</title>`,
        `  <updated>${iso(ctx.source.updatedAt())}</updated>`,
        `  <link rel="self" href="${xmlEscape(`${base}/api/incidents.atom`)}"/>`,
        `  <author><name>${xmlEscape(ctx.page.name)}</name></author>`,
        ...incidents.map((i) => entry(i, base)),
        '</feed>',
        '',
      ].join('\n');
      cache = { version: v, body };
      return body;
    },
  );
};
