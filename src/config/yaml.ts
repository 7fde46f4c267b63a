/**
 * YAML (and therefore JSON) parsing that keeps node positions, so that every later problem — from
 * the schema or from the semantic checks — can be located as `file:line: field`.
 */
import {
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import type { InputProblem } from '../errors.ts';

/** One step of a path into the document: a map key or an array index. */
export type PathSeg = string | number;

/** A parsed document, its plain data, and a way back from a data path to a source line. */
export interface ParsedYaml {
  data: unknown;
  /**
   * 1-based line of the node at `path`. With `key`, the line of the key naming the last segment
   * (used for unknown fields). Falls back to the nearest existing ancestor when the path is absent.
   */
  lineOf(path: readonly PathSeg[], key?: boolean): number;
  /** YAML syntax errors; when non-empty, `data` must not be trusted. */
  problems: InputProblem[];
}

/** `['faults', 2, 'effect', 'latency_ms']` → `faults[2].effect.latency_ms`; the root is `scenario`. */
export function formatPath(path: readonly PathSeg[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? 'scenario' : out;
}

/**
 * How far aliases may multiply a document (the yaml package's `maxAliasCount`: each alias counts
 * once per alias nested in what it names). Plenty for `<<: *defaults` on thousands of entries; an
 * alias bomb (aliases of aliases of lists of aliases…) is refused long before it costs memory.
 */
export const MAX_ALIAS_COUNT = 10_000;

/** Parse `text` (from `file`, for messages) keeping positions. Never throws on bad YAML. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // merge: true so that `<<: *defaults` works in hand-written scenarios (YAML 1.1 habit).
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;

  // One syntax error per line: the parser's follow-on errors on the same line only add noise.
  const problems: InputProblem[] = [];
  for (const e of doc.errors) {
    const line = e.linePos?.[0].line ?? lineAt(e.pos[0]);
    if (problems.some((p) => p.line === line)) continue;
    problems.push({ file, line, field: 'yaml', message: e.message.split('\n')[0] });
  }

  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);

  const lineOf = (path: readonly PathSeg[], key = false): number => {
    let node: unknown = resolve(doc.contents);
    // Line of the key that introduced the current node, when it was reached through a map.
    let keyLine: number | null = null;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const k = isScalar(p.key) ? p.key.value : p.key;
          return String(k) === String(seg);
        });
        if (!pair) break;
        const pairKeyLine = isScalar(pair.key) || isCollection(pair.key) ? lineAt(pair.key.range?.[0]) : null;
        if (last && key && pairKeyLine !== null) return pairKeyLine;
        keyLine = pairKeyLine;
        if (pair.value === null || pair.value === undefined) return keyLine ?? nodeLine(node);
        node = resolve(pair.value);
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        keyLine = null;
        node = resolve(item);
      } else {
        break;
      }
    }
    // A block collection starts at its first entry; the line of its key reads better.
    if (isCollection(node) && keyLine !== null) return keyLine;
    return nodeLine(node);
  };

  function nodeLine(node: unknown): number {
    const range = (node as Node | null)?.range;
    return range ? lineAt(range[0]) : 1;
  }

  let data: unknown;
  if (problems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // The yaml package throws (a ReferenceError) on an alias bomb: a located problem, not a crash.
      const bomb = /alias/i.test((e as Error).message);
      problems.push({
        file,
        line: bomb ? nestedAliasLine() : 1,
        field: 'yaml',
        message: bomb
          ? `aliases expand too much (more than ${MAX_ALIAS_COUNT.toLocaleString('en')} resolutions); ` +
            'an alias bomb? Write the values out, or alias fewer nested aliases'
          : (e as Error).message.split('\n')[0],
      });
    }
  }
  return { data: problems.length === 0 ? data : undefined, lineOf, problems };

  /** Line of the first alias naming something that itself holds aliases (else the first alias). */
  function nestedAliasLine(): number {
    let first: number | null = null;
    let nested: number | null = null;
    visit(doc, {
      Alias(_key, node) {
        const line = lineAt(node.range?.[0]);
        first ??= line;
        let inner = false;
        visit(node.resolve(doc) ?? null, {
          Alias() {
            inner = true;
            return visit.BREAK;
          },
        });
        if (inner) {
          nested = line;
          return visit.BREAK;
        }
      },
    });
    return nested ?? first ?? 1;
  }
}

/** Collects located problems against one parsed document. */
export class ProblemList {
  readonly items: InputProblem[] = [];
  constructor(
    readonly file: string,
    private readonly parsed: Pick<ParsedYaml, 'lineOf'>,
  ) {}

  /** Record a problem at `path`; `key` locates it at the key rather than the value. */
  add(path: readonly PathSeg[], message: string, key = false): void {
    this.items.push({
      file: this.file,
      line: this.parsed.lineOf(path, key),
      field: formatPath(path),
      message,
    });
  }

  /** 1-based line of the node at `path`. */
  lineOf(path: readonly PathSeg[]): number {
    return this.parsed.lineOf(path);
  }
}
