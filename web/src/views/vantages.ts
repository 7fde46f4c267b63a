/**
 * Vigie's vantage points: each one's state (healthy, degraded, gone), last heartbeat, probe rate and
 * the sites it sees failing (`#/vantages`); one vantage with the sites as it sees them, failing first
 * (`#/vantage/NAME`).
 */
import { api, type VantageResult, type VantageSummary } from '../api.ts';
import { badge, h, link, section, table } from '../dom.ts';
import type { View } from '../view.ts';
import { count, serviceWords, signatureWords, stateWords, when } from '../words.ts';
import { stateBadge } from './common.ts';

const PAGE = 200;

const STATE_WORDS: Record<VantageSummary['state'], string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  gone: 'Gone',
};
const KIND_WORDS: Record<VantageSummary['kind'], string> = {
  agent: 'agent',
  local: 'in the core',
  'self-check': 'the monitor itself',
};

export function vantageBadge(state: VantageSummary['state']): HTMLElement {
  return badge(STATE_WORDS[state] ?? state, state === 'healthy' ? 'ok' : state === 'gone' ? 'bad' : 'warn');
}

/** "2.1 s ago", "4 min ago"; "never" before any heartbeat. */
export function ago(ms: number | null): string {
  if (ms === null) return 'never';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${Math.round(ms / 3_600_000)} h ago`;
}

function heartbeat(v: VantageSummary): string {
  if (v.kind !== 'agent') return v.lastObservation ? `last probe ${when(v.lastObservation)}` : '—';
  return ago(v.heartbeatAgeMs);
}

function rate(v: VantageSummary): string {
  return v.kind === 'self-check' ? '—' : v.probesPerS.toLocaleString('en', { maximumFractionDigits: 1 });
}

/** One result in words: "web: down (connection timed out)". */
export function resultWords(r: VantageResult): string {
  return `${serviceWords(r.role)}: ${r.outcome === 'up' ? 'up' : `${stateWords(r.outcome).toLowerCase()} (${signatureWords(r.signature)})`}`;
}

function summarySentence(vs: readonly VantageSummary[]): string {
  const probing = vs.filter((v) => v.kind !== 'self-check');
  if (!probing.length) return 'No vantage has probed yet.';
  const healthy = probing.filter((v) => v.state === 'healthy').length;
  const gone = probing.filter((v) => v.state === 'gone').length;
  const degraded = probing.length - healthy - gone;
  const parts = [`${count(healthy, 'healthy vantage')}`];
  if (degraded) parts.push(`${degraded} degraded (not counted, or late)`);
  if (gone) parts.push(`${gone} gone (${gone > 1 ? 'their' : 'its'} sites moved to the others)`);
  return `${count(probing.length, 'vantage')} probing: ${parts.join(', ')}.`;
}

export const vantagesView: View = {
  refreshOn: (b) => b.other || b.sites.size > 0,
  async render() {
    const { vantages } = await api.vantages();
    const body = h(
      'div',
      { class: 'page vantages' },
      h('h1', { tabindex: '-1' }, 'Vantage points'),
      h('p', { class: 'headline', id: 'vantages-summary' }, summarySentence(vantages)),
      h(
        'p',
        {},
        'A site is down only when a majority of the healthy vantages probing it agree; a vantage whose ' +
          'observations are implausible (its own network or resolver failing) stops counting, and a site ' +
          'failing from one vantage only is a regional or path problem, not an outage.',
      ),
      table(
        'Each vantage: state, last heartbeat, probes per second, sites it sees failing',
        ['Vantage', 'State', 'Why', 'Last heartbeat', 'Probes/s', 'Sites', 'Failing from it'],
        vantages.map((v) => [
          v.kind === 'self-check' ? v.vantage : link('vantage', v.vantage),
          h('span', {}, vantageBadge(v.state), ` ${KIND_WORDS[v.kind] ?? v.kind}`),
          v.reason || '—',
          heartbeat(v),
          rate(v),
          v.sites.toLocaleString('en'),
          v.failing.toLocaleString('en'),
        ]),
        { empty: 'No vantage yet.', className: 'vantages-all' },
      ),
    );
    return { title: 'Vantage points', body };
  },
};

export function vantageView(name: string, query: URLSearchParams): View {
  const state = query.get('state') ?? '';
  const q = query.get('q') ?? '';
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  return {
    refreshOn: (b) => b.other || b.sites.size > 0,
    async render() {
      const r = await api.vantage(name, {
        state: state || undefined,
        q: q.toLowerCase(),
        limit: PAGE,
        offset,
      });
      const v = r.vantage;
      const go = (p: { state?: string; q?: string; offset?: number }) => {
        const s = new URLSearchParams();
        const next = { state, q, offset: 0, ...p };
        if (next.state) s.set('state', next.state);
        if (next.q) s.set('q', next.q);
        if (next.offset) s.set('offset', String(next.offset));
        location.hash = `#/vantage/${encodeURIComponent(name)}${s.size ? `?${s}` : ''}`;
      };
      const input = h('input', { id: 'vantage-q', name: 'q', type: 'search', value: q, autocomplete: 'off' });
      const select = h(
        'select',
        { id: 'vantage-state', name: 'state' },
        ['', 'down', 'degraded', 'up'].map((s) => {
          const o = h('option', { value: s }, s ? s : 'any result');
          if (s === state) o.selected = true;
          return o;
        }),
      );
      const body = h(
        'div',
        { class: 'page vantage' },
        h('p', { class: 'crumbs' }, h('a', { href: '#/vantages' }, 'Vantage points'), ' › ', v.vantage),
        h('h1', { tabindex: '-1' }, v.vantage),
        h('p', { class: 'status-line' }, vantageBadge(v.state), ` ${KIND_WORDS[v.kind] ?? v.kind}`),
        h('p', { class: 'headline', id: 'vantage-summary' }, vantageSentence(v)),
        h(
          'dl',
          { class: 'facts wide' },
          fact('Last heartbeat', heartbeat(v)),
          fact('Probes per second', rate(v)),
          fact('Sites', v.sites.toLocaleString('en')),
          fact('Failing from it', v.failing.toLocaleString('en')),
          fact('Counts in the consensus', v.healthy ? 'yes' : 'no'),
        ),
        section(
          'Sites as this vantage sees them',
          2,
          h(
            'form',
            {
              class: 'filters',
              onsubmit: ((e: Event) => {
                e.preventDefault();
                go({ state: select.value, q: input.value });
              }) as EventListener,
            },
            h('label', { for: 'vantage-q' }, 'Name contains '),
            input,
            ' ',
            h('label', { for: 'vantage-state' }, 'Result '),
            select,
            ' ',
            h('button', { type: 'submit' }, 'Filter'),
          ),
          table(
            `${count(r.total, 'site')} from ${v.vantage}${state ? `, ${state}` : ''}, failing first` +
              (r.total > PAGE ? ` — ${offset + 1} to ${Math.min(offset + PAGE, r.total)} shown` : ''),
            ['Site', 'From here', 'Latest results', 'Probed'],
            r.sites.map((s) => [
              link('site', s.site),
              stateBadge(s.state),
              s.results.map(resultWords).join('; '),
              when(Math.max(...s.results.map((x) => x.time))),
            ]),
            { empty: 'No result from this vantage yet.', className: 'vantage-sites' },
          ),
          h(
            'p',
            { class: 'pager' },
            offset > 0
              ? h(
                  'button',
                  { type: 'button', onclick: () => go({ offset: Math.max(0, offset - PAGE) }) },
                  'Previous',
                )
              : null,
            ' ',
            offset + PAGE < r.total
              ? h('button', { type: 'button', onclick: () => go({ offset: offset + PAGE }) }, 'Next')
              : null,
          ),
        ),
      );
      return { title: `Vantage ${v.vantage}`, body };
    },
  };
}

function vantageSentence(v: VantageSummary): string {
  const sees = `it sees ${count(v.failing, 'site')} failing`;
  if (v.state === 'gone')
    return `${v.vantage} is gone: ${v.reason || 'no heartbeat'}; its sites are probed from the other vantages.`;
  if (!v.healthy)
    return `${v.vantage} does not count in the consensus now (${v.reason || 'implausible observations'}): its failures are its own trouble, not the sites'; ${sees}.`;
  if (v.state === 'degraded') return `${v.vantage} is degraded: ${v.reason}; ${sees}.`;
  return `${v.vantage} is healthy; ${sees}.`;
}

function fact(term: string, value: string): HTMLElement {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
