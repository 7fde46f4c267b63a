/**
 * The dashboard (`web/`, built to `web/dist` by `npm run build:web`) served from the API's own
 * origin at `/`, so it needs no CORS and its Content-Security-Policy can be `'self'` only. Every
 * response carries the security headers: the dashboard renders user-supplied strings as text, and
 * the policy makes an injected `<script>` or inline handler inert even if a bug ever let one in.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build:web` writes the dashboard. */
export const DASHBOARD_DIR = new URL('../../web/dist/', import.meta.url).pathname;

/**
 * Scripts, styles, images, fetches and the event stream from this origin only; no framing, no
 * plugins, no `<base>` rewriting. `data:` images: uPlot and Cytoscape draw on canvases, and a
 * screenshot export would be a data URL.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Add the security headers to every response (call before the routes are registered). */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
}

/**
 * Serve the built dashboard at `/` when `dir` holds an `index.html`. Without a build, `/` says how
 * to make one instead of a bare 404.
 */
export async function registerDashboard(app: FastifyInstance, dir = DASHBOARD_DIR): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The dashboard is not built: run `npm run build:web` (the API is at /api/…, see /openapi.json).\n',
        ),
    );
    return;
  }
  // Files are listed once at start (no catch-all route): an unknown path still gets the API's JSON 404.
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    schemaHide: true,
    setHeaders: (reply, path) => {
      // Hashed bundles never change; index.html must be revalidated to pick up a new build.
      reply.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
