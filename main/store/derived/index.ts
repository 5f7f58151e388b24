import type Database from 'better-sqlite3';
import { rebuildCaseSearch } from './case-search';
import { immediateTransaction } from '../lock';
import { rebuildCaseEntitiesOf } from './case-entities';
import { markAllQueuesPending, reindexQueueNow } from './queue-membership';

/**
 * The tables that are not synced (ARCHITECTURE rule 5), listed once. Derived tables are built
 * from the synced ones and can be rebuilt from them at any time (`rebuildDerivedTables`); local
 * tables are this install's own bookkeeping. Synced tables are the mutation API's entities
 * (main/store/mutations/registry.ts) and their relations; the write-path test fails on a write
 * statement to a synced table anywhere but main/store/mutations/, and on one to a table not
 * listed here anywhere else in main/store/.
 */
export interface DerivedTable {
  table: string;
  /** what it is made of, and what keeps it current on every write */
  from: string;
}

export const DERIVED_TABLES: readonly DerivedTable[] = [
  {
    table: 'case_entities',
    from: 'the distinct normalized entities of a case’s alerts (case_alerts ⋈ alerts.entities); correlation and triage add rows as alerts join (case-entities.ts)',
  },
  {
    table: 'open_case_entities',
    from: 'case_entities of open cases keyed by the end of the day of their last alert; triggers on case_entities and cases (migrations 0012, 0017)',
  },
  {
    table: 'cases_fts',
    from: 'the FTS5 search index of cases (name, description, what, who, tags); indexed once per write transaction (case-search.ts)',
  },
  {
    table: 'cases_fts_pending',
    from: 'rowids of cases written in the current transaction, queued by triggers (migration 0008)',
  },
  {
    table: 'queue_members',
    from: 'the cases that satisfy each queue; refreshed in every case write, rebuilt by re-index (queue-membership.ts)',
  },
  {
    table: 'queue_index',
    from: 'each queue’s membership index state and exact count (queue-membership.ts)',
  },
  {
    table: 'case_changes',
    from: 'the order in which cases changed, for the case table’s position lists; triggers on cases (migration 0016)',
  },
];

export const LOCAL_TABLES: readonly DerivedTable[] = [
  { table: 'activity', from: 'one entry per mutation made or applied here (the mutation API)' },
  { table: 'outbox', from: 'the mutations this install made, in order (the mutation API)' },
  { table: 'applied_mutations', from: 'mutations of other installs applied here (apply path)' },
  { table: 'tombstones', from: 'rows deleted here or by applied mutations (the mutation API)' },
  { table: 'store_meta', from: 'this store’s client id and facts about its history' },
  { table: 'jobs', from: 'the app’s jobs, so an interrupted one is shown after a restart' },
  { table: '__drizzle_migrations', from: 'the migrations applied to this store (open.ts)' },
];

/**
 * Rebuilds every derived table from the synced tables (outbox replay checks, repairs). Queue
 * indexes are rebuilt at once; run it on a store nothing else is writing to.
 */
export function rebuildDerivedTables(store: { readonly db: Database.Database }): void {
  const db = store.db;
  immediateTransaction(db, () => {
    const caseIds = db.prepare('SELECT id FROM cases').pluck().all() as string[];
    for (const id of caseIds) rebuildCaseEntitiesOf(db, id);
    // open_case_entities follows case_entities by triggers; rebuild it outright as 0017 did
    db.prepare('DELETE FROM open_case_entities').run();
    db.prepare(
      `INSERT INTO open_case_entities (tenant_id, kind, value, last_alert_bound, case_id)
       SELECT e.tenant_id, e.kind, e.value, (c.last_alert_at + 86399999) / 86400000 * 86400000, e.case_id
       FROM cases c CROSS JOIN case_entities e ON e.case_id = c.id
       WHERE c.status IN ('New', 'In Progress', 'Escalated') AND c.last_alert_at IS NOT NULL`,
    ).run();
    rebuildCaseSearch(db);
  });
  for (const id of markAllQueuesPending(store)) reindexQueueNow(store, id);
}
