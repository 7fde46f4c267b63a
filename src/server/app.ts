/**
 * `buildApp()`: the HTTP API as a Fastify instance, from injected parts (status source and writer,
 * store, clock, target policy, token hash). Every route carries a JSON Schema (input validated,
 * output serialised, published at `/openapi.json`); every error answers `{code, message}` with a
 * stable code (`errors.ts`); public routes are rate limited per client address.
 */
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { MaintenanceSchedule } from '../alerts/maintenance.ts';
import type { Alerts } from '../alerts/service.ts';
import type { Site } from '../model/site.ts';
import { TargetPolicy } from '../net/address-policy.ts';
import { ReportService } from '../reports/service.ts';
import type { Store } from '../store/types.ts';
import { type AuthLimits, TokenVerifier } from './auth.ts';
import type { ServerContext } from './context.ts';
import { registerApiDocs, withServers } from './docs.ts';
import { clientErrorResponse, errorSchema, toErrorBody } from './errors.ts';
import type { ProbeMetrics } from './metrics/probe-metrics.ts';
import { listenUrl, normalizePublicUrl } from './public-url.ts';
import { type RiskSource, StoreRiskSource } from './risk-cache.ts';
import { alertRoutes } from './routes/alerts.ts';
import { componentRoutes } from './routes/components.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { eventRoutes } from './routes/events.ts';
import { feedRoutes } from './routes/feeds.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { maintenanceRoutes } from './routes/maintenance.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { type ProbeEndpointOptions, probeRoutes } from './routes/probe.ts';
import { reportRoutes } from './routes/reports.ts';
import { siteRoutes } from './routes/sites.ts';
import { statuspageRoutes } from './routes/statuspage.ts';
import { vantageRoutes } from './routes/vantages.ts';
import { SHARED_SCHEMAS } from './schemas.ts';
import { addSecurityHeaders, CONTENT_SECURITY_POLICY, DASHBOARD_DIR, registerDashboard } from './static.ts';
import { SELF_CHECK } from './status/snapshot.ts';
import type { StatusSource, StatusWriter } from './status/types.ts';
import type { PageInfo } from './statuspage.ts';

export interface AppOptions {
  source: StatusSource;
  writer: StatusWriter;
  store: Store;
  clock: { now(): number };
  /** Hash of the API token (`vigie serve --hash-token`); null: writes always answer 401. */
  tokenHash: string | null;
  /** Limits on wrong tokens per client address (default: 10 a minute, then 429). */
  auth?: Partial<AuthLimits>;
  /** Requests per client address per window on rate-limited routes; false to disable. */
  rateLimit?: { max: number; windowMs: number } | false;
  /** Which addresses new sites may be (default: public only). */
  policy?: TargetPolicy;
  /** Kept by reference (defaults filled in): changes made while serving are visible. */
  page?: Partial<PageInfo>;
  /**
   * Public base URL of every outward link (`page.url`, shortlinks, Atom); wins over `page.url`.
   * Neither set: derived from the address the server listens on, once it listens.
   */
  publicUrl?: string;
  metrics?: ProbeMetrics;
  risk?: RiskSource;
  resolveHost?: (host: string) => Promise<string[]>;
  onSitesChanged?: (change: { added: Site[]; removed: string[] }) => void;
  sse?: { heartbeatMs?: number; maxClients?: number };
  /**
   * While the state keeps changing, rebuild a cached Statuspage body at most this often (real ms;
   * default 1,000). 0: every change is visible at once (tests).
   */
  cacheMs?: number;
  /** Fastify's logger (default off: the CLI prints its own lines). */
  logger?: boolean;
  /** Trust X-Forwarded-For (behind a reverse proxy) for rate limiting. */
  trustProxy?: boolean;
  /** Directory of the built dashboard served at `/` (default `web/dist`); false: API only. */
  dashboard?: string | false;
  /**
   * Crowd reports (intake and detection). Default: a service counting reports for the watched sites,
   * on the app's clock, ticked by nobody (levels computed on request). See src/reports/README.md.
   */
  reports?: ReportService;
  /**
   * Alerts (src/alerts/service.ts): `/api/alerts*` routes, and its maintenance schedule shared with
   * the pipeline's publication gate. Absent: no alert routes; maintenance windows still served
   * (from the store).
   */
  alerts?: Alerts;
  /**
   * blackbox_exporter-compatible `GET /probe` (token required, rate limited): the probe context to
   * probe from. Absent: `/probe` answers 503 VIGIE_NOT_READY.
   */
  probe?: ProbeEndpointOptions;
}

export const DEFAULT_RATE_LIMIT = { max: 600, windowMs: 60_000 };

/**
 * Longest path parameter (encoded): a domain has up to 253 characters, a component id a few more;
 * longer answers 414 VIGIE_URI_TOO_LONG.
 */
const MAX_PARAM_LENGTH = 1024;
/** Default body limit; routes that take more or need less set their own `bodyLimit`. */
const BODY_LIMIT = 64 * 1024;

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: o.logger ?? false,
    trustProxy: o.trustProxy ?? false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors met before routing answer the API's own codes too, never Fastify's.
    frameworkErrors: (err, _req, reply) => {
      const { status, body } = toErrorBody(err);
      // No route, so no onSend hook: the security headers are set here.
      (reply as FastifyReply)
        .headers({ 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' })
        .code(status)
        .send(body);
    },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      const answer = socket.destroyed ? null : clientErrorResponse(err);
      if (answer && socket.writable) socket.write(answer);
      socket.destroy(err);
    },
  });
  // Unknown fields are errors, not silently dropped. Query strings and path parameters are text, so
  // they are coerced to their schema's types; JSON bodies are typed already and are not.
  const ajvFor = (coerceTypes: boolean) => {
    const ajv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes, allErrors: false });
    for (const s of [errorSchema, ...SHARED_SCHEMAS]) ajv.addSchema(s);
    return ajv;
  };
  const [textAjv, bodyAjv] = [ajvFor(true), ajvFor(false)];
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema),
  );
  const configuredUrl = o.publicUrl ?? o.page?.url;
  const verifier = new TokenVerifier(o.tokenHash, o.auth);
  const schedule = o.alerts?.schedule ?? new MaintenanceSchedule(o.store);
  if (!o.alerts) await schedule.reload();
  const ctx: ServerContext = {
    maintenance: schedule,
    source: o.source,
    writer: o.writer,
    store: o.store,
    clock: o.clock,
    policy: o.policy ?? TargetPolicy.strict(),
    // The caller's object is kept (defaults filled in), not copied: it may change while serving
    // (`vigie demo` names the replay it is on).
    page: Object.assign(o.page ?? {}, {
      id: 'vigie',
      name: 'Vigie',
      timeZone: 'Etc/UTC',
      ...o.page,
      url: configuredUrl ? normalizePublicUrl(configuredUrl) : 'http://localhost',
    }),
    risk: o.risk ?? new StoreRiskSource(o.store, o.clock),
    metrics: o.metrics ?? null,
    requireToken: verifier.guard(),
    resolveHost: o.resolveHost ?? null,
    onSitesChanged: o.onSitesChanged ?? (() => {}),
    cacheMs: o.cacheMs ?? 1000,
    sse: { heartbeatMs: o.sse?.heartbeatMs ?? 15_000, maxClients: o.sse?.maxClients ?? 1000, clients: 0 },
  };

  // No configured public URL: the links name the address actually listened on (port 0 included).
  if (!configuredUrl)
    app.addHook('onListen', async () => {
      ctx.page.url = listenUrl(app.server.address());
    });
  app.addSchema(errorSchema);
  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  app.setErrorHandler((err, _req, reply) => {
    const { status, body } = toErrorBody(err);
    if (status >= 500) app.log.error(err);
    reply.code(status).send(body);
  });
  addSecurityHeaders(app);
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send({ code: 'VIGIE_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigie API',
        version: '1',
        description:
          'An observatory of web-hosting outages: sites, components and their state, incidents with evidence, ' +
          'what-if, concentration; Statuspage-compatible endpoints; Atom; Server-Sent Events; Prometheus metrics.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
  });
  await registerApiDocs(app, () => ctx.page.url);
  const limit = o.rateLimit === undefined ? DEFAULT_RATE_LIMIT : o.rateLimit;
  if (limit) await app.register(rateLimit, { global: true, max: limit.max, timeWindow: limit.windowMs });

  await app.register(siteRoutes, ctx);
  await app.register(incidentRoutes, ctx);
  await app.register(componentRoutes, ctx);
  await app.register(vantageRoutes, ctx);
  await app.register(statuspageRoutes, ctx);
  await app.register(feedRoutes, ctx);
  await app.register(eventRoutes, ctx);
  await app.register(metricsRoutes, ctx);
  await app.register(probeRoutes, { ctx, options: o.probe ?? null });
  const reports =
    o.reports ?? new ReportService({ clock: o.clock, isWatched: (d) => o.source.site(d) !== null });
  await app.register(reportRoutes, { ctx, reports });
  await app.register(maintenanceRoutes, { ctx, schedule });
  if (o.alerts) await app.register(alertRoutes, { ctx, alerts: o.alerts });
  await app.register(dashboardRoutes, ctx);
  if (o.dashboard !== false) await registerDashboard(app, o.dashboard ?? DASHBOARD_DIR);

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This API, as OpenAPI 3',
        tags: ['meta'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => withServers(app.swagger(), ctx.page.url),
  );
  app.get(
    '/api/health',
    {
      config: { rateLimit: false },
      schema: {
        summary: 'Liveness, and the size of what is watched',
        tags: ['meta'],
        response: {
          200: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              version: { type: 'integer' },
              sites: { type: 'integer' },
              openIncidents: { type: 'integer' },
              monitor: {
                description:
                  'Vigie’s own self-check: while `reliable` is false its measurements cannot be trusted (a stalled or overloaded machine) and no new incident opens',
                type: ['object', 'null'],
                properties: {
                  reliable: { type: 'boolean' },
                  at: { type: 'integer' },
                  reason: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
    async () => {
      const self = o.source.vantages().find((v) => v.vantage === SELF_CHECK);
      return {
        ok: true,
        version: o.source.version(),
        sites: o.source.counts().sites,
        openIncidents: o.source.incidents('open').length,
        monitor: self ? { reliable: self.healthy, at: self.at, reason: self.reason } : null,
      };
    },
  );
  return app;
}
