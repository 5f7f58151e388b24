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
 * the same thing in TypeScript evaluation and in the SQL a store runs. Which column holds a
 * field is each store's business (main/store/sql/sqlite-dialect.ts for the desktop), keyed by
 * the field's `key`: this file holds no SQL.
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
}

export interface StringField<Row> extends FieldBase {
  readonly type: 'string';
  readonly read: (row: Row) => string | null;
}

export interface EnumField<Row> extends FieldBase {
  readonly type: 'enum';
  readonly values: readonly string[];
  /**
   * Ordered enums (severity) also accept >, >=, <, <= and between, compared by rank (a store
   * keeps an indexed rank column) rather than by text.
   */
  readonly order?: { readonly rankOf: Readonly<Record<string, number>> };
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

/** A string array on the row (a JSON array in SQLite, text[] in PostgreSQL). */
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
     * True when bare terms match whole tokens, as FTS5's unicode61 tokenizer splits them (TBL-4):
     * the store keeps a full-text index over exactly those fields. False: bare terms match
     * case-insensitive substrings.
     */
    readonly tokenised: boolean;
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
      read: (row) => row.number,
    },
    {
      key: 'tenant',
      label: 'Tenant',
      type: 'string',
      aliases: ['tenantName', 'tenant_name', 'organisation', 'organization'],
      read: (row) => row.tenantName,
    },
    {
      key: 'name',
      label: 'Case Name',
      type: 'string',
      aliases: ['title'],
      read: (row) => row.name,
    },
    {
      key: 'description',
      label: 'Description',
      type: 'string',
      aliases: [],
      read: (row) => row.description,
    },
    {
      key: 'summary',
      label: 'Summary',
      type: 'string',
      aliases: [],
      read: (row) => row.summary,
    },
    {
      key: 'score',
      label: 'Score',
      type: 'number',
      aliases: [],
      read: (row) => row.score,
    },
    {
      key: 'severity',
      label: 'Severity',
      type: 'enum',
      values: CASE_SEVERITIES,
      order: { rankOf: SEVERITY_RANKS },
      aliases: [],
      read: (row) => row.severity,
    },
    {
      key: 'status',
      label: 'Status',
      type: 'enum',
      values: CASE_STATUSES,
      aliases: ['state'],
      read: (row) => row.status,
    },
    {
      key: 'outcome',
      label: 'Outcome',
      type: 'enum',
      values: CASE_OUTCOMES,
      aliases: ['resolution'],
      read: (row) => row.outcome,
    },
    {
      key: 'creator',
      label: 'Creator',
      type: 'string',
      aliases: ['createdBy', 'created_by'],
      read: (row) => row.creator,
    },
    {
      // QUE-7: `assignee` is the user id; `assignee_name` the display name.
      key: 'assignee',
      label: 'Assignee (user id)',
      type: 'string',
      aliases: ['assigneeId', 'assignee_id'],
      read: (row) => row.assignee,
    },
    {
      key: 'assignee_name',
      label: 'Assignee',
      type: 'string',
      aliases: ['assigneeName'],
      read: (row) => row.assigneeName,
    },
    {
      key: 'tags',
      label: 'Tags',
      type: 'tags',
      aliases: ['tag'],
      read: (row) => row.tags,
    },
    {
      key: 'tlp',
      label: 'TLP',
      type: 'enum',
      values: TLP_VALUES,
      aliases: [],
      read: (row) => row.tlp,
    },
    {
      key: 'pap',
      label: 'PAP',
      type: 'enum',
      values: PAP_VALUES,
      aliases: [],
      read: (row) => row.pap,
    },
    {
      key: 'what',
      label: 'What',
      type: 'string',
      aliases: [],
      read: (row) => row.what,
    },
    {
      key: 'who',
      label: 'Who',
      type: 'string',
      aliases: [],
      read: (row) => row.who,
    },
    {
      key: 'alertCount',
      label: 'Alerts',
      type: 'number',
      aliases: ['alert_count', 'alerts', 'alertsCount'],
      read: (row) => row.alertCount,
    },
    {
      key: 'created',
      label: 'Created',
      type: 'date',
      aliases: ['created_at', 'createdAt'],
      read: (row) => row.createdAt,
    },
    {
      key: 'updated',
      label: 'Updated',
      type: 'date',
      aliases: ['updated_at', 'updatedAt'],
      read: (row) => row.updatedAt,
    },
    {
      key: 'closed',
      label: 'Closed',
      type: 'date',
      aliases: ['closed_at', 'closedAt'],
      read: (row) => row.closedAt,
    },
    {
      key: 'firstAlert',
      label: 'First alert',
      type: 'date',
      aliases: ['first_alert_at', 'firstAlertAt'],
      read: (row) => row.firstAlertAt,
    },
    {
      key: 'lastAlert',
      label: 'Last alert',
      type: 'date',
      aliases: ['last_alert_at', 'lastAlertAt'],
      read: (row) => row.lastAlertAt,
    },
  ],
  textSearch: {
    // TBL-4: bare terms search the columns of the cases_fts index, in its column order.
    fieldKeys: ['name', 'description', 'what', 'who', 'tags'],
    tokenised: true,
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
      read: (row) => row.tenantName,
    },
    {
      key: 'source',
      label: 'Source',
      type: 'string',
      aliases: [],
      read: (row) => row.source,
    },
    {
      key: 'sourceRef',
      label: 'Source reference',
      type: 'string',
      aliases: ['source_ref', 'reference'],
      read: (row) => row.sourceRef,
    },
    {
      key: 'type',
      label: 'Type',
      type: 'string',
      aliases: [],
      read: (row) => row.type,
    },
    {
      key: 'title',
      label: 'Title',
      type: 'string',
      aliases: ['name'],
      read: (row) => row.title,
    },
    {
      key: 'description',
      label: 'Description',
      type: 'string',
      aliases: [],
      read: (row) => row.description,
    },
    {
      key: 'timestamp',
      label: 'Event time',
      type: 'date',
      aliases: ['time', 'date'],
      read: (row) => row.timestamp,
    },
    {
      key: 'score',
      label: 'Score',
      type: 'number',
      aliases: [],
      read: (row) => row.score,
    },
    {
      key: 'tactic',
      label: 'Tactic',
      type: 'string',
      aliases: [],
      read: (row) => row.tactic,
    },
    {
      key: 'technique',
      label: 'Technique',
      type: 'string',
      aliases: [],
      read: (row) => row.technique,
    },
    {
      key: 'tags',
      label: 'Tags',
      type: 'tags',
      aliases: ['tag'],
      read: (row) => row.tags,
    },
    {
      key: 'tlp',
      label: 'TLP',
      type: 'enum',
      values: TLP_VALUES,
      aliases: [],
      read: (row) => row.tlp,
    },
    {
      key: 'status',
      label: 'Status',
      type: 'enum',
      values: ALERT_STATUSES,
      aliases: [],
      read: (row) => row.status,
    },
  ],
  textSearch: { fieldKeys: ['title', 'description', 'source', 'type', 'tags'], tokenised: false },
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
