/**
 * A reversed-label trie for host-name suffixes. Lookups walk the labels of a name from the right,
 * so matching costs O(labels), whatever the number of suffixes, and always falls on label
 * boundaries: `cdn.cloudflare.net` matches `x.cdn.cloudflare.net` but never `xcdn.cloudflare.net`.
 */

/** A suffix hit: the id of the entry that declared it and the suffix as written. */
export interface SuffixHit {
  id: string;
  suffix: string;
}

interface Node {
  literal: Map<string, Node>;
  /** Labels holding a `*` glob (e.g. `awsdns-*`), tried after the literal child; rare, so a list. */
  globs: { re: RegExp; node: Node }[];
  hit?: SuffixHit;
}

const newNode = (): Node => ({ literal: new Map(), globs: [] });

/** Lower-case, drop a trailing dot: the canonical form names are compared in. */
export function normaliseHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** Syntax of a suffix pattern: dot-separated labels, each letters/digits/hyphens/underscores and `*`. */
export const SUFFIX_PATTERN =
  /^(?:[a-z0-9_*](?:[a-z0-9_*-]*[a-z0-9_*])?\.)*[a-z0-9_*](?:[a-z0-9_*-]*[a-z0-9_*])?$/;

function globToRegExp(label: string): RegExp {
  const body = label
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('[a-z0-9_-]*');
  return new RegExp(`^${body}$`);
}

/** Suffix → entry id index with longest-suffix-wins lookup. */
export class SuffixIndex {
  private readonly root = newNode();

  /** Adds `suffix` for `id`; returns the id already holding that exact suffix, if any. */
  add(suffix: string, id: string): string | undefined {
    let node = this.root;
    for (const label of normaliseHost(suffix).split('.').reverse()) {
      if (label.includes('*')) {
        let glob = node.globs.find((g) => g.re.source === globToRegExp(label).source);
        if (!glob) {
          glob = { re: globToRegExp(label), node: newNode() };
          node.globs.push(glob);
        }
        node = glob.node;
      } else {
        let next = node.literal.get(label);
        if (!next) {
          next = newNode();
          node.literal.set(label, next);
        }
        node = next;
      }
    }
    if (node.hit && node.hit.id !== id) return node.hit.id;
    node.hit ??= { id, suffix };
    return undefined;
  }

  /** The entry whose suffix is the longest one `host` ends with, on a label boundary. */
  lookup(host: string): SuffixHit | null {
    const labels = normaliseHost(host).split('.').reverse();
    let best: { hit: SuffixHit; depth: number } | null = null;
    const walk = (node: Node, depth: number): void => {
      if (node.hit && (!best || depth > best.depth)) best = { hit: node.hit, depth };
      if (depth === labels.length) return;
      const label = labels[depth];
      const next = node.literal.get(label);
      if (next) walk(next, depth + 1);
      for (const g of node.globs) if (g.re.test(label)) walk(g.node, depth + 1);
    };
    walk(this.root, 0);
    return best === null ? null : (best as { hit: SuffixHit }).hit;
  }
}
