/**
 * Maintenance windows: listed (public), declared and removed with the token, and published in the
 * Statuspage shapes (`/api/v2/scheduled-maintenances.json`, `…/upcoming.json`, `…/active.json`).
 * A site, provider or tag under maintenance opens no incident and sends no alert (see
 * src/alerts/maintenance.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { MaintenanceSchedule } from '../../alerts/maintenance.ts';
import type { MaintenanceWindow } from '../../store/types.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { publicErrors, ref, writeErrors } from '../schemas.ts';
import { spPage } from '../statuspage.ts';

const names = {
  type: 'array',
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: 253 },
} as const;

/** A maintenance window in the API. Inline, not `addSchema`d: a plugin adding schemas gets Fastify's default validator. */
export const maintenanceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    starts_at: { type: 'string', format: 'date-time' },
    ends_at: { type: 'string', format: 'date-time' },
    sites: { type: 'array', items: { type: 'string' } },
    providers: { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    source: { type: 'string', enum: ['config', 'api'] },
    status: { type: 'string', enum: ['scheduled', 'in_progress', 'completed'] },
  },
} as const;

const iso = (t: number) => new Date(t).toISOString();

function status(w: MaintenanceWindow, now: number): 'scheduled' | 'in_progress' | 'completed' {
  return now < w.startsAt ? 'scheduled' : now < w.endsAt ? 'in_progress' : 'completed';
}

/** A window in the API's shape. */
export function maintenanceView(w: MaintenanceWindow, now: number) {
  return {
    id: w.id,
    title: w.title,
    starts_at: iso(w.startsAt),
    ends_at: iso(w.endsAt),
    sites: w.sites,
    providers: w.providers,
    tags: w.tags,
    source: w.source,
    status: status(w, now),
  };
}

/** A window in Statuspage's `scheduled_maintenances` shape. */
export function spMaintenance(w: MaintenanceWindow, now: number, page: ServerContext['page']) {
  const st = status(w, now);
  const what = [...w.providers, ...w.sites, ...w.tags.map((t) => `tag ${t}`)].join(', ');
  const update = (s: string, at: number, body: string, k: number) => ({
    id: `${w.id}-${k}`,
    status: s,
    body,
    incident_id: w.id,
    created_at: iso(at),
    updated_at: iso(at),
    display_at: iso(at),
    affected_components: null,
    deliver_notifications: false,
  });
  const updates = [update('scheduled', w.createdAt, `Maintenance scheduled: ${what}.`, 1)];
  if (st !== 'scheduled') updates.push(update('in_progress', w.startsAt, 'Maintenance under way.', 2));
  if (st === 'completed') updates.push(update('completed', w.endsAt, 'Maintenance completed.', 3));
  return {
    id: w.id,
    name: w.title,
    status: st,
    created_at: iso(w.createdAt),
    updated_at: iso(
      Math.min(
        now,
        Math.max(
          w.createdAt,
          st === 'scheduled' ? w.createdAt : st === 'in_progress' ? w.startsAt : w.endsAt,
        ),
      ),
    ),
    monitoring_at: null,
    resolved_at: st === 'completed' ? iso(w.endsAt) : null,
    impact: 'maintenance',
    shortlink: `${page.url.replace(/\/$/, '')}/api/maintenances/${encodeURIComponent(w.id)}`,
    started_at: iso(w.startsAt),
    page_id: page.id,
    incident_updates: updates.reverse(),
    components: [],
    scheduled_for: iso(w.startsAt),
    scheduled_until: iso(w.endsAt),
  };
}

/** Windows for Statuspage's lists: all (newest first, at most 50), upcoming, or active at `now`. */
export function spMaintenances(
  windows: readonly MaintenanceWindow[],
  which: 'all' | 'upcoming' | 'active',
  now: number,
  page: ServerContext['page'],
) {
  const pick = windows.filter((w) =>
    which === 'all' ? true : which === 'upcoming' ? now < w.startsAt : w.startsAt <= now && now < w.endsAt,
  );
  return [...pick]
    .sort((a, b) => b.startsAt - a.startsAt)
    .slice(0, 50)
    .map((w) => spMaintenance(w, now, page));
}

interface Body {
  id?: string;
  title?: string;
  starts_at: string;
  ends_at: string;
  sites?: string[];
  providers?: string[];
  tags?: string[];
}

export const maintenanceRoutes: FastifyPluginAsync<{
  ctx: ServerContext;
  schedule: MaintenanceSchedule;
}> = async (app, { ctx, schedule }) => {
  const list = { type: 'array', items: maintenanceSchema } as const;
  app.get(
    '/api/maintenances',
    {
      schema: {
        summary:
          'Maintenance windows (a site, provider or tag under maintenance opens no incident, sends no alert)',
        tags: ['maintenance'],
        response: { 200: list, ...publicErrors },
      },
    },
    async () => schedule.windows().map((w) => maintenanceView(w, ctx.clock.now())),
  );
  app.post<{ Body: Body }>(
    '/api/maintenances',
    {
      onRequest: ctx.requireToken,
      bodyLimit: 256 * 1024,
      schema: {
        summary: 'Declare (or replace, by id) a maintenance window',
        tags: ['maintenance'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['starts_at', 'ends_at'],
          additionalProperties: false,
          properties: {
            id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
            title: { type: 'string', minLength: 1, maxLength: 200 },
            starts_at: { type: 'string', minLength: 10, maxLength: 40 },
            ends_at: { type: 'string', minLength: 10, maxLength: 40 },
            sites: names,
            providers: names,
            tags: names,
          },
        },
        response: { 201: maintenanceSchema, ...writeErrors },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const startsAt = Date.parse(b.starts_at);
      const endsAt = Date.parse(b.ends_at);
      if (!Number.isFinite(startsAt) || !Number.isFinite(endsAt))
        throw new ApiError('VIGIE_BAD_REQUEST', 'starts_at and ends_at must be ISO 8601 date-times');
      if (endsAt <= startsAt) throw new ApiError('VIGIE_BAD_REQUEST', 'ends_at must be after starts_at');
      const sites = (b.sites ?? []).map((d) => d.toLowerCase());
      if (sites.length + (b.providers?.length ?? 0) + (b.tags?.length ?? 0) === 0)
        throw new ApiError('VIGIE_BAD_REQUEST', 'name at least one of sites, providers, tags');
      const w: MaintenanceWindow = {
        id: b.id ?? randomUUID(),
        title: b.title ?? 'Scheduled maintenance',
        startsAt,
        endsAt,
        sites,
        providers: b.providers ?? [],
        tags: b.tags ?? [],
        source: 'api',
        createdAt: ctx.clock.now(),
      };
      await ctx.store.saveMaintenance(w);
      await schedule.reload();
      reply.code(201);
      return maintenanceView(w, ctx.clock.now());
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/maintenances/:id',
    {
      onRequest: ctx.requireToken,
      schema: {
        summary: 'Remove a maintenance window',
        tags: ['maintenance'],
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } },
        response: { 204: { type: 'null' }, 404: ref('Error'), ...writeErrors },
      },
    },
    async (req, reply) => {
      if (!(await ctx.store.deleteMaintenance(req.params.id)))
        throw new ApiError('VIGIE_NOT_FOUND', `no maintenance window ${req.params.id}`);
      await schedule.reload();
      reply.code(204);
    },
  );

  const sp = {
    type: 'object',
    properties: {
      page: ref('SpPage'),
      scheduled_maintenances: { type: 'array', items: { type: 'object', additionalProperties: true } },
    },
  } as const;
  for (const [url, which, summary] of [
    ['/api/v2/scheduled-maintenances.json', 'all', 'Statuspage scheduled maintenances: the 50 most recent'],
    ['/api/v2/scheduled-maintenances/upcoming.json', 'upcoming', 'Statuspage upcoming maintenances'],
    ['/api/v2/scheduled-maintenances/active.json', 'active', 'Statuspage maintenances in progress'],
  ] as const) {
    app.get(
      url,
      { schema: { summary, tags: ['statuspage'], response: { 200: sp, ...publicErrors } } },
      async () => ({
        page: spPage(ctx.source, ctx.page),
        scheduled_maintenances: spMaintenances(schedule.windows(), which, ctx.clock.now(), ctx.page),
      }),
    );
  }
};
