/**
 * A provider (or any component: region, network, shared segment…): its monitored sites and the roles
 * it plays for them, its state now, the incidents that blamed or cleared it, and its parts.
 */
import { ApiFailure, api, type BlastRadius, type ComponentView } from '../api.ts';
import { chartHost, drawChart } from '../charts.ts';
import { h, link, section, table } from '../dom.ts';
import type { View } from '../view.ts';
import { clock, count, percent, when } from '../words.ts';
import { componentBadge, paged, stateBadge } from './common.ts';

/** Monitored sites listed per page. */
const SITES_PAGE = 100;

const ROLE_WORDS: Record<string, string> = {
  hosting: 'Hosting (the site’s servers are on its network)',
  dns: 'DNS (it answers for the site’s name)',
  mail: 'Mail (it receives the site’s mail)',
  cdn: 'CDN (it sits in front of the site)',
  platform: 'Platform (the site runs on it)',
  component: 'Declared component',
};

export function providerView(rawId: string): View {
  const id = rawId.includes(':') ? rawId : `provider:${rawId}`;
  return {
    refreshOn: (b) => b.sites.size > 0 || b.incidents.size > 0 || b.sitesListChanged,
    async render(ctx) {
      const [c, radius, all, incidents, down, degraded, history] = await Promise.all([
        api.component(id),
        api.whatif(id, 2000).catch((e: unknown) => {
          if (e instanceof ApiFailure && e.status === 404) return null;
          throw e;
        }),
        // A provider's page reads only its own parts (regions, networks, segments).
        id.startsWith('provider:')
          ? api.components({ provider: id.slice('provider:'.length), limit: 500 })
          : api.components({ limit: 1000 }),
        api.incidents('all', 500),
        api.sites({ state: 'down', limit: 1000 }),
        api.sites({ state: 'degraded', limit: 1000 }),
        api.history(id),
      ]);
      const minutes = history.minutes;
      const chart = chartHost();
      const historyText = historySummary(minutes);
      const failing = new Map([...down.sites, ...degraded.sites].map((s) => [s.domain, s]));
      const provider = c.provider;
      const parts = all.components.filter((x) => x.id !== c.id && provider && x.provider === provider);
      const involved = incidents.incidents.filter(
        (i) => i.components.includes(c.id) || (provider && i.exonerated.some((x) => x.provider === provider)),
      );
      const sites = radius?.sites ?? [];
      const failingHere = sites.filter((s) => failing.has(s));
      const name = c.org && c.org !== c.label ? `${c.label} (${c.org})` : c.label;

      const body = h(
        'div',
        { class: 'page provider' },
        h('p', { class: 'crumbs' }, h('a', { href: '#/providers' }, 'Providers'), ' › ', c.id),
        h('h1', { tabindex: '-1' }, name),
        h('p', { class: 'status-line' }, componentBadge(c), ' ', kindWords(c)),
        h(
          'p',
          { class: 'headline', id: 'provider-summary' },
          `${count(c.sites, 'monitored site')} depend on it; ${c.failing.toLocaleString('en')} ` +
            `${c.failing === 1 ? 'is' : 'are'} failing now.`,
        ),
        c.exonerations.length
          ? section(
              'Cleared in open incidents',
              2,
              h(
                'ul',
                { class: 'evidence' },
                c.exonerations.map((x) =>
                  h('li', {}, x.evidence, ' (', link('incident', x.incident, 'incident'), ')'),
                ),
              ),
            )
          : null,
        c.incidents.length
          ? section(
              'Blamed in open incidents',
              2,
              h(
                'ul',
                {},
                c.incidents.map((i) => h('li', {}, link('incident', i, i))),
              ),
            )
          : null,
        section('Roles', 2, rolesTable(radius)),
        parts.length
          ? section(
              'Regions, networks and segments',
              2,
              table(
                'Parts of this provider',
                ['Component', 'State', 'Sites', 'Failing'],
                parts.map((p) => [
                  link('provider', p.id, p.label),
                  componentBadge(p),
                  String(p.sites),
                  String(p.failing),
                ]),
              ),
            )
          : null,
        section(
          'History',
          2,
          h('p', { id: 'history-summary' }, historyText),
          minutes.length ? chart : null,
          minutes.length
            ? h(
                'details',
                {},
                h('summary', {}, 'The same numbers as a table'),
                table(
                  'Probes of its dependent sites per minute, and how many failed',
                  ['Minute', 'Probes', 'Failed', 'Degraded'],
                  minutes.map((m) => [
                    when(m.minute),
                    String(m.count),
                    String(m.failures),
                    String(m.degraded),
                  ]),
                ),
              )
            : null,
          table(
            'Incidents that blamed or cleared it, most recent first',
            ['Incident', 'Started', 'Its part', 'Status'],
            involved.map((i) => [
              link('incident', i.id, i.name),
              when(i.startedAt),
              i.components.includes(c.id) ? 'blamed' : 'cleared',
              i.resolvedAt === null ? 'open' : `resolved ${when(i.resolvedAt)}`,
            ]),
            { empty: 'No incident has involved it yet.' },
          ),
        ),
        section(
          'Monitored sites',
          2,
          sites.length
            ? h(
                'div',
                {},
                h(
                  'p',
                  {},
                  `${count(radius?.count ?? sites.length, 'site')}, failing ones first` +
                    `${(radius?.count ?? 0) > sites.length ? ` (the first ${sites.length.toLocaleString('en')} listed)` : ''}.`,
                ),
                paged(
                  [...failingHere, ...sites.filter((s) => !failing.has(s))],
                  SITES_PAGE,
                  (shown) =>
                    h(
                      'ul',
                      { class: 'site-list' },
                      shown.map((s) => {
                        const f = failing.get(s);
                        return h(
                          'li',
                          { class: f ? 'failing' : undefined },
                          link('site', s),
                          f ? ' ' : null,
                          f ? stateBadge(f.state) : null,
                        );
                      }),
                    ),
                  'more sites',
                ),
              )
            : h('p', { class: 'empty' }, 'No monitored site depends on it.'),
        ),
      );
      return {
        title: name,
        body,
        mounted: async () => {
          if (!minutes.length) return;
          ctx.onDispose(
            await drawChart(chart, {
              summary: historyText,
              x: minutes.map((m) => m.minute),
              series: [
                {
                  label: 'Probes failing (%)',
                  values: minutes.map((m) => Math.round((1000 * m.failures) / Math.max(1, m.count)) / 10),
                  color: '#b3261e',
                  fill: true,
                },
                {
                  label: 'Probes degraded (%)',
                  values: minutes.map((m) => Math.round((1000 * m.degraded) / Math.max(1, m.count)) / 10),
                  color: '#8a5a00',
                },
              ],
              yLabel: '% of probes',
              height: 220,
            }),
          );
        },
      };
    },
  };
}

function historySummary(minutes: { minute: number; count: number; failures: number }[]): string {
  if (!minutes.length) return 'No probe of its sites recorded in the last 24 hours.';
  const share = (m: { count: number; failures: number }) => m.failures / Math.max(1, m.count);
  const worst = minutes.reduce((a, b) => (share(b) > share(a) ? b : a));
  const last = minutes[minutes.length - 1];
  if (worst.failures === 0) return `No failed probe of its sites since ${when(minutes[0].minute)}.`;
  return (
    `Worst minute: ${clock(worst.minute)}, ${percent(share(worst))} of the probes of its sites failed; ` +
    `at ${clock(last.minute)}: ${percent(share(last))}.`
  );
}

function kindWords(c: ComponentView): string {
  const asn = c.asn ? `, AS${c.asn}` : '';
  switch (c.kind) {
    case 'provider':
      return `Provider${asn}`;
    case 'region':
      return `Region ${c.region ?? ''} of ${c.provider ?? 'a provider'}`;
    case 'network':
      return `Network${asn}`;
    case 'segment':
      return `Shared hosting address ${c.address ?? ''}: many sites on one server`;
    default:
      return c.kind;
  }
}

function rolesTable(r: BlastRadius | null): HTMLElement {
  if (!r) return h('p', { class: 'empty' }, 'Not in the risk model yet (no mapped site depends on it).');
  const rows = Object.entries(r.byRole)
    .sort((a, b) => b[1] - a[1])
    .map(([role, n]) => [ROLE_WORDS[role] ?? role, n.toLocaleString('en')]);
  return h(
    'div',
    {},
    table('What it does for the monitored sites', ['Role', 'Sites'], rows, { empty: 'No role.' }),
    h(
      'p',
      {},
      `If it failed entirely, ${count(r.count, 'site')} (${percent(r.share, 1)} of those monitored) would be hit. `,
      h('a', { href: `#/concentration?what=${encodeURIComponent(r.key)}` }, 'See the blast radius'),
      '.',
    ),
  );
}
