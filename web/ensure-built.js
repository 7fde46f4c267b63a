#!/usr/bin/env node
/**
 * Build the dashboard when `web/dist` is missing or older than its sources: run by `npm install`
 * (prepare) and `npm start` (prestart), so a fresh clone's `npm install && npm start` serves it.
 * Without Vite (an install without dev dependencies) it says so and lets the API run alone.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('.', import.meta.url).pathname;
const built = join(web, 'dist', 'index.html');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

const sources = [join(web, 'src'), join(web, 'index.html'), join(web, 'vite.config.ts')];
const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (!stale) process.exit(0);

let vite;
try {
  vite = await import('vite');
} catch {
  process.stderr.write(
    'vigie: the dashboard is not built and Vite is not installed (npm install): API only\n',
  );
  process.exit(0);
}
process.stderr.write('vigie: building the dashboard (web/dist)…\n');
await vite.build({ configFile: join(web, 'vite.config.ts'), root: web, logLevel: 'warn' });
