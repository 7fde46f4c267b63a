/**
 * Statuspage-compatible endpoints (`/api/v2/…json`). Each body is serialised once per version of
 * the status source and served as a string until something changes: at 100,000 sites a request
 * costs a map lookup, not a walk over the sites.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.ts';
import { publicErrors, ref } from '../schemas.ts';
import { pageIndicator } from '../status/derive.ts';
import { spComponents, spIncident, spPage } from '../statuspage.ts';
import { spMaintenances } from './maintenance.ts';

const page = ref('SpPage');
const status = ref('SpStatus');
const components = { type: 'array', items: ref('SpComponent') } as const;
const incidents = { type: 'array', items: ref('SpIncident') } as const;

/** Statuspage lists this many recent incidents in `incidents.json`. */
const RECENT = 50;

export const statuspageRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  // Bodies are kept encoded: sending a cached Buffer allocates nothing per request. Under constant
  // change a body is rebuilt at most once per `cacheMs` (real time), as status pages usually are.
  const cache = new Map<string, { version: string; at: number; body: Buffer }>();
  const cached = (name: string, build: () => unknown): Buffer => {
    // Maintenance windows change the body too: when they change, and as time starts or ends one.
    const m = ctx.maintenance;
    const minute = m.windows().length ? Math.floor(ctx.clock.now() / 60_000) : 0;
    const v = `${ctx.source.version()}/${m.version()}/${minute}`;
    const hit = cache.get(name);
    const now = performance.now();
    if (hit && (hit.version === v || now - hit.at < ctx.cacheMs)) return hit.body;
    const body = Buffer.from(JSON.stringify(build()));
    cache.set(name, { version: v, at: now, body });
    return body;
  };
  const src = ctx.source;
  const pageOf = () => spPage(src, ctx.page);
  const open = () => src.incidents('open').map((i) => spIncident(i, src, ctx.page));

  const bodies: Record<string, { summary: string; response: object; build: () => unknown }> = {
    '/api/v2/summary.json': {
      summary: 'Statuspage summary: page, components, unresolved incidents, status',
      response: {
        type: 'object',
        properties: {
          page,
          components,
          incidents,
          scheduled_maintenances: { type: 'array', items: { type: 'object' } },
          status,
        },
      },
      build: () => ({
        page: pageOf(),
        components: spComponents(src, ctx.page),
        incidents: open(),
        scheduled_maintenances: [
          ...spMaintenances(ctx.maintenance.windows(), 'active', ctx.clock.now(), ctx.page),
          ...spMaintenances(ctx.maintenance.windows(), 'upcoming', ctx.clock.now(), ctx.page),
        ],
        status: pageIndicator(src.incidents('open'), src.counts()),
      }),
    },
    '/api/v2/status.json': {
      summary: 'Statuspage status: indicator (none, minor, major, critical) and description',
      response: { type: 'object', properties: { page, status } },
      build: () => ({ page: pageOf(), status: pageIndicator(src.incidents('open'), src.counts()) }),
    },
    '/api/v2/components.json': {
      summary: 'Statuspage components: the providers Vigie watches, with their status',
      response: { type: 'object', properties: { page, components } },
      build: () => ({ page: pageOf(), components: spComponents(src, ctx.page) }),
    },
    '/api/v2/incidents.json': {
      summary: 'Statuspage incidents: the 50 most recent, with their updates',
      response: { type: 'object', properties: { page, incidents } },
      build: () => ({
        page: pageOf(),
        incidents: src
          .incidents('all')
          .slice(0, RECENT)
          .map((i) => spIncident(i, src, ctx.page)),
      }),
    },
    '/api/v2/incidents/unresolved.json': {
      summary: 'Statuspage unresolved incidents',
      response: { type: 'object', properties: { page, incidents } },
      build: () => ({ page: pageOf(), incidents: open() }),
    },
  };

  for (const [url, b] of Object.entries(bodies)) {
    app.get(
      url,
      {
        schema: { summary: b.summary, tags: ['statuspage'], response: { 200: b.response, ...publicErrors } },
      },
      async (_req, reply) => {
        // A Buffer is sent as is: serialised once per version.
        reply.type('application/json; charset=utf-8');
        return cached(url, b.build);
      },
    );
  }
};
