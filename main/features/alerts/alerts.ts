import type { Store } from '../../store/open';
import { compareEntities } from '../../../shared/domain/entities';
import type { AlertStatus, EntityRef } from '../../../shared/domain/types';

/** The alert row's `entities` column (written by ingest from normalized entities). */
export function parseAlertEntities(json: string): EntityRef[] {
  return JSON.parse(json) as EntityRef[];
}

export interface AlertListRow {
  id: string;
  tenant: string;
  source: string;
  sourceRef: string;
  type: string;
  title: string;
  timestamp: number;
  score: number;
  tactic: string | null;
  technique: string | null;
  status: AlertStatus;
  suppressed: boolean;
  caseNumber: number | null;
  tags: string[];
}

/** An alert as `alerts --json` prints it: the list row, its entities, and its raw record on request. */
export interface AlertExportRow extends AlertListRow {
  /** The normalized entities the importer extracted (kind, value), sorted. */
  entities: EntityRef[];
  /** The original record, when asked for (`withRaw`). */
  raw?: unknown;
}

/** Alerts newest first (ALR-1), optionally of one status, with their entities (and raw records). */
export function listAlerts(
  store: Store,
  q: { status?: AlertStatus; limit: number; offset: number; withRaw?: boolean },
): AlertExportRow[] {
  const where = q.status ? 'WHERE a.status = ?' : '';
  const params: (string | number)[] = q.status ? [q.status] : [];
  const rows = store.db
    .prepare(
      `SELECT a.id, t.name AS tenant, a.source, a.source_ref AS sourceRef, a.type, a.title, a.timestamp, a.score,
              a.tactic, a.technique, a.status, a.suppressed, c.number AS caseNumber, a.tags, a.entities
              ${q.withRaw ? ', a.raw' : ''}
       FROM alerts a JOIN tenants t ON t.id = a.tenant_id LEFT JOIN cases c ON c.id = a.case_id
       ${where} ORDER BY a.timestamp DESC, a.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...params, q.limit, q.offset) as (Omit<AlertListRow, 'suppressed' | 'tags'> & {
    suppressed: number;
    tags: string;
    entities: string;
    raw?: string;
  })[];
  return rows.map(({ raw, ...r }) => ({
    ...r,
    suppressed: r.suppressed === 1,
    tags: JSON.parse(r.tags) as string[],
    entities: parseAlertEntities(r.entities).sort(compareEntities),
    ...(raw === undefined ? {} : { raw: JSON.parse(raw) as unknown }),
  }));
}

/** `source:sourceRef` of each case's alerts, sorted, for `cases --with-alerts`. */
export function alertRefsOfCases(store: Store, caseIds: readonly string[]): Map<string, string[]> {
  const stmt = store.db.prepare(
    `SELECT a.source || ':' || a.source_ref AS ref FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id
     WHERE ca.case_id = ? ORDER BY ref`,
  );
  const out = new Map<string, string[]>();
  for (const id of caseIds)
    out.set(
      id,
      (stmt.all(id) as { ref: string }[]).map((r) => r.ref),
    );
  return out;
}

export const ALERT_SORT_SQL = {
  timestamp: 'a.timestamp',
  score: 'a.score',
} as const;
export type AlertSortField = keyof typeof ALERT_SORT_SQL;

/** A page of the alert table (ALR-1), sorted in SQL by an indexed column. */
export function listAlertPage(
  store: Store,
  q: {
    offset: number;
    limit: number;
    sort: AlertSortField;
    direction: 'asc' | 'desc';
    status?: AlertStatus;
    withTotal: boolean;
  },
): { rows: AlertListRow[]; total: number | null } {
  const where = q.status ? 'WHERE a.status = ?' : '';
  const params: (string | number)[] = q.status ? [q.status] : [];
  const dir = q.direction === 'asc' ? 'ASC' : 'DESC';
  const rows = store.db
    .prepare(
      `SELECT a.id, t.name AS tenant, a.source, a.source_ref AS sourceRef, a.type, a.title, a.timestamp, a.score,
              a.tactic, a.technique, a.status, a.suppressed, c.number AS caseNumber, a.tags
       FROM alerts a JOIN tenants t ON t.id = a.tenant_id LEFT JOIN cases c ON c.id = a.case_id
       ${where} ORDER BY ${ALERT_SORT_SQL[q.sort]} ${dir}, a.id ${dir} LIMIT ? OFFSET ?`,
    )
    .all(...params, q.limit, q.offset) as (Omit<AlertListRow, 'suppressed' | 'tags'> & {
    suppressed: number;
    tags: string;
  })[];
  const total = q.withTotal
    ? (
        store.db.prepare(`SELECT count(*) AS n FROM alerts a ${where}`).get(...params) as {
          n: number;
        }
      ).n
    : null;
  return {
    rows: rows.map((r) => ({
      ...r,
      suppressed: r.suppressed === 1,
      tags: JSON.parse(r.tags) as string[],
    })),
    total,
  };
}

export interface AlertDetail extends AlertListRow {
  description: string;
  tacticName: string | null;
  techniqueName: string | null;
  tlp: string;
  entities: { kind: string; value: string }[];
  raw: unknown;
  /** ALR-2: cases containing it, at most five, highest score first */
  cases: {
    id: string;
    number: number;
    name: string;
    score: number;
    severity: string;
    status: string;
  }[];
  caseTotal: number;
}

export function getAlertDetail(store: Store, id: string, allCases = false): AlertDetail | null {
  const [row] = store.db
    .prepare(
      `SELECT a.id, t.name AS tenant, a.source, a.source_ref AS sourceRef, a.type, a.title, a.timestamp, a.score,
              a.tactic, a.technique, a.status, a.suppressed, c.number AS caseNumber, a.tags, a.description,
              a.tactic_name AS tacticName, a.technique_name AS techniqueName, a.tlp, a.raw,
              a.entities
       FROM alerts a JOIN tenants t ON t.id = a.tenant_id LEFT JOIN cases c ON c.id = a.case_id WHERE a.id = ?`,
    )
    .all(id) as (Omit<
    AlertDetail,
    'suppressed' | 'tags' | 'raw' | 'entities' | 'cases' | 'caseTotal'
  > & {
    suppressed: number;
    tags: string;
    raw: string;
    entities: string;
  })[];
  if (!row) return null;
  const entities = parseAlertEntities(row.entities).sort(compareEntities);
  const cases = store.db
    .prepare(
      `SELECT c.id, c.number, c.name, c.score, c.severity, c.status FROM case_alerts ca JOIN cases c ON c.id = ca.case_id
       WHERE ca.alert_id = ? ORDER BY c.score DESC, c.number ASC LIMIT ?`,
    )
    .all(id, allCases ? 500 : 5) as AlertDetail['cases'];
  const caseTotal = (
    store.db.prepare('SELECT count(*) AS n FROM case_alerts WHERE alert_id = ?').get(id) as {
      n: number;
    }
  ).n;
  return {
    ...row,
    suppressed: row.suppressed === 1,
    tags: JSON.parse(row.tags) as string[],
    raw: JSON.parse(row.raw) as unknown,
    entities,
    cases,
    caseTotal,
  };
}

/** TBL-3: the alerts of one case, newest first (at most `limit`), and how many it holds. */
export function listAlertsOfCase(
  store: Store,
  caseId: string,
  limit = 500,
): { rows: AlertListRow[]; total: number } {
  const rows = store.db
    .prepare(
      `SELECT a.id, t.name AS tenant, a.source, a.source_ref AS sourceRef, a.type, a.title, a.timestamp, a.score,
              a.tactic, a.technique, a.status, a.suppressed, c.number AS caseNumber, a.tags
       FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id JOIN tenants t ON t.id = a.tenant_id
       LEFT JOIN cases c ON c.id = a.case_id
       WHERE ca.case_id = ? ORDER BY a.timestamp DESC, a.id DESC LIMIT ?`,
    )
    .all(caseId, limit) as (Omit<AlertListRow, 'suppressed' | 'tags'> & {
    suppressed: number;
    tags: string;
  })[];
  const total = (
    store.db.prepare('SELECT count(*) AS n FROM case_alerts WHERE case_id = ?').get(caseId) as {
      n: number;
    }
  ).n;
  return {
    rows: rows.map((r) => ({
      ...r,
      suppressed: r.suppressed === 1,
      tags: JSON.parse(r.tags) as string[],
    })),
    total,
  };
}
