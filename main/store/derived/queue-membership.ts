import type Database from 'better-sqlite3';
import type { MutationWriter } from '../mutations/writer';
import { isReadConnection } from '../open';
import { immediateTransaction } from '../lock';
import type { ConditionNode } from '../../../shared/domain/conditions';
import type { SqlFragment, SqlParam } from '../sql/dialect';
import { compileConditionToSql } from '../sql/sqlite-dialect';
import { CASE_FIELD_CATALOGUE } from '../../../shared/domain/fields';
import { queueRangeSchema, type QueueRange } from '../../../shared/ipc/contract';

/**
 * Queue membership (QUE-5, QUE-6), derived from queues and cases: `queue_members` holds exactly
 * the cases that satisfy a queue's condition, tenant scope and date range, `queue_index` its state
 * and exact count. Kept in the same transaction as every case write (refreshQueueMembership),
 * rebuilt by re-index (reindexSteps) when a queue changes. Local data: written without activity
 * or outbox entries (the queues and the case changes that move memberships are synced).
 *
 * - A queue's date range applies to the case's creation time (`created_at`). A relative range
 *   (`{ kind: 'relative', days }`) means created at or after now − days, with no upper bound; an
 *   absolute one means from ≤ created_at ≤ to.
 * - A relative range moves forward with time, so members can only age out of it;
 *   `pruneAgedQueueMembers` drops those with one index range delete before counts are read or a
 *   queue is paged, so counts stay exact without any scan. That is index upkeep, not a change of
 *   any synced row, and it is skipped on a read-only connection.
 * - Counts are kept in `queue_index.member_count`, adjusted with every membership change;
 *   counting 850,000 index entries would take ~30 ms per queue.
 */

export const DAY_MS = 86_400_000;
/** Cases evaluated per re-index transaction: short enough for the event loop to breathe. */
const REINDEX_CHUNK = 20_000;
/** Members deleted per transaction when a changed queue is re-indexed from scratch. */
const CLEAR_CHUNK = 50_000;

export interface StoredQueue {
  id: string;
  name: string;
  description: string;
  tenantId: string | null;
  condition: ConditionNode;
  range: QueueRange;
  isDefault: boolean;
  sortOrder: number;
  createdAt: number;
  updatedAt: number;
}

export interface QueueDbRow {
  id: string;
  tenant_id: string | null;
  name: string;
  description: string;
  condition: string;
  range: string;
  is_default: number;
  sort_order: number;
  created_at: number;
  updated_at: number;
}

export type QueueIndexState = 'pending' | 'ready';

interface QueueIndexRow {
  state: QueueIndexState;
  generation: number;
  member_count: number;
}

export function toStoredQueue(row: QueueDbRow): StoredQueue {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tenantId: row.tenant_id,
    condition: JSON.parse(row.condition) as ConditionNode,
    range: queueRangeSchema.parse(JSON.parse(row.range)),
    isDefault: row.is_default === 1,
    sortOrder: row.sort_order,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const QUEUE_SELECT =
  'SELECT id, tenant_id, name, description, condition, range, is_default, sort_order, created_at, updated_at FROM queues';

export function loadQueues(db: Database.Database): StoredQueue[] {
  return (db.prepare(`${QUEUE_SELECT} ORDER BY sort_order, name`).all() as QueueDbRow[]).map(
    toStoredQueue,
  );
}

export function findQueue(db: Database.Database, id: string): StoredQueue | null {
  const row = db.prepare(`${QUEUE_SELECT} WHERE id = ?`).get(id) as QueueDbRow | undefined;
  return row ? toStoredQueue(row) : null;
}

/** A queue by id, or else by its name (ignoring case): the CLI takes either. */
export function findQueueByIdOrName(db: Database.Database, idOrName: string): StoredQueue | null {
  const byId = findQueue(db, idOrName);
  if (byId) return byId;
  const row = db.prepare(`${QUEUE_SELECT} WHERE name = ? COLLATE NOCASE`).get(idOrName.trim()) as
    QueueDbRow | undefined;
  return row ? toStoredQueue(row) : null;
}

export function indexRow(db: Database.Database, queueId: string): QueueIndexRow | undefined {
  return db
    .prepare('SELECT state, generation, member_count FROM queue_index WHERE queue_id = ?')
    .get(queueId) as QueueIndexRow | undefined;
}

// ---------------------------------------------------------------------------------------------
// Ranges and the membership predicate

/** The created_at bounds of a range at `now` (inclusive; `to` null = no upper bound). */
export function rangeBounds(range: QueueRange, now: number): { from: number; to: number | null } {
  return range.kind === 'relative'
    ? { from: now - range.days * DAY_MS, to: null }
    : { from: range.from, to: range.to };
}

export function rangeDays(range: QueueRange): number {
  return range.kind === 'relative' ? range.days : (range.to - range.from) / DAY_MS;
}

/** A queue's membership test compiled once; only the range bounds depend on the time. */
export interface CompiledMembership {
  /** boolean SQL over `cases` (unaliased) and, if needsTenant, `tenants t` */
  sql: string;
  needsTenant: boolean;
  params(now: number): SqlParam[];
}

/** Compiles condition, tenant scope and range of a queue into one membership test. */
export function compileQueueMembership(queue: StoredQueue): CompiledMembership {
  const condition = compileConditionToSql(queue.condition, CASE_FIELD_CATALOGUE);
  let sql = `${condition.sql} AND cases.created_at >= ?`;
  if (queue.range.kind === 'absolute') sql += ' AND cases.created_at <= ?';
  if (queue.tenantId !== null) sql += ' AND cases.tenant_id = ?';
  return {
    sql: `(${sql})`,
    needsTenant: readsTenantName(condition.sql),
    params: (now) => {
      const { from, to } = rangeBounds(queue.range, now);
      const params: SqlParam[] = [...condition.params, from];
      if (to !== null) params.push(to);
      if (queue.tenantId !== null) params.push(queue.tenantId);
      return params;
    },
  };
}

/**
 * The SQL a case must satisfy to be in the queue at `now`: condition, tenant scope, range. Over
 * `cases` (unaliased); `needsTenant` says whether it reads `tenants t`.
 */
export function queueMembershipSql(
  queue: StoredQueue,
  now: number,
): SqlFragment & { needsTenant: boolean } {
  const compiled = compileQueueMembership(queue);
  return { sql: compiled.sql, params: compiled.params(now), needsTenant: compiled.needsTenant };
}

/** Compiled case SQL reads the tenant name only as `t.name` (store/sql/sqlite-dialect.ts). */
export function readsTenantName(sql: string): boolean {
  return /\bt\./.test(sql);
}

/** Starts a new index generation: any re-index still running for an older one stops. */
export function markQueuePending(db: Database.Database, queueId: string): void {
  db.prepare(
    `INSERT INTO queue_index (queue_id, state, generation, member_count) VALUES (?, 'pending', 1, 0)
     ON CONFLICT(queue_id) DO UPDATE SET state = 'pending', generation = generation + 1`,
  ).run(queueId);
}

// ---------------------------------------------------------------------------------------------
// Listing (QUE-6)

/**
 * Drops members that a relative range has left behind (cases created before now − days), so
 * the index and its counts match the range at `now`. Writes only when a case actually aged out.
 * A read connection (the CLI's read commands) never writes: it returns the queues whose index
 * still holds aged members, which their readers then treat as not indexed.
 */
export function pruneAgedQueueMembers(
  store: { readonly db: Database.Database },
  now: number = Date.now(),
  onlyQueueId?: string,
): string[] {
  const db = store.db;
  const probe = db.prepare(
    'SELECT 1 FROM queue_members WHERE queue_id = ? AND case_created_at < ? LIMIT 1',
  );
  const due: { id: string; from: number }[] = [];
  const queues = onlyQueueId === undefined ? loadQueues(db) : [findQueue(db, onlyQueueId)];
  for (const q of queues) {
    if (!q || q.range.kind !== 'relative') continue;
    const { from } = rangeBounds(q.range, now);
    if (probe.get(q.id, from)) due.push({ id: q.id, from });
  }
  if (due.length === 0) return [];
  if (isReadConnection(db)) return due.map((d) => d.id);
  const remove = db.prepare('DELETE FROM queue_members WHERE queue_id = ? AND case_created_at < ?');
  const adjust = db.prepare(
    `UPDATE queue_index SET member_count = member_count - ?, range_from = ?
     WHERE queue_id = ? AND state = 'ready'`,
  );
  immediateTransaction(db, () => {
    for (const { id, from } of due) {
      const removed = remove.run(id, from).changes;
      adjust.run(removed, from, id);
    }
  });
  return [];
}

/** The index's count of a ready queue (after pruning), or null while it is being indexed. */
export function indexedQueueCount(
  store: { readonly db: Database.Database },
  queueId: string,
  now = Date.now(),
): number | null {
  if (pruneAgedQueueMembers(store, now, queueId).length > 0) return null;
  const row = indexRow(store.db, queueId);
  return row?.state === 'ready' ? row.member_count : null;
}

export function isQueueIndexReady(db: Database.Database, queueId: string): boolean {
  return indexRow(db, queueId)?.state === 'ready';
}

// ---------------------------------------------------------------------------------------------
// Re-index (QUE-5)

export interface ReindexProgress {
  fraction: number;
  message: string;
  /**
   * The step wants these rowids next: a driver may read them off the main thread (the position
   * lists' worker) and pass them to next(); without them the step reads them itself.
   */
  list?: { sql: string; params: SqlParam[] };
}

export type ReindexOutcome =
  | { status: 'done'; count: number; name: string }
  | { status: 'superseded' | 'removed'; name: string };

/**
 * Rebuilds one queue's membership as a sequence of short transactions (a generator: each step
 * is one transaction, so callers decide whether to yield to the event loop between steps).
 * Old members created before the queue's range go first; then the cases in the range are
 * evaluated in SQL in chunks along the created_at index, each chunk replacing the old members in
 * its stretch of the key; then the count is taken and the index marked ready in the same
 * transaction. A newer save (another generation) or a removal stops it between steps.
 * Case changes meanwhile keep their membership current through refreshQueueMembership, so the
 * result is exact even with writes between the steps.
 */
export interface ReindexOptions {
  /** the time relative ranges are measured from (default now) */
  now?: number;
  /** cases per transaction (default 20,000) */
  chunkSize?: number;
  /** old members before the range deleted per transaction (default 50,000) */
  clearChunk?: number;
}

export function* reindexSteps(
  store: { readonly db: Database.Database },
  queueId: string,
  options: ReindexOptions = {},
): Generator<ReindexProgress, ReindexOutcome, Float64Array | undefined> {
  const now = options.now ?? Date.now();
  const chunkSize = options.chunkSize ?? REINDEX_CHUNK;
  const clearChunk = options.clearChunk ?? CLEAR_CHUNK;
  const db = store.db;
  const queue = findQueue(db, queueId);
  if (!queue) return { status: 'removed', name: queueId };
  // Claim a generation of its own: a re-index of the same queue still running elsewhere (a job
  // from an earlier save, a second runner) sees the change and stops. The newest one wins.
  markQueuePending(db, queueId);
  const generation = indexRow(db, queueId)!.generation;
  const current = (): 'ok' | 'superseded' | 'removed' => {
    const row = indexRow(db, queueId);
    return !row ? 'removed' : row.generation !== generation ? 'superseded' : 'ok';
  };

  const membership = queueMembershipSql(queue, now);
  const { from, to } = rangeBounds(queue.range, now);

  // The planner may find the members from an index alone (a status, severity or score queue):
  // then the old members are cleared, the matching cases listed in one query and written in
  // chunks, each case evaluated again as it is written (a case changed meanwhile is kept current
  // by refreshQueueMembership; one that matches only now is in no list but added by it).
  // Otherwise old members go where the new ones are written: those created before the range
  // first, then each chunk of the walk below replaces the members in its own stretch of the key,
  // so the pages it rewrites are the pages it just cleared.
  const candidates = indexOnlyMembersSql(db, queue, now);
  const clearBelow = candidates ? Number.POSITIVE_INFINITY : from;
  // In ranges of the primary key: a range delete walks the b-tree once.
  const clearUpTo = db
    .prepare(
      `SELECT case_created_at FROM queue_members WHERE queue_id = ? AND case_created_at < ?
       ORDER BY case_created_at LIMIT 1 OFFSET ${clearChunk - 1}`,
    )
    .pluck();
  const clearRange = db.prepare(
    'DELETE FROM queue_members WHERE queue_id = ? AND case_created_at <= ?',
  );
  const clearBefore = db.prepare(
    'DELETE FROM queue_members WHERE queue_id = ? AND case_created_at < ?',
  );
  for (;;) {
    const state = current();
    if (state !== 'ok') return { status: state, name: queue.name };
    const upTo = clearUpTo.get(queueId, clearBelow) as number | undefined;
    if (upTo === undefined) {
      immediateTransaction(db, () => clearBefore.run(queueId, clearBelow));
      break;
    }
    immediateTransaction(db, () => clearRange.run(queueId, upTo));
    yield { fraction: 0, message: `Clearing the old index of ${queue.name}` };
  }
  const inRange = to === null ? 'created_at >= ?' : 'created_at >= ? AND created_at <= ?';
  const rangeParams = to === null ? [from] : [from, to];

  if (candidates) {
    const listed = yield {
      fraction: 0,
      message: `Listing the cases of ${queue.name}`,
      list: candidates,
    };
    // rowid order is creation order: the members key (queue, created_at, case) grows at its end
    const rowids = (
      listed ??
      Float64Array.from(
        db
          .prepare(candidates.sql)
          .pluck()
          .all(...candidates.params) as number[],
      )
    ).sort();
    const insertListed = db.prepare(
      `INSERT OR IGNORE INTO queue_members (queue_id, case_id, case_created_at)
       SELECT ?, cases.id, cases.created_at FROM json_each(?) j CROSS JOIN cases ON cases.rowid = j.value
       ${membership.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : ''}
       WHERE ${membership.sql}`,
    );
    for (let at = 0; at < rowids.length; at += chunkSize) {
      const state = current();
      if (state !== 'ok') return { status: state, name: queue.name };
      const chunk = JSON.stringify(Array.from(rowids.subarray(at, at + chunkSize)));
      immediateTransaction(db, () => insertListed.run(queueId, chunk, ...membership.params));
      const written = Math.min(rowids.length, at + chunkSize);
      yield {
        fraction: Math.min(0.99, written / Math.max(1, rowids.length)),
        message: `${written.toLocaleString('en')} of ${rowids.length.toLocaleString('en')} members written`,
      };
    }
    return immediateTransaction(db, (): ReindexOutcome => {
      const state = current();
      if (state !== 'ok') return { status: state, name: queue.name };
      return markReady(db, queueId, queue.name, from);
    });
  }

  const clearChunkKeys = db.prepare(
    `DELETE FROM queue_members WHERE queue_id = ?
       AND (case_created_at, case_id) > (?, ?) AND (case_created_at, case_id) <= (?, ?)`,
  );
  const clearRestKeys = db.prepare(
    'DELETE FROM queue_members WHERE queue_id = ? AND (case_created_at, case_id) > (?, ?)',
  );
  const total = (
    db.prepare(`SELECT count(*) AS n FROM cases WHERE ${inRange}`).get(...rangeParams) as {
      n: number;
    }
  ).n;
  // Chunk ends are found on the covering (created_at, id) index; each chunk is then one
  // INSERT … SELECT evaluating the compiled condition in SQL over that stretch of the index.
  // INDEXED BY keeps it there: planner statistics would otherwise pick an index the condition
  // can use (status, say) and scan all of it once per chunk.
  const chunkEnd = db.prepare(
    `SELECT created_at AS createdAt, id FROM cases WHERE ${inRange} AND (created_at, id) > (?, ?)
     ORDER BY created_at, id LIMIT 1 OFFSET ${chunkSize - 1}`,
  );
  const tenantJoin = membership.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : '';
  const insertSql = (bounded: boolean) =>
    `INSERT OR IGNORE INTO queue_members (queue_id, case_id, case_created_at)
     SELECT ?, cases.id, cases.created_at FROM cases INDEXED BY cases_created_idx ${tenantJoin}
     WHERE (cases.created_at, cases.id) > (?, ?)${bounded ? ' AND (cases.created_at, cases.id) <= (?, ?)' : ''}
       AND ${membership.sql}`;
  const insertBounded = db.prepare(insertSql(true));
  const insertRest = db.prepare(insertSql(false));
  // (from, '') sorts before every case created at `from`: ids are never empty.
  let lowerKey: [number, string] = [from, ''];
  let done = 0;
  for (;;) {
    const state = current();
    if (state !== 'ok') return { status: state, name: queue.name };
    const upper = chunkEnd.get(...rangeParams, ...lowerKey) as
      { createdAt: number; id: string } | undefined;
    if (!upper) break;
    immediateTransaction(db, () => {
      clearChunkKeys.run(queueId, ...lowerKey, upper.createdAt, upper.id);
      insertBounded.run(queueId, ...lowerKey, upper.createdAt, upper.id, ...membership.params);
    });
    lowerKey = [upper.createdAt, upper.id];
    done += chunkSize;
    yield {
      fraction: Math.min(0.99, done / Math.max(1, total)),
      message: `${done.toLocaleString('en')} of ${total.toLocaleString('en')} cases checked`,
    };
  }
  return immediateTransaction(db, (): ReindexOutcome => {
    const state = current();
    if (state !== 'ok') return { status: state, name: queue.name };
    // The last, partial chunk (and any member past the last case), in the same transaction as
    // the count.
    clearRestKeys.run(queueId, ...lowerKey);
    insertRest.run(queueId, ...lowerKey, ...membership.params);
    return markReady(db, queueId, queue.name, from);
  });
}

/** Counts a re-indexed queue's members and marks its index ready (inside the last step). */
function markReady(
  db: Database.Database,
  queueId: string,
  name: string,
  from: number,
): ReindexOutcome {
  const count = (
    db.prepare('SELECT count(*) AS n FROM queue_members WHERE queue_id = ?').get(queueId) as {
      n: number;
    }
  ).n;
  db.prepare(
    `UPDATE queue_index SET state = 'ready', member_count = ?, range_from = ?, indexed_at = ? WHERE queue_id = ?`,
  ).run(count, from, Date.now(), queueId);
  return { status: 'done', count, name };
}

/**
 * The rowids of a queue's matching cases as one query, when SQLite answers it from indexes
 * alone (every step on cases a covering index: no case row is read), so it is quick even on a
 * million cases; else null, and the re-index walks the cases in created_at chunks instead.
 */
export function indexOnlyMembersSql(
  db: Database.Database,
  queue: StoredQueue,
  now: number,
): { sql: string; params: SqlParam[] } | null {
  const membership = queueMembershipSql(queue, now);
  if (membership.needsTenant) return null;
  const { from, to } = rangeBounds(queue.range, now);
  const query = {
    sql: `SELECT cases.rowid FROM cases WHERE cases.created_at >= ?${to === null ? '' : ' AND cases.created_at <= ?'} AND ${membership.sql}`,
    params: [from, ...(to === null ? [] : [to]), ...membership.params],
  };
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as {
    detail: string;
  }[];
  const readsRows = plan.some(
    (step) =>
      /\b(SCAN|SEARCH) cases\b/.test(step.detail) && !step.detail.includes('COVERING INDEX'),
  );
  const other = plan.some(
    (step) =>
      !/\b(SCAN|SEARCH) cases\b/.test(step.detail) &&
      !/^(MULTI-INDEX OR|INDEX \d+)$/.test(step.detail),
  );
  return readsRows || other ? null : query;
}

/** Runs a re-index to the end without yielding (CLI, small stores, tests). */
export function reindexQueueNow(
  store: { readonly db: Database.Database },
  queueId: string,
  options?: ReindexOptions,
): ReindexOutcome {
  const steps = reindexSteps(store, queueId, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export function pendingQueueIds(db: Database.Database): string[] {
  return (
    db
      .prepare(
        `SELECT q.id FROM queues q LEFT JOIN queue_index i ON i.queue_id = q.id
         WHERE i.state IS NULL OR i.state <> 'ready' ORDER BY q.sort_order, q.name`,
      )
      .all() as { id: string }[]
  ).map((r) => r.id);
}

/** Builds every queue index that is not ready, at once (CLI, small stores). */
export function indexPendingQueuesNow(store: { readonly db: Database.Database }): void {
  for (const id of pendingQueueIds(store.db)) {
    if (!indexRow(store.db, id)) markQueuePending(store.db, id);
    reindexQueueNow(store, id);
  }
}

/** Marks every queue for re-indexing (after bulk loads that bypass refreshQueueMembership). */
export function markAllQueuesPending(store: { readonly db: Database.Database }): string[] {
  const ids = loadQueues(store.db).map((q) => q.id);
  immediateTransaction(store.db, () => {
    for (const id of ids) markQueuePending(store.db, id);
  });
  return ids;
}

// ---------------------------------------------------------------------------------------------
// Membership of changed cases (QUE-5)

interface MembershipPlan {
  stamp: string;
  queues: { queue: StoredQueue; membership: CompiledMembership }[];
  evaluate: Database.Statement;
  insert: Database.Statement;
  remove: Database.Statement;
  /** a case that is gone has no created_at to seek with: its rows are found by a walk of the queue */
  removeGone: Database.Statement;
  adjust: Database.Statement;
}

const planCache = new WeakMap<Database.Database, MembershipPlan>();

/** Changes whenever a queue is added, removed, edited or re-indexed. */
function queuesStamp(db: Database.Database): string {
  const row = db
    .prepare(
      `SELECT count(*) AS n, group_concat(q.id || ':' || q.updated_at || ':' || coalesce(i.generation, -1), ',') AS s
       FROM queues q LEFT JOIN queue_index i ON i.queue_id = q.id`,
    )
    .get() as { n: number; s: string | null };
  return `${row.n}|${row.s ?? ''}`;
}

/**
 * One statement that evaluates every queue's membership test for a case, next to whether the
 * case is a member now, compiled once per set of queues (conditions are checked and compiled
 * when a queue changes, not on every case write).
 */
function membershipPlan(db: Database.Database): MembershipPlan {
  const stamp = queuesStamp(db);
  const cached = planCache.get(db);
  if (cached && cached.stamp === stamp) return cached;
  const queues = loadQueues(db).map((queue) => ({
    queue,
    membership: compileQueueMembership(queue),
  }));
  const columns = queues.map(
    ({ membership }, i) => `CASE WHEN ${membership.sql} THEN 1 ELSE 0 END AS m${i},
      EXISTS (SELECT 1 FROM queue_members WHERE queue_id = ? AND case_created_at = cases.created_at AND case_id = cases.id) AS h${i}`,
  );
  const needsTenant = queues.some(({ membership }) => membership.needsTenant);
  const evaluate = db.prepare(
    `SELECT cases.created_at AS createdAt${columns.length ? ', ' + columns.join(', ') : ''}
     FROM cases ${needsTenant ? 'LEFT JOIN tenants t ON t.id = cases.tenant_id' : ''}
     WHERE cases.id = ?`,
  );
  const plan: MembershipPlan = {
    stamp,
    queues,
    evaluate,
    insert: db.prepare(
      'INSERT OR IGNORE INTO queue_members (queue_id, case_id, case_created_at) VALUES (?, ?, ?)',
    ),
    remove: db.prepare(
      'DELETE FROM queue_members WHERE queue_id = ? AND case_created_at = ? AND case_id = ?',
    ),
    removeGone: db.prepare('DELETE FROM queue_members WHERE queue_id = ? AND case_id = ?'),
    adjust: db.prepare(
      `UPDATE queue_index SET member_count = member_count + ? WHERE queue_id = ? AND state = 'ready'`,
    ),
  };
  planCache.set(db, plan);
  return plan;
}

/**
 * Re-evaluates these cases against every queue in the caller's transaction (QUE-5): inserts or
 * deletes their `queue_members` rows and keeps the counts exact. A case that no longer exists
 * leaves every queue. Call it after writing the cases, inside the same writeTransaction.
 */
export function refreshQueueMembership(w: MutationWriter, caseIds: readonly string[]): void {
  refreshQueueMembershipOf(w.derivedDb, w.now, caseIds);
}

/** refreshQueueMembership on a connection inside its write transaction (the apply path). */
export function refreshQueueMembershipOf(
  db: Database.Database,
  now: number,
  caseIds: readonly string[],
): void {
  if (caseIds.length === 0) return;
  const plan = membershipPlan(db);
  if (plan.queues.length === 0) return;
  // Relative ranges move with time: the bounds are parameters, recomputed for this write.
  const params: SqlParam[] = [];
  for (const { queue, membership } of plan.queues) params.push(...membership.params(now), queue.id);
  // Prepared once with the plan: this runs in every case write.
  const { insert, remove, removeGone, adjust } = plan;
  const delta = new Array<number>(plan.queues.length).fill(0);
  for (const caseId of new Set(caseIds)) {
    const row = plan.evaluate.get(...params, caseId) as Record<string, number> | undefined;
    plan.queues.forEach(({ queue }, i) => {
      if (row === undefined) {
        delta[i]! -= removeGone.run(queue.id, caseId).changes; // the case is gone
        return;
      }
      const wanted = row[`m${i}`] === 1;
      const has = row[`h${i}`] === 1;
      if (wanted && !has) delta[i]! += insert.run(queue.id, caseId, row.createdAt).changes;
      else if (!wanted && has) delta[i]! -= remove.run(queue.id, row.createdAt, caseId).changes;
    });
  }
  plan.queues.forEach(({ queue }, i) => {
    if (delta[i] !== 0) adjust.run(delta[i], queue.id);
  });
}
