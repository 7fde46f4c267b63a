/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core), against real servers:
 *
 * 1. the fixture store's OVH incident (one open incident clearing Cloudflare) served in process, so
 *    the incident page is checked whatever the pipeline produces today;
 * 2. `vigie demo --scenario` replaying a small OVH backbone outage (the seed scenario's shape on 40
 *    sites, at ×120) as a child process on free ports — the real pipeline (world child process, map,
 *    probes, detection, inference, incidents) published live: sites going down and the incident
 *    arriving without a reload, the incident page (OVH to blame, Cloudflare cleared with numbers, the
 *    crowd-report curve), provider, site and concentration pages, script payloads shown as text.
 *
 * Screenshots of every page go to `test-artifacts/dashboard/`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/lab/scenario/load.ts';
import { hashToken } from '../../src/server/auth.ts';
import { type Fixture, fixture, OPEN, T0, TOKEN } from '../support/server.ts';
import {
  type BrowserSession,
  CHROMIUM,
  type Child,
  ensureDashboardBuilt,
  eventually,
  launch,
  ROOT,
  shot,
  startDemo,
} from './harness.ts';

const PAYLOAD_NAME = '<script>alert("name")</script>.test';
const PAYLOAD_TAG = '<img src=x onerror=alert("tag")><script>alert("tag")</script>';
const PAYLOAD_NOTE = '</q><script>alert("note")</script>';

// CI installs Chromium (.ci/run) and sets VIGIE_REQUIRE_BROWSER: there a missing browser is a failure.
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.VIGIE_REQUIRE_BROWSER)
  throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);

/** The page's text, whitespace collapsed. */
const text = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());

/** Wait until the dashboard has drawn a page whose heading matches. */
async function drawn(page: Page, heading: RegExp | string): Promise<void> {
  await page.locator('main h1').filter({ hasText: heading }).first().waitFor({ timeout: 10_000 });
  await page.locator('main:not([aria-busy])').waitFor({ timeout: 10_000 });
}

/** Mark the document, to tell later that an update arrived without a reload. */
const markDocument = (page: Page) =>
  page.evaluate(() => {
    (globalThis as Record<string, unknown>).sameDocument = true;
  });
const sameDocument = (page: Page) =>
  page.evaluate(() => (globalThis as Record<string, unknown>).sameDocument === true);

/** Nothing the page was given ran as code, and the CSP had nothing to block. */
function expectNoInjection(s: BrowserSession): void {
  expect(s.dialogs).toEqual([]);
  expect(s.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
}

describe.skipIf(!hasChromium)('dashboard in Chromium', () => {
  let session: BrowserSession;
  const tmp = mkdtempSync(join(tmpdir(), 'vigie-browser-'));

  beforeAll(async () => {
    ensureDashboardBuilt();
    session = await launch();
  });
  afterAll(async () => {
    await session?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('over the fixture incident (in-process server)', () => {
    let f: Fixture;
    let app: FastifyInstance;
    let url: string;

    beforeAll(async () => {
      f = await fixture();
      // A name no API would accept, as if another writer had put it in the store: still only text.
      const odd = { domain: PAYLOAD_NAME, tags: [PAYLOAD_TAG] };
      await f.store.upsertSites([odd]);
      f.snapshot.addSites([odd]);
      app = await f.build({ rateLimit: false });
      const ack = await app.inject({
        method: 'POST',
        url: `/api/incidents/${OPEN.id}/acknowledge`,
        headers: { authorization: `Bearer ${TOKEN}` },
        payload: { note: PAYLOAD_NOTE },
      });
      expect(ack.statusCode).toBe(200);
      url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/`;
    });
    afterAll(async () => {
      await f?.close();
    });

    it('serves the dashboard with a Content-Security-Policy', async () => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<main id="main"');
      // Unknown API paths still answer the API's JSON error, not the dashboard.
      const missing = await fetch(`${url}api/nothing-here`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { code: string }).code).toBe('VIGIE_NOT_FOUND');
    });

    it('shows an incident: cause, confidence, evidence, exonerations with numbers, recovery chart', async () => {
      const { page } = session;
      await page.goto(`${url}#/incident/${OPEN.id}`);
      await drawn(page, 'OVHcloud');
      expect(await text(page, '#cause')).toBe('OVHcloud (AS16276) stopped answering on the network.');
      expect(await text(page, 'main')).toContain('Confidence: 99 %');
      expect(await text(page, '.evidence')).toContain('OVHcloud hosting: 6 of 6 failing (100 %)');
      expect(await text(page, 'table.exonerated')).toContain(
        'cloudflare: 0 of 5 monitored sites behind it degraded',
      );
      expect(await text(page, '#recovery-summary')).toMatch(/Peak: 6 sites failing .*83 % restored/);
      await page.locator('.chart canvas').first().waitFor({ timeout: 10_000 });
      expect(await page.locator('.chart').first().getAttribute('aria-label')).toMatch(/Peak: 6 sites/);
      // The operator's note is text inside the quote, not markup closing it.
      expect(await text(page, 'q.note')).toBe(PAYLOAD_NOTE);
      expect(await page.locator('.site-list li').count()).toBe(6);
      await shot(page, 'fixture-incident');
      expectNoInjection(session);
    });

    it('renders a site name and tag carrying script payloads as text', async () => {
      const { page } = session;
      await page.goto(`${url}#/sites`);
      await drawn(page, 'Monitored sites');
      await expect(page.getByRole('link', { name: PAYLOAD_NAME }).count()).resolves.toBe(1);
      await page.getByRole('link', { name: PAYLOAD_NAME }).click();
      await drawn(page, PAYLOAD_NAME);
      expect(await text(page, 'main h1')).toBe(PAYLOAD_NAME);
      expect(await text(page, '.tag')).toBe(PAYLOAD_TAG);
      expect(await page.locator('main script, main img[src="x"]').count()).toBe(0);
      await shot(page, 'fixture-site-payload');
      expectNoInjection(session);
    });

    it('updates the front page live, without a reload', async () => {
      const { page } = session;
      await page.goto(url);
      await drawn(page, 'What is down now');
      await page.locator('#live-state', { hasText: /^Live$/ }).waitFor({ timeout: 10_000 });
      expect(await text(page, '.sites-failing')).toContain('shop-1.test');
      expect(await text(page, '.sites-failing')).not.toContain('shop-2.test');
      await markDocument(page);
      f.bus.publish('transition', {
        site: 'shop-2.test',
        role: 'web',
        from: 'up',
        to: 'down',
        at: T0 + 650_000,
        since: T0 + 600_000,
        signature: 'connect_timeout',
        vantages: ['paris'],
      });
      await page.locator('.sites-failing').filter({ hasText: 'shop-2.test' }).waitFor({ timeout: 10_000 });
      expect(await sameDocument(page)).toBe(true);
      expect(await text(page, '#announce')).toContain('1 site went down');
      // The failing site's row names the incident that explains it.
      const row = page.locator('.sites-failing tr').filter({ hasText: 'shop-2.test' });
      expect(await row.textContent()).toContain('its server does not answer (connection timed out)');
      expect(await row.textContent()).toContain('OVHcloud');
      await shot(page, 'fixture-now-live');
    });

    it('shows a provider cleared in an open incident, and the blast radius of a component', async () => {
      const { page } = session;
      await page.goto(`${url}#/provider/provider%3Acloudflare`);
      await drawn(page, 'Cloudflare');
      expect(await text(page, 'main')).toContain('cloudflare: 0 of 5 monitored sites behind it degraded');
      expect(await text(page, '#provider-summary')).toContain('5 monitored sites depend on it');
      await shot(page, 'fixture-provider-cloudflare');
      await page.goto(`${url}#/concentration?what=provider%3Aovh`);
      await drawn(page, 'Concentration');
      expect(await text(page, '#whatif-result')).toMatch(/If .* failed, 6 monitored sites/);
      await shot(page, 'fixture-concentration');
    });
  });

  describe('many one-site incidents (in-process server)', () => {
    const LONE = 300;
    let f: Fixture;
    let url: string;

    beforeAll(async () => {
      f = await fixture();
      // 300 sites failing alone, each its own open incident, beside the fixture's shared OVH incident.
      for (let k = 1; k <= LONE; k++) {
        const domain = `lone-${k}.test`;
        f.snapshot.applyIncident({
          ...OPEN,
          id: `inc-lone-${k}`,
          cause: { ...OPEN.cause, provider: null, asn: null, name: null, component: `site:${domain}` },
          kind: 'http',
          signature: 'http_5xx',
          confidence: 0.6,
          startedAt: T0 + k * 1000,
          detectedAt: T0 + k * 1000 + 60_000,
          affected: [domain],
          exonerated: [],
          evidence: [],
          timeline: [{ time: T0 + k * 1000 + 60_000, failing: 1, restored: 0 }],
        });
      }
      const app = await f.build({ rateLimit: false });
      url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/`;
    });
    afterAll(async () => {
      await f?.close();
    });

    it('keeps the front page short: one-site incidents in a collapsed, counted group, opened on demand', async () => {
      const { page } = session;
      const requests: string[] = [];
      const onRequest = (r: { url(): string }) => requests.push(r.url());
      page.on('request', onRequest);
      try {
        await page.goto(url);
        await drawn(page, 'What is down now');
        // The shared-cause incident is a card; the 300 others are not.
        expect(await page.locator('.incident-card.open').count()).toBe(1);
        expect(await text(page, '.incident-card.open')).toContain('OVHcloud');
        const group = page.locator('details.lone-incidents');
        expect(await group.getAttribute('open')).toBeNull();
        expect(await text(page, 'details.lone-incidents summary')).toMatch(/^300 one-site incidents/);
        const height = await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
              .documentElement.scrollHeight,
        );
        expect(height).toBeLessThan(3000);
        // At load, no list of one-site incidents was fetched: only their count (one row).
        const loneReads = requests.filter((u) => /api\/incidents\?.*scope=site/.test(u));
        expect(loneReads.length).toBeGreaterThan(0);
        for (const u of loneReads) expect(new URL(u).searchParams.get('limit')).toBe('1');
        await shot(page, 'lone-collapsed');

        // Opening the group loads its first page; "Show more" the next.
        await page.locator('details.lone-incidents summary').click();
        const rows = page.locator('table.lone-incidents-table tbody tr');
        await eventually(async () => ((await rows.count()) === 50 ? true : undefined), 10_000, '50 rows');
        expect(await rows.first().textContent()).toMatch(/lone-300\.test/);
        await page.getByRole('button', { name: /^Show 50 more \(50 of 300 shown\)/ }).click();
        await eventually(async () => ((await rows.count()) === 100 ? true : undefined), 10_000, '100 rows');
        // A live change re-draws the page: the group stays open with what was loaded.
        f.bus.publish('transition', {
          site: 'shop-3.test',
          role: 'web',
          from: 'up',
          to: 'down',
          at: T0 + 650_000,
          since: T0 + 600_000,
          signature: 'connect_timeout',
          vantages: ['paris'],
        });
        await page.locator('.sites-failing').filter({ hasText: 'shop-3.test' }).waitFor({ timeout: 10_000 });
        expect(await page.locator('details.lone-incidents').getAttribute('open')).not.toBeNull();
        expect(await rows.count()).toBe(100);
        await shot(page, 'lone-open');
      } finally {
        page.off('request', onRequest);
      }
    });

    it('pages the incident list', async () => {
      const { page } = session;
      await page.goto(`${url}#/incidents`);
      await drawn(page, 'Incidents');
      expect(await page.locator('table.incidents-all tbody tr').count()).toBe(50);
      expect(await text(page, 'table.incidents-all caption')).toMatch(/1 to 50 of 302/);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('table.incidents-all caption', { hasText: /51 to 100 of 302/ }).waitFor();
      expect(await page.locator('table.incidents-all tbody tr').count()).toBe(50);
    });
  });

  describe('live, against `vigie demo` replaying an OVH backbone outage', () => {
    const scenario = join(ROOT, 'test', 'browser', 'fixtures', 'ovh-backbone-mini.yaml');
    const token = 'browser-test-token-0123456789';
    let demo: Child & { url: string };
    let faultReal = 0;

    beforeAll(async () => {
      const s = loadScenario(scenario);
      demo = await startDemo(scenario, join(tmp, 'demo'), ['--token-hash', hashToken(token)]);
      // When the outage begins, in real time, from the pipeline's (simulated) clock.
      const t = (await (await fetch(`${demo.url}api/time`)).json()) as { now: number };
      faultReal = Date.now() + ((s.faults[0].at as number) - t.now) / (s.speed ?? 1);
    }, 60_000);
    afterAll(async () => {
      await demo?.stop();
    });

    it('shows OVH sites going down live, without a reload, labelled as a simulation', async () => {
      const { page } = session;
      await page.goto(demo.url);
      await drawn(page, 'What is down now');
      // The page was drawn before the outage began.
      expect(Date.now()).toBeLessThan(faultReal);
      expect(await text(page, '.page-name')).toMatch(
        /^SIMULATION — replaying “OVHcloud backbone outage .*” \(×120\) · simulated time 13 Oct 2021, 09:\d\d/,
      );
      await markDocument(page);
      const downRows = page.locator('.sites-failing tbody tr').filter({ hasText: 'Down' });
      const before = (await downRows.allTextContents()).length;
      // Most of OVH's 18 sites turn up as Down, live (a loaded machine can make a site or two slow
      // or time out before the outage: the test counts, it does not require a clean start).
      const ovhDown = page
        .locator('.sites-failing tbody tr')
        .filter({ hasText: /^(shop|media|store)-\d+\.testDown/ });
      await eventually(
        async () => ((await ovhDown.count()) >= 12 ? true : undefined),
        25_000,
        '12 OVH sites down',
      );
      expect(await sameDocument(page)).toBe(true);
      expect(await text(page, '#headline')).toMatch(
        /\d+ of 40 monitored sites (is|are) failing: [1-9]\d* down/,
      );
      expect(await text(page, '#announce')).toMatch(/went down|New incident/);
      const row = page
        .locator('.sites-failing tbody tr')
        .filter({ hasText: /^shop-\d+\.testDown/ })
        .first();
      expect(await row.textContent()).toMatch(/(server|DNS servers) do(es)? not answer/);
      expect(await downRows.count()).toBeGreaterThan(before);
      // Bystanders are not down.
      const down = await page
        .locator('.sites-failing tbody tr')
        .filter({ hasText: 'Down' })
        .allTextContents();
      expect(down.join(' ')).not.toMatch(/forum-|saas-/);
      // The pipeline's incident arrives live too: OVH blamed, on the same document.
      const card = page.locator('.incident-card.open').filter({ hasText: /OVH/ });
      await card.first().waitFor({ timeout: 15_000 });
      expect(await sameDocument(page)).toBe(true);
      expect(await card.first().textContent()).toMatch(
        /OVH SAS \(AS16276\) stopped answering on the network/,
      );
      await shot(page, 'live-now');
    }, 45_000);

    it('shows the incident from the real pipeline: OVH to blame, Cloudflare cleared with numbers, reports', async () => {
      const incidents = async () =>
        (
          (await (await fetch(`${demo.url}api/incidents?status=all`)).json()) as {
            incidents: {
              id: string;
              cause: { provider: string | null; region: string | null; role: string | null };
              exonerated: { provider: string; evidence: string }[];
              reports?: { total: number; peak: number; peakAt: number | null };
            }[];
          }
        ).incidents;
      const ovh = (await incidents()).filter((i) => i.cause.provider === 'ovh');
      expect(ovh).toHaveLength(1);
      const [incident] = ovh;
      // The whole provider, not one of its regions or roles; no incident blames the CDN.
      expect(incident.cause.region).toBeNull();
      expect(incident.cause.role).toBeNull();
      expect((await incidents()).filter((i) => i.cause.provider === 'cloudflare')).toEqual([]);
      expect(incident.exonerated.map((x) => x.provider)).toContain('cloudflare');
      // The crowd reports, posted through the intake, make a curve with a peak on the incident.
      const reports = await eventually(
        async () => {
          const i = (await incidents()).find((x) => x.id === incident.id);
          return i?.reports && i.reports.total >= 5 ? i.reports : undefined;
        },
        20_000,
        'crowd reports on the incident',
      );
      expect(reports.peak).toBeGreaterThan(0);
      expect(reports.peakAt).not.toBeNull();

      const { page } = session;
      await page.goto(`${demo.url}#/incident/${encodeURIComponent(incident.id)}`);
      await drawn(page, /OVH/);
      expect(await text(page, '#cause')).toBe('OVH SAS (AS16276) stopped answering on the network.');
      expect(await text(page, 'main')).toMatch(/Confidence: 9\d %|Confidence: 100 %/);
      expect(await text(page, 'table.exonerated')).toMatch(
        /cloudflare: \d+ of \d+ monitored sites behind it degraded/,
      );
      expect(await text(page, 'table.exonerated')).toMatch(
        /aws: 0 of \d+ monitored sites hosted there degraded/,
      );
      expect(await text(page, 'main')).toMatch(/\d+ reports from the public; peak of \d+ at \d\d:\d\d/);
      expect(await text(page, '.evidence')).toMatch(/ovh hosting: \d+ of \d+ failing/);
      await page.locator('.chart canvas').first().waitFor({ timeout: 10_000 });
      await shot(page, 'live-incident');
      expectNoInjection(session);
    }, 40_000);

    it('shows the provider page: OVH with its monitored sites, roles and failing count', async () => {
      const { page } = session;
      await page.goto(`${demo.url}#/provider/provider%3Aovh`);
      await drawn(page, /ovh/i);
      expect(await text(page, '#provider-summary')).toMatch(/18 monitored sites depend on it/);
      expect(await text(page, 'main')).toMatch(/Hosting \(the site’s servers are on its network\)/);
      expect(await text(page, 'main')).toMatch(/DNS \(it answers for the site’s name\)/);
      // History: the share of its sites' probes failing, per minute, as a chart and in words.
      await page.locator('.chart canvas').first().waitFor({ timeout: 10_000 });
      expect(await text(page, '#history-summary')).toMatch(
        /Worst minute: \d\d:\d\d, \d+ % of the probes of its sites failed/,
      );
      await shot(page, 'live-provider-ovh');
    });

    it('shows a site: dependency graph, probe timings over time, signature history', async () => {
      // One of the OVH-hosted shops the outage took down (its history keeps the fall).
      const site = 'shop-1.test';
      const { page } = session;
      await page.goto(`${demo.url}#/site/${site}`);
      await drawn(page, site);
      await page.locator('.graph canvas').first().waitFor({ timeout: 10_000 });
      await page.locator('.chart canvas').first().waitFor({ timeout: 10_000 });
      expect(await page.locator('.graph').getAttribute('aria-label')).toMatch(
        new RegExp(`${site.replace('.', '\\.')} depends on — hosting: .*OVH`),
      );
      expect(await text(page, '#timings-summary')).toMatch(/\d+ probes since .* failed/);
      expect(await text(page, 'table.transitions')).toMatch(/→ Down/);
      await shot(page, 'live-site');
    });

    it('shows providers ranked by dependent sites and the blast radius of OVH', async () => {
      const { page } = session;
      await page.goto(`${demo.url}#/concentration?what=provider%3Aovh`);
      await drawn(page, 'Concentration');
      expect(await text(page, '#whatif-result')).toMatch(
        /If ovh failed, 18 monitored sites \(45\.0 %\) would be hit/,
      );
      expect(await text(page, 'table.ranking')).toMatch(/1\. \w+/);
      await shot(page, 'live-concentration');
    });

    it('refuses a script payload as a site name and shows one in a tag as text', async () => {
      const post = (body: unknown) =>
        fetch(`${demo.url}api/sites`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const refused = await post({ sites: [{ domain: PAYLOAD_NAME }] });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { code: string }).code).toBe('VIGIE_INVALID_DOMAIN');
      // Nor through the report intake: nothing is kept about a name that is not a watched site.
      const report = await fetch(`${demo.url}api/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ domain: PAYLOAD_NAME, problem: 'site' }),
      });
      expect(report.status).toBe(400);
      expect((await post({ sites: [{ domain: 'payload.test', tags: [PAYLOAD_TAG] }] })).status).toBe(201);
      const { page } = session;
      await page.goto(`${demo.url}#/site/payload.test`);
      await drawn(page, 'payload.test');
      expect(await text(page, '.tag')).toBe(PAYLOAD_TAG);
      expect(await page.locator('main script, main img[src="x"]').count()).toBe(0);
      await shot(page, 'live-site-payload');
      expectNoInjection(session);
    });
  });
});
