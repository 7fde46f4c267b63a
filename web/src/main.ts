/**
 * The dashboard: hash routes (`#/`, `#/incident/ID`, `#/provider/ID`, `#/site/DOMAIN`, `#/sites`,
 * `#/incidents`, `#/providers`, `#/concentration`, `#/vantages`, `#/vantage/NAME`) so it works from any static path, and live updates
 * from the event stream re-drawing the page in place.
 */
import './style.css';
import { ApiFailure, api } from './api.ts';
import { h } from './dom.ts';
import { describe, Live } from './live.ts';
import type { View, ViewContext } from './view.ts';
import { concentrationView } from './views/concentration.ts';
import { incidentView } from './views/incident.ts';
import { incidentsView, providersView, sitesView } from './views/lists.ts';
import { nowView } from './views/now.ts';
import { providerView } from './views/provider.ts';
import { siteView } from './views/site.ts';
import { vantagesView, vantageView } from './views/vantages.ts';
import { setTimeZone, when } from './words.ts';

const main = document.getElementById('main') as HTMLElement;
const announcer = document.getElementById('announce') as HTMLElement;
let siteName = 'Vigie';

function route(): { view: View; nav: string } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?', 2);
  const query = new URLSearchParams(qs ?? '');
  const [page, ...rest] = path.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  switch (page) {
    case 'incident':
      return { view: incidentView(arg), nav: 'incidents' };
    case 'provider':
    case 'component':
      return { view: providerView(arg), nav: 'providers' };
    case 'site':
      return { view: siteView(arg), nav: 'sites' };
    case 'sites':
      return { view: sitesView(query), nav: 'sites' };
    case 'incidents':
      return { view: incidentsView(query), nav: 'incidents' };
    case 'providers':
      return { view: providersView(query), nav: 'providers' };
    case 'vantages':
      return { view: vantagesView, nav: 'vantages' };
    case 'vantage':
      return { view: vantageView(arg, query), nav: 'vantages' };
    case 'concentration':
      return { view: concentrationView(query.get('what')), nav: 'concentration' };
    default:
      return { view: nowView, nav: 'now' };
  }
}

let current: { view: View; dispose: (() => void)[] } | null = null;
let drawn = false;
let rendering: Promise<void> = Promise.resolve();

/** Draw the current route; `live`: a re-draw in place (keep focus and scroll, do not move focus). */
function render(live: boolean): Promise<void> {
  rendering = rendering.then(() => draw(live)).catch((e) => console.error(e));
  return rendering;
}

async function draw(live: boolean): Promise<void> {
  const { view, nav } = live && current ? { view: current.view, nav: '' } : route();
  const dispose: (() => void)[] = [];
  const ctx: ViewContext = {
    now: Date.now(),
    width: main.clientWidth,
    onDispose: (f) => dispose.push(f),
  };
  main.setAttribute('aria-busy', 'true');
  let page: Awaited<ReturnType<View['render']>>;
  try {
    const t = await api.time();
    ctx.now = t.now;
    showPageName(t.name, t.timeZone, t.now);
    page = await view.render(ctx);
  } catch (e) {
    page = errorPage(e);
  }
  // Keep the keyboard where it was across a live re-draw: same link, same control.
  const focusKey = live ? keyOf(document.activeElement) : null;
  for (const f of current?.dispose ?? []) f();
  current = { view, dispose };
  main.replaceChildren(page.body);
  main.removeAttribute('aria-busy');
  document.title = `${page.title} — ${siteName}`;
  if (!live) {
    for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-nav]')) {
      if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    // After a navigation (not the first page), move focus to the new page's heading.
    if (drawn) main.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    drawn = true;
  } else if (focusKey) {
    const again = main.querySelector<HTMLElement>(focusKey);
    again?.focus({ preventScroll: true });
  }
  await page.mounted?.();
  main.dataset.rendered = String(Number(main.dataset.rendered ?? 0) + 1);
}

function keyOf(el: Element | null): string | null {
  if (!el || !main.contains(el)) return null;
  if (el.id) return `#${CSS.escape(el.id)}`;
  const href = el.getAttribute('href');
  return href ? `a[href="${CSS.escape(href)}"]` : null;
}

function errorPage(e: unknown): { title: string; body: HTMLElement } {
  const notFound = e instanceof ApiFailure && e.status === 404;
  return {
    title: notFound ? 'Not found' : 'Error',
    body: h(
      'div',
      { class: 'page error' },
      h('h1', { tabindex: '-1' }, notFound ? 'Not found' : 'Something went wrong'),
      h('p', {}, e instanceof Error ? e.message : String(e)),
      h('p', {}, h('a', { href: '#/' }, 'Back to what is down now')),
    ),
  };
}

function announce(text: string): void {
  if (!text) return;
  // A new node each time, so screen readers read it even when the words repeat.
  announcer.replaceChildren(h('p', {}, text));
  const log = document.getElementById('live-state');
  if (log) log.dataset.last = text;
}

/**
 * The page's name in the header. It can change while the page is open (`vigie demo` moves on to the
 * next replay), so it is read again with the clock on every draw; a replay shows its simulated time.
 */
function showPageName(name: string, tz: string, now: number): void {
  setTimeZone(tz);
  siteName = name;
  const label = document.getElementById('page-name');
  if (!label || name === 'Vigie') return;
  label.textContent = /SIMULATION/.test(name) ? `${name} · simulated time ${when(now)}` : name;
}

async function boot(): Promise<void> {
  try {
    const t = await api.time();
    showPageName(t.name, t.timeZone, t.now);
  } catch {
    // the pages will say what is wrong
  }
  const liveState = document.getElementById('live-state') as HTMLElement;
  const toggle = document.getElementById('live-toggle') as HTMLButtonElement;
  const live = new Live({
    batchMs: 1000,
    onStatus: (text, ok) => {
      liveState.textContent = text;
      liveState.classList.toggle('down', !ok);
    },
    onBatch: (b) => {
      announce(describe(b));
      if (current && (current.view.refreshOn?.(b) ?? true)) void render(true);
    },
  });
  try {
    live.know((await api.incidents('all', 500)).incidents);
  } catch {
    // announced as new, at worst
  }
  live.start();
  toggle.addEventListener('click', () => {
    const paused = toggle.getAttribute('aria-pressed') !== 'true';
    toggle.setAttribute('aria-pressed', String(paused));
    toggle.textContent = paused ? 'Resume live updates' : 'Pause live updates';
    live.setPaused(paused);
  });
  document.getElementById('lookup')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = (document.getElementById('lookup-q') as HTMLInputElement).value.trim().toLowerCase();
    if (!q) return;
    const domain = q.replace(/^https?:\/\//, '').replace(/[/:].*$/, '');
    const found = await api.sites({ q: domain, limit: 2 }).catch(() => null);
    location.hash =
      found?.sites.length === 1 || found?.sites.some((s) => s.domain === domain)
        ? `#/site/${encodeURIComponent(found.sites.find((s) => s.domain === domain)?.domain ?? found.sites[0].domain)}`
        : `#/sites?q=${encodeURIComponent(domain)}`;
  });
  // The skip link must not change the hash: the hash is the route.
  document.querySelector('a.skip')?.addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => void render(false));
  await render(false);
}

void boot();
