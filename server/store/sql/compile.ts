import {
  asciiLower,
  escapeLike,
  parseDateValue,
  validateCondition,
  wildcardToLike,
  ConditionValidationError,
  type ConditionNode,
  type ConditionOperator,
  type ConditionScalar,
  type ConditionValue,
} from '../../../shared/domain/conditions';
import {
  findField,
  type FieldCatalogue,
  type FieldDefinition,
} from '../../../shared/domain/fields';
import { ftsTokens, LuceneQueryError, type LuceneNode } from '../../../shared/domain/lucene';
import type { SqlValue } from '../database';
import type { ColumnMap, SqlDialect, SqlParamType } from './dialect';

/**
 * Condition trees (QUE-1, COR-5) and parsed Lucene queries (TBL-4) compiled to a WHERE
 * expression for a dialect, with the semantics of shared/domain/conditions.ts and lucene.ts
 * (their TypeScript evaluators are the reference; tests check both agree row for row). Values
 * only ever travel as parameters; field names resolve through the catalogue to the schema's
 * own column expressions, never from input.
 */

export interface CompiledSql {
  sql: string;
  params: SqlValue[];
}

const NEGATED: Partial<Record<ConditionOperator, ConditionOperator>> = {
  'is not': 'is',
  'not contains': 'contains',
  'not in': 'in',
  'not exists': 'exists',
};

class Compiler<Row> {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly catalogue: FieldCatalogue<Row>,
    private readonly columns: ColumnMap,
    /** Parameters already in the statement: placeholders continue after them. */
    readonly params: SqlValue[],
  ) {}

  param(value: SqlValue, type: SqlParamType): string {
    this.params.push(value);
    return this.dialect.placeholder(this.params.length, type);
  }

  column(field: FieldDefinition<Row>): string {
    const column = this.columns.columns[field.key];
    if (!column) throw new Error(`field ${field.key} has no column in this schema`);
    return column;
  }

  condition(node: ConditionNode): string {
    if (node.type === 'group') {
      const parts = node.children.map((child) => this.condition(child));
      const joined =
        parts.length === 0
          ? node.op === 'AND'
            ? this.dialect.trueSql
            : this.dialect.falseSql
          : `(${parts.join(node.op === 'AND' ? ' AND ' : ' OR ')})`;
      return node.not ? `(NOT ${joined})` : joined;
    }
    const field = findField(this.catalogue, node.field) as FieldDefinition<Row>;
    return this.leaf(field, node.operator, node.value ?? null);
  }

  /** One validated leaf; never SQL NULL, so NOT around it is the exact complement. */
  leaf(field: FieldDefinition<Row>, operator: ConditionOperator, value: ConditionValue): string {
    const positive = NEGATED[operator];
    if (positive) return `(NOT ${this.leaf(field, positive, value)})`;
    const column = this.column(field);
    const d = this.dialect;
    switch (field.type) {
      case 'string':
        if (operator === 'exists') return `(${column} IS NOT NULL AND ${column} <> '')`;
        return `(${column} IS NOT NULL AND ${this.text(column, operator, value)})`;
      case 'tags':
        if (operator === 'exists') return d.hasTags(column);
        return d.someTag(column, (element) => this.text(element, operator, value));
      case 'enum': {
        if (operator === 'exists') return `(${column} IS NOT NULL)`;
        if (operator === 'is') {
          return `(${column} IS NOT NULL AND ${column} = ${this.param(String(value), 'text')})`;
        }
        if (operator === 'in') {
          const list = (value as readonly ConditionScalar[]).map(String);
          return `(${column} IS NOT NULL AND ${d.inList(column, this.param(list, 'textList'))})`;
        }
        const rankColumn = this.columns.rankColumns[field.key];
        const order = field.order;
        if (!rankColumn || !order) throw new Error(`${field.key} has no order`);
        return `(${rankColumn} IS NOT NULL AND ${this.ordered(
          rankColumn,
          operator,
          value,
          'number',
          (scalar) => {
            const rank = order.rankOf[String(scalar)] ?? 0;
            return { start: rank, end: rank };
          },
        )})`;
      }
      case 'number':
        if (operator === 'exists') return `(${column} IS NOT NULL)`;
        if (operator === 'in') {
          const list = (value as readonly ConditionScalar[]).map(Number);
          return `(${column} IS NOT NULL AND ${d.inList(column, this.param(list, 'numberList'))})`;
        }
        return `(${column} IS NOT NULL AND ${this.ordered(
          column,
          operator,
          value,
          'number',
          (scalar) => ({
            start: Number(scalar),
            end: Number(scalar),
          }),
        )})`;
      case 'date':
        if (operator === 'exists') return `(${column} IS NOT NULL)`;
        return `(${column} IS NOT NULL AND ${this.ordered(
          column,
          operator,
          value,
          'epoch',
          (scalar) => {
            const interval = parseDateValue(scalar);
            if (!interval) throw new ConditionValidationError([{ path: '', message: 'Bad date' }]);
            return { start: interval.start, end: interval.end - 1 };
          },
        )})`;
    }
  }

  private text(column: string, operator: ConditionOperator, value: ConditionValue): string {
    const d = this.dialect;
    const lowered = d.asciiLower(column);
    switch (operator) {
      case 'is':
        return `(${lowered} = ${this.param(asciiLower(String(value)), 'text')})`;
      case 'in': {
        const list = (value as readonly ConditionScalar[]).map((v) => asciiLower(String(v)));
        return d.inList(lowered, this.param(list, 'textList'));
      }
      case 'contains':
        return d.contains(lowered, this.param(asciiLower(String(value)), 'text'));
      case 'starts with':
        return d.like(lowered, this.param(asciiLower(`${escapeLike(String(value))}%`), 'text'));
      case 'matches':
        return d.like(lowered, this.param(asciiLower(wildcardToLike(String(value))), 'text'));
      default:
        throw new Error(`Operator ${operator} is not a text operator`);
    }
  }

  private ordered(
    column: string,
    operator: ConditionOperator,
    value: ConditionValue,
    type: SqlParamType,
    boundsOf: (scalar: ConditionScalar) => { start: number; end: number },
  ): string {
    if (operator === 'between') {
      const [from, to] = value as readonly [ConditionScalar, ConditionScalar];
      return `(${column} BETWEEN ${this.param(boundsOf(from).start, type)} AND ${this.param(boundsOf(to).end, type)})`;
    }
    const bounds = boundsOf(value as ConditionScalar);
    switch (operator) {
      case 'is':
        if (bounds.start === bounds.end) return `(${column} = ${this.param(bounds.start, type)})`;
        return `(${column} BETWEEN ${this.param(bounds.start, type)} AND ${this.param(bounds.end, type)})`;
      case '>':
        return `(${column} > ${this.param(bounds.end, type)})`;
      case '>=':
        return `(${column} >= ${this.param(bounds.start, type)})`;
      case '<':
        return `(${column} < ${this.param(bounds.start, type)})`;
      case '<=':
        return `(${column} <= ${this.param(bounds.end, type)})`;
      default:
        throw new Error(`Operator ${operator} does not compare order`);
    }
  }

  lucene(node: LuceneNode): string {
    const d = this.dialect;
    switch (node.kind) {
      case 'all':
        return d.trueSql;
      case 'and':
      case 'or':
        return `(${node.children.map((child) => this.lucene(child)).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${this.lucene(node.child)})`;
      case 'field': {
        const field = findField(this.catalogue, node.field);
        if (!field) {
          throw new LuceneQueryError(
            `Unknown field '${node.field}'`,
            node.span.offset,
            node.span.length,
          );
        }
        return this.leaf(field, node.operator, node.value);
      }
      case 'text': {
        if (this.catalogue.textSearch.fts && node.match !== 'wildcard') {
          const tokens = ftsTokens(node.text).join(' ');
          const pattern = node.match === 'prefix' ? `% ${tokens}%` : `% ${tokens} %`;
          return d.phrase(this.param(pattern, 'text'));
        }
        const operator: ConditionOperator = node.match === 'wildcard' ? 'matches' : 'contains';
        const value = node.match === 'wildcard' ? `*${node.text}*` : asciiLower(node.text);
        const parts = this.catalogue.textSearch.fieldKeys.map((key) => {
          const field = findField(this.catalogue, key);
          if (!field) throw new Error(`text field ${key} is not in the catalogue`);
          return this.leaf(field, operator, value);
        });
        return `(${parts.join(' OR ')})`;
      }
    }
  }
}

/** Compiles a condition tree; throws ConditionValidationError when it does not fit the catalogue. */
export function compileCondition<Row>(
  dialect: SqlDialect,
  catalogue: FieldCatalogue<Row>,
  columns: ColumnMap,
  tree: unknown,
  params: SqlValue[] = [],
): CompiledSql {
  const checked = validateCondition(tree, catalogue);
  if (!checked.ok) throw new ConditionValidationError(checked.issues);
  const compiler = new Compiler(dialect, catalogue, columns, params);
  return { sql: compiler.condition(checked.condition), params: compiler.params };
}

/** Compiles a parsed Lucene query (parseLucene) for the catalogue it was parsed with. */
export function compileLucene<Row>(
  dialect: SqlDialect,
  catalogue: FieldCatalogue<Row>,
  columns: ColumnMap,
  ast: LuceneNode,
  params: SqlValue[] = [],
): CompiledSql {
  const compiler = new Compiler(dialect, catalogue, columns, params);
  return { sql: compiler.lucene(ast), params: compiler.params };
}
