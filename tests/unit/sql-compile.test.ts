import { describe, expect, it } from 'vitest';
import { compileCondition, compileLucene } from '../../main/store/sql/compile';
import type { ColumnMap, SqlDialect } from '../../main/store/sql/dialect';
import {
  compileConditionToSql,
  SQLITE_ALERT_COLUMNS,
  SQLITE_CASE_COLUMNS,
} from '../../main/store/sql/sqlite-dialect';
import { ConditionValidationError, type ConditionNode } from '../../shared/domain/conditions';
import {
  ALERT_FIELD_CATALOGUE,
  CASE_FIELD_CATALOGUE,
  type FieldCatalogue,
} from '../../shared/domain/fields';
import { parseLucene } from '../../shared/domain/lucene';

/**
 * The dialect seam (issue 12.5): the compiler spells nothing itself, so a second dialect (the
 * server's PostgreSQL) compiles the same trees. Agreement with the TypeScript evaluators is
 * tested row for row in conditions.test.ts, lucene.test.ts and lucene-fuzz.test.ts.
 */

/** PostgreSQL's spelling, as server/store/sql/postgres-dialect.ts has it. */
const lower = (expression: string) =>
  `translate(${expression}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
const postgresLike: SqlDialect = {
  placeholder: (position, type) =>
    `$${position}::${{ text: 'text', number: 'numeric', epoch: 'bigint' }[type]}`,
  trueSql: 'TRUE',
  falseSql: 'FALSE',
  join: (parts, op) => `(${parts.join(` ${op} `)})`,
  textEquals: (e, v) => `(${lower(e)} = ${v})`,
  textIn: (e, vs) => `(${lower(e)} IN (${vs.join(', ')}))`,
  textContains: (e, v) => `(strpos(${lower(e)}, ${v}) > 0)`,
  textLike: (e, p) => `(${lower(e)} LIKE ${p} ESCAPE '\\')`,
  inList: (e, vs) => `(${e} IN (${vs.join(', ')}))`,
  someTag: (c, predicate) =>
    `EXISTS (SELECT 1 FROM unnest(${c}) AS tag(value) WHERE ${predicate('tag.value')})`,
  hasTags: (c) => `(cardinality(${c}) > 0)`,
};
const POSTGRES_CASE_COLUMNS: ColumnMap = {
  ...SQLITE_CASE_COLUMNS,
  fullText: ({ text, prefix }, bind) =>
    `(cases.search_text LIKE ${bind(`% ${text.toLowerCase()}${prefix ? '' : ' '}%`, 'text')})`,
};

const everyCaseOperator: ConditionNode = {
  type: 'group',
  op: 'OR',
  children: [
    { type: 'condition', field: 'name', operator: 'is', value: 'Phish' },
    { type: 'condition', field: 'name', operator: 'in', value: ['a', 'B'] },
    { type: 'condition', field: 'description', operator: 'not contains', value: 'Kit' },
    { type: 'condition', field: 'who', operator: 'starts with', value: '50%' },
    { type: 'condition', field: 'what', operator: 'matches', value: 'T15*' },
    { type: 'condition', field: 'tags', operator: 'is', value: 'VIP' },
    { type: 'condition', field: 'tags', operator: 'exists' },
    { type: 'condition', field: 'status', operator: 'in', value: ['New', 'Escalated'] },
    { type: 'condition', field: 'severity', operator: 'between', value: ['Medium', 'Critical'] },
    { type: 'condition', field: 'score', operator: 'not in', value: [1, 2] },
    { type: 'condition', field: 'created', operator: 'is', value: '2026-01-31' },
    { type: 'group', op: 'AND', not: true, children: [] },
  ],
};

/** The `$n` placeholders of a statement, in order of appearance. */
function placeholderNumbers(sql: string): number[] {
  return [...sql.matchAll(/\$(\d+)::/g)].map((match) => Number(match[1]));
}

describe('the SQLite column maps', () => {
  it.each([
    ['case', CASE_FIELD_CATALOGUE, SQLITE_CASE_COLUMNS],
    ['alert', ALERT_FIELD_CATALOGUE, SQLITE_ALERT_COLUMNS],
  ] as const)('give every %s field a column, and nothing else', (_, catalogue, columns) => {
    const fields = (catalogue as FieldCatalogue<unknown>).fields;
    expect(Object.keys(columns.columns).sort()).toEqual(fields.map((f) => f.key).sort());
    const ordered = fields.filter((f) => f.type === 'enum' && f.order).map((f) => f.key);
    expect(Object.keys(columns.rankColumns).sort()).toEqual(ordered.sort());
    expect(columns.fullText !== undefined).toBe(catalogue.textSearch.tokenised);
  });
});

describe('the compiler spells SQL only through the dialect', () => {
  it('numbers placeholders in order, continuing after the statement’s own', () => {
    const compiled = compileCondition(
      postgresLike,
      CASE_FIELD_CATALOGUE,
      POSTGRES_CASE_COLUMNS,
      everyCaseOperator,
      ['tenant-1'],
    );
    expect(placeholderNumbers(compiled.sql)).toEqual(
      Array.from({ length: compiled.params.length - 1 }, (_, i) => i + 2),
    );
    expect(compiled.params[0]).toBe('tenant-1');
    // Text values are bound ASCII-lowered; enums exactly; dates as epoch bounds of the UTC day.
    expect(compiled.params).toContain('phish');
    expect(compiled.params).toContain('Escalated');
    expect(compiled.params).toContain(Date.UTC(2026, 0, 31));
    expect(compiled.params).toContain(Date.UTC(2026, 1, 1) - 1);
    expect(compiled.sql).toContain('(NOT TRUE)');
    for (const sqlite of ['?', 'COLLATE NOCASE', 'json_each', 'json_array_length', 'instr(']) {
      expect(compiled.sql).not.toContain(sqlite);
    }
  });

  it('sends bare terms to the column map’s full-text index, and other terms to the fields', () => {
    const parsed = parseLucene('"phish kit" AND name:*x?y* AND severity:>=High');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const compiled = compileLucene(
      postgresLike,
      CASE_FIELD_CATALOGUE,
      POSTGRES_CASE_COLUMNS,
      parsed.ast,
    );
    expect(compiled.sql).toContain('cases.search_text LIKE $1::text');
    expect(compiled.params).toEqual(['% phish kit %', '%x_y%', 3]);
    expect(compiled.sql).not.toContain('cases_fts');
  });

  it('refuses a tree that does not fit the catalogue before spelling anything', () => {
    const bad = { type: 'condition', field: 'nope', operator: 'is', value: 'x' };
    expect(() =>
      compileCondition(postgresLike, CASE_FIELD_CATALOGUE, POSTGRES_CASE_COLUMNS, bad),
    ).toThrow(ConditionValidationError);
  });

  it('refuses a tokenised catalogue whose columns have no full-text index', () => {
    const parsed = parseLucene('phish');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const { fullText: _, ...withoutIndex } = SQLITE_CASE_COLUMNS;
    expect(() =>
      compileLucene(postgresLike, CASE_FIELD_CATALOGUE, withoutIndex, parsed.ast),
    ).toThrow(/no full-text index/);
  });

  it('keeps the SQLite spelling of the local store', () => {
    const compiled = compileConditionToSql(everyCaseOperator, CASE_FIELD_CATALOGUE);
    expect(compiled.sql).toContain('cases.name = ? COLLATE NOCASE');
    expect(compiled.sql).toContain('EXISTS (SELECT 1 FROM json_each(cases.tags)');
    expect(compiled.sql).toContain('cases.severity_rank BETWEEN ? AND ?');
    expect(compiled.sql.match(/\?/g)).toHaveLength(compiled.params.length);
  });
});
