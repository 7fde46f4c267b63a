/**
 * One incident: the cause in words and its confidence, the evidence, from where the failure is seen
 * (per vantage), the providers cleared (with their numbers), the affected sites, and the curve of
 * failing sites with the share restored.
 */
import {
  api,
  type IncidentView,
  type ReportCurve,
  reportPoints,
  type VantageSeen,
  type VantageSummary,
} from '../api.ts';
import { chartHost, drawChart } from '../charts.ts';
import { badge, h, link, section, table } from '../dom.ts';
import type { Batch } from '../live.ts';
import type { View } from '../view.ts';
import {
  causeSentence,
  clock,
  count,
  duration,
  percent,
  signatureWords,
  statusWords,
  when,
} from '../words.ts';
import { componentId, paged } from './common.ts';
import { vantageBadge } from './vantages.ts';

/** Crowd reports over the incident, when the pipeline attaches their curve to it. */
interface WithReports {
  reports?: ReportCurve;
}

export function incidentView(id: string): View {
  return {
    refreshOn: (b: Batch) => b.incidents.has(id) || b.other,
    async render(ctx) {
      const [i, vs] = await Promise.all([
        api.incident(id) as Promise<IncidentView & WithReports & { seenFrom?: VantageSeen[] }>,
        api.vantages().catch(() => ({ vantages: [] as VantageSummary[] })),
      ]);
      const states = new Map(vs.vantages.map((v) => [v.vantage, v]));
      const seenFrom = i.seenFrom ?? [];
      const open = i.resolvedAt === null;
      const peak = i.timeline.reduce((m, p) => (p.failing > m.failing ? p : m), {
        time: i.startedAt,
        failing: 0,
        restored: 0,
      });
      const reports = i.reports?.total ? reportPoints(i.reports) : null;
      const reportsHost = reports ? chartHost() : null;
      const chart = chartHost();

      const body = h(
        'div',
        { class: 'page incident' },
        h('p', { class: 'crumbs' }, h('a', { href: '#/incidents' }, 'Incidents'), ' › ', i.id),
        h('h1', { tabindex: '-1' }, i.name),
        h(
          'p',
          { class: 'status-line' },
          badge(statusWords(i.phase ?? i.status), open ? 'bad' : 'ok'),
          ' ',
          badge(`impact: ${i.impact}`, i.impact === 'none' || i.impact === 'minor' ? 'warn' : 'bad'),
        ),
        section(
          'Cause',
          2,
          h('p', { class: 'cause big', id: 'cause' }, causeSentence(i)),
          h(
            'p',
            {},
            `Confidence: ${percent(i.confidence)}. Seen from outside: ${signatureWords(i.signature)} (`,
            h('code', {}, i.signature),
            ').',
          ),
          i.components.length
            ? h(
                'p',
                {},
                'Blamed: ',
                i.components.flatMap((c, k) => [k ? ', ' : '', link('provider', c, c)]),
                '.',
              )
            : null,
          i.acknowledged
            ? h(
                'p',
                { class: 'ack' },
                `Acknowledged by an operator at ${when(i.acknowledged.at)}`,
                i.acknowledged.note ? ': ' : '.',
                i.acknowledged.note ? h('q', { class: 'note' }, i.acknowledged.note) : null,
              )
            : null,
        ),
        h(
          'dl',
          { class: 'facts wide' },
          fact('Started', when(i.startedAt)),
          fact('Detected', `${when(i.detectedAt)} (${duration(i.detectedAt - i.startedAt)} later)`),
          fact('Peak', i.peakAt ? `${when(i.peakAt)}: ${count(peak.failing, 'site')} failing` : '—'),
          fact('Sites affected', i.affected.length.toLocaleString('en')),
          fact('Restored', open ? `${percent(i.restored)} so far` : `all, ${when(i.resolvedAt)}`),
          fact('Duration', `${duration((i.resolvedAt ?? ctx.now) - i.startedAt)}${open ? ' so far' : ''}`),
        ),
        section(
          'Failing sites over time',
          2,
          h('p', { id: 'recovery-summary' }, recoverySummary(i, peak)),
          chart,
          h(
            'details',
            {},
            h('summary', {}, 'The same numbers as a table'),
            table(
              'Failing sites and share restored at each point of the timeline',
              ['Time', 'Failing sites', 'Restored'],
              i.timeline.map((p) => [when(p.time), p.failing.toLocaleString('en'), percent(p.restored)]),
              { empty: 'No timeline point yet.' },
            ),
          ),
        ),
        reports && reportsHost
          ? section(
              'Reports from the public',
              2,
              h('p', {}, reportsSummary(reports)),
              reportsHost,
              h(
                'details',
                {},
                h('summary', {}, 'The same numbers as a table'),
                table(
                  'Crowd reports per interval',
                  ['Time', 'Reports'],
                  reports.map((r) => [when(r.time), String(r.count)]),
                ),
              ),
            )
          : null,
        section(
          'Evidence',
          2,
          i.evidence.length
            ? h(
                'ul',
                { class: 'evidence' },
                i.evidence.map((e) => h('li', {}, e)),
              )
            : h('p', { class: 'empty' }, 'No evidence recorded.'),
        ),
        seenFrom.length
          ? section(
              'Seen from',
              2,
              h('p', { id: 'seen-from' }, seenSentence(seenFrom, states, open)),
              table(
                'From where the failure is seen: per vantage, affected sites whose failure it confirmed' +
                  (open ? ', sees failing now, and probes' : ''),
                open
                  ? ['Vantage', 'State', 'Confirmed failing', 'Failing now', 'Probed']
                  : ['Vantage', 'State', 'Confirmed failing'],
                seenFrom.map((s) => {
                  const v = states.get(s.vantage);
                  return [
                    link('vantage', s.vantage),
                    v ? vantageBadge(v.state) : '—',
                    s.confirmed.toLocaleString('en'),
                    ...(open
                      ? [(s.failing ?? 0).toLocaleString('en'), (s.probed ?? 0).toLocaleString('en')]
                      : []),
                  ];
                }),
                { className: 'seen-from' },
              ),
            )
          : null,
        section(
          'Cleared: not at fault',
          2,
          table(
            'Providers shown not to be the cause, with the numbers',
            ['Provider', 'Evidence'],
            i.exonerated.map((x) => [link('provider', componentId(x.provider), x.provider), x.evidence]),
            { empty: 'No provider was cleared explicitly.', className: 'exonerated' },
          ),
        ),
        section(
          'Affected sites',
          2,
          h('p', {}, `${count(i.affected.length, 'site')}.`),
          paged(
            i.affected,
            100,
            (shown) =>
              h(
                'ul',
                { class: 'site-list' },
                shown.map((s) => h('li', {}, link('site', s))),
              ),
            'more sites',
          ),
        ),
      );
      return {
        title: i.name,
        body,
        mounted: async () => {
          if (i.timeline.length) {
            ctx.onDispose(
              await drawChart(chart, {
                summary: recoverySummary(i, peak),
                x: i.timeline.map((p) => p.time),
                series: [
                  {
                    label: 'Failing sites',
                    values: i.timeline.map((p) => p.failing),
                    color: '#b3261e',
                    fill: true,
                  },
                  {
                    label: 'Restored (%)',
                    values: i.timeline.map((p) => Math.round(p.restored * 1000) / 10),
                    scale: 'pct',
                    color: '#1b6e3a',
                  },
                ],
                yLabel: 'failing sites',
                pctLabel: 'restored %',
              }),
            );
          }
          if (reports && reportsHost)
            ctx.onDispose(
              await drawChart(reportsHost, {
                summary: reportsSummary(reports),
                x: reports.map((r) => r.time),
                series: [
                  { label: 'Reports', values: reports.map((r) => r.count), color: '#6a3d9a', fill: true },
                ],
                yLabel: 'reports',
              }),
            );
        },
      };
    },
  };
}

/** "Confirmed from paris and frankfurt; lyon sees 3 failing but does not count (degraded)." */
function seenSentence(
  seen: readonly VantageSeen[],
  states: Map<string, VantageSummary>,
  open: boolean,
): string {
  const counts = (name: string) => states.get(name)?.healthy ?? true;
  const confirmed = seen.filter((s) => s.confirmed > 0).map((s) => s.vantage);
  const parts: string[] = [];
  parts.push(
    confirmed.length
      ? `Failure confirmed from ${list(confirmed)}.`
      : 'No vantage has confirmed a failure of these sites here yet.',
  );
  if (open) {
    const failing = seen.filter((s) => (s.failing ?? 0) > 0);
    const clear = seen.filter((s) => (s.probed ?? 0) > 0 && !s.failing).map((s) => s.vantage);
    const now = failing
      .filter((s) => counts(s.vantage))
      .map((s) => `${s.vantage} (${s.failing} of ${s.probed})`);
    if (now.length) parts.push(`Failing now from ${list(now)}.`);
    const ignored = failing.filter((s) => !counts(s.vantage));
    for (const s of ignored)
      parts.push(
        `${s.vantage} sees ${count(s.failing ?? 0, 'site')} failing but does not count (${states.get(s.vantage)?.state ?? 'degraded'}).`,
      );
    if (clear.length) parts.push(`Answering normally from ${list(clear)}.`);
  }
  return parts.join(' ');
}

function list(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

function fact(term: string, value: string): HTMLElement {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function recoverySummary(i: IncidentView, peak: { time: number; failing: number }): string {
  if (!i.timeline.length) return 'No measurement yet.';
  const last = i.timeline[i.timeline.length - 1];
  const parts = [`Peak: ${count(peak.failing, 'site')} failing at ${clock(peak.time)}.`];
  if (i.resolvedAt !== null) parts.push(`All restored at ${clock(i.resolvedAt)}.`);
  else
    parts.push(
      `At ${clock(last.time)}: ${count(last.failing, 'site')} still failing, ${percent(last.restored)} restored.`,
    );
  // The first point where 90 % were back: the figure newsrooms quote ("90 % back at 12:30").
  const ninety = i.timeline.find((p) => p.restored >= 0.9);
  if (ninety && i.resolvedAt === null) parts.push(`90 % restored at ${clock(ninety.time)}.`);
  else if (ninety) parts.push(`90 % were back at ${clock(ninety.time)}.`);
  return parts.join(' ');
}

export function reportsSummary(reports: { time: number; count: number }[]): string {
  const peak = reports.reduce((m, r) => (r.count > m.count ? r : m), reports[0]);
  const total = reports.reduce((n, r) => n + r.count, 0);
  return `${count(total, 'report')} from the public; peak of ${peak.count} at ${clock(peak.time)}.`;
}
