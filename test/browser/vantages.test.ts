/**
 * The dashboard's vantage pages in a real browser (Debian's Chromium via playwright-core), over the
 * fixture store served in process with three agent vantages — paris healthy, lyon failing alone
 * (its own network: it does not count), tokyo gone — and the fixture's open OVH incident: the
 * Vantages page (state, last heartbeat, probes/s, sites failing), one vantage's sites failing first,
 * a site from every vantage, and the incident saying from where its failure is seen. A vantage name
 * carrying a script is shown as text. Screenshots go to `test-artifacts/dashboard/`.
 */
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation } from '../../src/model/observation.ts';
import type { AgentState } from '../../src/server/status/types.ts';
import { type Fixture, fixture, OPEN, T0 } from '../support/server.ts';
import { type BrowserSession, CHROMIUM, ensureDashboardBuilt, launch, shot } from './harness.ts';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.VIGIE_REQUIRE_BROWSER)
  throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);

const PAYLOAD = '<img src=x onerror=alert("vantage")>';
const NOW = Date.now();

const obs = (site: string, vantage: string, outcome: Observation['outcome']): Observation => ({
  site,
  vantage,
  time: T0 + 600_000,
  kind: 'http',
  outcome,
  signature: outcome === 'down' ? 'connect_timeout' : 'ok',
  timings: { total: outcome === 'down' ? 10_000 : 40 },
});

const text = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());

/** Each row of a table as its cells' texts. */
const cells = (page: Page, selector: string) =>
  page
    .locator(`${selector} tbody tr`)
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim())),
    );

/** Wait until the dashboard has drawn a page whose heading matches. */
async function drawn(page: Page, heading: RegExp | string): Promise<void> {
  await page.locator('main h1').filter({ hasText: heading }).first().waitFor({ timeout: 10_000 });
  await page.locator('main:not([aria-busy])').waitFor({ timeout: 10_000 });
}

async function open(page: Page, hash: string, heading: RegExp | string): Promise<void> {
  await page.evaluate((h) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = h;
  }, hash);
  await drawn(page, heading);
}

describe.skipIf(!hasChromium)('vantage pages in Chromium', () => {
  let session: BrowserSession;
  let f: Fixture;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    ensureDashboardBuilt();
    f = await fixture();
    const agents: AgentState[] = [
      { vantage: 'paris', state: 'healthy', reason: '', lastHeartbeat: NOW, probesPerS: 12.5, sites: 12 },
      {
        vantage: 'lyon',
        state: 'degraded',
        reason: 'its observations are implausible (vantage health)',
        lastHeartbeat: NOW,
        probesPerS: 11,
        sites: 12,
      },
      {
        vantage: 'tokyo',
        state: 'gone',
        reason: 'heartbeats stopped',
        lastHeartbeat: NOW - 90_000,
        probesPerS: 0,
        sites: 0,
      },
    ];
    f.snapshot.setAgents(() => agents);
    for (const s of ['shop-1.test', 'shop-2.test', 'shop-3.test', 'store-1.test', 'news.test']) {
      f.bus.publish('observation', obs(s, 'paris', s.startsWith('shop-') ? 'down' : 'up'));
      f.bus.publish('observation', obs(s, 'lyon', 'down'));
    }
    f.bus.publish('observation', obs('school.test', PAYLOAD, 'down'));
    f.bus.publish('vantage', {
      vantage: 'lyon',
      healthy: false,
      at: T0 + 590_000,
      reason: 'implausible spread',
    });
    f.bus.publish('transition', {
      site: 'shop-1.test',
      role: 'web',
      from: 'up',
      to: 'down',
      at: T0 + 600_000,
      since: T0 + 540_000,
      signature: 'connect_timeout',
      vantages: ['paris'],
    });
    app = await f.build({ rateLimit: false });
    url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/`;
    session = await launch();
    await session.page.goto(url);
  });
  afterAll(async () => {
    await session?.close();
    await f?.close();
  });

  it('lists the vantages with state, last heartbeat, probes per second and sites failing', async () => {
    const { page } = session;
    await page.locator('nav a[data-nav="vantages"]').click();
    await drawn(page, 'Vantage points');
    expect(await page.locator('nav a[data-nav="vantages"]').getAttribute('aria-current')).toBe('page');
    expect(await text(page, '#vantages-summary')).toBe(
      '4 vantages probing: 2 healthy vantages, 1 degraded (not counted, or late), 1 gone (its sites moved to the others).',
    );
    const rows = await cells(page, 'table.vantages-all');
    const row = (name: string) => rows.find((r) => r[0] === name) ?? [];
    // Vantage, state, why, last heartbeat, probes/s, sites, failing from it.
    expect(row('paris')).toEqual([
      'paris',
      'Healthy agent',
      '—',
      expect.stringMatching(/^\d+\.\d s ago$/),
      '12.5',
      '12',
      '3',
    ]);
    expect(row('lyon')).toEqual([
      'lyon',
      'Degraded agent',
      'its observations are implausible (vantage health)',
      expect.stringMatching(/ s ago$/),
      '11',
      '12',
      '5',
    ]);
    expect(row('tokyo')).toEqual([
      'tokyo',
      'Gone agent',
      'heartbeats stopped',
      expect.stringMatching(/^(1|2) min ago$/),
      '0',
      '0',
      '0',
    ]);
    // The odd name is text, and its link is encoded.
    expect(row(PAYLOAD).slice(0, 2)).toEqual([PAYLOAD, 'Healthy in the core']);
    expect(await page.locator('table.vantages-all a', { hasText: PAYLOAD }).getAttribute('href')).toBe(
      `#/vantage/${encodeURIComponent(PAYLOAD)}`,
    );
    expect(session.dialogs).toEqual([]);
    await shot(page, 'vantages');
  });

  it('shows one vantage with the sites as it sees them, failing first', async () => {
    const { page } = session;
    await page.locator('table.vantages-all a', { hasText: 'lyon' }).click();
    await drawn(page, /^lyon$/);
    expect(await text(page, '#vantage-summary')).toBe(
      "lyon does not count in the consensus now (its observations are implausible (vantage health)): its failures are its own trouble, not the sites'; it sees 5 sites failing.",
    );
    const sites = await page
      .locator('table.vantage-sites tbody th')
      .evaluateAll((ths) => ths.map((th) => th.textContent));
    expect(sites).toEqual(['news.test', 'shop-1.test', 'shop-2.test', 'shop-3.test', 'store-1.test']);
    // Filter: only sites whose name contains "shop".
    await page.locator('#vantage-q').fill('shop');
    await page.locator('form.filters button[type="submit"]').click();
    await page.locator('table.vantage-sites caption', { hasText: '3 sites from lyon' }).waitFor();
    await shot(page, 'vantage-lyon');
  });

  it('shows a site from every vantage, naming the vantage that does not count', async () => {
    const { page } = session;
    await open(page, '#/site/shop-1.test', 'shop-1.test');
    expect(await text(page, '#vantages-summary')).toBe(
      "Failing from every vantage that counts (paris). lyon sees it failing but does not count (the vantage's own trouble).",
    );
    const rows = await cells(page, 'table.site-vantages');
    expect(rows.map((r) => [r[0], r[1], r[4]])).toEqual([
      ['lyon', 'Degraded', '—'],
      ['paris', 'Healthy', 'yes'],
    ]);
    expect(rows[1][2]).toBe('web: down (its server does not answer (connection timed out))');
    await open(page, '#/site/store-1.test', 'store-1.test');
    expect(await text(page, '#vantages-summary')).toBe(
      "Answering from every vantage that counts (paris). lyon sees it failing but does not count (the vantage's own trouble).",
    );
  });

  it('says from where the incident’s failure is seen', async () => {
    const { page } = session;
    await open(page, `#/incident/${OPEN.id}`, /OVH/);
    expect(await text(page, '#seen-from')).toBe(
      'Failure confirmed from paris. Failing now from paris (3 of 3). lyon sees 3 sites failing but does not count (degraded).',
    );
    expect(await cells(page, 'table.seen-from')).toEqual([
      ['paris', 'Healthy', '1', '3', '3'],
      ['lyon', 'Degraded', '0', '3', '3'],
    ]);
    await shot(page, 'incident-seen-from');
    expect(session.dialogs).toEqual([]);
    expect(session.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  });
});
