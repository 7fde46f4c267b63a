/** Sites: list and read (public), add and remove (token). */
import type { FastifyPluginAsync } from 'fastify';
import type { Site } from '../../model/site.ts';
import { checkHost } from '../../net/address-policy.ts';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { pageQuery, publicErrors, ref, siteState, writeErrors } from '../schemas.ts';
import type { SiteStateName } from '../status/types.ts';

const siteInput = {
  type: 'object',
  required: ['domain'],
  additionalProperties: false,
  properties: {
    domain: { type: 'string', minLength: 1, maxLength: 253 },
    mail: { type: 'boolean' },
    weight: { type: 'number', minimum: 0 },
    tags: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 100 } },
  },
} as const;

const dependency = {
  type: 'object',
  properties: {
    component: { type: 'string' },
    role: { type: 'string' },
    source: { type: 'string' },
    confidence: { type: 'number' },
    evidence: { type: 'array', items: { type: 'string' } },
  },
} as const;

const transition = {
  type: 'object',
  properties: {
    role: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    at: { type: 'integer' },
    signature: { type: 'string' },
  },
} as const;

export const siteRoutes: FastifyPluginAsync<ServerContext> = async (app, ctx) => {
  app.get<{ Querystring: { state?: SiteStateName; q?: string; offset: number; limit: number } }>(
    '/api/sites',
    {
      schema: {
        summary: 'Monitored sites with their current state',
        tags: ['sites'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { state: siteState, q: { type: 'string', maxLength: 253 }, ...pageQuery },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              offset: { type: 'integer' },
              limit: { type: 'integer' },
              sites: { type: 'array', items: ref('SiteView') },
            },
          },
          ...publicErrors,
        },
      },
    },
    async (req) => {
      const { total, items } = ctx.source.sites(req.query);
      return { total, offset: req.query.offset, limit: req.query.limit, sites: items };
    },
  );

  app.get<{ Params: { domain: string } }>(
    '/api/sites/:domain',
    {
      schema: {
        summary: 'One site: state, dependencies, latest transitions',
        tags: ['sites'],
        params: { type: 'object', properties: { domain: { type: 'string', maxLength: 253 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              site: ref('SiteView'),
              dependencies: { type: 'array', items: dependency },
              transitions: { type: 'array', items: transition },
            },
          },
          404: ref('Error'),
          ...publicErrors,
        },
      },
    },
    async (req) => {
      const domain = req.params.domain.toLowerCase();
      const site = ctx.source.site(domain);
      if (!site) throw new ApiError('VIGIE_NOT_FOUND', `no site ${domain}`);
      const [dependencies, transitions] = await Promise.all([
        ctx.store.dependencies({ site: domain }),
        ctx.store.transitions({ site: domain, limit: 50, order: 'desc' }),
      ]);
      return { site, dependencies, transitions: transitions.filter((t) => t.vantage === null) };
    },
  );

  app.post<{ Body: { sites: Site[] } }>(
    '/api/sites',
    {
      onRequest: ctx.requireToken,
      // Up to 10,000 sites of ~400 bytes each.
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        summary: 'Add (or update) sites to watch',
        tags: ['sites'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['sites'],
          additionalProperties: false,
          properties: { sites: { type: 'array', minItems: 1, maxItems: 10_000, items: siteInput } },
        },
        response: {
          201: { type: 'object', properties: { added: { type: 'array', items: { type: 'string' } } } },
          ...writeErrors,
        },
      },
    },
    async (req, reply) => {
      const sites = await accept(req.body.sites, ctx);
      await ctx.store.upsertSites(sites);
      ctx.writer.addSites(sites);
      ctx.risk.invalidate();
      ctx.onSitesChanged({ added: sites, removed: [] });
      reply.code(201);
      return { added: sites.map((s) => s.domain) };
    },
  );

  app.delete<{ Params: { domain: string } }>(
    '/api/sites/:domain',
    {
      onRequest: ctx.requireToken,
      bodyLimit: 1024,
      schema: {
        summary: 'Stop watching a site (its history stays)',
        tags: ['sites'],
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { domain: { type: 'string', maxLength: 253 } } },
        response: {
          200: { type: 'object', properties: { removed: { type: 'array', items: { type: 'string' } } } },
          404: ref('Error'),
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const domain = req.params.domain.toLowerCase();
      if (!ctx.source.site(domain)) throw new ApiError('VIGIE_NOT_FOUND', `no site ${domain}`);
      await ctx.store.removeSites([domain]);
      ctx.writer.removeSites([domain]);
      ctx.risk.invalidate();
      ctx.onSitesChanged({ added: [], removed: [domain] });
      return { removed: [domain] };
    },
  );
};

/**
 * Validate new sites: a syntactically valid name, never an address the policy refuses (in any of the
 * forms URL parsers accept), and — when a resolver is given — not a name resolving to one now.
 */
async function accept(input: readonly Site[], ctx: ServerContext): Promise<Site[]> {
  const out: Site[] = [];
  for (const [k, s] of input.entries()) {
    const v = checkHost(s.domain, ctx.policy);
    if (v.kind === 'invalid')
      throw new ApiError('VIGIE_INVALID_DOMAIN', `sites[${k}].domain: ${v.reason}`, {
        index: k,
        domain: s.domain,
      });
    if (v.kind === 'address' && !v.verdict.ok)
      throw new ApiError(
        'VIGIE_TARGET_REFUSED',
        `sites[${k}].domain: ${v.verdict.address} is ${v.verdict.reason}`,
        {
          index: k,
          domain: s.domain,
          class: v.verdict.class,
        },
      );
    const domain = v.kind === 'name' ? v.host : v.verdict.address;
    if (v.kind === 'name' && ctx.resolveHost) {
      const refused = ctx.policy.filter(await ctx.resolveHost(domain)).refused;
      if (refused.length) {
        const r = refused[0];
        throw new ApiError(
          'VIGIE_TARGET_REFUSED',
          `sites[${k}].domain: ${domain} resolves to ${r.address}${r.ok ? '' : `, ${r.reason}`}`,
          { index: k, domain, class: r.class },
        );
      }
    }
    out.push({ ...s, domain });
  }
  return out;
}
