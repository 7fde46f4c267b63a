/** Prometheus `/metrics`: aggregated blackbox-style probe metrics plus Vigie's own. */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.ts';
import { statusFamilies } from '../metrics/status-metrics.ts';
import { render } from '../metrics/text.ts';

export const metricsRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  app.get(
    '/metrics',
    {
      // Scrapers poll on a schedule from known places; they are not the public to be limited.
      config: { rateLimit: false },
      schema: {
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        tags: ['metrics'],
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_req, reply) => {
      reply.type('text/plain; version=0.0.4; charset=utf-8');
      const families = [
        ...(ctx.metrics?.families() ?? []),
        ...statusFamilies(ctx.source, { sseClients: ctx.sse.clients }),
      ];
      return render(families);
    },
  );
};
