/**
 * What a SQL dialect must say for the condition-tree and Lucene compilers (compile.ts) to
 * produce WHERE expressions with the shared semantics of shared/domain/conditions.ts: text
 * compares ignoring ASCII case only, a missing value never satisfies a positive operator, every
 * leaf is two-valued. The compilers know the semantics; a dialect knows the spelling. The
 * desktop's SQLite compilers can move behind the same seam (main/store/sql).
 */
export interface SqlDialect {
  /** The placeholder of the n-th parameter (1-based): `$1` or `?`. */
  placeholder(position: number, type: SqlParamType): string;
  readonly trueSql: string;
  readonly falseSql: string;
  /** The expression lower-cased in ASCII letters only (SQLite's lower() and NOCASE). */
  asciiLower(expression: string): string;
  /** `haystack` contains `needle` (both already lower-cased). */
  contains(haystack: string, needle: string): string;
  /** `expression LIKE pattern` with `\` as the escape character, case as given. */
  like(expression: string, pattern: string): string;
  /** `expression` equals one of the list parameter's items. */
  inList(expression: string, listPlaceholder: string): string;
  /** True when some element of a tag list satisfies `predicate` over `element`. */
  someTag(column: string, predicate: (element: string) => string): string;
  /** True when a tag list is not empty. */
  hasTags(column: string): string;
  /**
   * A bare-term phrase over the full-text fields (TBL-4): `likePattern` is `% tok tok %` or,
   * for a prefix phrase, `% tok tok%` (store/search-text.ts).
   */
  phrase(likePatternPlaceholder: string): string;
}

export type SqlParamType = 'text' | 'number' | 'epoch' | 'textList' | 'numberList';

/** The SQL expression of each catalogue field, for one schema. */
export interface ColumnMap {
  readonly columns: Readonly<Record<string, string>>;
  /** Ordered enums: the rank column (severity). */
  readonly rankColumns: Readonly<Record<string, string>>;
}
