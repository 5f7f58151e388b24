import type Database from 'better-sqlite3';
import type { DemoCase } from '../../shared/domain/demo';
import { demoCaseRecords, type DemoContext } from '../../main/features/demo/demo';
import { ENTITIES, encodeValue } from '../../main/store/mutations/registry';
import type { SyncedEntity } from '../../shared/sync/mutation';

/**
 * The benchmarks' floor: demo rows through bare prepared statements, bypassing the mutation API
 * (and so its activity and outbox entries). Only benchmarks write this way.
 */
const CASE_COLUMNS = [
  'id',
  'tenant_id',
  'number',
  'name',
  'description',
  'score',
  'severity',
  'severity_rank',
  'status',
  'outcome',
  'summary',
  'creator',
  'assignee',
  'assignee_name',
  'tags',
  'tlp',
  'pap',
  'what',
  'who',
  'alert_count',
  'created_at',
  'updated_at',
  'closed_at',
  'first_alert_at',
  'last_alert_at',
  'tactics',
  'lead_alert',
];
const ALERT_COLUMNS = [
  'id',
  'tenant_id',
  'source',
  'source_ref',
  'type',
  'title',
  'description',
  'timestamp',
  'score',
  'tactic',
  'tactic_name',
  'technique',
  'technique_name',
  'tags',
  'tlp',
  'raw',
  'entities',
  'status',
  'case_id',
  'created_at',
  'updated_at',
];
const insertSql = (table: string, columns: string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;

export const DEMO_SQL = {
  case: insertSql('cases', CASE_COLUMNS),
  alert: insertSql('alerts', ALERT_COLUMNS),
  entity: 'INSERT INTO case_entities (tenant_id, kind, value, case_id) VALUES (?, ?, ?, ?)',
  link: 'INSERT INTO case_alerts (case_id, alert_id, tenant_id, added_at) VALUES (?, ?, ?, ?)',
} as const;

function rowOf(entity: SyncedEntity, columns: string[], values: object): unknown[] {
  const byColumn = new Map([...ENTITIES[entity].fields.values()].map((f) => [f.column, f]));
  return columns.map((c) => {
    const field = byColumn.get(c)!;
    return encodeValue(field, (values as Record<string, unknown>)[field.key]);
  });
}

export interface DemoCaseRows {
  tenantId: string;
  caseId: string;
  caseRow: unknown[];
  caseJson: string;
  caseEntities: unknown[][];
  alerts: { id: string; row: unknown[]; json: string; link: unknown[] }[];
}

export function demoCaseRows(c: DemoCase, ctx: DemoContext): DemoCaseRows {
  const r = demoCaseRecords(c, ctx);
  return {
    tenantId: r.tenantId,
    caseId: r.caseId,
    caseRow: rowOf('case', CASE_COLUMNS, r.case),
    caseJson: JSON.stringify(r.case),
    caseEntities: r.entities.map((e) => [r.tenantId, e.kind, e.value, r.caseId]),
    alerts: r.alerts.map((a) => {
      const row = rowOf('alert', ALERT_COLUMNS, a.values);
      return {
        id: a.id,
        row,
        json: row[ALERT_COLUMNS.indexOf('raw')] as string,
        link: [r.caseId, a.id, r.tenantId, c.createdAt],
      };
    }),
  };
}

export interface DemoStatements {
  case: Database.Statement;
  alert: Database.Statement;
  entity: Database.Statement;
  link: Database.Statement;
}

export function prepareDemoStatements(db: Database.Database): DemoStatements {
  return {
    case: db.prepare(DEMO_SQL.case),
    alert: db.prepare(DEMO_SQL.alert),
    entity: db.prepare(DEMO_SQL.entity),
    link: db.prepare(DEMO_SQL.link),
  };
}
