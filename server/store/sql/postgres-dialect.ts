import type { ColumnMap, SqlDialect, SqlParamType } from './dialect';

const PARAM_CASTS: Record<SqlParamType, string> = {
  text: 'text',
  // numeric compares exactly with integer and bigint columns, whatever the value's fraction
  number: 'numeric',
  epoch: 'bigint',
  textList: 'text[]',
  numberList: 'numeric[]',
};

/** ASCII-only lower-casing: PostgreSQL's lower() folds every letter of the collation. */
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

export const postgresDialect: SqlDialect = {
  placeholder: (position, type) => `$${position}::${PARAM_CASTS[type]}`,
  trueSql: 'TRUE',
  falseSql: 'FALSE',
  asciiLower: (expression) => `translate(${expression}, '${UPPER}', '${LOWER}')`,
  contains: (haystack, needle) => `(strpos(${haystack}, ${needle}) > 0)`,
  like: (expression, pattern) => `(${expression} LIKE ${pattern} ESCAPE '\\')`,
  inList: (expression, list) => `(${expression} = ANY(${list}))`,
  someTag: (column, predicate) =>
    `EXISTS (SELECT 1 FROM unnest(${column}) AS tag(value) WHERE ${predicate('tag.value')})`,
  hasTags: (column) => `(cardinality(${column}) > 0)`,
  phrase: (pattern) => `(cases.search_text LIKE ${pattern})`,
};

/** Columns of the server's `cases` (joined with `tenants t`) for the case catalogue. */
export const SERVER_CASE_COLUMNS: ColumnMap = {
  columns: {
    number: 'cases.number',
    tenant: 't.name',
    name: 'cases.name',
    description: 'cases.description',
    summary: 'cases.summary',
    score: 'cases.score',
    severity: 'cases.severity',
    status: 'cases.status',
    outcome: 'cases.outcome',
    creator: 'cases.creator',
    assignee: 'cases.assignee',
    assignee_name: 'cases.assignee_name',
    tags: 'cases.tags',
    tlp: 'cases.tlp',
    pap: 'cases.pap',
    what: 'cases.what',
    who: 'cases.who',
    alertCount: 'cases.alert_count',
    created: 'cases.created_at',
    updated: 'cases.updated_at',
    closed: 'cases.closed_at',
    firstAlert: 'cases.first_alert_at',
    lastAlert: 'cases.last_alert_at',
  },
  rankColumns: { severity: 'cases.severity_rank' },
};

/** Columns of the server's `alerts` (joined with `tenants t`) for the alert catalogue. */
export const SERVER_ALERT_COLUMNS: ColumnMap = {
  columns: {
    tenant: 't.name',
    source: 'alerts.source',
    sourceRef: 'alerts.source_ref',
    type: 'alerts.type',
    title: 'alerts.title',
    description: 'alerts.description',
    timestamp: 'alerts.timestamp',
    score: 'alerts.score',
    tactic: 'alerts.tactic',
    technique: 'alerts.technique',
    tags: 'alerts.tags',
    tlp: 'alerts.tlp',
    status: 'alerts.status',
  },
  rankColumns: {},
};
