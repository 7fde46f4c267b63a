import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../errors.ts';
import { loadCatalog } from './load.ts';

const REQUIRED = [
  'ovh',
  'cloudflare',
  'aws',
  'gcp',
  'azure',
  'akamai',
  'fastly',
  'scaleway',
  'hetzner',
  'gandi',
  'ionos',
  'o2switch',
  'infomaniak',
  'oxalide',
  'google-workspace',
  'microsoft-365',
  'cloudfront',
];

describe('the shipped catalog', () => {
  const catalog = loadCatalog();

  it('loads once and is memoised', () => {
    expect(loadCatalog()).toBe(catalog);
  });

  it('has at least 32 providers, including every id scenarios rely on', () => {
    expect(catalog.all().length).toBeGreaterThanOrEqual(32);
    for (const id of REQUIRED) expect(catalog.get(id), id).toBeDefined();
  });

  it.each(
    loadCatalog()
      .all()
      .map((e) => [e.id, e] as const),
  )('%s cites its sources', (_id, entry) => {
    expect(entry.sources.length).toBeGreaterThan(0);
    for (const s of entry.sources) expect(s).toMatch(/^https?:\/\//);
  });

  it('gives every DNS provider 2–4 world name servers that it recognises', () => {
    for (const e of catalog.all().filter((x) => x.roles.includes('dns'))) {
      expect(e.world.nsHosts.length, e.id).toBeGreaterThanOrEqual(2);
      for (const h of e.world.nsHosts) expect(catalog.byNs(h)?.id, h).toBe(e.id);
    }
  });

  it('recognises every world MX host and CNAME target as its own provider', () => {
    for (const e of catalog.all()) {
      for (const h of e.world.mxHosts) expect(catalog.byMx(h)?.id, h).toBe(e.id);
      if (e.world.cnameTemplate) {
        const target = e.world.cnameTemplate.replaceAll('{label}', 'www-example-fr');
        expect(catalog.byCname(target)?.id, target).toBe(e.id);
      }
    }
  });

  it('recognises every world error page and header example as its own provider', () => {
    for (const e of catalog.all()) {
      const headers = Object.fromEntries(e.headers.map((h) => [h.name, h.example]));
      if (e.headers.length)
        expect(
          catalog.byHeaders(headers).map((m) => m.id),
          e.id,
        ).toContain(e.id);
      for (const p of e.errorPages)
        for (const status of p.status) {
          const body = p.example
            .replaceAll('{status}', String(status))
            .replaceAll('{host}', 'www.example.fr')
            .replaceAll('{ray}', '8d3c1a2b4e5f6789');
          expect(catalog.errorPage(status, body, headers), `${e.id} ${status}`).toMatchObject({
            provider: e.id,
            meaning: p.meaning,
          });
        }
    }
  });
});

const GOOD = `id: acme
name: Acme Hosting
roles: [hosting, dns]
asns: [64500]
org: ['^acme\\b']
ns: [ns.acme.test]
cname: [cdn.acme.test]
mx: []
headers:
  - name: x-acme
    pattern: '^a\\d+$'
    example: a1
errorPages:
  - status: [502]
    meaning: origin_unreachable
    marker: 'acme says no'
    example: '<h1>{status}</h1> acme says no to {host}'
world:
  nsHosts: [ns1.ns.acme.test, ns2.ns.acme.test]
  mxHosts: []
  cnameTemplate: '{label}.cdn.acme.test'
sources: [https://example.org/acme]
`;

describe('loadCatalog on a malformed directory', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  const load = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), 'vigie-catalog-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return () => loadCatalog(dir);
  };

  const problemsOf = (files: Record<string, string>) => {
    try {
      load(files)();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).code).toBe('VIGIE_INVALID_INPUT');
      return (e as InputError).problems;
    }
    throw new Error('expected an InputError');
  };

  it('accepts a well-formed entry', () => {
    const c = load({ 'acme.yaml': GOOD })();
    expect(c.byNs('ns1.ns.acme.test')?.id).toBe('acme');
  });

  it.each([
    ['a regex that does not compile', GOOD.replace("'^acme\\b'", "'^acme('"), 5, 'org[0]', /invalid regex/],
    [
      'an example that misses its marker',
      GOOD.replace('acme says no to', 'acme says yes to'),
      17,
      'errorPages[0].example',
      /marker/,
    ],
    [
      'a header example that misses its pattern',
      GOOD.replace('example: a1', 'example: b1'),
      12,
      'headers[0].example',
      /pattern/,
    ],
    ['a bad meaning', GOOD.replace('origin_unreachable', 'down'), 15, 'errorPages[0].meaning', /one of/],
    ['a missing field', GOOD.replace('name: Acme Hosting\n', ''), 1, 'name', /missing/],
    ['an unknown field', GOOD.replace('mx: []', 'mxx: []'), 8, 'mxx', /unknown/],
    ['an id that is not the file name', GOOD.replace('id: acme', 'id: acme-two'), 1, 'id', /file name/],
    ['an id with capitals', GOOD.replace('id: acme', 'id: Acme'), 1, 'id', /must match/],
    [
      'a world NS the entry does not claim',
      GOOD.replace('ns2.ns.acme.test', 'ns2.other.test'),
      19,
      'world.nsHosts[1]',
      /not covered/,
    ],
    ['a non-URL source', GOOD.replace('https://example.org/acme', 'my notes'), 22, 'sources[0]', /URL/],
    ['a bad AS number', GOOD.replace('[64500]', '[-3]'), 4, 'asns[0]', /AS number/],
    ['a bad suffix', GOOD.replace('[cdn.acme.test]', "['.cdn.acme.test']"), 7, 'cname[0]', /host suffix/],
  ])('reports %s with file, line and field', (_what, text, line, field, message) => {
    const problems = problemsOf({ 'acme.yaml': text });
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: expect.stringMatching(/acme\.yaml$/),
        line,
        field,
        message: expect.stringMatching(message),
      }),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf({
      'acme.yaml': GOOD.replace('roles: [hosting, dns]', 'roles: [hosting, dns'),
    });
    expect(problems[0]).toMatchObject({ field: '(yaml)', file: expect.stringMatching(/acme\.yaml$/) });
    expect(problems[0].line).toBeGreaterThan(1);
  });

  it('reports every broken file, not just the first', () => {
    const problems = problemsOf({
      'acme.yaml': GOOD.replace("'^acme\\b'", "'('"),
      'beta.yaml': GOOD.replaceAll('acme', 'beta').replace('Beta Hosting', 'Beta').replace('[64500]', '[0]'),
    });
    expect(new Set(problems.map((p) => p.file.replace(/.*\//, '')))).toEqual(
      new Set(['acme.yaml', 'beta.yaml']),
    );
  });

  it('refuses two providers claiming one suffix', () => {
    const other = GOOD.replaceAll('id: acme', 'id: beta').replace(
      '[cdn.acme.test]',
      '[cdn.acme.test, beta.test]',
    );
    const problems = problemsOf({
      'acme.yaml': GOOD,
      'beta.yaml': other.replace(/ns\.acme\.test/g, 'ns.beta.test'),
    });
    expect(problems[0].message).toMatch(/cdn\.acme\.test claimed by both acme and beta/);
  });

  it('refuses an empty directory', () => {
    expect(problemsOf({})[0].message).toMatch(/no catalog files/);
  });

  it('formats problems as file:line: field: message', () => {
    try {
      load({ 'acme.yaml': GOOD.replace("'^acme\\b'", "'^acme('") })();
    } catch (e) {
      expect((e as Error).message).toMatch(/acme\.yaml:5: org\[0\]: invalid regex/);
      return;
    }
    throw new Error('expected an InputError');
  });
});
