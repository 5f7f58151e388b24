import {
  asciiLower,
  ConditionValidationError,
  escapeLike,
  parseDateValue,
  positiveOperator,
  validateCondition,
  wildcardToLike,
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
import {
  luceneField,
  luceneTextFields,
  luceneTextLeaf,
  type LuceneNode,
} from '../../../shared/domain/lucene';
import type { ColumnMap, SqlDialect, SqlFragment, SqlParam, SqlParamType } from './dialect';

/**
 * Condition trees (QUE-1, COR-5) and parsed Lucene queries (TBL-4) compiled to a WHERE
 * expression in a dialect, with the semantics of shared/domain/conditions.ts and lucene.ts:
 * their TypeScript evaluators are the reference, and tests check both agree row for row.
 * Values only ever travel as parameters; field names resolve through the catalogue to the
 * column map's expressions, never from input. Nothing here is SQLite's or PostgreSQL's own:
 * that is the dialect's.
 */

type Bounds = { start: number; end: number };

class Compiler<Row> {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly catalogue: FieldCatalogue<Row>,
    private readonly columns: ColumnMap,
    /** Parameters already in the statement: placeholders continue after them. */
    readonly params: SqlParam[],
  ) {}

  readonly bind = (value: SqlParam, type: SqlParamType): string => {
    this.params.push(value);
    return this.dialect.placeholder(this.params.length, type);
  };

  private column(field: FieldDefinition<Row>): string {
    const column = this.columns.columns[field.key];
    if (column === undefined) throw new Error(`Field ${field.key} has no column in this schema`);
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
          : this.dialect.join(parts, node.op);
      return node.not ? `(NOT ${joined})` : joined;
    }
    const field = findField(this.catalogue, node.field) as FieldDefinition<Row>;
    return this.leaf(field, node.operator, node.value ?? null);
  }

  /** One validated leaf; never SQL NULL (positive tests are guarded by IS NOT NULL), so NOT
   * around it is the exact complement. */
  leaf(field: FieldDefinition<Row>, operator: ConditionOperator, value: ConditionValue): string {
    const positive = positiveOperator(operator);
    if (positive) return `(NOT ${this.leaf(field, positive, value)})`;
    const d = this.dialect;
    const column = this.column(field);
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
          return `(${column} IS NOT NULL AND ${column} = ${this.bind(String(value), 'text')})`;
        }
        if (operator === 'in') {
          const list = (value as readonly ConditionScalar[]).map((v) =>
            this.bind(String(v), 'text'),
          );
          return `(${column} IS NOT NULL AND ${d.inList(column, list)})`;
        }
        const order = field.order;
        const rankColumn = this.columns.rankColumns[field.key];
        if (!order || rankColumn === undefined) throw new Error(`${field.key} has no order`);
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
          const list = (value as readonly ConditionScalar[]).map((v) =>
            this.bind(Number(v), 'number'),
          );
          return `(${column} IS NOT NULL AND ${d.inList(column, list)})`;
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
            // Half-open [start, end) as closed bounds, like the evaluator.
            return { start: interval.start, end: interval.end - 1 };
          },
        )})`;
    }
  }

  /** Text operators; the values are bound ASCII-lowered (see SqlDialect). */
  private text(expression: string, operator: ConditionOperator, value: ConditionValue): string {
    const d = this.dialect;
    const lowered = (text: string) => this.bind(asciiLower(text), 'text');
    switch (operator) {
      case 'is':
        return d.textEquals(expression, lowered(String(value)));
      case 'in':
        return d.textIn(
          expression,
          (value as readonly ConditionScalar[]).map((v) => lowered(String(v))),
        );
      case 'contains':
        return d.textContains(expression, lowered(String(value)));
      case 'starts with':
        return d.textLike(expression, lowered(`${escapeLike(String(value))}%`));
      case 'matches':
        return d.textLike(expression, lowered(wildcardToLike(String(value))));
      default:
        throw new Error(`Operator ${operator} is not a text operator`);
    }
  }

  /** Compares against closed bounds [low, high] (dates pass their interval as [start, end - 1]). */
  private ordered(
    column: string,
    operator: ConditionOperator,
    value: ConditionValue,
    type: SqlParamType,
    boundsOf: (scalar: ConditionScalar) => Bounds,
  ): string {
    if (operator === 'between') {
      const [from, to] = value as readonly [ConditionScalar, ConditionScalar];
      const low = this.bind(boundsOf(from).start, type);
      return `${column} BETWEEN ${low} AND ${this.bind(boundsOf(to).end, type)}`;
    }
    const bounds = boundsOf(value as ConditionScalar);
    switch (operator) {
      case 'is': {
        if (bounds.start === bounds.end) return `${column} = ${this.bind(bounds.start, type)}`;
        const low = this.bind(bounds.start, type);
        return `${column} BETWEEN ${low} AND ${this.bind(bounds.end, type)}`;
      }
      case '>':
        return `${column} > ${this.bind(bounds.end, type)}`;
      case '>=':
        return `${column} >= ${this.bind(bounds.start, type)}`;
      case '<':
        return `${column} < ${this.bind(bounds.start, type)}`;
      case '<=':
        return `${column} <= ${this.bind(bounds.end, type)}`;
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
        return d.join(
          node.children.map((child) => this.lucene(child)),
          node.kind === 'and' ? 'AND' : 'OR',
        );
      case 'not':
        return `(NOT ${this.lucene(node.child)})`;
      case 'field':
        return this.leaf(luceneField(this.catalogue, node), node.operator, node.value);
      case 'text': {
        if (this.catalogue.textSearch.tokenised && node.match !== 'wildcard') {
          const fullText = this.columns.fullText;
          if (!fullText)
            throw new Error(`The ${this.catalogue.entity} columns have no full-text index`);
          return fullText({ text: node.text, prefix: node.match === 'prefix' }, this.bind);
        }
        const { operator, value } = luceneTextLeaf(node.match, node.text);
        const parts = luceneTextFields(this.catalogue, node).map((field) =>
          this.leaf(field, operator, value),
        );
        return d.join(parts, 'OR');
      }
    }
  }
}

/**
 * Compiles a condition tree. Throws ConditionValidationError for a tree that does not fit the
 * catalogue: nothing unchecked reaches SQL.
 */
export function compileCondition<Row>(
  dialect: SqlDialect,
  catalogue: FieldCatalogue<Row>,
  columns: ColumnMap,
  tree: unknown,
  params: SqlParam[] = [],
): SqlFragment {
  const checked = validateCondition(tree, catalogue);
  if (!checked.ok) throw new ConditionValidationError(checked.issues);
  const compiler = new Compiler(dialect, catalogue, columns, params);
  return { sql: compiler.condition(checked.condition), params: compiler.params };
}

/**
 * Compiles a parsed Lucene query (parseLucene) for the catalogue it was parsed with; a
 * LuceneQueryError for an AST that names fields of another catalogue.
 */
export function compileLucene<Row>(
  dialect: SqlDialect,
  catalogue: FieldCatalogue<Row>,
  columns: ColumnMap,
  ast: LuceneNode,
  params: SqlParam[] = [],
): SqlFragment {
  const compiler = new Compiler(dialect, catalogue, columns, params);
  return { sql: compiler.lucene(ast), params: compiler.params };
}
