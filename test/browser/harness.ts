/**
 * What the dashboard's browser tests run against: Debian's Chromium driven by playwright-core, and
 * real Vigie processes — `vigie demo` replaying a scenario (its world in a child process, the real
 * pipeline, the server) on free ports — or an in-process server over the fixture store. Screenshots
 * go to `test-artifacts/`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type Child, ROOT, startDemoCli, waitFor } from '../support/cli.ts';

export { type Child, ROOT };
export const CHROMIUM = process.env.VIGIE_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard');

/** Build `web/dist` if missing or stale (the same step `npm install` and `npm start` run). */
export function ensureDashboardBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'web', 'ensure-built.js')], { stdio: 'inherit' });
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('web/dist was not built');
}

export interface BrowserSession {
  browser: Browser;
  page: Page;
  /** Dialogs opened by the page (an injected `alert()` would land here). */
  dialogs: string[];
  /** Console errors and uncaught exceptions, CSP violations included. */
  errors: string[];
  close(): Promise<void>;
}

/** Chromium with a fresh profile (playwright-core makes a new user data directory per launch). */
export async function launch(): Promise<BrowserSession> {
  // Chromium as root needs --no-sandbox; the rest keeps it off the network and quiet.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { browser, page, dialogs, errors, close: () => browser.close() };
}

/** A full-page screenshot in `test-artifacts/dashboard/NAME.png`; returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * `vigie demo --scenario FILE` on free ports (server, world), holding the replay's final state on
 * screen; resolves with the URL once the replay's sites are mapped and watched.
 */
export async function startDemo(
  scenario: string,
  stateDir: string,
  extra: string[] = [],
): Promise<Child & { url: string }> {
  const child = startDemoCli(
    stateDir,
    '--scenario',
    scenario,
    '--once',
    '--port',
    '0',
    '--port-base',
    '0',
    '--pause',
    '10m',
    ...extra,
  );
  const m = await waitFor(child, /Dashboard: (http:\/\/\S+)/, 20_000);
  await waitFor(child, /mapped \d+\/\d+ sites/, 30_000);
  return Object.assign(child, { url: m[1] });
}

/** Poll `f` until it returns a value (not undefined), or fail after `timeoutMs`. */
export async function eventually<T>(
  f: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
