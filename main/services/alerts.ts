import type { Store } from '../store/open';
import type { AlertStatus } from '../../shared/domain/types';

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

/** Alerts newest first (ALR-1), optionally of one status. */
export function listAlerts(
  store: Store,
  q: { status?: AlertStatus; limit: number; offset: number },
): AlertListRow[] {
  const where = q.status ? 'WHERE a.status = ?' : '';
  const params: (string | number)[] = q.status ? [q.status] : [];
  const rows = store.db
    .prepare(
      `SELECT a.id, t.name AS tenant, a.source, a.source_ref AS sourceRef, a.type, a.title, a.timestamp, a.score,
              a.tactic, a.technique, a.status, a.suppressed, c.number AS caseNumber, a.tags
       FROM alerts a JOIN tenants t ON t.id = a.tenant_id LEFT JOIN cases c ON c.id = a.case_id
       ${where} ORDER BY a.timestamp DESC, a.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...params, q.limit, q.offset) as (Omit<AlertListRow, 'suppressed' | 'tags'> & {
    suppressed: number;
    tags: string;
  })[];
  return rows.map((r) => ({
    ...r,
    suppressed: r.suppressed === 1,
    tags: JSON.parse(r.tags) as string[],
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
