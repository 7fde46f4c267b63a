/**
 * One site: its state and what is seen, from each vantage, its dependency graph, its probe phase
 * timings over time, and the history of its failure signatures.
 */
import { api, type ObservationRow, reportPoints, type SiteFromVantage } from '../api.ts';
import { chartHost, drawChart } from '../charts.ts';
import { h, link, section, table } from '../dom.ts';
import { drawGraph } from '../graph.ts';
import type { View } from '../view.ts';
import { count, percent, serviceWords, signatureWords, stateWords, when } from '../words.ts';
import { componentBadge, since, stateBadge } from './common.ts';
import { reportsSummary } from './incident.ts';
import { resultWords, vantageBadge } from './vantages.ts';

const PHASES = [
  { key: 'dns', label: 'DNS', color: '#6a3d9a' },
  { key: 'connect', label: 'Connect', color: '#1f5fa8' },
  { key: 'tls', label: 'TLS', color: '#8a5a00' },
  { key: 'ttfb', label: 'First byte', color: '#1b6e3a' },
  { key: 'total', label: 'Total', color: '#222' },
] as const;

export function siteView(domain: string): View {
  const d = domain.toLowerCase();
  return {
    refreshOn: (b) => b.sites.has(d) || b.incidents.size > 0,
    async render(ctx) {
      const [detail, obs, comps, incidents, reports, fromVantages] = await Promise.all([
        api.site(d),
        api.observations(d),
        api.components(),
        api.incidents('all', 500),
        api.reports(d).catch(() => null),
        api.siteVantages(d).catch(() => ({ vantages: [] as SiteFromVantage[] })),
      ]);
      const vantages = fromVantages.vantages;
      const reportList = reports?.curve.total ? reportPoints(reports.curve) : null;
      const reportsHost = chartHost();
      const s = detail.site;
      const components = new Map(comps.components.map((c) => [c.id, c]));
      const involved = incidents.incidents.filter((i) => i.affected.includes(s.domain));
      const web = obs.observations.filter((o) => o.kind === 'http' || o.kind === 'tcp' || o.kind === 'tls');
      const graph = h('div', { class: 'graph' });
      const timings = chartHost();
      const graphSummary = dependencySummary(s.domain, detail.dependencies, components);
      const timingSummary = timingsSummary(web);

      const body = h(
        'div',
        { class: 'page site' },
        h('p', { class: 'crumbs' }, h('a', { href: '#/sites' }, 'Sites'), ' › ', s.domain),
        h('h1', { tabindex: '-1' }, s.domain),
        h(
          'p',
          { class: 'status-line' },
          stateBadge(s.state),
          ' ',
          s.state === 'up' || s.state === 'unknown' ? '' : signatureWords(s.signature),
        ),
        h(
          'p',
          { class: 'headline', id: 'site-summary' },
          siteSentence(s.domain, s.state, s.signature, s.since, ctx.now),
        ),
        s.tags?.length
          ? h(
              'p',
              { class: 'tags' },
              'Tags: ',
              s.tags.flatMap((t, k) => [k ? ' ' : '', h('span', { class: 'tag' }, t)]),
            )
          : null,
        involved.length
          ? h(
              'p',
              {},
              'Incidents: ',
              involved.flatMap((i, k) => [k ? ', ' : '', link('incident', i.id, i.name)]),
              '.',
            )
          : null,
        section(
          'Services',
          2,
          table(
            'State of each service of the site',
            ['Service', 'State', 'What is seen', 'Since'],
            Object.entries(s.services ?? {}).map(([role, r]) => [
              serviceWords(role),
              stateBadge(r?.state ?? 'unknown'),
              signatureWords(r?.signature),
              since(r?.since, ctx.now),
            ]),
            { empty: 'Not checked yet.' },
          ),
        ),
        vantages.length
          ? section(
              'From each vantage',
              2,
              h('p', { id: 'vantages-summary' }, vantagesSentence(vantages)),
              table(
                'The latest result of each service from each vantage',
                ['Vantage', 'Vantage state', 'Latest results', 'Probed', 'Confirmed its failure'],
                vantages.map((v) => [
                  link('vantage', v.vantage),
                  vantageBadge(v.state),
                  v.results.map(resultWords).join('; '),
                  when(Math.max(...v.results.map((r) => r.time))),
                  v.confirmedFailure ? 'yes' : '—',
                ]),
                { className: 'site-vantages' },
              ),
            )
          : null,
        section(
          'What it depends on',
          2,
          h('p', {}, graphSummary),
          detail.dependencies.length ? graph : null,
          table(
            'Dependencies, as found from outside or declared',
            ['Component', 'Role', 'State', 'How we know', 'Confidence'],
            detail.dependencies.map((dep) => {
              const c = components.get(dep.component);
              return [
                link('provider', dep.component, c?.label ?? dep.component),
                dep.role,
                c ? componentBadge(c) : '—',
                `${dep.source}${dep.evidence.length ? `: ${dep.evidence.join('; ')}` : ''}`,
                percent(dep.confidence),
              ];
            }),
            { empty: 'Not mapped yet.' },
          ),
        ),
        section(
          'Probe timings',
          2,
          h('p', { id: 'timings-summary' }, timingSummary),
          web.length ? timings : null,
          web.length
            ? h(
                'details',
                {},
                h('summary', {}, 'The last probes as a table'),
                table(
                  'The 30 most recent probes (phase timings on the pipeline’s clock, ms)',
                  ['Time', 'From', 'Result', 'DNS', 'Connect', 'TLS', 'First byte', 'Total'],
                  web
                    .slice(-30)
                    .reverse()
                    .map((o) => [
                      when(o.time),
                      o.vantage,
                      o.outcome === 'up' ? 'ok' : `${stateWords(o.outcome)}: ${signatureWords(o.signature)}`,
                      ...(['dns', 'connect', 'tls', 'ttfb', 'total'] as const).map((k) => ms(o, k)),
                    ]),
                ),
              )
            : null,
        ),
        reportList
          ? section(
              'Reports from the public',
              2,
              h(
                'p',
                { id: 'reports-summary' },
                `Level now: ${reports?.spike.level ?? 'none'}. ${reportsSummary(reportList)}`,
              ),
              reportsHost,
            )
          : null,
        section(
          'Signature history',
          2,
          table(
            'Confirmed changes of state, most recent first',
            ['When', 'Service', 'Change', 'What was seen'],
            detail.transitions.map((t) => [
              when(t.at),
              serviceWords(t.role),
              `${stateWords(t.from)} → ${stateWords(t.to)}`,
              signatureWords(t.signature),
            ]),
            { empty: 'No change of state recorded.', className: 'transitions' },
          ),
        ),
      );
      return {
        title: s.domain,
        body,
        mounted: async () => {
          if (detail.dependencies.length)
            ctx.onDispose(
              await drawGraph(graph, {
                site: s.domain,
                siteState: s.state,
                dependencies: detail.dependencies,
                components: new Map(
                  [...components].map(([id, c]) => [
                    id,
                    { label: c.label, state: c.state, failing: c.failing },
                  ]),
                ),
                summary: graphSummary,
                onOpen: (id) => {
                  location.hash = `#/provider/${encodeURIComponent(id)}`;
                },
              }),
            );
          if (web.length) ctx.onDispose(await drawChart(timings, timingsChart(web, timingSummary)));
          if (reportList)
            ctx.onDispose(
              await drawChart(reportsHost, {
                summary: reportsSummary(reportList),
                x: reportList.map((r) => r.time),
                series: [
                  { label: 'Reports', values: reportList.map((r) => r.count), color: '#6a3d9a', fill: true },
                ],
                yLabel: 'reports per minute',
                height: 180,
              }),
            );
        },
      };
    },
  };
}

/**
 * "Failing from lyon only (2 other vantages see it answering): a regional or path problem, not an
 * outage." Only vantages that count (healthy) are weighed; the others are named as not counting.
 */
function vantagesSentence(vs: readonly SiteFromVantage[]): string {
  const counting = vs.filter((v) => v.healthy);
  const failing = counting.filter((v) => v.failing).map((v) => v.vantage);
  const fine = counting.filter((v) => !v.failing).map((v) => v.vantage);
  const ignored = vs.filter((v) => !v.healthy && v.failing).map((v) => v.vantage);
  const tail = ignored.length
    ? ` ${ignored.join(', ')} ${ignored.length > 1 ? 'see' : 'sees'} it failing but ${ignored.length > 1 ? 'do' : 'does'} not count (the vantage's own trouble).`
    : '';
  if (!failing.length)
    return `Answering from every vantage that counts (${fine.join(', ') || 'none yet'}).${tail}`;
  if (!fine.length) return `Failing from every vantage that counts (${failing.join(', ')}).${tail}`;
  const regional = failing.length * 2 <= counting.length;
  return (
    `Failing from ${failing.join(', ')}, answering from ${fine.join(', ')}` +
    (regional
      ? ': a regional or path problem, not an outage.'
      : ': a majority of the vantages see it failing.') +
    tail
  );
}

/** A phase duration on the pipeline's clock (timings are measured in real ms; a replay runs faster). */
function phase(o: ObservationRow, k: keyof ObservationRow['timings']): number | null {
  const v = o.timings[k];
  return v === undefined ? null : Math.round(v * (o.speed ?? 1));
}

function ms(o: ObservationRow, k: keyof ObservationRow['timings']): string {
  const v = phase(o, k);
  return v === null ? '—' : v.toLocaleString('en');
}

function timingsChart(web: ObservationRow[], summary: string) {
  const failed = web.map((o) => (o.outcome === 'down' ? (phase(o, 'total') ?? 0) : null));
  return {
    summary,
    x: web.map((o) => o.time),
    series: [
      ...PHASES.map((p) => ({
        label: `${p.label} (ms)`,
        values: web.map((o) => (o.outcome === 'down' ? null : phase(o, p.key))),
        color: p.color,
      })),
      { label: 'Failed probe', values: failed, color: '#b3261e', points: true },
    ],
    yLabel: 'ms',
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

function timingsSummary(web: ObservationRow[]): string {
  if (!web.length) return 'No probe recorded yet.';
  const ok = web.filter((o) => o.outcome !== 'down');
  const failed = web.length - ok.length;
  const totals = ok.map((o) => phase(o, 'total') ?? 0);
  const sigs = new Map<string, number>();
  for (const o of web) if (o.outcome === 'down') sigs.set(o.signature, (sigs.get(o.signature) ?? 0) + 1);
  const top = [...sigs].sort((a, b) => b[1] - a[1])[0];
  return (
    `${count(web.length, 'probe')} since ${when(web[0].time)}: ` +
    (ok.length ? `median answer in ${median(totals).toLocaleString('en')} ms` : 'none answered') +
    (failed ? `; ${failed} failed${top ? ` (mostly: ${signatureWords(top[0])})` : ''}.` : '; none failed.')
  );
}

function siteSentence(
  domain: string,
  state: string,
  signature: string,
  sinceMs: number | null,
  now: number,
): string {
  const from = sinceMs ? ` since ${when(sinceMs)}` : '';
  const dur = sinceMs ? ` (${Math.max(0, Math.round((now - sinceMs) / 60_000))} min)` : '';
  if (state === 'up') return `${domain} is answering normally${from}.`;
  if (state === 'unknown') return `${domain} has not been checked yet.`;
  return `${domain} is ${stateWords(state).toLowerCase()}${from}${dur}: ${signatureWords(signature)}.`;
}

function dependencySummary(
  domain: string,
  deps: { component: string; role: string }[],
  components: Map<string, { label: string }>,
): string {
  if (!deps.length) return `The dependencies of ${domain} have not been mapped yet.`;
  const byRole = new Map<string, Set<string>>();
  for (const d of deps) {
    const set = byRole.get(d.role) ?? new Set();
    set.add(components.get(d.component)?.label ?? d.component);
    byRole.set(d.role, set);
  }
  return `${domain} depends on — ${[...byRole].map(([role, names]) => `${role}: ${[...names].join(', ')}`).join('; ')}.`;
}
