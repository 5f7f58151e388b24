import type { Store } from '../store/open';
import type {
  CaseRow,
  CaseSeverity,
  CaseSortField,
  CaseStatus,
  CaseOutcome,
  SortDirection,
  Tlp,
} from '../../shared/domain/types';

/** SQL for each sortable column of the case table; every one is backed by an index (TBL-2). */
const SORT_SQL: Record<CaseSortField, string> = {
  number: 'c.number',
  name: 'c.name',
  score: 'c.score',
  severity: 'c.severity_rank',
  status: 'c.status',
  creator: 'c.creator',
  assigneeName: 'c.assignee_name',
  alertCount: 'c.alert_count',
  createdAt: 'c.created_at',
  updatedAt: 'c.updated_at',
  what: 'c.what',
};

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

export interface ListCasesQuery {
  offset: number;
  limit: number;
  sort: CaseSortField;
  direction: SortDirection;
  /** Count all matching rows (the table asks once, on its first page). */
  withTotal: boolean;
}

export interface CasePage {
  rows: CaseRow[];
  total: number | null;
}

export function listCases(store: Store, q: ListCasesQuery): CasePage {
  const column = SORT_SQL[q.sort];
  const dir = q.direction === 'asc' ? 'ASC' : 'DESC';
  const order = `ORDER BY ${column} ${dir}, c.id ${dir}`;
  // Page the sort index first, then fetch only the page's rows (a deferred join): the OFFSET
  // walks index entries instead of whole rows, and CROSS JOIN pins the join order so planner
  // statistics cannot turn the plan into a tenant scan plus a full sort. The id tie-breaker
  // keeps pages stable (UUIDv7 sorts by time).
  const rows = store.db
    .prepare(
      `SELECT ${CASE_COLUMNS}
       FROM (SELECT c.rowid AS rid FROM cases c ${order} LIMIT ? OFFSET ?) p
       CROSS JOIN cases c ON c.rowid = p.rid CROSS JOIN tenants t ON t.id = c.tenant_id
       ${order}`,
    )
    .all(q.limit, q.offset) as CaseDbRow[];
  const total = q.withTotal
    ? (store.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n
    : null;
  return { rows: rows.map(toCaseRow), total };
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
