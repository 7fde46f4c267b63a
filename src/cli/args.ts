/** Argument parsers and readers shared by commands. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.ts';

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** A duration such as `60s`, `5m`, `1h`, `250ms` (a bare number is seconds), in milliseconds. */
export function duration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('must be a duration such as 250ms, 10s, 5m or 1h');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  const ms = Number(m[1]) * unit;
  if (!(ms > 0)) throw new InvalidArgumentError('must be longer than zero');
  return ms;
}

/** Domains from a list file: one per line, blank lines and `#` comments ignored; `-` is stdin. */
export function readList(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read domain list ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '');
}
