/**
 * The API as documented: `/openapi.json` names its server and has no parameter a client generator
 * would choke on, `/docs/` serves Swagger UI under the app's Content-Security-Policy, a component id
 * with a `/` works sent as is or percent-encoded, and the README lists every endpoint and links only
 * to files a clone has.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture } from '../../test/support/server.ts';
import { DOCS_CSP } from './docs.ts';
import { CONTENT_SECURITY_POLICY } from './static.ts';

const root = new URL('../../', import.meta.url).pathname;
let f: Fixture;
let app: FastifyInstance;

beforeEach(async () => {
  f = await fixture();
  app = await f.build({ dashboard: false });
});
afterEach(() => f.close());

type OpenApi = {
  servers?: { url: string }[];
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
};

describe('OpenAPI document', () => {
  it('names its server, and every path parameter has a name generators accept', async () => {
    const doc = (await app.inject('/openapi.json')).json() as OpenApi;
    expect(doc.servers).toEqual([{ url: 'https://vigie.example', description: 'this Vigie server' }]);
    for (const [path, methods] of Object.entries(doc.paths)) {
      expect(path).not.toMatch(/\{\*\}|\*/);
      for (const op of Object.values(methods))
        for (const p of op.parameters ?? []) expect(p.name, `${path} ${p.name}`).toMatch(/^[A-Za-z_][\w-]*$/);
    }
    const one = doc.paths['/api/components/{id}']?.get;
    expect(one?.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
  });

  it.each(['/api/components/region:ovh/sbg', '/api/components/region%3Aovh%2Fsbg'])(
    'GET %s reads the component',
    async (url) => {
      const r = await app.inject(url);
      expect(r.statusCode).toBe(200);
      expect(r.json().id).toBe('region:ovh/sbg');
    },
  );
});

describe('browsable API page', () => {
  it('serves Swagger UI at /docs/ from this origin, under its own CSP (scripts from this origin only)', async () => {
    const page = await app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>Vigie API</title>');
    expect(page.headers['content-security-policy']).toBe(DOCS_CSP);
    expect(DOCS_CSP).toMatch(/script-src 'self'; /);
    expect((await app.inject('/api/health')).headers['content-security-policy']).toBe(
      CONTENT_SECURITY_POLICY,
    );
    for (const src of page.body.match(/(?<=src=")[^"]+/g) ?? []) {
      expect(src).toMatch(/^\.\/static\//);
      expect((await app.inject(`/docs/${src.slice(2)}`)).statusCode).toBe(200);
    }
    const spec = (await app.inject('/docs/json')).json() as OpenApi;
    expect(spec.servers?.[0].url).toBe('https://vigie.example');
    expect(Object.keys(spec.paths)).toContain('/api/sites');
  });
});

describe('README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('lists every endpoint of the API', async () => {
    const doc = (await app.inject('/openapi.json')).json() as OpenApi;
    const missing = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((route) => !readme.includes(`\`${route}\``));
    expect(missing).toEqual([]);
  });

  it('links only to files inside the repository', () => {
    const docs = readdirSync(join(root, 'docs')).map((n) => join('docs', n));
    for (const file of ['README.md', 'scenarios/README.md', ...docs]) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue; // an absolute URL
        const path = join(root, dirname(file), target);
        expect(path.startsWith(root), `${file} → ${target}`).toBe(true);
        expect(existsSync(path), `${file} → ${target}`).toBe(true);
      }
      expect(text, file).not.toContain('../shared/');
    }
  });
});
