/**
 * Building the page with DOM APIs only. Every string that reaches the page goes through a text node
 * or a property (`textContent`, `href` after {@link safeHref}), never through HTML parsing: a site
 * name, a tag or a note containing `<script>` is shown as those characters. There is no `innerHTML`
 * anywhere in the dashboard.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `h('a', {href: '#/x', class: 'k'}, 'text', h('b', {}, 'more'))`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'href') el.setAttribute('href', safeHref(String(v)));
    else if (k === 'style') throw new Error('inline styles are refused by the CSP: use a class');
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

/** Only in-page (`#/…`) and same-origin relative links: never `javascript:` or another origin. */
export function safeHref(href: string): string {
  return /^(#|\.\/|\/(?!\/))/.test(href) ? href : '#/';
}

/** A `#/…` route link with a path segment encoded (domains, component ids with `:` and `/`). */
export function link(route: string, segment: string, ...children: Child[]): HTMLAnchorElement {
  return h(
    'a',
    { href: `#/${route}/${encodeURIComponent(segment)}` },
    ...(children.length ? children : [segment]),
  );
}

/** A table with a caption, column headers and rows; the first cell of a row is its header. */
export function table(
  caption: Child,
  headers: readonly string[],
  rows: readonly (readonly Child[])[],
  opts: { className?: string; empty?: string } = {},
): HTMLElement {
  if (!rows.length && opts.empty) return h('p', { class: 'empty' }, opts.empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: opts.className },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))),
          ),
        ),
      ),
    ),
  );
}

/** A titled section; its heading labels it for assistive technology. */
export function section(title: string, level: 2 | 3, ...children: Child[]): HTMLElement {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h(level === 2 ? 'h2' : 'h3', { id }, title), ...children);
}

/** A small state badge; the words carry the meaning, the colour only repeats it. */
export function badge(text: string, tone: 'ok' | 'warn' | 'bad' | 'muted'): HTMLElement {
  return h('span', { class: `badge ${tone}` }, text);
}
