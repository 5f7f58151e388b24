import type { ConditionNode } from '../../../shared/domain/conditions';
import type { FieldCatalogue } from '../../../shared/domain/fields';
import type { LuceneNode } from '../../../shared/domain/lucene';
import { compileCondition, compileLucene } from './compile';
import type { ColumnMap, SqlDialect, SqlFragment } from './dialect';

/**
 * The local store's SQL: the SQLite dialect, where this schema keeps each catalogue field, and
 * the compilers bound to both. Expressions assume the entity table under its own name
 * (`cases` / `alerts`) and the tenants table joined as `t` (`JOIN tenants t ON t.id =
 * cases.tenant_id`).
 */

/** Operands joined flat in one parenthesised chain of the SQL a condition or query compiles to. */
const SQL_CHAIN_LENGTH = 8;

/**
 * `(a AND b AND …)`, as chains of at most SQL_CHAIN_LENGTH operands whose chains are joined the
 * same way. SQLite parses a chain of n operands as n nested expressions and refuses a tree
 * deeper than 1,000 (issue 11.7: 999 ANDed terms); this way the depth grows with log n. The
 * planner splits AND / OR terms the same however they are parenthesised.
 */
export function joinSqlBalanced(parts: readonly string[], op: 'AND' | 'OR'): string {
  if (parts.length === 0) throw new Error('joinSqlBalanced needs at least one part');
  let level: readonly string[] = parts;
  do {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += SQL_CHAIN_LENGTH) {
      next.push(`(${level.slice(i, i + SQL_CHAIN_LENGTH).join(` ${op} `)})`);
    }
    level = next;
  } while (level.length > 1);
  return level[0] as string;
}

/**
 * SQLite without ICU: NOCASE, LIKE and lower() fold ASCII letters only, which is exactly the
 * shared semantics. Tags are JSON arrays of strings.
 */
export const sqliteDialect: SqlDialect = {
  placeholder: () => '?',
  trueSql: '1',
  falseSql: '0',
  join: joinSqlBalanced,
  textEquals: (expression, value) => `${expression} = ${value} COLLATE NOCASE`,
  textIn: (expression, values) => `${expression} COLLATE NOCASE IN (${values.join(', ')})`,
  textContains: (expression, value) => `instr(lower(${expression}), ${value}) > 0`,
  textLike: (expression, pattern) => `${expression} LIKE ${pattern} ESCAPE '\\'`,
  inList: (expression, values) => `${expression} IN (${values.join(', ')})`,
  someTag: (column, predicate) =>
    `EXISTS (SELECT 1 FROM json_each(${column}) WHERE ${predicate('value')})`,
  hasTags: (column) => `(coalesce(json_array_length(${column}), 0) > 0)`,
};

/** An FTS5 query string for a phrase (optionally a prefix phrase), safe from FTS5 syntax. */
export function ftsPhraseQuery(text: string, prefix: boolean): string {
  return `"${text.replace(/"/g, '""')}"${prefix ? '*' : ''}`;
}

/** `cases` (joined with `tenants t`) for CASE_FIELD_CATALOGUE; bare terms through cases_fts. */
export const SQLITE_CASE_COLUMNS: ColumnMap = {
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
  // TBL-4: cases_fts indexes exactly the catalogue's text search fields, in that order.
  fullText: ({ text, prefix }, bind) =>
    `(cases.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ${bind(ftsPhraseQuery(text, prefix), 'text')}))`,
};

/** `alerts` (joined with `tenants t`) for ALERT_FIELD_CATALOGUE; no full-text index. */
export const SQLITE_ALERT_COLUMNS: ColumnMap = {
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

const SQLITE_COLUMNS: Readonly<Record<FieldCatalogue<unknown>['entity'], ColumnMap>> = {
  case: SQLITE_CASE_COLUMNS,
  alert: SQLITE_ALERT_COLUMNS,
};

/**
 * A condition as a WHERE expression over the local store. Throws ConditionValidationError for
 * an invalid tree: nothing unchecked reaches SQL.
 */
export function compileConditionToSql<Row>(
  tree: ConditionNode,
  catalogue: FieldCatalogue<Row>,
): SqlFragment {
  return compileCondition(sqliteDialect, catalogue, SQLITE_COLUMNS[catalogue.entity], tree);
}

/** A parsed Lucene query as a WHERE expression over the local store; values as parameters. */
export function compileLuceneToSql<Row>(
  ast: LuceneNode,
  catalogue: FieldCatalogue<Row>,
): SqlFragment {
  return compileLucene(sqliteDialect, catalogue, SQLITE_COLUMNS[catalogue.entity], ast);
}
