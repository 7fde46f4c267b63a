/** The index pages: every site (searchable), every incident, every provider. */
import { api } from '../api.ts';
import { h, link, table } from '../dom.ts';
import type { View } from '../view.ts';
import { count, percent, statusWords, when } from '../words.ts';
import { blameIndex, componentBadge, since, siteProblem, stateBadge } from './common.ts';

const PAGE = 200;
/** Incidents and providers per page (an incident carries its timeline and evidence). */
const LIST_PAGE = 50;

export function sitesView(query: URLSearchParams): View {
  const q = query.get('q') ?? '';
  const state = query.get('state') ?? '';
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  return {
    refreshOn: (b) => b.sites.size > 0 || b.sitesListChanged,
    async render(ctx) {
      const [list, open] = await Promise.all([
        api.sites({ q: q.toLowerCase(), state: state || undefined, limit: PAGE, offset }),
        api.incidents('open', 100),
      ]);
      const blamed = blameIndex(open.incidents);
      const input = h('input', {
        id: 'sites-q',
        name: 'q',
        type: 'search',
        value: q,
        autocomplete: 'off',
        spellcheck: 'false',
      });
      const select = h(
        'select',
        { id: 'sites-state', name: 'state' },
        ['', 'down', 'degraded', 'up', 'unknown'].map((s) => {
          const o = h('option', { value: s }, s ? s : 'any state');
          if (s === state) o.selected = true;
          return o;
        }),
      );
      const go = (off: number) => {
        const p = new URLSearchParams();
        if (input.value) p.set('q', input.value);
        if (select.value) p.set('state', select.value);
        if (off) p.set('offset', String(off));
        location.hash = `#/sites${p.size ? `?${p}` : ''}`;
      };
      const body = h(
        'div',
        { class: 'page sites' },
        h('h1', { tabindex: '-1' }, 'Monitored sites'),
        h(
          'form',
          {
            class: 'filters',
            onsubmit: ((e: Event) => {
              e.preventDefault();
              go(0);
            }) as EventListener,
          },
          h('label', { for: 'sites-q' }, 'Name contains '),
          input,
          ' ',
          h('label', { for: 'sites-state' }, 'State '),
          select,
          ' ',
          h('button', { type: 'submit' }, 'Filter'),
        ),
        table(
          `${count(list.total, 'site')}${q ? ` matching “${q}”` : ''}${state ? `, ${state}` : ''}` +
            (list.total > PAGE ? ` — ${offset + 1} to ${Math.min(offset + PAGE, list.total)} shown` : ''),
          ['Site', 'State', 'What is seen', 'Since'],
          list.sites.map((s) => [
            link('site', s.domain),
            stateBadge(s.state),
            siteProblem(s, blamed.get(s.domain)),
            since(s.since, ctx.now),
          ]),
          { empty: 'No site matches.', className: 'sites-all' },
        ),
        h(
          'p',
          { class: 'pager' },
          offset > 0
            ? h('button', { type: 'button', onclick: () => go(Math.max(0, offset - PAGE)) }, 'Previous')
            : null,
          ' ',
          offset + PAGE < list.total
            ? h('button', { type: 'button', onclick: () => go(offset + PAGE) }, 'Next')
            : null,
        ),
      );
      return { title: 'Sites', body };
    },
  };
}

/** Incidents a page at a time (`#/incidents?offset=N`), from the API's own pages. */
export function incidentsView(query: URLSearchParams): View {
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const go = (off: number) => {
    location.hash = `#/incidents${off ? `?offset=${off}` : ''}`;
  };
  return {
    refreshOn: (b) => b.incidents.size > 0,
    async render() {
      const { incidents, total } = await api.incidents('all', LIST_PAGE, { offset });
      const body = h(
        'div',
        { class: 'page incidents' },
        h('h1', { tabindex: '-1' }, 'Incidents'),
        table(
          `Incidents, most recently started first${
            total > LIST_PAGE
              ? ` — ${offset + 1} to ${Math.min(offset + LIST_PAGE, total)} of ${total.toLocaleString('en')}`
              : ''
          }`,
          ['Incident', 'Status', 'Started', 'Sites', 'Restored', 'Confidence'],
          incidents.map((i) => [
            link('incident', i.id, i.name),
            statusWords(i.phase ?? i.status),
            when(i.startedAt),
            i.affected.length.toLocaleString('en'),
            i.resolvedAt === null ? percent(i.restored) : 'all',
            percent(i.confidence),
          ]),
          { empty: 'No incident yet.', className: 'incidents-all' },
        ),
        pager(offset, total, go),
      );
      return { title: 'Incidents', body };
    },
  };
}

/** Previous / Next buttons over an API's pages of {@link LIST_PAGE}. */
function pager(offset: number, total: number, go: (offset: number) => void): HTMLElement {
  return h(
    'p',
    { class: 'pager' },
    offset > 0
      ? h('button', { type: 'button', onclick: () => go(Math.max(0, offset - LIST_PAGE)) }, 'Previous')
      : null,
    ' ',
    offset + LIST_PAGE < total
      ? h('button', { type: 'button', onclick: () => go(offset + LIST_PAGE) }, 'Next')
      : null,
  );
}

/** Providers a page at a time (`#/providers?offset=N`). */
export function providersView(query: URLSearchParams): View {
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const go = (off: number) => {
    location.hash = `#/providers${off ? `?offset=${off}` : ''}`;
  };
  return {
    refreshOn: (b) => b.sites.size > 0 || b.incidents.size > 0,
    async render() {
      const { components: providers, total } = await api.components({
        kind: 'provider',
        limit: LIST_PAGE,
        offset,
      });
      const body = h(
        'div',
        { class: 'page providers' },
        h('h1', { tabindex: '-1' }, 'Providers'),
        table(
          `Providers by the number of monitored sites depending on them${
            total > LIST_PAGE
              ? ` — ${offset + 1} to ${Math.min(offset + LIST_PAGE, total)} of ${total.toLocaleString('en')}`
              : ''
          }`,
          ['Provider', 'State', 'Sites', 'Failing now', 'Cleared in'],
          providers.map((c) => [
            link('provider', c.id, c.org && c.org !== c.label ? `${c.label} (${c.org})` : c.label),
            componentBadge(c),
            c.sites.toLocaleString('en'),
            c.failing.toLocaleString('en'),
            c.exonerations.length ? count(c.exonerations.length, 'open incident') : '—',
          ]),
          { empty: 'No provider known yet: sites have not been mapped.', className: 'providers' },
        ),
        pager(offset, total, go),
      );
      return { title: 'Providers', body };
    },
  };
}
