/**
 * Prometheus `/metrics` (prom-client): the pipeline's registry (aggregated blackbox-style probe
 * metrics, scheduler and pipeline health) beside the server's own — state of sites, incidents,
 * components and providers, vantage health — and the process's default metrics (memory, CPU,
 * event-loop delay, garbage collection).
 */
import type { FastifyPluginAsync } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ServerContext } from '../context.ts';
import { registerStatusMetrics } from '../metrics/status-metrics.ts';

export const metricsRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  // One registry per app (never prom-client's global one): two servers in a process stay apart.
  const own = new Registry();
  registerStatusMetrics(own, ctx.source, () => ctx.sse.clients);
  collectDefaultMetrics({ register: own });
  // Gauges prom-client names with a counter's `_total` suffix: promtool's lint refuses them, and
  // `nodejs_active_handles{type}` / `nodejs_active_requests{type}` / `nodejs_active_resources{type}` say the same.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    own.removeSingleMetric(name);
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
      reply.type(own.contentType);
      // Both registries render in the same format with distinct names: the texts concatenate.
      const probes = ctx.metrics ? await ctx.metrics.registry.metrics() : '';
      const text = `${probes}${probes && !probes.endsWith('\n') ? '\n' : ''}${await own.metrics()}`;
      // prom-client writes NaN (an event-loop statistic before its first sample) as `Nan`; the
      // exposition format spells it `NaN`.
      return text.replace(/ Nan$/gm, ' NaN');
    },
  );
};
