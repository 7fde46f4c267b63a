/**
 * Every outward link resolves: `page.url`, incident shortlinks and Atom entries are built from the
 * public URL (configured, or the address actually listened on) and lead to the dashboard's page of
 * the incident through a real `/incidents/ID` route.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Fixture, fixture, OPEN } from '../../test/support/server.ts';
import { parseServeConfig } from './config.ts';
import { listenUrl, normalizePublicUrl } from './public-url.ts';

describe('public URL', () => {
  let f: Fixture | null = null;
  afterEach(async () => {
    await f?.close();
    f = null;
  });

  it('without one configured, links name the port listened on and resolve to the dashboard', async () => {
    f = await fixture();
    // As `vigie demo` builds it: a page with a name and no URL.
    const app = await f.build({ page: { name: 'SIMULATION' } });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const summary = (await (await fetch(`${base}/api/v2/summary.json`)).json()) as {
      page: { url: string };
      incidents: { id: string; shortlink: string }[];
    };
    expect(summary.page.url).toBe(base);
    const shortlink = summary.incidents.find((i) => i.id === OPEN.id)?.shortlink as string;
    expect(shortlink).toBe(`${base}/incidents/${OPEN.id}`);
    // The shortlink answers: a redirect to the dashboard's route for the incident…
    const res = await fetch(shortlink, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const target = new URL(res.headers.get('location') as string, shortlink);
    expect(target.href).toBe(`${base}/#/incident/${OPEN.id}`);
    // …which serves the dashboard.
    const page = await fetch(target);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<main id="main"');
    // The Atom entries carry the same links.
    const atom = await (await fetch(`${base}/api/incidents.atom`)).text();
    expect(atom).toContain(`<link rel="alternate" href="${base}/incidents/${OPEN.id}"/>`);
    expect(atom).toContain(`<link rel="self" href="${base}/api/incidents.atom"/>`);
    expect(atom).not.toContain('http://localhost/');
  });

  it('a configured public URL (behind a proxy, under a path) is used as is', async () => {
    f = await fixture();
    const app = await f.build({ publicUrl: 'https://status.example.org/vigie/' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const i = (await app.inject('/api/v2/incidents/unresolved.json')).json().incidents[0];
    expect(i.shortlink).toBe(`https://status.example.org/vigie/incidents/${OPEN.id}`);
    expect((await app.inject('/api/v2/status.json')).json().page.url).toBe(
      'https://status.example.org/vigie',
    );
    // The redirect is relative: under the proxy's prefix it stays there.
    const r = await app.inject(`/incidents/${OPEN.id}`);
    expect(r.statusCode).toBe(302);
    expect(new URL(r.headers.location as string, i.shortlink).href).toBe(
      `https://status.example.org/vigie/#/incident/${OPEN.id}`,
    );
  });

  it('normalises and checks what is configured', () => {
    expect(normalizePublicUrl('https://status.example.org/')).toBe('https://status.example.org');
    expect(() => normalizePublicUrl('ftp://x.example')).toThrow(/http/);
    expect(() => normalizePublicUrl('https://x.example/?a=1')).toThrow(/query/);
    expect(listenUrl({ address: '::', family: 'IPv6', port: 9000 })).toBe('http://localhost:9000');
    expect(listenUrl({ address: '::1', family: 'IPv6', port: 9000 })).toBe('http://[::1]:9000');
    // vigie.yaml: configured → normalised; absent → left to the listening address.
    expect(parseServeConfig('public_url: https://s.example.org/\n', 'v.yaml').page.url).toBe(
      'https://s.example.org',
    );
    expect(parseServeConfig('listen: 127.0.0.1:0\n', 'v.yaml').page.url).toBeUndefined();
    expect(() =>
      parseServeConfig('name: x\n', 'v.yaml', { VIGIE_PUBLIC_URL: 'https://x.example/#frag' }),
    ).toThrow(/VIGIE_PUBLIC_URL/);
  });
});
