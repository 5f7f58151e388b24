/**
 * The seam between the condition / Lucene compiler (compile.ts) and a database: the compiler
 * knows the semantics of shared/domain/conditions.ts and lucene.ts (text ignores ASCII case
 * only, a missing value never satisfies a positive operator, every leaf is two-valued); a
 * dialect knows the spelling, and a column map knows where a schema keeps each catalogue field.
 * The desktop's SQLite is sqlite-dialect.ts; the central server spells the same operations for
 * PostgreSQL (server/store/sql/postgres-dialect.ts), so both compile the same trees.
 *
 * The server's dialect (branch i-server) fits this shape member for member: `placeholder`,
 * `trueSql`, `falseSql`, `inList`, `someTag`, `hasTags` as they are; its `asciiLower` with `=`,
 * `contains` and `like` become `textEquals` / `textIn` / `textContains` / `textLike` (each
 * wrapping the column in translate()); `join` joins flat; list parameters are one placeholder
 * per item instead of one array; `phrase` moves to its case column map as `fullText`; and
 * `catalogue.textSearch.fts` is now `textSearch.tokenised`. tests/unit/sql-compile.test.ts
 * compiles through exactly that spelling.
 */

/** A bound value. Lists are bound one item per placeholder, so every parameter is a scalar. */
export type SqlParam = string | number | null;

/** What a parameter holds, for dialects that cast placeholders (`$1::bigint`). */
export type SqlParamType = 'text' | 'number' | 'epoch';

export interface SqlFragment {
  /** A boolean SQL expression; values appear only as placeholders. */
  sql: string;
  params: SqlParam[];
}

/**
 * Every member returns a boolean expression that is never SQL NULL for a non-NULL operand (the
 * compiler guards NULL columns itself). Text parameters arrive ASCII-lowered; the dialect
 * compares them with the column ignoring ASCII case only (no locale folding).
 */
export interface SqlDialect {
  /** The placeholder of the n-th parameter (1-based): `?` or `$1::text`. */
  placeholder(position: number, type: SqlParamType): string;
  readonly trueSql: string;
  readonly falseSql: string;
  /** `(a AND b …)`. SQLite nests long chains: it refuses expressions deeper than 1,000. */
  join(parts: readonly string[], op: 'AND' | 'OR'): string;
  /** Text equals the (lower-cased) parameter, ignoring ASCII case. */
  textEquals(expression: string, value: string): string;
  /** Text equals one of the (lower-cased) parameters, ignoring ASCII case. */
  textIn(expression: string, values: readonly string[]): string;
  /** Text contains the (lower-cased) parameter, ignoring ASCII case. */
  textContains(expression: string, value: string): string;
  /** Text matches a LIKE pattern (lower-cased, `\` escapes), ignoring ASCII case. */
  textLike(expression: string, pattern: string): string;
  /** The value is exactly one of the parameters (enums, numbers). */
  inList(expression: string, values: readonly string[]): string;
  /** Some element of a tag list satisfies `predicate` over `element`. */
  someTag(column: string, predicate: (element: string) => string): string;
  /** A tag list is not empty (false for NULL). */
  hasTags(column: string): string;
}

/** Binds one parameter and returns its placeholder. */
export type BindParam = (value: SqlParam, type: SqlParamType) => string;

/** Where one schema keeps the fields of one catalogue. Expressions are code, never input. */
export interface ColumnMap {
  /** The SQL expression of each field, by catalogue key. */
  readonly columns: Readonly<Record<string, string>>;
  /** Ordered enums: the rank column (severity). */
  readonly rankColumns: Readonly<Record<string, string>>;
  /**
   * A bare-term phrase (or, with `prefix`, a phrase whose last token is a prefix) over the
   * full-text index of the catalogue's text search fields (TBL-4). Required when the
   * catalogue's text search is tokenised.
   */
  readonly fullText?: (term: { text: string; prefix: boolean }, bind: BindParam) => string;
}
