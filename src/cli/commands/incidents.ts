/**
 * `vigie incidents --store URL --json [--since T]`: what a pipeline concluded, read from its store,
 * in the same JSON shape `vigie sim run --json` prints (without `score`) — so any run, lab or
 * production, is scored (`vigie score SCENARIO -`) or archived the same way.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.ts';
import { formatIncidents, type RunOutput } from '../../pipeline/export.ts';
import { DEFAULT_STORE_URL, openStore } from '../../store/index.ts';

interface IncidentsOptions {
  store: string;
  json?: boolean;
  since?: string;
  zone: string;
  siteLevel: boolean;
}

/** An ISO 8601 instant (with or without offset: UTC when none) or epoch milliseconds. */
export function parseInstant(text: string): number {
  const t = /^\d+$/.test(text)
    ? Number(text)
    : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  if (!Number.isFinite(t))
    throw new UsageError(`--since: expected an ISO 8601 time or epoch ms, got ${text}`);
  return t;
}

export function register(program: Command): void {
  program
    .command('incidents')
    .description('print the incidents a pipeline stored (the `vigie sim run --json` shape with --json)')
    .option('--store <url>', 'sqlite:PATH or postgres://…', DEFAULT_STORE_URL)
    .option('--json', 'one JSON object on standard output')
    .option('--since <time>', 'only incidents started at or after this time (ISO 8601 or epoch ms)')
    .option('--zone <iana>', 'time zone of the printed times', 'UTC')
    .option('--no-site-level', 'leave out incidents of one site failing alone')
    .action(async (o: IncidentsOptions) => {
      const since = o.since === undefined ? undefined : parseInstant(o.since);
      const store = await openStore(o.store);
      try {
        const stored = await store.incidents({ limit: 100_000, ...(since === undefined ? {} : { since }) });
        const kept = stored
          .filter((i) => o.siteLevel || !i.cause.component?.startsWith('site:'))
          .sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
        const sites = (await store.listSites()).length;
        const out: RunOutput = {
          scenario: '',
          title: '',
          speed: 1,
          sites,
          probes: 0,
          incidents: formatIncidents(kept, o.zone),
        };
        if (o.json) {
          process.stdout.write(`${JSON.stringify(out)}\n`);
          return;
        }
        if (kept.length === 0) process.stdout.write('no incidents\n');
        for (const i of out.incidents)
          process.stdout.write(
            `${i.id}  ${i.startedAt} → ${i.resolvedAt ?? 'open'}  ${i.kind}  ${i.cause.name ?? i.cause.provider ?? i.cause.component}` +
              `${i.cause.region ? ` region ${i.cause.region}` : ''}${i.cause.role ? ` ${i.cause.role}` : ''}${i.cause.plan ? ` ${i.cause.plan}` : ''}` +
              `  ${i.affected.length} site${i.affected.length === 1 ? '' : 's'}\n`,
          );
      } finally {
        await store.close();
      }
    });
}
