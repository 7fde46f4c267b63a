/**
 * Loads the provider catalog from `catalog/providers/*.yaml`, synchronously because the simulated
 * world and the CLI build everything else from it at start-up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { InputError, type InputProblem } from '../errors.ts';
import { Catalog, CatalogConflictError } from './match.ts';
import type { CatalogEntry } from './types.ts';
import { type FieldPath, validateEntry } from './validate.ts';

/** The catalog shipped with Vigie. */
export const DEFAULT_CATALOG_DIR = fileURLToPath(new URL('../../catalog/providers', import.meta.url));

let defaultCatalog: Catalog | undefined;

/**
 * Reads and validates every `*.yaml` / `*.yml` file of `dir` (default: the shipped catalog) and
 * returns the indexed catalog. Throws `InputError` listing every problem as file:line: field.
 * The default catalog is read once per process.
 */
export function loadCatalog(dir?: string): Catalog {
  if (dir === undefined) {
    defaultCatalog ??= build(DEFAULT_CATALOG_DIR);
    return defaultCatalog;
  }
  return build(dir);
}

function build(dir: string): Catalog {
  const entries = readEntries(dir);
  try {
    return new Catalog(entries);
  } catch (e) {
    // Cross-entry ambiguity (two providers claiming one suffix) is only visible once all are read.
    if (!(e instanceof CatalogConflictError)) throw e;
    throw new InputError([{ file: displayPath(dir), line: 0, field: '(catalog)', message: e.message }]);
  }
}

function readEntries(dir: string): CatalogEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => ['.yaml', '.yml'].includes(extname(n)));
  } catch (e) {
    throw new InputError([{ file: dir, line: 0, field: '(directory)', message: (e as Error).message }]);
  }
  names.sort();
  const problems: InputProblem[] = [];
  const entries: CatalogEntry[] = [];
  const seen = new Map<string, string>();
  if (names.length === 0)
    problems.push({ file: dir, line: 0, field: '(directory)', message: 'no catalog files' });

  for (const name of names) {
    const path = join(dir, name);
    const file = displayPath(path);
    const lines = new LineCounter();
    const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      for (const err of doc.errors)
        problems.push({
          file,
          line: lineAt(lines, err.pos[0]),
          field: '(yaml)',
          message: err.message.split('\n')[0],
        });
      continue;
    }
    const { entry, problems: found } = validateEntry(doc.toJS(), basename(name, extname(name)));
    for (const p of found)
      problems.push({ file, line: lineOf(doc, lines, p.path), field: fieldName(p.path), message: p.message });
    if (!entry) continue;
    const other = seen.get(entry.id);
    if (other) {
      problems.push({
        file,
        line: lineOf(doc, lines, ['id']),
        field: 'id',
        message: `duplicate id, also in ${other}`,
      });
      continue;
    }
    seen.set(entry.id, file);
    entries.push(entry);
  }
  if (problems.length > 0) throw new InputError(problems);
  return entries;
}

/** Paths inside the working directory are shown relative, as editors and CI logs expect. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function lineAt(lines: LineCounter, offset: number): number {
  return lines.linePos(offset).line;
}

/** Line of the deepest existing node on `path`: a missing field points at its parent. */
function lineOf(doc: Document, lines: LineCounter, path: FieldPath): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lineAt(lines, node.range[0]);
  }
  return 1;
}

/** `['errorPages', 1, 'marker']` → `errorPages[1].marker`. */
function fieldName(path: FieldPath): string {
  if (path.length === 0) return '(entry)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
