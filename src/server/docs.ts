/**
 * The API described for people and for client generators: `/openapi.json` (OpenAPI 3, with the
 * server's own public URL in `servers`) and a browsable page at `/docs/` (Swagger UI, served from
 * this origin: its scripts are files, so it runs under the dashboard's `'self'`-only
 * Content-Security-Policy, with one exception, {@link DOCS_CSP}).
 */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { CONTENT_SECURITY_POLICY } from './static.ts';

/** Where the browsable API page is served. */
export const DOCS_PREFIX = '/docs';

/**
 * The dashboard's policy, except that Swagger UI may add `<style>` elements (it injects one for its
 * code highlighting). Scripts stay `'self'` only: an injected style cannot run anything.
 */
export const DOCS_CSP = CONTENT_SECURITY_POLICY.replace(
  "style-src 'self'",
  "style-src 'self' 'unsafe-inline'",
);

/** The OpenAPI document with `servers` naming `publicUrl` (the document itself is not changed). */
export function withServers<T extends object>(
  document: T,
  publicUrl: string,
): T & { servers: { url: string }[] } {
  return { ...document, servers: [{ url: publicUrl, description: 'this Vigie server' }] };
}

/**
 * Serve Swagger UI at {@link DOCS_PREFIX} over this app's OpenAPI document (register after
 * `@fastify/swagger`); `publicUrl()` is read on every request (it is known once the server listens).
 */
export async function registerApiDocs(app: FastifyInstance, publicUrl: () => string): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    // No call to validator.swagger.io: nothing leaves this origin.
    validatorUrl: false,
    uiConfig: { deepLinking: true, tryItOutEnabled: false, displayRequestDuration: true },
    theme: { title: 'Vigie API' },
    transformSpecification: (document) => withServers(document as object, publicUrl()),
    transformSpecificationClone: false,
    // Route-level: set on every answer under /docs, after the app-wide headers.
    staticCSP: DOCS_CSP,
  });
}
