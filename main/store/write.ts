import type Database from 'better-sqlite3';
import type { Store } from './open';
import { immediateTransaction } from './lock';

export { setWriteLockWaitListener, WriteLockTimeoutError } from './lock';

/**
 * The one write path (rule 5): every change to the store goes through `writeTransaction`, and
 * every entity written is recorded once in `activity` (audit) and once in `outbox` (sync).
 */
export type EntityType =
  | 'tenant'
  | 'user'
  | 'alert'
  | 'case'
  | 'task'
  | 'task_log'
  | 'observable'
  | 'comment'
  | 'evidence'
  | 'setting'
  | 'queue'
  | 'case_filter';

export interface ChangeRecord {
  tenantId: string;
  entityType: EntityType;
  entityId: string;
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface Writer {
  readonly db: Database.Database;
  readonly actor: string;
  readonly now: number;
  created(tenantId: string, entityType: EntityType, entityId: string, after: object): void;
  updated(
    tenantId: string,
    entityType: EntityType,
    entityId: string,
    before: object,
    after: object,
    action?: string,
  ): void;
  deleted(tenantId: string, entityType: EntityType, entityId: string, before: object): void;
  /** `created` for bulk writers that already hold the entity's JSON (no second stringify). */
  createdJson(tenantId: string, entityType: EntityType, entityId: string, afterJson: string): void;
}

interface WriteStatements {
  activity: Database.Statement;
  outbox: Database.Statement;
  searchPending: Database.Statement;
  searchChanged: Database.Statement;
  searchDelete: Database.Statement;
  searchInsert: Database.Statement;
  searchDone: Database.Statement;
}

const statementCache = new WeakMap<Database.Database, WriteStatements>();

function statementsFor(db: Database.Database): WriteStatements {
  let s = statementCache.get(db);
  if (!s) {
    s = {
      activity: db.prepare(
        'INSERT INTO activity (tenant_id, entity_type, entity_id, action, actor, at, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      outbox: db.prepare(
        'INSERT INTO outbox (tenant_id, entity_type, entity_id, op, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      searchPending: db.prepare('SELECT EXISTS (SELECT 1 FROM cases_fts_pending)').pluck(),
      searchChanged: db
        .prepare('SELECT case_rowid FROM cases_fts_pending WHERE is_new = 0')
        .pluck(),
      // One rowid at a time: FTS5 serves `rowid = ?` from its index but scans for `rowid IN (…)`.
      searchDelete: db.prepare('DELETE FROM cases_fts WHERE rowid = ?'),
      searchInsert: db.prepare(
        `INSERT INTO cases_fts (rowid, name, description, what, who, tags)
         SELECT c.rowid, c.name, c.description, c.what, c.who, c.tags
         FROM cases_fts_pending p CROSS JOIN cases c ON c.rowid = p.case_rowid`,
      ),
      searchDone: db.prepare('DELETE FROM cases_fts_pending'),
    };
    statementCache.set(db, s);
  }
  return s;
}

function createWriter(db: Database.Database, actor: string, now: number): Writer {
  const s = statementsFor(db);
  const record = (c: ChangeRecord, op: 'create' | 'update' | 'delete') => {
    const before = c.before ? JSON.stringify(c.before) : null;
    const after = c.after ? JSON.stringify(c.after) : null;
    s.activity.run(c.tenantId, c.entityType, c.entityId, c.action, actor, now, before, after);
    s.outbox.run(c.tenantId, c.entityType, c.entityId, op, after ?? before ?? '{}', now);
  };
  return {
    db,
    actor,
    now,
    created: (tenantId, entityType, entityId, after) =>
      record(
        {
          tenantId,
          entityType,
          entityId,
          action: 'create',
          after: after as Record<string, unknown>,
        },
        'create',
      ),
    updated: (tenantId, entityType, entityId, before, after, action = 'update') =>
      record(
        {
          tenantId,
          entityType,
          entityId,
          action,
          before: before as Record<string, unknown>,
          after: after as Record<string, unknown>,
        },
        'update',
      ),
    createdJson: (tenantId, entityType, entityId, afterJson) => {
      s.activity.run(tenantId, entityType, entityId, 'create', actor, now, null, afterJson);
      s.outbox.run(tenantId, entityType, entityId, 'create', afterJson, now);
    },
    deleted: (tenantId, entityType, entityId, before) =>
      record(
        {
          tenantId,
          entityType,
          entityId,
          action: 'delete',
          before: before as Record<string, unknown>,
        },
        'delete',
      ),
  };
}

export interface WriteTransactionOptions {
  /** the transaction's time, recorded on rows and activity (default: now) */
  now?: number;
  /**
   * Every write transaction takes the write lock before `fn` reads anything (BEGIN IMMEDIATE,
   * waiting its turn: main/store/lock.ts); callers that say so explicitly may keep saying it.
   */
  immediate?: true;
}

/**
 * Brings the case search index (cases_fts, TBL-4) up to date with the cases this transaction
 * wrote: triggers queue their rowids (migration 0008) and they are indexed here, in the same
 * transaction, with set statements — FTS5 work inside a trigger costs a segment per row.
 */
function indexQueuedCases(s: WriteStatements): void {
  if (s.searchPending.get() !== 1) return;
  for (const rowid of s.searchChanged.all() as number[]) s.searchDelete.run(rowid);
  s.searchInsert.run();
  s.searchDone.run();
}

/**
 * Runs `fn` in one SQLite transaction with a writer that records activity and outbox entries.
 * The transaction holds the write lock from its start (BEGIN IMMEDIATE): while another process
 * writes, it waits for its turn instead of failing with "database is locked" (issue 11).
 */
export function writeTransaction<T>(
  store: Pick<Store, 'db'>,
  actor: string,
  fn: (w: Writer) => T,
  nowOrOptions: number | WriteTransactionOptions = {},
): T {
  const options: WriteTransactionOptions =
    typeof nowOrOptions === 'number' ? { now: nowOrOptions } : nowOrOptions;
  const writer = createWriter(store.db, actor, options.now ?? Date.now());
  const s = statementsFor(store.db);
  return immediateTransaction(store.db, () => {
    const result = fn(writer);
    indexQueuedCases(s);
    return result;
  });
}
