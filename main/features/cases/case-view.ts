import type { Store } from '../../store/open';
import { formatConditionIssue, validateCondition } from '../../../shared/domain/conditions';
import { CASE_FIELD_CATALOGUE } from '../../../shared/domain/fields';
import { parseLucene } from '../../../shared/domain/lucene';
import type { SqlParam } from '../../store/sql/dialect';
import { compileConditionToSql, compileLuceneToSql } from '../../store/sql/sqlite-dialect';
import type { CaseSortField, SortDirection } from '../../../shared/domain/types';
import { ServiceError } from '../../service-error';
import {
  findQueue,
  indexedQueueCount,
  queueMembershipSql,
  readsTenantName,
  type StoredQueue,
} from '../../store/derived/queue-membership';

/**
 * The case table's view (TBL-1..5) as SQL: a queue, a Lucene query, filter conditions and a
 * Created At range, all ANDed, over `cases` (unaliased, as store/sql/sqlite-dialect.ts expects)
 * joined with `tenants t` when a field reads the tenant name. The same compiled view drives
 * paging (cases.ts), counts, "all matching" bulk updates and the CSV export.
 */

export interface CaseViewInput {
  queueId?: string | undefined;
  query?: string | undefined;
  filters?: unknown;
  createdFrom?: number | undefined;
  createdTo?: number | undefined;
  sort?: CaseSortField | undefined;
  direction?: SortDirection | undefined;
}

/** Column of each sortable field; every one is backed by an index ending in id (TBL-2). */
export const CASE_SORT_COLUMNS: Readonly<Record<CaseSortField, string>> = {
  number: 'number',
  name: 'name',
  score: 'score',
  severity: 'severity_rank',
  status: 'status',
  creator: 'creator',
  assigneeName: 'assignee_name',
  alertCount: 'alert_count',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  what: 'what',
};

export interface CompiledCaseView {
  /** The queue the view starts from when its membership index is ready. */
  indexedQueue: { id: string; memberCount: number } | null;
  /** Everything else as one boolean over `cases` (and `t`); '1' when nothing filters. */
  filter: string;
  filterParams: SqlParam[];
  needsTenant: boolean;
  sort: CaseSortField;
  direction: SortDirection;
}

/** The queue membership test of an indexed queue, for a WHERE over `cases`. */
export const QUEUE_MEMBER_SQL =
  'EXISTS (SELECT 1 FROM queue_members m WHERE m.queue_id = ? AND m.case_created_at = cases.created_at AND m.case_id = cases.id)';

/**
 * Compiles a view, refusing what cannot be run: an unknown queue (NOT_FOUND), a Lucene query
 * that does not parse (BAD_REQUEST with the offset and length of the problem, TBL-4) or filters
 * that do not fit the case fields (BAD_REQUEST naming each bad path, TBL-5).
 */
export function compileCaseView(
  store: Pick<Store, 'db'>,
  view: CaseViewInput,
  now: number = Date.now(),
): CompiledCaseView {
  const parts: string[] = [];
  const params: SqlParam[] = [];
  let needsTenant = false;
  let indexedQueue: CompiledCaseView['indexedQueue'] = null;

  if (view.queueId !== undefined) {
    const queue: StoredQueue | null = findQueue(store.db, view.queueId);
    if (!queue) throw new ServiceError('NOT_FOUND', `No queue with id ${view.queueId}`);
    const count = indexedQueueCount(store, queue.id, now);
    if (count !== null) {
      indexedQueue = { id: queue.id, memberCount: count };
    } else {
      // While the index is being rebuilt the view evaluates the queue itself: slower, but the
      // table shows exactly the queue's cases (QUE-5).
      const membership = queueMembershipSql(queue, now);
      parts.push(membership.sql);
      params.push(...membership.params);
      needsTenant ||= membership.needsTenant;
    }
  }

  if (view.query !== undefined && view.query.trim() !== '') {
    const parsed = parseLucene(view.query);
    if (!parsed.ok) {
      throw new ServiceError('BAD_REQUEST', parsed.error.message, {
        offset: parsed.error.offset,
        length: parsed.error.length,
      });
    }
    if (parsed.ast.kind !== 'all') {
      const compiled = compileLuceneToSql(parsed.ast, CASE_FIELD_CATALOGUE);
      parts.push(compiled.sql);
      params.push(...compiled.params);
      needsTenant ||= readsTenantName(compiled.sql);
    }
  }

  if (view.filters !== undefined && view.filters !== null) {
    const checked = validateCondition(view.filters, CASE_FIELD_CATALOGUE);
    if (!checked.ok) {
      throw new ServiceError(
        'BAD_REQUEST',
        `Invalid filters: ${checked.issues.map(formatConditionIssue).join('; ')}`,
      );
    }
    const compiled = compileConditionToSql(checked.condition, CASE_FIELD_CATALOGUE);
    if (compiled.sql !== '1') {
      parts.push(compiled.sql);
      params.push(...compiled.params);
      needsTenant ||= readsTenantName(compiled.sql);
    }
  }

  // TBL-5: the Created At selector filters the table, on top of the queue's own range.
  if (view.createdFrom !== undefined) {
    parts.push('cases.created_at >= ?');
    params.push(view.createdFrom);
  }
  if (view.createdTo !== undefined) {
    parts.push('cases.created_at <= ?');
    params.push(view.createdTo);
  }

  return {
    indexedQueue,
    filter: parts.length === 0 ? '1' : parts.join(' AND '),
    filterParams: params,
    needsTenant,
    sort: view.sort ?? 'updatedAt',
    direction: view.direction ?? 'desc',
  };
}

/** True when nothing narrows the view: every case is in it. */
export function isWholeStore(view: CompiledCaseView): boolean {
  return view.indexedQueue === null && view.filter === '1';
}

/** The view as one WHERE over `cases` (membership through the index's primary key). */
export function caseViewWhere(view: CompiledCaseView): { sql: string; params: SqlParam[] } {
  if (!view.indexedQueue) return { sql: view.filter, params: view.filterParams };
  return {
    sql: `${QUEUE_MEMBER_SQL} AND ${view.filter}`,
    params: [view.indexedQueue.id, ...view.filterParams],
  };
}

export function caseViewOrder(view: CompiledCaseView, alias: string): string {
  const dir = view.direction === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${alias}.${CASE_SORT_COLUMNS[view.sort]} ${dir}, ${alias}.id ${dir}`;
}

/**
 * How to find a page of a queue: walk the sort index and test membership per entry, or walk
 * the members and sort them. The first costs about (offset + limit) / (members / cases) index
 * steps, the second about two lookups per member plus a sort (measured: ~1 µs per index step,
 * ~2 µs per member); both estimates come from numbers the store already holds.
 */
export function drivesFromMembers(
  view: CompiledCaseView,
  caseCountEstimate: number,
  offset: number,
  limit: number,
): boolean {
  if (!view.indexedQueue) return false;
  const members = Math.max(1, view.indexedQueue.memberCount);
  const indexSteps = ((offset + limit) * Math.max(members, caseCountEstimate)) / members;
  return members * 2 < indexSteps;
}

/**
 * SELECT of the rowids of the view's cases in the view's order, with `LIMIT ? OFFSET ?` as its
 * last two parameters: the inner part of a deferred join (rows are fetched for the page only).
 */
/** The index behind each sort (migrations 0000 and 0004); all end in id or are unique. */
export const CASE_SORT_INDEXES: Readonly<Record<CaseSortField, string>> = {
  number: 'cases_number_uq',
  name: 'cases_name_id_idx',
  score: 'cases_score_idx',
  severity: 'cases_severity_id_idx',
  status: 'cases_status_id_idx',
  creator: 'cases_creator_id_idx',
  assigneeName: 'cases_assignee_id_idx',
  alertCount: 'cases_alert_count_id_idx',
  createdAt: 'cases_created_idx',
  updatedAt: 'cases_updated_idx',
  what: 'cases_what_id_idx',
};

/**
 * Index entries a filtered page may walk before the planner gets the query instead. Walking
 * costs ~1 µs per entry, the planner's fetch-and-sort ~1.5 µs per match; they break even at a
 * hit rate near 1%, where a page of 100 needs about 12,000 entries.
 */
export const SORT_WALK_WINDOW = 12_000;

/** Whether SQLite would fetch every match and sort them (its plan ignores the sort index). */
export function plannerSortsMatches(
  store: Pick<Store, 'db'>,
  query: { sql: string; params: SqlParam[] },
): boolean {
  const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params, 1, 0) as {
    detail: string;
  }[];
  return plan.some((step) => step.detail.includes('TEMP B-TREE FOR ORDER BY'));
}

/**
 * A filtered page by walking the sort index, at most `window` entries of it (after the
 * continuation point): `LIMIT ? OFFSET ?` are its last two parameters. Planner statistics know
 * how many rows a filter keeps, not where in the sort order they are, so for "top 100 by score"
 * they often fetch and sort every match (hundreds of ms on a million cases, e.g. every case with
 * a common word) where walking the order would stop after a few thousand entries. When the
 * window holds a full page, that page is exact (the first entries of the order hold the first
 * matches); when it does not (a rare term, or matches far down the order) the caller runs the
 * unbounded query and the planner chooses. Only worth trying when the planner would sort
 * (plannerSortsMatches): a plan that already follows the sort index (a range on the sort
 * column, say) is left alone. The window's rows come out in index order: the
 * window is the outer loop and nothing re-sorts it (no ORDER BY outside it).
 */
export function caseViewWindowSql(
  view: CompiledCaseView,
  after: { sql: string; params: SqlParam[] } | null,
  window: number = SORT_WALK_WINDOW,
): { sql: string; params: SqlParam[] } {
  const where = caseViewWhere(view);
  const tenantJoin = view.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : '';
  return {
    sql: `SELECT w.rid AS rid FROM (
            SELECT cases.rowid AS rid FROM cases INDEXED BY ${CASE_SORT_INDEXES[view.sort]}
            ${after ? `WHERE ${after.sql}` : ''} ${caseViewOrder(view, 'cases')} LIMIT ${window}
          ) w CROSS JOIN cases ON cases.rowid = w.rid ${tenantJoin}
          WHERE ${where.sql} LIMIT ? OFFSET ?`,
    params: [...(after ? after.params : []), ...where.params],
  };
}

/**
 * Indexes that hold a sort's order within each value of another column: a filter with an
 * equality on that column (`severity:High` sorted by score) walks the index from the top and
 * stops after a page, where the planner, which cannot tell how far down the matches are, often
 * fetches every match and sorts (migration 0013).
 */
export const CASE_SORT_WITHIN_INDEXES: Readonly<Partial<Record<CaseSortField, readonly string[]>>> =
  { score: ['cases_severity_score_idx'] };

/**
 * The view's rowid query pinned to one of CASE_SORT_WITHIN_INDEXES, when SQLite can run it as a
 * seek on an equality of the filter that yields the rows in order (no sort step); else null.
 */
export function sortWithinEqualitySql(
  store: Pick<Store, 'db'>,
  view: CompiledCaseView,
  after: { sql: string; params: SqlParam[] } | null,
): { sql: string; params: SqlParam[] } | null {
  for (const index of CASE_SORT_WITHIN_INDEXES[view.sort] ?? []) {
    const query = caseViewRowidSql(view, false, after, index);
    let plan: { detail: string }[];
    try {
      plan = store.db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params, 1, 0) as {
        detail: string;
      }[];
    } catch {
      continue; // "no query solution": the filter has no equality this index can seek
    }
    const seeks = plan.some((step) => new RegExp(`INDEX ${index} \\([^)]*=`).test(step.detail));
    if (seeks && !plan.some((step) => step.detail.includes('TEMP B-TREE FOR ORDER BY')))
      return query;
  }
  return null;
}

export function caseViewRowidSql(
  view: CompiledCaseView,
  fromMembers: boolean,
  after: { sql: string; params: SqlParam[] } | null = null,
  indexedBy: string | null = null,
): { sql: string; params: SqlParam[] } {
  const tenantJoin = view.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : '';
  const order = caseViewOrder(view, 'cases');
  const keyset = after ? ` AND ${after.sql}` : '';
  const keysetParams = after ? after.params : [];
  if (fromMembers && view.indexedQueue) {
    return {
      sql: `SELECT cases.rowid AS rid FROM queue_members m CROSS JOIN cases ON cases.id = m.case_id ${tenantJoin}
            WHERE m.queue_id = ? AND ${view.filter}${keyset} ${order} LIMIT ? OFFSET ?`,
      params: [view.indexedQueue.id, ...view.filterParams, ...keysetParams],
    };
  }
  const where = caseViewWhere(view);
  return {
    sql: `SELECT cases.rowid AS rid FROM cases ${indexedBy ? `INDEXED BY ${indexedBy}` : ''} ${tenantJoin} WHERE ${where.sql}${keyset} ${order} LIMIT ? OFFSET ?`,
    params: [...where.params, ...keysetParams],
  };
}

/** Sort columns that may hold NULL (SQLite puts NULL first ascending, last descending). */
const NULLABLE_SORTS: ReadonlySet<CaseSortField> = new Set(['assigneeName', 'what']);

export interface KeysetContinuation {
  /** the rows after the anchor that come first in the order, as one index range */
  first: { sql: string; params: SqlParam[] };
  /** the rest, when the order crosses between NULL and non-NULL values of a nullable column */
  then: { sql: string; params: SqlParam[] } | null;
}

/**
 * The rows after a known row in the view's order as seeks on the sort index (keyset
 * continuation): `(column, id) < (value, id)` descending, `>` ascending. SQLite puts NULL first
 * ascending and last descending, so on a nullable column the rest of the order may be two index
 * ranges: the non-NULL values after the anchor, then all NULLs (descending), or the NULLs after
 * the anchor, then all values (ascending).
 */
export function keysetAfter(
  view: CompiledCaseView,
  anchor: { value: string | number | null; id: string },
): KeysetContinuation {
  const column = `cases.${CASE_SORT_COLUMNS[view.sort]}`;
  const nullable = NULLABLE_SORTS.has(view.sort);
  if (view.direction === 'asc') {
    if (anchor.value === null) {
      return {
        first: { sql: `${column} IS NULL AND cases.id > ?`, params: [anchor.id] },
        then: { sql: `${column} IS NOT NULL`, params: [] },
      };
    }
    return {
      first: { sql: `(${column}, cases.id) > (?, ?)`, params: [anchor.value, anchor.id] },
      then: null,
    };
  }
  if (anchor.value === null) {
    return {
      first: { sql: `${column} IS NULL AND cases.id < ?`, params: [anchor.id] },
      then: null,
    };
  }
  return {
    first: { sql: `(${column}, cases.id) < (?, ?)`, params: [anchor.value, anchor.id] },
    then: nullable ? { sql: `${column} IS NULL`, params: [] } : null,
  };
}

/** A stable key of what a compiled view selects and how it is ordered. */
export function caseViewKey(view: CompiledCaseView): string {
  return JSON.stringify([
    view.indexedQueue?.id ?? null,
    view.filter,
    view.filterParams,
    view.sort,
    view.direction,
  ]);
}

/** Cases in the view: from the queue index when the view is just a queue, else counted. */
export function countCaseView(store: Pick<Store, 'db'>, view: CompiledCaseView): number {
  if (view.indexedQueue && view.filter === '1') return view.indexedQueue.memberCount;
  if (isWholeStore(view)) {
    return (store.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
  }
  const where = caseViewWhere(view);
  const tenantJoin = view.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : '';
  return (
    store.db
      .prepare(`SELECT count(*) AS n FROM cases ${tenantJoin} WHERE ${where.sql}`)
      .get(...where.params) as { n: number }
  ).n;
}

/** A cheap upper bound of the number of cases (rowids are handed out in order). */
export function caseCountEstimate(store: Pick<Store, 'db'>): number {
  return (
    (store.db.prepare('SELECT max(rowid) AS n FROM cases').get() as { n: number | null }).n ?? 0
  );
}
