/** The front page: what is down right now, why, how many, since when. */
import { api, type IncidentView } from '../api.ts';
import { h, link, section, table } from '../dom.ts';
import type { View } from '../view.ts';
import { count, percent, signatureWords, statusWords, when } from '../words.ts';
import { blameIndex, componentBadge, incidentCard, paged, since, siteProblem, stateBadge } from './common.ts';

/** Failing sites fetched per state at load, and shown per page. */
const FETCHED = 100;
const PAGE = 50;
/** Shared-cause incidents drawn as cards; more are on the incidents page. */
const CARDS = 30;
/** One-site incidents fetched per page, once their group is opened. */
const LONE_PAGE = 50;

/**
 * The one-site group, kept across live re-draws: whether it is open and how many pages are loaded
 * (a re-draw must not close what the reader opened).
 */
const lone = { open: false, pages: 1 };

/** One-site incidents (a site failing alone): a compact table, not a card each. */
function loneTable(incidents: readonly IncidentView[], now: number): HTMLElement {
  return table(
    'Sites failing alone, no shared cause found, most recent first',
    ['Site', 'What is seen', 'Since', 'Status'],
    incidents.map((i) => [
      link('incident', i.id, i.affected[0] ?? i.name),
      i.kind === 'reported' ? 'reported down by the public' : signatureWords(i.signature),
      since(i.startedAt, now),
      statusWords(i.phase ?? i.status),
    ]),
    { className: 'lone-incidents-table' },
  );
}

/** The collapsed, counted group of one-site incidents, loading its pages from the API when opened. */
function loneGroup(total: number, first: readonly IncidentView[] | null, now: number): HTMLElement {
  const list = h('div', { class: 'lone-list' });
  let loaded: IncidentView[] = [...(first ?? [])];
  const more = h('button', { type: 'button', class: 'more' }, '');
  const draw = () => {
    const rest = total - loaded.length;
    more.textContent = `Show ${Math.min(LONE_PAGE, rest)} more (${loaded.length} of ${total} shown)`;
    list.replaceChildren(loneTable(loaded, now), ...(rest > 0 ? [h('p', { class: 'pager' }, more)] : []));
  };
  const load = async (pages: number) => {
    const r = await api.incidents('open', LONE_PAGE * pages, { scope: 'site' });
    loaded = r.incidents;
    draw();
  };
  more.addEventListener('click', () => {
    lone.pages++;
    void load(lone.pages).then(() => more.focus());
  });
  if (first) draw();
  const details = h(
    'details',
    { class: 'lone-incidents', id: 'lone-incidents', open: lone.open },
    h(
      'summary',
      {},
      `${count(total, 'one-site incident')} — a site failing alone, no shared component to blame`,
    ),
    list,
  );
  details.addEventListener('toggle', () => {
    lone.open = details.open;
    if (details.open && loaded.length === 0) void load(lone.pages);
  });
  return details;
}

export const nowView: View = {
  async render(ctx) {
    // Only what the page shows at first: shared-cause incidents, a count of the one-site ones (their
    // list loads when opened), the providers with failing sites, a page's worth of failing sites.
    const [health, shared, loneFirst, recent, down, degraded, unknown, providers] = await Promise.all([
      api.health(),
      api.incidents('open', CARDS, { scope: 'shared' }),
      api.incidents('open', lone.open ? LONE_PAGE * lone.pages : 1, { scope: 'site' }),
      api.incidents('resolved', 5),
      api.sites({ state: 'down', limit: FETCHED }),
      api.sites({ state: 'degraded', limit: FETCHED }),
      api.sites({ state: 'unknown', limit: 1 }),
      api.components({ kind: 'provider', affected: true, limit: 200 }),
    ]);
    const failing = down.total + degraded.total;
    const blamed = blameIndex([...shared.incidents, ...(lone.open ? loneFirst.incidents : [])]);
    const failingSites = [...down.sites, ...degraded.sites].sort(
      (a, b) => (a.since ?? 0) - (b.since ?? 0) || (a.domain < b.domain ? -1 : 1),
    );

    const unchecked = unknown.total;
    const headline =
      health.sites === 0
        ? 'Starting: no site mapped yet.'
        : failing > 0
          ? `${failing.toLocaleString('en')} of ${count(health.sites, 'monitored site')} ` +
            `${failing === 1 ? 'is' : 'are'} failing: ${down.total.toLocaleString('en')} down, ` +
            `${degraded.total.toLocaleString('en')} degraded.`
          : unchecked === health.sites
            ? `Starting: none of the ${count(health.sites, 'monitored site')} checked yet.`
            : unchecked === 0
              ? `All ${count(health.sites, 'monitored site')} are answering normally.`
              : `No failure among the ${count(health.sites - unchecked, 'site')} checked so far ` +
                `(${unchecked.toLocaleString('en')} not checked yet).`;

    const openCount = shared.total + loneFirst.total;
    const body = h(
      'div',
      { class: 'page now' },
      h('h1', { tabindex: '-1' }, 'What is down now'),
      h('p', { class: `headline ${failing ? 'bad' : 'ok'}`, id: 'headline' }, headline),
      health.monitor && !health.monitor.reliable
        ? h(
            'p',
            { class: 'banner warn', id: 'self-check', role: 'status' },
            `Vigie cannot trust its own measurements right now (${health.monitor.reason}), since ${when(health.monitor.at)}. ` +
              'No new incident is opened and probing is slowed until this machine answers on time again.',
          )
        : null,
      h('p', { class: 'muted' }, `As of ${when(ctx.now)}.`),
      section(
        'Open incidents',
        2,
        shared.incidents.length
          ? h(
              'div',
              { class: 'cards' },
              shared.incidents.map((i) => incidentCard(i, ctx.now)),
            )
          : h(
              'p',
              { class: 'empty' },
              openCount
                ? 'No shared component is failing.'
                : 'No open incident: no shared component is failing.',
            ),
        shared.total > shared.incidents.length
          ? h('p', {}, h('a', { href: '#/incidents' }, `All ${count(shared.total, 'shared-cause incident')}`))
          : null,
        loneFirst.total ? loneGroup(loneFirst.total, lone.open ? loneFirst.incidents : null, ctx.now) : null,
      ),
      providers.components.length
        ? section(
            'Providers with failing sites',
            2,
            paged(
              providers.components,
              PAGE,
              (shown) =>
                table(
                  'Providers whose monitored sites are failing now',
                  ['Provider', 'State', 'Failing sites', 'Share failing'],
                  shown.map((c) => [
                    link('provider', c.id, c.label),
                    componentBadge(c),
                    `${c.failing.toLocaleString('en')} of ${c.sites.toLocaleString('en')}`,
                    percent(c.failing / Math.max(1, c.sites)),
                  ]),
                  { className: 'providers-failing' },
                ),
              'more providers',
            ),
          )
        : null,
      section(
        'Sites failing now',
        2,
        failingSites.length
          ? paged(
              failingSites,
              PAGE,
              (shown) =>
                table(
                  failing > failingSites.length
                    ? `The ${failingSites.length} longest-failing of ${failing.toLocaleString('en')} failing sites`
                    : 'Every failing site, longest-failing first',
                  ['Site', 'State', 'What is seen', 'Since'],
                  shown.map((s) => [
                    link('site', s.domain),
                    stateBadge(s.state),
                    siteProblem(s, blamed.get(s.domain)),
                    since(s.since, ctx.now),
                  ]),
                  { className: 'sites-failing' },
                ),
              'more sites',
            )
          : h('p', { class: 'empty' }, 'No site is failing.'),
        failing > failingSites.length
          ? h('p', {}, h('a', { href: '#/sites?state=down' }, `All ${count(down.total, 'site')} down`))
          : null,
      ),
      recent.incidents.length
        ? section(
            'Recently resolved',
            2,
            table(
              'The last resolved incidents',
              ['Incident', 'Started', 'Resolved', 'Sites'],
              recent.incidents.map((i) => [
                link('incident', i.id, i.name),
                when(i.startedAt),
                when(i.resolvedAt),
                i.affected.length.toLocaleString('en'),
              ]),
            ),
          )
        : null,
    );
    return { title: failing ? `${failing} sites failing` : 'All up', body };
  },
};
