#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// `npm run bench -- NAME [args…]` runs bench/NAME.ts. Its last line of standard output is one JSON
// object of its figures.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const [name, ...args] = process.argv.slice(2);
const known = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
if (!name || !existsSync(`${dir}${name}.ts`)) {
  process.stderr.write(`usage: npm run bench -- NAME\nbenchmarks: ${known.join(', ') || '(none yet)'}\n`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${name}.ts`, ...args], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
