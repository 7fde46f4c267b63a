/**
 * Checks one parsed catalog file against the `CatalogEntry` contract. Every problem is reported
 * with the path of the offending field, so the loader can point at its line; nothing half-valid
 * gets into the catalog.
 */

import { SUFFIX_PATTERN, SuffixIndex } from './suffix.ts';
import { fillCname, fillPage, MARKER_WINDOW, SAMPLE_VARS } from './template.ts';
import type { CatalogEntry, CatalogRole, ErrorPageMeaning, RangeFile } from './types.ts';

/** A path into the YAML document, e.g. `['errorPages', 1, 'marker']`. */
export type FieldPath = (string | number)[];

/** One problem found in an entry, before it is located in its file. */
export interface EntryProblem {
  path: FieldPath;
  message: string;
}

/** Entry ids: lower-case words joined by hyphens, also used as file names. */
export const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const ROLES: readonly CatalogRole[] = ['hosting', 'dns', 'mail', 'cdn', 'platform'];
const MEANINGS: readonly ErrorPageMeaning[] = ['origin_unreachable', 'edge_error', 'queue'];
const RANGE_FORMATS: readonly RangeFile['format'][] = [
  'aws-ip-ranges',
  'gcp-cloud-json',
  'azure-service-tags',
  'plain-cidr-list',
  'geofeed-csv',
];
const TOP_KEYS = [
  'id',
  'name',
  'roles',
  'asns',
  'org',
  'ns',
  'cname',
  'mx',
  'headers',
  'errorPages',
  'tlsIssuer',
  'ranges',
  'world',
  'sources',
];
const OPTIONAL_TOP = new Set(['tlsIssuer', 'ranges']);
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const URL_PATTERN = /^https?:\/\/[^\s/]+\.[^\s]+$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems while walking one entry. */
class Checker {
  readonly problems: EntryProblem[] = [];

  fail(path: FieldPath, message: string): void {
    this.problems.push({ path, message });
  }

  keys(obj: Obj, path: FieldPath, allowed: string[], optional: Set<string> = new Set()): void {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.fail([...path, k], 'unknown field');
    for (const k of allowed)
      if (!(k in obj) && !optional.has(k)) this.fail([...path, k], 'missing required field');
  }

  string(v: unknown, path: FieldPath): v is string {
    if (typeof v === 'string' && v.trim() !== '') return true;
    this.fail(path, 'must be a non-empty string');
    return false;
  }

  array(v: unknown, path: FieldPath, minItems = 0): v is unknown[] {
    if (!Array.isArray(v)) {
      this.fail(path, 'must be a list');
      return false;
    }
    if (v.length < minItems) this.fail(path, `must have at least ${minItems} item(s)`);
    return true;
  }

  strings(v: unknown, path: FieldPath, minItems = 0): string[] {
    if (!this.array(v, path, minItems)) return [];
    return v.filter((s, i): s is string => this.string(s, [...path, i]));
  }

  regex(v: unknown, path: FieldPath): RegExp | null {
    if (!this.string(v, path)) return null;
    try {
      return new RegExp(v, 'i');
    } catch (e) {
      this.fail(path, `invalid regex: ${(e as Error).message}`);
      return null;
    }
  }

  suffixes(v: unknown, path: FieldPath): string[] {
    const out = this.strings(v, path);
    out.forEach((s, i) => {
      if (s !== s.toLowerCase() || !SUFFIX_PATTERN.test(s))
        this.fail([...path, i], `"${s}" is not a lower-case host suffix (labels, optional * glob)`);
    });
    return out;
  }
}

/** True when `host` ends with one of `suffixes` on a label boundary (globs allowed). */
function coveredBy(host: string, suffixes: string[]): boolean {
  const index = new SuffixIndex();
  for (const s of suffixes) index.add(s, 'x');
  return index.lookup(host) !== null;
}

/**
 * Validates one raw entry. `fileId` is the file's base name, which must equal the entry id so a
 * provider is found where its id says.
 */
export function validateEntry(
  raw: unknown,
  fileId: string,
): { entry: CatalogEntry | null; problems: EntryProblem[] } {
  const c = new Checker();
  if (!isObj(raw)) {
    c.fail([], 'file must contain one mapping (a catalog entry)');
    return { entry: null, problems: c.problems };
  }
  c.keys(raw, [], TOP_KEYS, OPTIONAL_TOP);

  if (c.string(raw.id, ['id'])) {
    if (!ID_PATTERN.test(raw.id)) c.fail(['id'], `"${raw.id}" must match ${ID_PATTERN.source}`);
    else if (raw.id !== fileId) c.fail(['id'], `"${raw.id}" must equal the file name "${fileId}"`);
  }
  c.string(raw.name, ['name']);

  const roles = c.strings(raw.roles, ['roles'], 1);
  roles.forEach((r, i) => {
    if (!ROLES.includes(r as CatalogRole)) c.fail(['roles', i], `"${r}" is not one of ${ROLES.join(', ')}`);
  });

  if (c.array(raw.asns, ['asns']))
    raw.asns.forEach((a, i) => {
      if (!Number.isInteger(a) || (a as number) < 1 || (a as number) > 4294967294)
        c.fail(['asns', i], 'must be an AS number (integer 1..4294967294)');
    });
  if (c.array(raw.org, ['org'])) raw.org.forEach((o, i) => void c.regex(o, ['org', i]));

  const ns = c.suffixes(raw.ns, ['ns']);
  const cname = c.suffixes(raw.cname, ['cname']);
  const mx = c.suffixes(raw.mx, ['mx']);

  checkHeaders(c, raw.headers);
  checkErrorPages(c, raw.errorPages);

  if ('tlsIssuer' in raw) c.string(raw.tlsIssuer, ['tlsIssuer']);
  if ('ranges' in raw) checkRanges(c, raw.ranges);
  checkWorld(c, raw.world, { ns, cname, mx, roles });

  const sources = c.strings(raw.sources, ['sources'], 1);
  sources.forEach((s, i) => {
    if (!URL_PATTERN.test(s)) c.fail(['sources', i], `"${s}" is not an http(s) URL`);
  });

  return { entry: c.problems.length === 0 ? (raw as unknown as CatalogEntry) : null, problems: c.problems };
}

function checkHeaders(c: Checker, headers: unknown): void {
  if (!c.array(headers, ['headers'])) return;
  headers.forEach((h, i) => {
    const path = ['headers', i];
    if (!isObj(h)) {
      c.fail(path, 'must be a mapping {name, pattern?, example}');
      return;
    }
    c.keys(h, path, ['name', 'pattern', 'example'], new Set(['pattern']));
    if (c.string(h.name, [...path, 'name']) && !HEADER_NAME.test(h.name))
      c.fail([...path, 'name'], `"${h.name}" must be a lower-case header name`);
    const re = 'pattern' in h ? c.regex(h.pattern, [...path, 'pattern']) : null;
    if (c.string(h.example, [...path, 'example']) && re && !re.test(h.example))
      c.fail([...path, 'example'], `example "${h.example}" does not match pattern /${h.pattern}/i`);
  });
}

function checkErrorPages(c: Checker, pages: unknown): void {
  if (!c.array(pages, ['errorPages'])) return;
  pages.forEach((p, i) => {
    const path = ['errorPages', i];
    if (!isObj(p)) {
      c.fail(path, 'must be a mapping {status, meaning, marker, example}');
      return;
    }
    c.keys(p, path, ['status', 'meaning', 'marker', 'example']);
    if (c.array(p.status, [...path, 'status'], 1))
      p.status.forEach((s, j) => {
        if (!Number.isInteger(s) || (s as number) < 100 || (s as number) > 599)
          c.fail([...path, 'status', j], 'must be an HTTP status (100..599)');
      });
    if (!MEANINGS.includes(p.meaning as ErrorPageMeaning))
      c.fail([...path, 'meaning'], `must be one of ${MEANINGS.join(', ')}`);
    const re = c.regex(p.marker, [...path, 'marker']);
    if (!c.string(p.example, [...path, 'example']) || !re) return;
    const statuses = Array.isArray(p.status) ? p.status.filter(Number.isInteger) : [];
    for (const status of statuses.length ? (statuses as number[]) : [SAMPLE_VARS.status]) {
      const body = fillPage(p.example, { ...SAMPLE_VARS, status }).slice(0, MARKER_WINDOW);
      if (!re.test(body)) {
        c.fail([...path, 'example'], `example (status ${status}) does not match marker within its first KiB`);
        break;
      }
    }
  });
}

function checkRanges(c: Checker, ranges: unknown): void {
  if (!isObj(ranges)) {
    c.fail(['ranges'], 'must be a mapping {format, url, file}');
    return;
  }
  c.keys(ranges, ['ranges'], ['format', 'url', 'file']);
  if (!RANGE_FORMATS.includes(ranges.format as RangeFile['format']))
    c.fail(['ranges', 'format'], `must be one of ${RANGE_FORMATS.join(', ')}`);
  if (c.string(ranges.url, ['ranges', 'url']) && !URL_PATTERN.test(ranges.url))
    c.fail(['ranges', 'url'], 'must be an http(s) URL');
  if (c.string(ranges.file, ['ranges', 'file']) && /[/\\]/.test(ranges.file))
    c.fail(['ranges', 'file'], 'must be a bare file name');
}

function checkWorld(
  c: Checker,
  world: unknown,
  own: { ns: string[]; cname: string[]; mx: string[]; roles: string[] },
): void {
  if (!isObj(world)) {
    c.fail(['world'], 'must be a mapping {nsHosts, mxHosts, cnameTemplate?}');
    return;
  }
  c.keys(world, ['world'], ['nsHosts', 'mxHosts', 'cnameTemplate'], new Set(['cnameTemplate']));
  // The world must show exactly the names the matcher recognises, or the simulation would test nothing.
  const nsHosts = c.strings(world.nsHosts, ['world', 'nsHosts'], own.roles.includes('dns') ? 2 : 0);
  if (nsHosts.length > 4) c.fail(['world', 'nsHosts'], 'at most 4 name servers');
  nsHosts.forEach((h, i) => {
    if (!coveredBy(h, own.ns))
      c.fail(['world', 'nsHosts', i], `"${h}" is not covered by this entry's ns suffixes`);
  });
  const mxHosts = c.strings(world.mxHosts, ['world', 'mxHosts'], own.roles.includes('mail') ? 1 : 0);
  mxHosts.forEach((h, i) => {
    if (!coveredBy(h, own.mx))
      c.fail(['world', 'mxHosts', i], `"${h}" is not covered by this entry's mx suffixes`);
  });
  if ('cnameTemplate' in world && c.string(world.cnameTemplate, ['world', 'cnameTemplate'])) {
    // `{label}` is optional: some platforms point every customer at one shared target.
    const t = world.cnameTemplate;
    if (!coveredBy(fillCname(t, 'site'), own.cname))
      c.fail(['world', 'cnameTemplate'], `"${t}" is not covered by this entry's cname suffixes`);
  }
}
