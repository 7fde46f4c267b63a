/** Runs a dialect's migrations with Kysely's Migrator (which also locks against concurrent runs). */
import { type Kysely, type Migration, Migrator } from 'kysely';
import { VigieError } from '../errors.ts';

/** Apply every pending migration of `migrations`, their bookkeeping tables in `schema` if given. */
export async function runMigrations(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  schema?: string,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'vigie_migration',
    migrationLockTableName: 'vigie_migration_lock',
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(set-up)';
    throw new VigieError(
      'VIGIE_STORE_MIGRATION',
      `store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
