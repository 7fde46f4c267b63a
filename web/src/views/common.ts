/** Pieces several pages share: a site's state cell, an incident summary card, time cells. */
import type { IncidentView, SiteView } from '../api.ts';
import { badge, type Child, h, link } from '../dom.ts';
import {
  causeSentence,
  clock,
  count,
  duration,
  iso,
  percent,
  signatureWords,
  stateTone,
  stateWords,
  statusWords,
  when,
} from '../words.ts';

export function stateBadge(state: string): HTMLElement {
  return badge(stateWords(state), stateTone(state));
}

/**
 * A component's state. "Operational" means no open incident blames it; when its sites are failing
 * anyway (another cause, or none established yet) that word would mislead, so say what is known.
 */
export function componentBadge(c: { state: string; failing: number }): HTMLElement {
  if (c.state === 'operational' && c.failing > 0) return badge('Sites failing, not blamed', 'warn');
  return stateBadge(c.state);
}

/** "09:12 (for 14 min)" with a machine-readable time. */
export function since(ms: number | null | undefined, now: number): Child {
  if (ms === null || ms === undefined) return '—';
  return h(
    'span',
    {},
    h('time', { datetime: iso(ms), title: when(ms) }, clock(ms)),
    ` (for ${duration(now - ms)})`,
  );
}

/** A site's failure in words; the incident's cause when one explains it. */
export function siteProblem(s: SiteView, blamedBy: IncidentView | undefined): Child {
  if (s.state === 'up') return 'Answering normally';
  const seen = signatureWords(s.signature);
  if (!blamedBy) return seen;
  return h('span', {}, `${seen} — `, link('incident', blamedBy.id, blamedBy.cause.name ?? blamedBy.name));
}

/** An open (or recent) incident as a card: what, cause, how many, since when, recovery. */
export function incidentCard(i: IncidentView, now: number): HTMLElement {
  const open = i.resolvedAt === null;
  return h(
    'article',
    { class: `incident-card ${open ? 'open' : 'resolved'}` },
    h('h3', {}, link('incident', i.id, i.name)),
    h('p', { class: 'cause' }, causeSentence(i)),
    h(
      'dl',
      { class: 'facts' },
      h(
        'div',
        {},
        h('dt', {}, 'Status'),
        h('dd', {}, badge(statusWords(i.phase ?? i.status), open ? 'bad' : 'ok')),
      ),
      h('div', {}, h('dt', {}, 'Sites affected'), h('dd', {}, i.affected.length.toLocaleString('en'))),
      h(
        'div',
        {},
        h('dt', {}, open ? 'Since' : 'Started'),
        h('dd', {}, open ? since(i.startedAt, now) : when(i.startedAt)),
      ),
      h('div', {}, h('dt', {}, 'Confidence'), h('dd', {}, percent(i.confidence))),
      i.restored > 0 || !open
        ? h(
            'div',
            {},
            h('dt', {}, 'Restored'),
            h('dd', {}, open ? percent(i.restored) : `resolved ${when(i.resolvedAt)}`),
          )
        : null,
    ),
    i.exonerated.length
      ? h(
          'p',
          { class: 'cleared' },
          `Not at fault: ${i.exonerated
            .slice(0, 4)
            .map((x) => x.provider)
            .join(', ')}${i.exonerated.length > 4 ? ` and ${count(i.exonerated.length - 4, 'other')}` : ''}.`,
        )
      : null,
  );
}

/** Open incidents by affected site, to say why a site is down. */
export function blameIndex(incidents: readonly IncidentView[]): Map<string, IncidentView> {
  const out = new Map<string, IncidentView>();
  for (const i of incidents) {
    if (i.resolvedAt !== null) continue;
    for (const s of i.affected) if (!out.has(s)) out.set(s, i);
  }
  return out;
}

/** The component id a provider page is for: `ovh` → `provider:ovh`. */
export function componentId(provider: string): string {
  return provider.includes(':') ? provider : `provider:${provider}`;
}

/**
 * A long list shown a page at a time (client side, for a list fetched once): the first `size`
 * items, then a button adding the next page. `build` makes the element showing a slice.
 */
export function paged<T>(
  items: readonly T[],
  size: number,
  build: (shown: readonly T[]) => HTMLElement,
  noun = 'more',
): HTMLElement {
  const box = h('div', { class: 'paged' });
  let shown = Math.min(size, items.length);
  const draw = (focus: boolean) => {
    const rest = items.length - shown;
    const more =
      rest > 0
        ? h(
            'button',
            {
              type: 'button',
              class: 'more',
              onclick: () => {
                shown = Math.min(items.length, shown + size);
                draw(true);
              },
            },
            `Show ${Math.min(size, rest).toLocaleString('en')} ${noun} (${shown.toLocaleString('en')} of ${items.length.toLocaleString('en')} shown)`,
          )
        : null;
    box.replaceChildren(build(items.slice(0, shown)), ...(more ? [h('p', { class: 'pager' }, more)] : []));
    // Keep the keyboard where it was: on the button, or at the end of the list once complete.
    if (focus) (box.querySelector('button.more') as HTMLElement | null)?.focus();
  };
  draw(false);
  return box;
}
