import {
  ALERT_STATUSES,
  CASE_OUTCOMES,
  CASE_SEVERITIES,
  CASE_STATUSES,
  PAP_VALUES,
  TLP_VALUES,
} from './types';
import type { AlertStatus, CaseOutcome, CaseSeverity, CaseStatus, Pap, Tlp } from './types';

/**
 * The one catalogue of filterable fields (TBL-5, QUE-1, COR-5, TBL-4): queue conditions, case
 * filters, the filters panel and the Lucene box all resolve field names here, so a field means
 * the same thing in TypeScript evaluation and in the SQL the store runs.
 *
 * SQL expressions assume the entity table is referenced by its own name (`cases` / `alerts`)
 * and the tenants table is joined as `t` (`JOIN tenants t ON t.id = cases.tenant_id`).
 */

export const FIELD_VALUE_TYPES = ['enum', 'string', 'number', 'date', 'tags'] as const;
export type FieldValueType = (typeof FIELD_VALUE_TYPES)[number];

interface FieldBase {
  /** Canonical key used in stored conditions and in Lucene (`status`, `alertCount`…). */
  readonly key: string;
  /** What the UI shows (chips, the condition builder, column chooser). */
  readonly label: string;
  /** Other names accepted by Lucene and field lookup (`id` → number, `created_at` → created). */
  readonly aliases: readonly string[];
  /** SQL expression of the value; a column, never user input. */
  readonly sql: string;
}

export interface StringField<Row> extends FieldBase {
  readonly type: 'string';
  readonly read: (row: Row) => string | null;
}

export interface EnumField<Row> extends FieldBase {
  readonly type: 'enum';
  readonly values: readonly string[];
  /**
   * Ordered enums (severity) also accept >, >=, <, <= and between, compared by rank through an
   * indexed rank column rather than by text.
   */
  readonly order?: { readonly rankSql: string; readonly rankOf: Readonly<Record<string, number>> };
  readonly read: (row: Row) => string | null;
}

export interface NumberField<Row> extends FieldBase {
  readonly type: 'number';
  readonly read: (row: Row) => number | null;
}

/** Dates are stored as epoch milliseconds. */
export interface DateField<Row> extends FieldBase {
  readonly type: 'date';
  readonly read: (row: Row) => number | null;
}

/** A JSON array of strings in SQL; a string array on the row. */
export interface TagsField<Row> extends FieldBase {
  readonly type: 'tags';
  readonly read: (row: Row) => readonly string[] | null;
}

export type FieldDefinition<Row> =
  StringField<Row> | EnumField<Row> | NumberField<Row> | DateField<Row> | TagsField<Row>;

export interface FieldCatalogue<Row> {
  readonly entity: 'case' | 'alert';
  readonly fields: readonly FieldDefinition<Row>[];
  /** Fields a bare Lucene term (no `field:`) searches. */
  readonly textSearch: {
    readonly fieldKeys: readonly string[];
    /**
     * Full-text index over exactly those fields, when the store has one (TBL-4). Without it, bare
     * terms fall back to case-insensitive substring matching.
     */
    readonly fts?: { readonly table: string; readonly rowidSql: string };
  };
}

/** The plain object a case condition is evaluated against (camelCase; times in epoch ms). */
export interface CaseFieldRow {
  number: number;
  tenantName: string;
  name: string;
  description: string | null;
  summary: string | null;
  score: number;
  severity: CaseSeverity;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  creator: string;
  assignee: string | null;
  assigneeName: string | null;
  tags: readonly string[];
  tlp: Tlp;
  pap: Pap;
  what: string | null;
  who: string | null;
  alertCount: number;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  firstAlertAt: number | null;
  lastAlertAt: number | null;
}

/** The plain object a case filter (COR-5) is evaluated against: an incoming alert. */
export interface AlertFieldRow {
  tenantName: string;
  source: string;
  sourceRef: string;
  type: string;
  title: string;
  description: string | null;
  timestamp: number;
  score: number;
  tactic: string | null;
  technique: string | null;
  tags: readonly string[];
  tlp: Tlp;
  status: AlertStatus;
}

/** Severity ranks as stored in `cases.severity_rank` (see severity.ts). */
const SEVERITY_RANKS: Readonly<Record<CaseSeverity, number>> = {
  Critical: 4,
  High: 3,
  Medium: 2,
  Low: 1,
};

export const CASE_FIELD_CATALOGUE: FieldCatalogue<CaseFieldRow> = {
  entity: 'case',
  fields: [
    {
      key: 'number',
      label: 'Case ID',
      type: 'number',
      aliases: ['id', 'caseId', 'case_id', 'caseNumber', 'case_number'],
      sql: 'cases.number',
      read: (row) => row.number,
    },
    {
      key: 'tenant',
      label: 'Tenant',
      type: 'string',
      aliases: ['tenantName', 'tenant_name', 'organisation', 'organization'],
      sql: 't.name',
      read: (row) => row.tenantName,
    },
    {
      key: 'name',
      label: 'Case Name',
      type: 'string',
      aliases: ['title'],
      sql: 'cases.name',
      read: (row) => row.name,
    },
    {
      key: 'description',
      label: 'Description',
      type: 'string',
      aliases: [],
      sql: 'cases.description',
      read: (row) => row.description,
    },
    {
      key: 'summary',
      label: 'Summary',
      type: 'string',
      aliases: [],
      sql: 'cases.summary',
      read: (row) => row.summary,
    },
    {
      key: 'score',
      label: 'Score',
      type: 'number',
      aliases: [],
      sql: 'cases.score',
      read: (row) => row.score,
    },
    {
      key: 'severity',
      label: 'Severity',
      type: 'enum',
      values: CASE_SEVERITIES,
      order: { rankSql: 'cases.severity_rank', rankOf: SEVERITY_RANKS },
      aliases: [],
      sql: 'cases.severity',
      read: (row) => row.severity,
    },
    {
      key: 'status',
      label: 'Status',
      type: 'enum',
      values: CASE_STATUSES,
      aliases: ['state'],
      sql: 'cases.status',
      read: (row) => row.status,
    },
    {
      key: 'outcome',
      label: 'Outcome',
      type: 'enum',
      values: CASE_OUTCOMES,
      aliases: ['resolution'],
      sql: 'cases.outcome',
      read: (row) => row.outcome,
    },
    {
      key: 'creator',
      label: 'Creator',
      type: 'string',
      aliases: ['createdBy', 'created_by'],
      sql: 'cases.creator',
      read: (row) => row.creator,
    },
    {
      // QUE-7: `assignee` is the user id; `assignee_name` the display name.
      key: 'assignee',
      label: 'Assignee (user id)',
      type: 'string',
      aliases: ['assigneeId', 'assignee_id'],
      sql: 'cases.assignee',
      read: (row) => row.assignee,
    },
    {
      key: 'assignee_name',
      label: 'Assignee',
      type: 'string',
      aliases: ['assigneeName'],
      sql: 'cases.assignee_name',
      read: (row) => row.assigneeName,
    },
    {
      key: 'tags',
      label: 'Tags',
      type: 'tags',
      aliases: ['tag'],
      sql: 'cases.tags',
      read: (row) => row.tags,
    },
    {
      key: 'tlp',
      label: 'TLP',
      type: 'enum',
      values: TLP_VALUES,
      aliases: [],
      sql: 'cases.tlp',
      read: (row) => row.tlp,
    },
    {
      key: 'pap',
      label: 'PAP',
      type: 'enum',
      values: PAP_VALUES,
      aliases: [],
      sql: 'cases.pap',
      read: (row) => row.pap,
    },
    {
      key: 'what',
      label: 'What',
      type: 'string',
      aliases: [],
      sql: 'cases.what',
      read: (row) => row.what,
    },
    {
      key: 'who',
      label: 'Who',
      type: 'string',
      aliases: [],
      sql: 'cases.who',
      read: (row) => row.who,
    },
    {
      key: 'alertCount',
      label: 'Alerts',
      type: 'number',
      aliases: ['alert_count', 'alerts', 'alertsCount'],
      sql: 'cases.alert_count',
      read: (row) => row.alertCount,
    },
    {
      key: 'created',
      label: 'Created',
      type: 'date',
      aliases: ['created_at', 'createdAt'],
      sql: 'cases.created_at',
      read: (row) => row.createdAt,
    },
    {
      key: 'updated',
      label: 'Updated',
      type: 'date',
      aliases: ['updated_at', 'updatedAt'],
      sql: 'cases.updated_at',
      read: (row) => row.updatedAt,
    },
    {
      key: 'closed',
      label: 'Closed',
      type: 'date',
      aliases: ['closed_at', 'closedAt'],
      sql: 'cases.closed_at',
      read: (row) => row.closedAt,
    },
    {
      key: 'firstAlert',
      label: 'First alert',
      type: 'date',
      aliases: ['first_alert_at', 'firstAlertAt'],
      sql: 'cases.first_alert_at',
      read: (row) => row.firstAlertAt,
    },
    {
      key: 'lastAlert',
      label: 'Last alert',
      type: 'date',
      aliases: ['last_alert_at', 'lastAlertAt'],
      sql: 'cases.last_alert_at',
      read: (row) => row.lastAlertAt,
    },
  ],
  textSearch: {
    // TBL-4: bare terms search the columns of the cases_fts index, in its column order.
    fieldKeys: ['name', 'description', 'what', 'who', 'tags'],
    fts: { table: 'cases_fts', rowidSql: 'cases.rowid' },
  },
};

/** Alert fields for case filters (COR-5): a filter is matched against each incoming alert. */
export const ALERT_FIELD_CATALOGUE: FieldCatalogue<AlertFieldRow> = {
  entity: 'alert',
  fields: [
    {
      key: 'tenant',
      label: 'Tenant',
      type: 'string',
      aliases: ['tenantName', 'tenant_name', 'organisation', 'organization'],
      sql: 't.name',
      read: (row) => row.tenantName,
    },
    {
      key: 'source',
      label: 'Source',
      type: 'string',
      aliases: [],
      sql: 'alerts.source',
      read: (row) => row.source,
    },
    {
      key: 'sourceRef',
      label: 'Source reference',
      type: 'string',
      aliases: ['source_ref', 'reference'],
      sql: 'alerts.source_ref',
      read: (row) => row.sourceRef,
    },
    {
      key: 'type',
      label: 'Type',
      type: 'string',
      aliases: [],
      sql: 'alerts.type',
      read: (row) => row.type,
    },
    {
      key: 'title',
      label: 'Title',
      type: 'string',
      aliases: ['name'],
      sql: 'alerts.title',
      read: (row) => row.title,
    },
    {
      key: 'description',
      label: 'Description',
      type: 'string',
      aliases: [],
      sql: 'alerts.description',
      read: (row) => row.description,
    },
    {
      key: 'timestamp',
      label: 'Event time',
      type: 'date',
      aliases: ['time', 'date'],
      sql: 'alerts.timestamp',
      read: (row) => row.timestamp,
    },
    {
      key: 'score',
      label: 'Score',
      type: 'number',
      aliases: [],
      sql: 'alerts.score',
      read: (row) => row.score,
    },
    {
      key: 'tactic',
      label: 'Tactic',
      type: 'string',
      aliases: [],
      sql: 'alerts.tactic',
      read: (row) => row.tactic,
    },
    {
      key: 'technique',
      label: 'Technique',
      type: 'string',
      aliases: [],
      sql: 'alerts.technique',
      read: (row) => row.technique,
    },
    {
      key: 'tags',
      label: 'Tags',
      type: 'tags',
      aliases: ['tag'],
      sql: 'alerts.tags',
      read: (row) => row.tags,
    },
    {
      key: 'tlp',
      label: 'TLP',
      type: 'enum',
      values: TLP_VALUES,
      aliases: [],
      sql: 'alerts.tlp',
      read: (row) => row.tlp,
    },
    {
      key: 'status',
      label: 'Status',
      type: 'enum',
      values: ALERT_STATUSES,
      aliases: [],
      sql: 'alerts.status',
      read: (row) => row.status,
    },
  ],
  textSearch: { fieldKeys: ['title', 'description', 'source', 'type', 'tags'] },
};

/**
 * Finds a field by key or alias, ignoring case (analysts type `Severity:` and `created_at:`).
 * Returns undefined for an unknown name.
 */
export function findField<Row>(
  catalogue: FieldCatalogue<Row>,
  name: string,
): FieldDefinition<Row> | undefined {
  const wanted = name.toLowerCase();
  return catalogue.fields.find(
    (field) =>
      field.key.toLowerCase() === wanted ||
      field.aliases.some((alias) => alias.toLowerCase() === wanted),
  );
}

/** Matches an enum value ignoring case; returns the canonical spelling or undefined. */
export function canonicalEnumValue(
  field: Pick<EnumField<unknown>, 'values'>,
  value: string,
): string | undefined {
  const wanted = value.toLowerCase();
  return field.values.find((candidate) => candidate.toLowerCase() === wanted);
}
