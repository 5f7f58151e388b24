import path from 'node:path';
import { expect } from 'vitest';
import { openStore, type Store } from '../../main/store/open';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { exportOutbox } from '../../main/store/mutations/outbox-file';
import { applyOutboxFile } from '../../main/cli/commands/outbox';
import { rebuildDerivedTables } from '../../main/store/derived';
import { indexPendingQueuesNow } from '../../main/store/derived/queue-membership';
import { ENTITIES, RELATIONS } from '../../main/store/mutations/registry';

/**
 * The outbox replay check (rule 5), for any test that drives services on a store: export A's
 * outbox, apply it to an empty store B in `dir`, and expect every synced table of B (rev
 * included) and the activity log to equal A's, and B's derived tables, rebuilt, to equal A's as
 * A kept them (and A's own, rebuilt). Returns the file and its mutation count.
 */

export const SYNCED_TABLES = [
  ...new Set([
    ...Object.values(ENTITIES).map((d) => d.table),
    ...Object.values(RELATIONS).flatMap((r) => Object.values(r).map((rel) => rel.table)),
  ]),
];

function dump(store: Store, table: string): unknown[] {
  return store.db
    .prepare(`SELECT * FROM ${table}`)
    .all()
    .map((r) => JSON.stringify(r))
    .sort();
}

export function derived(store: Store) {
  const db = store.db;
  return {
    caseEntities: db.prepare('SELECT * FROM case_entities ORDER BY case_id, kind, value').all(),
    openCaseEntities: db
      .prepare('SELECT * FROM open_case_entities ORDER BY case_id, kind, value')
      .all(),
    queueMembers: db.prepare('SELECT * FROM queue_members ORDER BY queue_id, case_id').all(),
    queueIndex: db
      .prepare('SELECT queue_id, state, member_count FROM queue_index ORDER BY queue_id')
      .all(),
    search: ['detection', 'powershell', 'beacon', 'phish', 'triaged', 'vip'].map((t) =>
      db
        .prepare(
          'SELECT c.id FROM cases_fts f JOIN cases c ON c.rowid = f.rowid WHERE cases_fts MATCH ? ORDER BY c.id',
        )
        .pluck()
        .all(t),
    ),
  };
}

export async function expectReplayEqual(
  a: Store,
  dir: string,
): Promise<{ file: string; mutations: number; target: string }> {
  const file = path.join(dir, `outbox-${Date.now()}.ndjson`);
  const exported = await exportOutbox(a.db, file);
  const target = path.join(dir, `replayed-${Date.now()}.db`);
  const report = await applyOutboxFile(target, file);
  expect(report.rejected).toEqual([]);
  expect(report.conflicts).toBe(0);
  const b = openStore(target, { create: false, migrationsFolder: sourceMigrationsFolder() });
  try {
    for (const table of SYNCED_TABLES) {
      expect({ table, rows: dump(b, table) }).toEqual({ table, rows: dump(a, table) });
    }
    const activity = (s: Store) =>
      s.db
        .prepare(
          'SELECT tenant_id, entity_type, entity_id, action, actor, at, before, after, mutation_id FROM activity ORDER BY id',
        )
        .all();
    expect(activity(b)).toEqual(activity(a));
    // a saved queue's index is built by a job in the app; build A's pending ones as it would
    indexPendingQueuesNow(a);
    const kept = derived(a);
    rebuildDerivedTables(b);
    expect(derived(b)).toEqual(kept);
    rebuildDerivedTables(a);
    expect(derived(a)).toEqual(kept); // A's own upkeep was exact
  } finally {
    b.close();
  }
  return { file, mutations: exported.mutations, target };
}
