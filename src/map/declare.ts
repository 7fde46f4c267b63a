/**
 * Declared dependencies: what cannot be seen from outside (the origin behind a CDN, a SaaS
 * platform, a shared firewall), given by the user in a YAML or JSON file:
 *
 * ```yaml
 * - domain: shop.example
 *   origin: {provider: ovh, region: gra, plan: shared}   # or {address: 203.0.113.7}: the mapper
 *   platform: shopify                                      #   derives provider, region and plan
 *   components: [fw-shared-1]
 * ```
 * Validated once, at the edge: every problem is reported as file:line: field: message.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { normaliseDomain } from '../dns/names.ts';
import { InputError, type InputProblem } from '../errors.ts';
import type { DeclaredDependency } from './types.ts';

const ID = /^[a-z0-9][a-z0-9_.-]*$/;
const SITE_KEYS = new Set(['domain', 'origin', 'platform', 'components']);
const ORIGIN_KEYS = new Set(['provider', 'address', 'region', 'plan']);

/** Declared dependencies per (normalised) domain. */
export type Declarations = Map<string, DeclaredDependency[]>;

/** Read and validate a declarations file. Throws `InputError` listing every problem. */
export function loadDeclarations(path: string): Declarations {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError([
      {
        file: path,
        line: 1,
        field: 'file',
        message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}`,
      },
    ]);
  }
  return parseDeclarations(text, path);
}

/** Parse declarations from text; `file` names it in messages. */
export function parseDeclarations(text: string, file: string): Declarations {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: InputProblem[] = [];
  const add = (path: (string | number)[], message: string) =>
    problems.push({ file, line: lineOf(doc, lines, path), field: fieldName(path), message });
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      problems.push({
        file,
        line: lines.linePos(e.pos[0]).line,
        field: '(yaml)',
        message: e.message.split('\n')[0],
      });
    throw new InputError(problems);
  }
  const data = doc.toJS() as unknown;
  const out: Declarations = new Map();
  if (data === null || data === undefined) return out;
  if (!Array.isArray(data)) {
    add([], 'must be a list of {domain, origin?, platform?, components?}');
    throw new InputError(problems);
  }
  for (const [i, item] of (data as unknown[]).entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      add([i], 'must be an object');
      continue;
    }
    const o = item as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (!SITE_KEYS.has(k)) add([i, k], `unknown field (expected ${[...SITE_KEYS].join(', ')})`);
    const deps: DeclaredDependency[] = [];
    let domain: string | null = null;
    if (typeof o.domain !== 'string') add([i, 'domain'], 'required: the domain these dependencies belong to');
    else {
      const n = normaliseDomain(o.domain);
      if (n.ok) domain = n.name;
      else add([i, 'domain'], n.reason);
    }
    if (o.origin !== undefined) {
      const origin = o.origin as Record<string, unknown>;
      if (typeof origin !== 'object' || origin === null || Array.isArray(origin))
        add([i, 'origin'], 'must be {provider, region?, plan?} or {address, plan?}');
      else {
        for (const k of Object.keys(origin))
          if (!ORIGIN_KEYS.has(k))
            add([i, 'origin', k], 'unknown field (expected provider, address, region, plan)');
        const address = origin.address;
        if (address !== undefined && (typeof address !== 'string' || isIP(address) === 0))
          add([i, 'origin', 'address'], 'must be an IPv4 or IPv6 address');
        const byAddress = typeof address === 'string' && isIP(address) !== 0;
        const ok = byAddress
          ? origin.provider === undefined || checkId(origin.provider, [i, 'origin', 'provider'], add, true)
          : checkId(origin.provider, [i, 'origin', 'provider'], add, true);
        if (origin.region !== undefined) checkId(origin.region, [i, 'origin', 'region'], add, false);
        if (origin.plan !== undefined && origin.plan !== 'shared' && origin.plan !== 'dedicated')
          add([i, 'origin', 'plan'], 'must be shared or dedicated');
        if (ok)
          deps.push({
            role: 'hosting',
            ...(typeof origin.provider === 'string' ? { provider: origin.provider } : {}),
            ...(byAddress ? { address: address as string } : {}),
            ...(typeof origin.region === 'string' ? { region: origin.region } : {}),
            ...(origin.plan === 'shared' || origin.plan === 'dedicated' ? { plan: origin.plan } : {}),
            source: 'declared',
          });
      }
    }
    if (o.platform !== undefined && checkId(o.platform, [i, 'platform'], add, true))
      deps.push({ role: 'platform', provider: o.platform as string, source: 'declared' });
    if (o.components !== undefined) {
      if (!Array.isArray(o.components)) add([i, 'components'], 'must be a list of names');
      else
        o.components.forEach((c, j) => {
          if (checkId(c, [i, 'components', j], add, true))
            deps.push({ role: 'component', component: c as string, source: 'declared' });
        });
    }
    if (domain) out.set(domain, [...(out.get(domain) ?? []), ...deps]);
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

function checkId(
  v: unknown,
  path: (string | number)[],
  add: (p: (string | number)[], m: string) => void,
  required: boolean,
): boolean {
  if (v === undefined && !required) return false;
  if (typeof v !== 'string' || !ID.test(v)) {
    add(path, v === undefined ? 'required' : 'must be a name of lower-case letters, digits, dots, dashes');
    return false;
  }
  return true;
}

function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

function fieldName(path: (string | number)[]): string {
  if (path.length === 0) return '(file)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
