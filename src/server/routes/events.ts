/**
 * Server-Sent Events: live changes (state transitions, incidents, vantage health, sites added or
 * removed, acknowledgements) as they reach the status source from the Bus. Each event carries an
 * increasing id; a heartbeat comment keeps proxies from closing an idle stream. A client too slow
 * to read is dropped rather than buffered without bound.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { publicErrors } from '../schemas.ts';
import type { StatusEvent } from '../status/types.ts';

const TYPES = ['transition', 'incident', 'vantage', 'sites', 'acknowledged', 'reports'] as const;
/** Bytes queued on a socket before the client is considered gone. */
const MAX_BUFFERED = 1 << 20;

export const eventRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  let nextId = 1;
  const closers = new Set<() => void>();
  // preClose, not onClose: open streams would otherwise keep `app.close()` waiting for ever.
  app.addHook('preClose', async () => {
    for (const close of closers) close();
  });

  app.get<{ Querystring: { types?: string } }>(
    '/api/events',
    {
      schema: {
        summary:
          'Live changes as Server-Sent Events (event types: transition, incident, vantage, sites, acknowledged, reports)',
        tags: ['feeds'],
        produces: ['text/event-stream'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            types: {
              type: 'string',
              pattern: `^(${TYPES.join('|')})(,(${TYPES.join('|')}))*$`,
              description: 'Comma-separated event types to receive (default: all)',
            },
          },
        },
        response: { 200: { type: 'string' }, 503: { $ref: 'Error#' }, ...publicErrors },
      },
    },
    async (req, reply) => {
      if (ctx.sse.clients >= ctx.sse.maxClients)
        throw new ApiError('VIGIE_TOO_MANY_STREAMS', `at most ${ctx.sse.maxClients} live streams`);
      const wanted = new Set(req.query.types ? req.query.types.split(',') : TYPES);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 5000\n: vigie live events, version ${ctx.source.version()}\n\n`);
      ctx.sse.clients++;
      const send = (e: StatusEvent) => {
        if (!wanted.has(e.type)) return;
        if (res.writableLength > MAX_BUFFERED) return close();
        res.write(`id: ${nextId++}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      };
      const off = ctx.source.onChange(send);
      const heartbeat = setInterval(() => res.write(': ping\n\n'), ctx.sse.heartbeatMs);
      heartbeat.unref();
      let closed = false;
      function close() {
        if (closed) return;
        closed = true;
        off();
        clearInterval(heartbeat);
        ctx.sse.clients--;
        closers.delete(close);
        res.end();
      }
      closers.add(close);
      req.raw.on('close', close);
      res.on('error', close);
    },
  );
};
