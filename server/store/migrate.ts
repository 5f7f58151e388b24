import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database } from './database';
import { partitionByTenant } from './partition';

/**
 * Runs the drizzle-kit migrations (store/migrations, committed) on start. Several instances may
 * start at once on one database: a transaction-scoped advisory lock makes the others wait and
 * then find nothing left to do. The bookkeeping table is drizzle's own
 * (`drizzle.__drizzle_migrations`), so `drizzle-kit migrate` and this agree on what ran.
 */

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** Arbitrary constant naming the migration lock (pg_advisory_xact_lock takes a bigint). */
const MIGRATION_LOCK_KEY = 0x57_46_4d_49_47; // "WFMIG"

export interface MigrateOptions {
  /** Hash-partition the big tables by tenant_id (store/partition.ts); only on an empty schema. */
  partitioned?: boolean;
  partitions?: number;
}

export interface MigrateResult {
  applied: number;
  partitioned: boolean;
}

export async function migrateDatabase(
  db: Database,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query('CREATE SCHEMA IF NOT EXISTS drizzle');
    await tx.query(
      `CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (
         id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    );
    const [last] = await tx.query<{ created_at: number | string | null }>(
      'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1',
    );
    const lastApplied = last?.created_at === undefined ? null : Number(last.created_at);
    let applied = 0;
    for (const migration of migrations) {
      if (lastApplied !== null && lastApplied >= migration.folderMillis) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== '') await tx.query(statement);
      }
      await tx.query(
        'INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ($1, $2)',
        [migration.hash, migration.folderMillis],
      );
      applied += 1;
    }
    const partitioned = options.partitioned
      ? await partitionByTenant(tx, options.partitions ?? 8)
      : false;
    return { applied, partitioned };
  });
}
