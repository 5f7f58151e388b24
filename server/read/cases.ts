import { ConditionValidationError, formatConditionIssue } from '../../shared/domain/conditions';
import { CASE_FIELD_CATALOGUE } from '../../shared/domain/fields';
import { parseLucene } from '../../shared/domain/lucene';
import type { CaseSortField, SortDirection } from '../../shared/domain/types';
import { tenantScopeSql, type Principal } from '../auth/principal';
import { badRequest, conflict, notFound } from '../errors';
import type { Queryable, SqlValue } from '../store/database';
import { compileCondition, compileLucene } from '../store/sql/compile';
import { postgresDialect, SERVER_CASE_COLUMNS } from '../store/sql/postgres-dialect';
import { decodeCursor, encodeCursor } from './cursor';
import { queueCondition } from './queues';

/**
 * The read API's cases (TBL-1..4 on the server): the desktop's Lucene query and sort, paged by
 * keyset cursors, always inside the caller's tenant scope.
 */

/** Sort expressions; text sorts in code-point order (SQLite BINARY), NULL text as ''. */
const SORT_SQL: Readonly<Record<CaseSortField, { sql: string; type: 'bigint' | 'text' }>> = {
  number: { sql: 'cases.number', type: 'bigint' },
  name: { sql: 'cases.name COLLATE "C"', type: 'text' },
  score: { sql: 'cases.score', type: 'bigint' },
  severity: { sql: 'cases.severity_rank', type: 'bigint' },
  status: { sql: 'cases.status COLLATE "C"', type: 'text' },
  creator: { sql: 'cases.creator COLLATE "C"', type: 'text' },
  assigneeName: { sql: `(coalesce(cases.assignee_name, '')) COLLATE "C"`, type: 'text' },
  alertCount: { sql: 'cases.alert_count', type: 'bigint' },
  createdAt: { sql: 'cases.created_at', type: 'bigint' },
  updatedAt: { sql: 'cases.updated_at', type: 'bigint' },
  what: { sql: `(coalesce(cases.what, '')) COLLATE "C"`, type: 'text' },
};

const SORT_VALUE: Readonly<Record<CaseSortField, (row: CaseDbRow) => string | number>> = {
  number: (r) => r.number,
  name: (r) => r.name,
  score: (r) => r.score,
  severity: (r) => r.severity_rank,
  status: (r) => r.status,
  creator: (r) => r.creator,
  assigneeName: (r) => r.assignee_name ?? '',
  alertCount: (r) => r.alert_count,
  createdAt: (r) => r.created_at,
  updatedAt: (r) => r.updated_at,
  what: (r) => r.what ?? '',
};

export interface CaseDbRow {
  tenant_id: string;
  tenant_name: string;
  id: string;
  number: number;
  name: string;
  name_is_manual: boolean;
  description: string;
  summary: string | null;
  score: number;
  severity: string;
  severity_rank: number;
  severity_is_manual: boolean;
  status: string;
  outcome: string | null;
  creator: string;
  assignee: string | null;
  assignee_name: string | null;
  tags: string[];
  tlp: string;
  pap: string;
  what: string | null;
  who: string | null;
  alert_count: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  first_alert_at: number | null;
  last_alert_at: number | null;
  rev: number;
}

const CASE_COLUMNS = `cases.tenant_id, t.name AS tenant_name, cases.id, cases.number, cases.name,
  cases.name_is_manual, cases.description, cases.summary, cases.score, cases.severity,
  cases.severity_rank, cases.severity_is_manual, cases.status, cases.outcome, cases.creator,
  cases.assignee, cases.assignee_name, cases.tags, cases.tlp, cases.pap, cases.what, cases.who,
  cases.alert_count, cases.created_at, cases.updated_at, cases.closed_at, cases.first_alert_at,
  cases.last_alert_at, cases.rev`;

/** A case as the desktop CLI's `cases --json [--with-alerts]` prints it, plus its tenant. */
export interface CaseListEntry {
  id: string;
  number: number;
  name: string;
  score: number;
  severity: string;
  status: string;
  assignee: string | null;
  alertCount: number;
  createdAt: string;
  updatedAt: string;
  tenant: string;
  alertRefs?: string[];
}

export interface ListCasesInput {
  query?: string | undefined;
  sort?: CaseSortField | undefined;
  direction?: SortDirection | undefined;
  limit: number;
  cursor?: string | undefined;
  withAlerts?: boolean | undefined;
  queue?: string | undefined;
  tenant?: string | undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Compiles the Lucene box text (TBL-4), refusing a bad query with where it went wrong. */
export function luceneWhere(query: string, params: SqlValue[]): string | null {
  if (query.trim() === '') return null;
  const parsed = parseLucene(query);
  if (!parsed.ok) {
    throw badRequest(`query: ${parsed.error.message}`, {
      offset: parsed.error.offset,
      length: parsed.error.length,
    });
  }
  if (parsed.ast.kind === 'all') return null;
  return compileLucene(
    postgresDialect,
    CASE_FIELD_CATALOGUE,
    SERVER_CASE_COLUMNS,
    parsed.ast,
    params,
  ).sql;
}

/** The tenant a `tenant=` parameter names, inside the scope; NOT_FOUND otherwise. */
export async function scopedTenantId(
  db: Queryable,
  principal: Principal,
  name: string,
): Promise<string> {
  const [row] = await db.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM tenants WHERE name = $1',
    [name],
  );
  if (!row || (principal.tenants !== 'all' && !principal.tenants.includes(row.tenant_id))) {
    throw notFound(`no tenant named '${name}'`);
  }
  return row.tenant_id;
}

export async function listCases(
  db: Queryable,
  principal: Principal,
  input: ListCasesInput,
): Promise<{ cases: CaseListEntry[]; nextCursor: string | null }> {
  const sort = input.sort ?? 'updatedAt';
  const direction = input.direction ?? 'desc';
  const params: SqlValue[] = [];
  const where = [tenantScopeSql(principal, 'cases.tenant_id', params)];
  if (input.tenant !== undefined) {
    params.push(await scopedTenantId(db, principal, input.tenant));
    where.push(`cases.tenant_id = $${params.length}::uuid`);
  }
  if (input.queue !== undefined) {
    const queue = await queueCondition(db, principal, input.queue);
    try {
      where.push(
        compileCondition(
          postgresDialect,
          CASE_FIELD_CATALOGUE,
          SERVER_CASE_COLUMNS,
          queue.condition,
          params,
        ).sql,
      );
    } catch (error) {
      if (error instanceof ConditionValidationError) {
        throw badRequest(`queue condition: ${error.issues.map(formatConditionIssue).join('; ')}`);
      }
      throw error;
    }
    if (queue.tenantId) {
      params.push(queue.tenantId);
      where.push(`cases.tenant_id = $${params.length}::uuid`);
    }
    if (queue.createdFrom !== null) {
      params.push(queue.createdFrom);
      where.push(`cases.created_at >= $${params.length}::bigint`);
    }
  }
  const lucene = luceneWhere(input.query ?? '', params);
  if (lucene) where.push(lucene);
  const order = SORT_SQL[sort];
  const comparison = direction === 'desc' ? '<' : '>';
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, sort, direction);
    params.push(order.type === 'bigint' ? Number(cursor.value) : String(cursor.value), cursor.id);
    where.push(
      `(${order.sql}, cases.id) ${comparison} ($${params.length - 1}::${order.type}, $${params.length}::uuid)`,
    );
  }
  const dir = direction === 'desc' ? 'DESC' : 'ASC';
  params.push(input.limit + 1);
  const rows = await db.query<CaseDbRow>(
    `SELECT ${CASE_COLUMNS} FROM cases JOIN tenants t ON t.tenant_id = cases.tenant_id
     WHERE ${where.join(' AND ')}
     ORDER BY ${order.sql} ${dir}, cases.id ${dir} LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > input.limit && last
      ? encodeCursor({ sort, direction, value: SORT_VALUE[sort](last), id: last.id })
      : null;
  const refs = input.withAlerts ? await alertRefsOf(db, page) : null;
  return {
    cases: page.map((row) => ({
      id: row.id,
      number: row.number,
      name: row.name,
      score: row.score,
      severity: row.severity,
      status: row.status,
      assignee: row.assignee_name,
      alertCount: row.alert_count,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      tenant: row.tenant_name,
      ...(refs ? { alertRefs: refs.get(row.id) ?? [] } : {}),
    })),
    nextCursor,
  };
}

/** `source:sourceRef` of each case's alerts, sorted as SQLite's BINARY sorts them. */
async function alertRefsOf(
  db: Queryable,
  cases: readonly Pick<CaseDbRow, 'tenant_id' | 'id'>[],
): Promise<Map<string, string[]>> {
  const refs = new Map<string, string[]>();
  if (cases.length === 0) return refs;
  const rows = await db.query<{ case_id: string; ref: string }>(
    `SELECT ca.case_id, a.source || ':' || a.source_ref AS ref
     FROM unnest($1::uuid[], $2::uuid[]) AS q(tenant_id, case_id)
     JOIN case_alerts ca ON ca.tenant_id = q.tenant_id AND ca.case_id = q.case_id
     JOIN alerts a ON a.tenant_id = ca.tenant_id AND a.id = ca.alert_id
     ORDER BY ca.case_id, (a.source || ':' || a.source_ref) COLLATE "C"`,
    [cases.map((c) => c.tenant_id), cases.map((c) => c.id)],
  );
  for (const row of rows) {
    const list = refs.get(row.case_id);
    if (list) list.push(row.ref);
    else refs.set(row.case_id, [row.ref]);
  }
  return refs;
}

export interface CaseAlertEntry {
  id: string;
  source: string;
  sourceRef: string;
  type: string;
  title: string;
  timestamp: string;
  score: number;
  status: string;
  tactic: string | null;
  technique: string | null;
  tags: string[];
}

/** One case by its canonical number (SYN-6), with its alerts. */
export async function getCase(
  db: Queryable,
  principal: Principal,
  number: number,
  tenant: string | undefined,
): Promise<Record<string, unknown>> {
  const params: SqlValue[] = [number];
  const where = ['cases.number = $1::bigint', tenantScopeSql(principal, 'cases.tenant_id', params)];
  if (tenant !== undefined) {
    params.push(await scopedTenantId(db, principal, tenant));
    where.push(`cases.tenant_id = $${params.length}::uuid`);
  }
  const rows = await db.query<CaseDbRow>(
    `SELECT ${CASE_COLUMNS} FROM cases JOIN tenants t ON t.tenant_id = cases.tenant_id
     WHERE ${where.join(' AND ')} ORDER BY t.name COLLATE "C" LIMIT 50`,
    params,
  );
  if (rows.length === 0)
    throw notFound(`no case number ${number}${tenant ? ` in '${tenant}'` : ''}`);
  if (rows.length > 1) {
    // Numbers are per tenant: a caller who reaches several tenants names one.
    throw conflict(
      `case number ${number} exists in several tenants of your scope (${rows.map((r) => r.tenant_name).join(', ')}): add ?tenant=NAME`,
      { tenants: rows.map((r) => r.tenant_name) },
    );
  }
  const row = rows[0] as CaseDbRow;
  const alerts = await db.query<{
    id: string;
    source: string;
    source_ref: string;
    type: string;
    title: string;
    timestamp: number;
    score: number;
    status: string;
    tactic: string | null;
    technique: string | null;
    tags: string[];
  }>(
    `SELECT a.id, a.source, a.source_ref, a.type, a.title, a.timestamp, a.score, a.status, a.tactic,
            a.technique, a.tags
     FROM case_alerts ca JOIN alerts a ON a.tenant_id = ca.tenant_id AND a.id = ca.alert_id
     WHERE ca.tenant_id = $1 AND ca.case_id = $2
     ORDER BY a.timestamp, a.source COLLATE "C", a.source_ref COLLATE "C"`,
    [row.tenant_id, row.id],
  );
  return {
    id: row.id,
    number: row.number,
    tenant: row.tenant_name,
    name: row.name,
    nameIsManual: row.name_is_manual,
    description: row.description,
    summary: row.summary,
    score: row.score,
    severity: row.severity,
    severityIsManual: row.severity_is_manual,
    status: row.status,
    outcome: row.outcome,
    creator: row.creator,
    assignee: row.assignee_name,
    assigneeId: row.assignee,
    tags: row.tags,
    tlp: row.tlp,
    pap: row.pap,
    what: row.what,
    who: row.who,
    alertCount: row.alert_count,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    closedAt: row.closed_at === null ? null : iso(row.closed_at),
    firstAlertAt: row.first_alert_at === null ? null : iso(row.first_alert_at),
    lastAlertAt: row.last_alert_at === null ? null : iso(row.last_alert_at),
    rev: row.rev,
    alerts: alerts.map((a): CaseAlertEntry => ({
      id: a.id,
      source: a.source,
      sourceRef: a.source_ref,
      type: a.type,
      title: a.title,
      timestamp: iso(a.timestamp),
      score: a.score,
      status: a.status,
      tactic: a.tactic,
      technique: a.technique,
      tags: a.tags,
    })),
  };
}
