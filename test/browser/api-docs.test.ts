/**
 * The browsable API page (`/docs/`, Swagger UI) renders in a real browser under the server's
 * Content-Security-Policy: no violation, no script error, the operations listed.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../src/server/docs.ts';
import { type Fixture, fixture } from '../support/server.ts';
import { type BrowserSession, launch } from './harness.ts';

let f: Fixture;
let app: FastifyInstance;
let session: BrowserSession;

beforeAll(async () => {
  f = await fixture();
  app = await f.build({ dashboard: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  session = await launch();
});
afterAll(async () => {
  await session?.close();
  await f?.close();
});

describe('/docs/', () => {
  it('shows the API, its operations and its server, with no CSP violation', async () => {
    const { port } = app.server.address() as { port: number };
    const { page, errors } = session;
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
    // A string: this file is type-checked without the DOM library.
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))",
    );
    const response = await page.goto(`http://127.0.0.1:${port}/docs/`);
    expect(response?.headers()['content-security-policy']).toBe(DOCS_CSP);
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 20_000 });
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('Vigie API');
    await page.locator('.opblock-summary-path').first().waitFor();
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(paths.map((p) => p.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/api/sites', '/api/components/{id}', '/api/v1/reports']),
    );
    expect(await page.locator('.servers select, .servers').first().textContent()).toContain('vigie.example');
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
