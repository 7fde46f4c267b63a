/**
 * The statements of one observation flush, run inside the caller's transaction. Rollups are upserts
 * that add deltas to what the table holds, so flushes from several writers (or several flushes in
 * the same minute) compose; portable `ON CONFLICT … DO UPDATE` works on both dialects.
 */
import type { Transaction } from 'kysely';
import type { FlushRows } from './aggregate.ts';
import { chunks } from './rows.ts';
import type { Schema } from './schema.ts';

/** Write the rows of one flush. */
export async function writeFlush(
  trx: Transaction<Schema>,
  rows: FlushRows,
  maxParams: number,
): Promise<void> {
  for (const chunk of chunks(rows.raw, maxParams)) {
    await trx.insertInto('observations').values(chunk).execute();
  }
  for (const chunk of chunks(rows.sites, maxParams)) {
    await trx
      .insertInto('rollup_site')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['site', 'minute']).doUpdateSet((eb) => ({
          n: eb('rollup_site.n', '+', eb.ref('excluded.n')),
          failures: eb('rollup_site.failures', '+', eb.ref('excluded.failures')),
          degraded: eb('rollup_site.degraded', '+', eb.ref('excluded.degraded')),
          sum_ms: eb('rollup_site.sum_ms', '+', eb.ref('excluded.sum_ms')),
          max_ms: eb
            .case()
            .when('excluded.max_ms', '>', eb.ref('rollup_site.max_ms'))
            .then(eb.ref('excluded.max_ms'))
            .else(eb.ref('rollup_site.max_ms'))
            .end(),
        })),
      )
      .execute();
  }
  for (const chunk of chunks(rows.signatures, maxParams)) {
    await trx
      .insertInto('rollup_signature')
      .values(chunk)
      .onConflict((oc) =>
        oc
          .columns(['site', 'minute', 'signature'])
          .doUpdateSet((eb) => ({ n: eb('rollup_signature.n', '+', eb.ref('excluded.n')) })),
      )
      .execute();
  }
  for (const chunk of chunks(rows.components, maxParams)) {
    await trx
      .insertInto('rollup_component')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['component', 'minute']).doUpdateSet((eb) => ({
          n: eb('rollup_component.n', '+', eb.ref('excluded.n')),
          failures: eb('rollup_component.failures', '+', eb.ref('excluded.failures')),
          degraded: eb('rollup_component.degraded', '+', eb.ref('excluded.degraded')),
        })),
      )
      .execute();
  }
  for (const chunk of chunks(rows.lastProbe, maxParams)) {
    await trx
      .insertInto('last_probe')
      .values(chunk)
      .onConflict((oc) =>
        oc
          .column('site')
          .doUpdateSet((eb) => ({ at: eb.ref('excluded.at') }))
          .where((eb) => eb('excluded.at', '>', eb.ref('last_probe.at'))),
      )
      .execute();
  }
}
