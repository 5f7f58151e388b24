import type { AlertStatus } from '../../shared/domain/types';
import { tenantScopeSql, type Principal } from '../auth/principal';
import type { Queryable, SqlValue } from '../store/database';
import { decodeCursor, encodeCursor } from './cursor';
import { scopedTenantId } from './cases';

/** The read API's alerts (ALR-1): newest first, keyset-paged, inside the caller's scope. */

export type AlertEntry = {
  id: string;
  tenant: string;
  source: string;
  sourceRef: string;
  type: string;
  title: string;
  description: string;
  timestamp: string;
  score: number;
  tactic: string | null;
  technique: string | null;
  tags: string[];
  tlp: string;
  status: string;
  suppressed: boolean;
  caseNumber: number | null;
  entities: unknown;
  raw?: unknown;
};

export interface ListAlertsInput {
  limit: number;
  cursor?: string | undefined;
  status?: AlertStatus | undefined;
  source?: string | undefined;
  sourceRef?: string | undefined;
  tenant?: string | undefined;
  withRaw?: boolean | undefined;
}

export async function listAlerts(
  db: Queryable,
  principal: Principal,
  input: ListAlertsInput,
): Promise<{ alerts: AlertEntry[]; nextCursor: string | null }> {
  const params: SqlValue[] = [];
  const where = [tenantScopeSql(principal, 'a.tenant_id', params)];
  if (input.tenant !== undefined) {
    params.push(await scopedTenantId(db, principal, input.tenant));
    where.push(`a.tenant_id = $${params.length}::uuid`);
  }
  if (input.status !== undefined) {
    params.push(input.status);
    where.push(`a.status = $${params.length}::text`);
  }
  if (input.source !== undefined) {
    params.push(input.source);
    where.push(`a.source = $${params.length}::text`);
  }
  if (input.sourceRef !== undefined) {
    params.push(input.sourceRef);
    where.push(`a.source_ref = $${params.length}::text`);
  }
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, 'timestamp', 'desc');
    params.push(Number(cursor.value), cursor.id);
    where.push(`(a.timestamp, a.id) < ($${params.length - 1}::bigint, $${params.length}::uuid)`);
  }
  params.push(input.limit + 1);
  const rows = await db.query<{
    id: string;
    tenant_name: string;
    source: string;
    source_ref: string;
    type: string;
    title: string;
    description: string;
    timestamp: number;
    score: number;
    tactic: string | null;
    technique: string | null;
    tags: string[];
    tlp: string;
    status: string;
    suppressed: boolean;
    case_number: number | null;
    entities: unknown;
    raw?: unknown;
  }>(
    `SELECT a.id, t.name AS tenant_name, a.source, a.source_ref, a.type, a.title, a.description,
            a.timestamp, a.score, a.tactic, a.technique, a.tags, a.tlp, a.status, a.suppressed,
            c.number AS case_number, a.entities${input.withRaw ? ', a.raw' : ''}
     FROM alerts a JOIN tenants t ON t.tenant_id = a.tenant_id
     LEFT JOIN cases c ON c.tenant_id = a.tenant_id AND c.id = a.case_id
     WHERE ${where.join(' AND ')}
     ORDER BY a.timestamp DESC, a.id DESC LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    alerts: page.map((row) => ({
      id: row.id,
      tenant: row.tenant_name,
      source: row.source,
      sourceRef: row.source_ref,
      type: row.type,
      title: row.title,
      description: row.description,
      timestamp: new Date(row.timestamp).toISOString(),
      score: row.score,
      tactic: row.tactic,
      technique: row.technique,
      tags: row.tags,
      tlp: row.tlp,
      status: row.status,
      suppressed: row.suppressed,
      caseNumber: row.case_number,
      entities: row.entities,
      ...(input.withRaw ? { raw: row.raw } : {}),
    })),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor({ sort: 'timestamp', direction: 'desc', value: last.timestamp, id: last.id })
        : null,
  };
}
