import type Database from 'better-sqlite3';
import type { Store } from '../../store/open';
import type { SqlParam } from '../../store/sql/dialect';
import type {
  CaseRow,
  CaseSeverity,
  CaseSortField,
  CaseStatus,
  CaseOutcome,
  Tlp,
} from '../../../shared/domain/types';
import {
  caseCountEstimate,
  caseViewOrder,
  caseViewKey,
  caseViewRowidSql,
  compileCaseView,
  countCaseView,
  drivesFromMembers,
  keysetAfter,
  caseViewWindowSql,
  plannerSortsMatches,
  sortWithinEqualitySql,
  caseViewWhere,
  type CaseViewInput,
  type CompiledCaseView,
} from './case-view';
import { casePositions, dropCasePositions, SORTED_MEMBERS_MAX } from './case-positions';

const CASE_COLUMNS = `c.id, c.number, c.tenant_id AS tenantId, t.name AS tenantName, c.name, c.score,
  c.severity, c.status, c.outcome, c.creator, c.assignee, c.assignee_name AS assigneeName, c.what, c.who,
  c.tags, c.tlp, c.alert_count AS alertCount, c.created_at AS createdAt, c.updated_at AS updatedAt,
  c.closed_at AS closedAt, c.first_alert_at AS firstAlertAt, c.last_alert_at AS lastAlertAt`;

export const CASE_ROW_SELECT = `SELECT ${CASE_COLUMNS} FROM cases c JOIN tenants t ON t.id = c.tenant_id`;

interface CaseDbRow extends Omit<CaseRow, 'tags'> {
  tags: string;
}

export function toCaseRow(r: CaseDbRow): CaseRow {
  return {
    ...r,
    severity: r.severity as CaseSeverity,
    status: r.status as CaseStatus,
    outcome: r.outcome as CaseOutcome | null,
    tlp: r.tlp as Tlp,
    tags: JSON.parse(r.tags) as string[],
  };
}

export interface ListCasesQuery extends CaseViewInput {
  offset: number;
  limit: number;
  /** Count all matching rows (the table asks once, on its first page). */
  withTotal?: boolean;
}

export interface CasePage {
  rows: CaseRow[];
  total: number | null;
}

/**
 * One page of the case table's view (queue, Lucene, filters, Created At; TBL-1..5), sorted by
 * an indexed column. Pages the sort index first for the page's rowids, then fetches only those
 * rows (a deferred join): the OFFSET walks index entries instead of whole rows, and CROSS JOIN
 * pins the join order so planner statistics cannot turn the plan into a tenant scan plus a full
 * sort. The id tie-breaker keeps pages stable (UUIDv7 sorts by time). A small queue is paged
 * from its members instead (see drivesFromMembers). Totals of a bare queue come from its index.
 * A view without filters or search that has a position list (case-positions.ts) serves any page
 * as a slice of it. Otherwise the OFFSET walks the sort index (testing membership per entry in a
 * queue), so the next page starts from the previous page's last row when it is known (keyset
 * continuation).
 */
export function listCases(store: Store, q: ListCasesQuery): CasePage {
  const view = compileCaseView(store, q);
  const anchors = pageAnchors(store.db, caseViewKey(view));
  const estimate = caseCountEstimate(store);
  const fetch = (
    v: CompiledCaseView,
    inner: { sql: string; params: SqlParam[] },
    skip: number,
    limit: number,
  ) =>
    store.db
      .prepare(
        `SELECT ${CASE_COLUMNS}, c.severity_rank AS severityRank
         FROM (${inner.sql}) p
         CROSS JOIN cases c ON c.rowid = p.rid CROSS JOIN tenants t ON t.id = c.tenant_id
         ${caseViewOrder(v, 'c')}`,
      )
      .all(...inner.params, limit, skip) as PageDbRow[];
  const page = (
    v: CompiledCaseView,
    after: { sql: string; params: SqlParam[] } | null,
    skip: number,
    limit: number,
  ): PageDbRow[] => {
    const fromMembers = drivesFromMembers(v, estimate, skip, limit);
    const unbounded = caseViewRowidSql(v, fromMembers, after);
    if (!fromMembers && v.filter !== '1' && plannerSortsMatches(store, unbounded)) {
      // An index with the order within an equality of the filter gives the page directly.
      const within = sortWithinEqualitySql(store, v, after);
      if (within) return fetch(v, within, skip, limit);
      // Filters and search: try a bounded walk of the sort order first (caseViewWindowSql).
      const walked = fetch(v, caseViewWindowSql(v, after), skip, limit);
      if (walked.length === limit) return walked;
    }
    return fetch(v, unbounded, skip, limit);
  };
  let rows: PageDbRow[] | null = null;
  const positions = casePositions(store, view, {
    caseCountEstimate: estimate,
    buildNow: buildsPositionsNow(view, estimate, q.offset, q.limit),
  });
  if (positions) {
    // A position list (case-positions.ts): the page is a slice of the view's sorted rowids.
    const count = positions.length;
    const from = Math.min(q.offset, count);
    const to = Math.min(q.offset + q.limit, count);
    const slice =
      view.direction === 'asc'
        ? Array.from(positions.subarray(from, to))
        : Array.from(positions.subarray(count - to, count - from)).reverse();
    const where = caseViewWhere(view);
    const got = fetch(
      view,
      {
        // the rows must still be in the view: a list that disagrees is dropped
        // json_each first (CROSS JOIN pins the order): never a scan of cases testing IN
        sql: `SELECT cases.rowid AS rid FROM json_each(?) j CROSS JOIN cases ON cases.rowid = j.value WHERE ${where.sql} LIMIT ? OFFSET ?`,
        params: [JSON.stringify(slice), ...where.params],
      },
      0,
      q.limit,
    );
    if (got.length === slice.length) rows = got;
    else dropCasePositions(store, view);
  }
  if (!rows) {
    // Continue from the nearest remembered row at or before the offset (the previous page when
    // the table scrolls): a seek on the sort index replaces walking the skipped rows.
    const anchor = anchors.nearest(q.offset);
    const continuation = anchor ? keysetAfter(view, anchor) : null;
    const continues =
      anchor && continuation && (continuation.then === null || q.offset === anchor.offset);
    // A bare queue's size is known: a page nearer its end is read from the end, in the
    // opposite order (the last page, the End key), so the walk is the shorter one.
    const size = view.indexedQueue && view.filter === '1' ? view.indexedQueue.memberCount : null;
    const afterPage = size === null ? Infinity : size - q.offset - q.limit;
    const walk = continues ? q.offset - anchor.offset : q.offset;
    if (size !== null && q.offset < size && afterPage < walk) {
      const reversed: CompiledCaseView = {
        ...view,
        direction: view.direction === 'asc' ? 'desc' : 'asc',
      };
      rows = page(reversed, null, Math.max(0, afterPage), Math.min(q.limit, size - q.offset));
      rows.reverse();
    } else if (continues) {
      rows = page(view, continuation.first, walk, q.limit);
      if (continuation.then && rows.length < q.limit) {
        rows = rows.concat(page(view, continuation.then, 0, q.limit - rows.length));
      }
    } else {
      rows = page(view, null, q.offset, q.limit);
    }
  }
  const last = rows[rows.length - 1];
  if (last) {
    anchors.remember({
      offset: q.offset + rows.length,
      value: sortValueOf(last, view.sort),
      id: last.id,
    });
  }
  const total = q.withTotal ? countCaseView(store, view) : null;
  return { rows: rows.map(({ severityRank: _rank, ...row }) => toCaseRow(row)), total };
}

type PageDbRow = CaseDbRow & { severityRank: number };

/**
 * Whether a view small enough to list on the spot (SORTED_MEMBERS_MAX) should: a queue read
 * from its members (its sort index would be walked far for this page), or any page of every
 * case deeper than a few thousand rows. Bigger views get their list in the background.
 */
function buildsPositionsNow(
  view: CompiledCaseView,
  estimate: number,
  offset: number,
  limit: number,
): boolean {
  if (view.filter !== '1') return false;
  if (view.indexedQueue) {
    return (
      view.indexedQueue.memberCount <= SORTED_MEMBERS_MAX &&
      drivesFromMembers(view, estimate, offset, limit)
    );
  }
  return estimate <= SORTED_MEMBERS_MAX && offset >= 5_000;
}

function sortValueOf(row: PageDbRow, sort: CaseSortField): string | number | null {
  return sort === 'severity' ? row.severityRank : row[sort];
}

interface PageAnchor {
  /** position of the row after this one in the view's order */
  offset: number;
  value: string | number | null;
  id: string;
}

const MAX_ANCHORED_VIEWS = 32;
const MAX_ANCHORS_PER_VIEW = 2_000;

interface AnchorCache {
  stamp: string;
  views: Map<string, PageAnchor[]>;
}

const anchorCaches = new WeakMap<Database.Database, AnchorCache>();

/** Drops the remembered page ends (benchmarks measuring a cold jump to an offset). */
export function forgetPageAnchors(db: Database.Database): void {
  anchorCaches.delete(db);
}

/**
 * The last row of each page served, per view, while the store is unchanged: every write adds an
 * activity entry or (index upkeep) counts in total_changes(), and either drops them all.
 */
function pageAnchors(
  db: Database.Database,
  viewKey: string,
): {
  nearest(offset: number): PageAnchor | undefined;
  remember(anchor: PageAnchor): void;
} {
  const { a, c } = db
    .prepare('SELECT (SELECT max(id) FROM activity) AS a, total_changes() AS c')
    .get() as { a: number | null; c: number };
  const stamp = `${a ?? 0}:${c}`;
  let cache = anchorCaches.get(db);
  if (!cache || cache.stamp !== stamp) {
    cache = { stamp, views: new Map() };
    anchorCaches.set(db, cache);
  }
  const views = cache.views;
  const list = views.get(viewKey) ?? [];
  return {
    nearest(offset) {
      let best: PageAnchor | undefined;
      for (const anchor of list) {
        if (anchor.offset <= offset && (!best || anchor.offset > best.offset)) best = anchor;
      }
      return best;
    },
    remember(anchor) {
      const at = list.findIndex((x) => x.offset === anchor.offset);
      if (at >= 0) list.splice(at, 1);
      list.push(anchor);
      if (list.length > MAX_ANCHORS_PER_VIEW) list.shift();
      views.delete(viewKey); // most recently used last
      views.set(viewKey, list);
      if (views.size > MAX_ANCHORED_VIEWS) views.delete(views.keys().next().value as string);
    },
  };
}

export function getCase(store: Store, id: string): CaseRow | null {
  const row = store.db.prepare(`${CASE_ROW_SELECT} WHERE c.id = ?`).get(id) as
    CaseDbRow | undefined;
  return row ? toCaseRow(row) : null;
}

export function countCases(store: Store): number {
  return (store.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
}

export function getCaseByNumber(store: Store, number: number): CaseRow | null {
  const row = store.db.prepare(`${CASE_ROW_SELECT} WHERE c.number = ?`).get(number) as
    CaseDbRow | undefined;
  return row ? toCaseRow(row) : null;
}
