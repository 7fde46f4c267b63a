/** Reading rollups back: per component as stored, per site joined with its signature counts. */
import type { Kysely } from 'kysely';
import type { Signature } from '../model/index.ts';
import type { Schema } from './schema.ts';
import type { ComponentRollup, RollupQuery, SiteRollup } from './types.ts';

/** The rollups of one site or one component over `[from, to)`, oldest first. */
export async function readRollups(
  db: Kysely<Schema>,
  query: RollupQuery,
): Promise<SiteRollup[] | ComponentRollup[]> {
  if ('component' in query) {
    const rows = await db
      .selectFrom('rollup_component')
      .selectAll()
      .where('component', '=', query.component)
      .where('minute', '>=', query.from)
      .where('minute', '<', query.to)
      .orderBy('minute')
      .execute();
    return rows.map((r) => ({
      component: r.component,
      minute: r.minute,
      count: r.n,
      failures: r.failures,
      degraded: r.degraded,
    }));
  }
  const [rows, sigs] = await Promise.all([
    db
      .selectFrom('rollup_site')
      .selectAll()
      .where('site', '=', query.site)
      .where('minute', '>=', query.from)
      .where('minute', '<', query.to)
      .orderBy('minute')
      .execute(),
    db
      .selectFrom('rollup_signature')
      .selectAll()
      .where('site', '=', query.site)
      .where('minute', '>=', query.from)
      .where('minute', '<', query.to)
      .execute(),
  ]);
  const byMinute = new Map<number, Partial<Record<Signature, number>>>();
  for (const s of sigs) {
    const counts = byMinute.get(s.minute) ?? {};
    counts[s.signature as Signature] = s.n;
    byMinute.set(s.minute, counts);
  }
  return rows.map((r) => {
    const signatures = byMinute.get(r.minute) ?? {};
    return {
      site: r.site,
      minute: r.minute,
      count: r.n,
      failures: r.failures,
      degraded: r.degraded,
      sumMs: r.sum_ms,
      maxMs: r.max_ms,
      signatures,
      dominant: dominant(signatures),
    };
  });
}

/** The most frequent signature (ties: alphabetical), or null when there is none. */
function dominant(counts: Partial<Record<Signature, number>>): Signature | null {
  let best: Signature | null = null;
  let bestN = 0;
  for (const [sig, n] of Object.entries(counts) as [Signature, number][]) {
    if (n > bestN || (n === bestN && best !== null && sig < best)) {
      best = sig;
      bestN = n;
    }
  }
  return best;
}
