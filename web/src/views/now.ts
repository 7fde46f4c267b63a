/** The front page: what is down right now, why, how many, since when. */
import { api } from '../api.ts';
import { h, link, section, table } from '../dom.ts';
import type { View } from '../view.ts';
import { count, percent, when } from '../words.ts';
import { blameIndex, componentBadge, incidentCard, since, siteProblem, stateBadge } from './common.ts';

const SHOWN = 200;

export const nowView: View = {
  async render(ctx) {
    const [health, open, recent, down, degraded, unknown, components] = await Promise.all([
      api.health(),
      api.incidents('open', 100),
      api.incidents('resolved', 5),
      api.sites({ state: 'down', limit: SHOWN }),
      api.sites({ state: 'degraded', limit: SHOWN }),
      api.sites({ state: 'unknown', limit: 1 }),
      api.components(),
    ]);
    const failing = down.total + degraded.total;
    const blamed = blameIndex(open.incidents);
    const failingSites = [...down.sites, ...degraded.sites].sort(
      (a, b) => (a.since ?? 0) - (b.since ?? 0) || (a.domain < b.domain ? -1 : 1),
    );
    const providers = components.components.filter(
      (c) => c.kind === 'provider' && (c.state !== 'operational' || c.failing > 0),
    );

    const unchecked = unknown.total;
    const headline =
      failing > 0
        ? `${failing.toLocaleString('en')} of ${count(health.sites, 'monitored site')} ` +
          `${failing === 1 ? 'is' : 'are'} failing: ${down.total.toLocaleString('en')} down, ` +
          `${degraded.total.toLocaleString('en')} degraded.`
        : unchecked === 0
          ? `All ${count(health.sites, 'monitored site')} are answering normally.`
          : `No failure among the ${count(health.sites - unchecked, 'site')} checked so far ` +
            `(${unchecked.toLocaleString('en')} not checked yet).`;

    const body = h(
      'div',
      { class: 'page now' },
      h('h1', { tabindex: '-1' }, 'What is down now'),
      h('p', { class: `headline ${failing ? 'bad' : 'ok'}`, id: 'headline' }, headline),
      h('p', { class: 'muted' }, `As of ${when(ctx.now)}.`),
      section(
        'Open incidents',
        2,
        open.incidents.length
          ? h(
              'div',
              { class: 'cards' },
              open.incidents.map((i) => incidentCard(i, ctx.now)),
            )
          : h('p', { class: 'empty' }, 'No open incident: no shared component is failing.'),
      ),
      providers.length
        ? section(
            'Providers with failing sites',
            2,
            table(
              'Providers whose monitored sites are failing now',
              ['Provider', 'State', 'Failing sites', 'Share failing'],
              providers.map((c) => [
                link('provider', c.id, c.label),
                componentBadge(c),
                `${c.failing.toLocaleString('en')} of ${c.sites.toLocaleString('en')}`,
                percent(c.failing / Math.max(1, c.sites)),
              ]),
            ),
          )
        : null,
      section(
        'Sites failing now',
        2,
        table(
          failing > SHOWN * 2
            ? `The ${SHOWN * 2} longest-failing of ${failing.toLocaleString('en')} failing sites`
            : 'Every failing site, longest-failing first',
          ['Site', 'State', 'What is seen', 'Since'],
          failingSites.map((s) => [
            link('site', s.domain),
            stateBadge(s.state),
            siteProblem(s, blamed.get(s.domain)),
            since(s.since, ctx.now),
          ]),
          { empty: 'No site is failing.', className: 'sites-failing' },
        ),
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
