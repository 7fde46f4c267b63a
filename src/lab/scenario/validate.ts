/**
 * Structural validation of a raw scenario against `schema.json`, with ajv's errors turned into
 * located, readable problems (unknown fields get a "did you mean" hint, because typos are the
 * commonest mistake in hand-written scenarios).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { formatPath, type ParsedYaml, type PathSeg } from '../../config/yaml.ts';
import type { InputProblem } from '../../errors.ts';
import schema from './schema.json' with { type: 'json' };

/** The JSON Schema of the raw v1 format (draft 2020-12). */
export const scenarioSchema = schema;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      discriminator: true,
      allowUnionTypes: true,
      // The effect branches rely on the parent's `type: object`; ajv's type-strictness would log.
      strictTypes: false,
    });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** Validate `parsed.data`; returns the problems (empty when the document conforms). */
export function validateSchema(parsed: ParsedYaml, file: string): InputProblem[] {
  const validate = validator();
  if (validate(parsed.data)) return [];
  const errors = (validate.errors ?? []).filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  const out: InputProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const p = toProblem(e, parsed, file);
    const k = `${p.line}\0${p.field}\0${p.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}

function pointerToPath(pointer: string): PathSeg[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function toProblem(e: ErrorObject, parsed: ParsedYaml, file: string): InputProblem {
  const path = pointerToPath(e.instancePath);
  const at = (p: PathSeg[], message: string, key = false): InputProblem => ({
    file,
    line: parsed.lineOf(p, key),
    field: formatPath(p),
    message,
  });
  const params = e.params as Record<string, unknown>;
  const schemaOf = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((schemaOf.properties ?? {}) as object);
      const hint = suggest(name, known);
      return at(
        [...path, name],
        `unknown field${hint ? ` (did you mean '${hint}'?)` : ''}; known fields: ${known.join(', ')}` +
          `; extensions must start with 'x-'`,
        true,
      );
    }
    case 'required':
      // Named by the missing field, located at the object that lacks it.
      return {
        ...at(path, ''),
        field: formatPath([...path, String(params.missingProperty)]),
        message: 'missing required field',
      };
    case 'discriminator': {
      const kinds = ((schemaOf.oneOf ?? []) as { properties?: { kind?: { const?: string } } }[])
        .map((b) => b.properties?.kind?.const)
        .filter((k): k is string => typeof k === 'string');
      if (params.error === 'tag') return at(path, `'kind' must be a string, one of ${kinds.join(', ')}`);
      const got = String(params.tagValue);
      const hint = suggest(got, kinds);
      return at(
        [...path, 'kind'],
        `unknown effect kind '${got}'${hint ? ` (did you mean '${hint}'?)` : ''}; kinds: ${kinds.join(', ')}`,
      );
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? suggest(e.data, allowed) : undefined;
      return at(
        path,
        `must be one of ${allowed.join(', ')} (got ${show(e.data)})${hint ? `; did you mean '${hint}'?` : ''}`,
      );
    }
    case 'const':
      return at(path, `must be ${show(params.allowedValue)} (got ${show(e.data)})`);
    case 'pattern': {
      const what =
        typeof schemaOf.description === 'string' ? schemaOf.description : `match ${params.pattern}`;
      return at(path, `must be ${what} (got ${show(e.data)})`);
    }
    case 'type': {
      const what = typeof schemaOf.description === 'string' ? ` — ${schemaOf.description}` : '';
      return at(path, `must be ${article(String(params.type))}${what} (got ${typeName(e.data)})`);
    }
    case 'maximum':
    case 'exclusiveMaximum':
    case 'minimum':
    case 'exclusiveMinimum': {
      const bound = {
        maximum: 'at most',
        exclusiveMaximum: 'less than',
        minimum: 'at least',
        exclusiveMinimum: 'more than',
      }[e.keyword];
      return at(path, `must be ${bound} ${Number(params.limit).toLocaleString('en')} (got ${show(e.data)})`);
    }
    case 'maxItems':
      return at(path, `must have at most ${Number(params.limit).toLocaleString('en')} items`);
    case 'maxLength':
      return at(path, `must be at most ${params.limit} characters long`);
    case 'minProperties':
      return at(path, `must not be empty`);
    case 'minItems':
      return at(path, params.limit === 1 ? 'must not be empty' : `must have at least ${params.limit} items`);
    case 'uniqueItems':
      return at(path, `must not list the same value twice (items ${params.j} and ${params.i})`);
    default:
      return at(path, `${e.message ?? 'is invalid'}${e.data !== undefined ? ` (got ${show(e.data)})` : ''}`);
  }
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${show(v)}`;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  };
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}

/** The closest candidate within edit distance 2 (or a case-insensitive match), if any. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : levenshtein(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.min(2, Math.max(1, Math.floor(word.length / 3))) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
