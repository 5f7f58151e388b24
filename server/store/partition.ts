import type { Queryable } from './database';
import { PARTITIONED_TABLES } from './schema';

/**
 * `--partitioned`: turns the big tables (schema.ts PARTITIONED_TABLES) into tables
 * hash-partitioned by tenant_id, with the same columns, defaults, primary keys and index names,
 * so migrations and queries do not know the difference. It proves what Citus distribution by
 * tenant needs: every primary and unique key includes tenant_id (PostgreSQL refuses a unique
 * index on a partitioned table that lacks the partition key). Only an empty table is converted;
 * one that already is partitioned is left alone.
 */
export async function partitionByTenant(tx: Queryable, partitions: number): Promise<boolean> {
  if (!Number.isInteger(partitions) || partitions < 2 || partitions > 256) {
    throw new Error(`partitions must be a whole number from 2 to 256, got ${partitions}`);
  }
  for (const table of PARTITIONED_TABLES) {
    const [state] = await tx.query<{ partitioned: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
                      WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace) AS partitioned`,
      [table],
    );
    if (state?.partitioned) continue;
    const [rows] = await tx.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM public.${table}) AS any`,
    );
    if (rows?.any) {
      throw new Error(
        `--partitioned: table ${table} already holds rows and is not partitioned; partitioning is set up on an empty database only`,
      );
    }
    const constraints = await tx.query<{ name: string; definition: string; index: string }>(
      `SELECT con.conname AS name, pg_get_constraintdef(con.oid) AS definition, i.relname AS index
       FROM pg_constraint con JOIN pg_class i ON i.oid = con.conindid
       WHERE con.conrelid = $1::regclass AND con.contype IN ('p', 'u')`,
      [`public.${table}`],
    );
    const owned = new Set(constraints.map((c) => c.index));
    const indexes = (
      await tx.query<{ name: string; definition: string }>(
        `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
         WHERE schemaname = 'public' AND tablename = $1`,
        [table],
      )
    ).filter((index) => !owned.has(index.name));
    await tx.query(`ALTER TABLE public.${table} RENAME TO ${table}_unpartitioned`);
    await tx.query(
      `CREATE TABLE public.${table} (LIKE public.${table}_unpartitioned INCLUDING DEFAULTS INCLUDING STORAGE)
       PARTITION BY HASH (tenant_id)`,
    );
    await tx.query(`DROP TABLE public.${table}_unpartitioned`);
    for (const constraint of constraints) {
      await tx.query(
        `ALTER TABLE public.${table} ADD CONSTRAINT "${constraint.name}" ${constraint.definition}`,
      );
    }
    for (const index of indexes) await tx.query(index.definition);
    for (let remainder = 0; remainder < partitions; remainder += 1) {
      await tx.query(
        `CREATE TABLE public.${table}_p${remainder} PARTITION OF public.${table}
         FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${remainder})`,
      );
    }
  }
  return true;
}
