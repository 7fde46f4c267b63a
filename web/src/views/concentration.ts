/**
 * Concentration and what-if: providers ranked by the monitored sites that depend on them (overall and
 * per role, with the HHI), and the blast radius of any component — the sites that would fail with it.
 */
import { ApiFailure, api, type BlastRadius, type ProviderShare } from '../api.ts';
import { h, link, section, table } from '../dom.ts';
import type { View } from '../view.ts';
import { count, percent } from '../words.ts';
import { componentId } from './common.ts';

const ROLE_TITLES: Record<string, string> = {
  hosting: 'Hosting',
  dns: 'DNS',
  mail: 'Mail',
  cdn: 'CDN',
  platform: 'Platforms',
};

/** The antitrust reading of the Herfindahl–Hirschman index (0–10,000). */
function hhiWords(hhi: number): string {
  if (hhi > 2500) return 'highly concentrated';
  if (hhi >= 1500) return 'moderately concentrated';
  return 'not concentrated';
}

function shareRows(list: ProviderShare[]): HTMLElement[][] {
  return list.map((p, k) => [
    h('span', {}, `${k + 1}. `, link('provider', componentId(p.provider), p.provider)),
    h('span', {}, p.sites.toLocaleString('en')),
    h(
      'span',
      { class: 'share' },
      h('meter', { min: 0, max: 1, value: p.share, 'aria-hidden': 'true' }),
      ` ${percent(p.share, 1)}`,
    ),
  ]);
}

export function concentrationView(what: string | null): View {
  return {
    refreshOn: (b) => b.sitesListChanged,
    async render() {
      const [conc, comps] = await Promise.all([api.concentration(), api.components()]);
      let radius: BlastRadius | null = null;
      let missing = false;
      if (what) {
        try {
          radius = await api.whatif(what, 1000);
        } catch (e) {
          if (!(e instanceof ApiFailure && e.status === 404)) throw e;
          missing = true;
        }
      }
      const select = h(
        'select',
        { id: 'whatif-component', name: 'component' },
        comps.components
          .filter((c) => c.sites > 0)
          .map((c) => {
            const o = h('option', { value: c.id }, `${c.label} — ${c.kind}, ${count(c.sites, 'site')}`);
            if (c.id === what) o.selected = true;
            return o;
          }),
      );
      const form = h(
        'form',
        {
          class: 'whatif',
          onsubmit: ((e: Event) => {
            e.preventDefault();
            location.hash = `#/concentration?what=${encodeURIComponent(select.value)}`;
          }) as EventListener,
        },
        h('label', { for: 'whatif-component' }, 'If this failed: '),
        select,
        ' ',
        h('button', { type: 'submit' }, 'Show the blast radius'),
      );

      const body = h(
        'div',
        { class: 'page concentration' },
        h('h1', { tabindex: '-1' }, 'Concentration and what-if'),
        h(
          'p',
          { class: 'headline' },
          `How much of the ${count(conc.sites, 'monitored site')} rests on a few providers, and what would fail if one did.`,
        ),
        section(
          'What if a component failed?',
          2,
          form,
          h(
            'div',
            { id: 'whatif-result', class: 'whatif-result' },
            missing ? h('p', { class: 'empty' }, `No component ${what} in the risk model.`) : null,
            radius
              ? [
                  h(
                    'p',
                    { class: 'big' },
                    `If ${radius.label} failed, ${count(radius.count, 'monitored site')} (${percent(radius.share, 1)}) would be hit.`,
                  ),
                  table(
                    'Sites hit, by the role the component plays for them',
                    ['Role', 'Sites'],
                    Object.entries(radius.byRole)
                      .sort((a, b) => b[1] - a[1])
                      .map(([r, n]) => [ROLE_TITLES[r] ?? r, n.toLocaleString('en')]),
                  ),
                  h(
                    'details',
                    {},
                    h(
                      'summary',
                      {},
                      radius.sites.length < radius.count
                        ? `The first ${radius.sites.length} sites hit`
                        : 'The sites hit',
                    ),
                    h(
                      'ul',
                      { class: 'site-list' },
                      radius.sites.map((s) => h('li', {}, link('site', s))),
                    ),
                  ),
                ]
              : null,
          ),
        ),
        section(
          'Providers ranked by dependent sites',
          2,
          table(
            'Providers by the number of monitored sites depending on them in any role',
            ['Provider', 'Sites', 'Share of monitored sites'],
            shareRows(conc.overall.slice(0, 50)),
            { empty: 'No site mapped yet.', className: 'ranking' },
          ),
        ),
        Object.entries(conc.roles).map(([role, r]) =>
          section(
            `${ROLE_TITLES[role] ?? role}: ${hhiWords(r.hhi)}`,
            3,
            h(
              'p',
              {},
              `Herfindahl–Hirschman index ${r.hhi.toLocaleString('en')} over ${count(r.sites, 'site')} (above 2,500 is highly concentrated).`,
            ),
            table(
              `${ROLE_TITLES[role] ?? role} providers by share`,
              ['Provider', 'Sites', 'Share'],
              shareRows(r.providers.slice(0, 10)),
            ),
          ),
        ),
      );
      return {
        title: 'Concentration and what-if',
        body,
        mounted: () => {
          if (radius) document.getElementById('whatif-result')?.scrollIntoView({ block: 'nearest' });
        },
      };
    },
  };
}
