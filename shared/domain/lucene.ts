import {
  asciiLower,
  checkConditionLeaf,
  evaluateLeaf,
  likeMatches,
  parseDateValue,
  wildcardToLike,
} from './conditions';
import type { ConditionOperator, ConditionScalar, ConditionValue } from './conditions';
import { CASE_FIELD_CATALOGUE, canonicalEnumValue, findField } from './fields';
import type { CaseFieldRow, FieldCatalogue, FieldDefinition } from './fields';

/**
 * Lucene query syntax for the case table search box (TBL-4), parsed by a small recursive-descent
 * parser (the npm `lucene` package accepts dangling operators silently and reports errors as
 * PEG expectation lists, which the box cannot show to an analyst).
 *
 * Supported: `field:value`, `field:"a phrase"`, `*` and `?` wildcards, AND / OR / NOT (also `&&`,
 * `||`, `!`), `-term` and `+term`, parentheses, field groups `severity:(High OR Critical)`,
 * ranges `score:[50 TO 80]`, `{50 TO 80}`, mixed `[50 TO 80}`, `*` as an open bound,
 * comparisons `score:>=75`, `_exists_:assignee`, `field:*` (exists), bare terms.
 *
 * Choices where Lucene leaves room:
 * - Adjacent clauses combine with AND (filtering narrows, as analysts expect); precedence is
 *   NOT > AND > OR. Operators are upper case only, as in Lucene: `and` is a search word.
 * - Bare terms and phrases search name, description, what, who and tags through the FTS5 index,
 *   token by token (`phish` finds "phish kit", not "phishing"; `phish*` finds both). A bare term
 *   with a wildcard other than at its end (`*phish`, `ph?sh`) matches as a substring pattern.
 * - On text fields `name:phish` and `name:"phish kit"` match substrings, ignoring ASCII case;
 *   `name:phish*` is a wildcard over the whole value (here: starts with). On tags, a value is one
 *   whole tag. Enum values ignore case (`severity:high`) and may use wildcards (`status:in*`).
 * - Dates are ISO (`2026-01-31`, `2026-01-31T08:00:00Z`) or epoch ms; a bare date is its whole
 *   UTC day, so `created:[2026-01-01 TO 2026-01-31]` includes all of 31 January.
 * - `/` is an ordinary character (paths such as /etc/passwd are common searches), not a regex.
 * - Boosts (`^`) and fuzzy / proximity (`~`) are rejected rather than silently ignored.
 * - Control characters (other than whitespace) and lone UTF-16 surrogates are rejected: nothing
 *   stored can hold them usefully, and a NUL would cut the FTS5 query short (issue 11.7).
 * - At most MAX_LUCENE_TERMS terms: each is a clause of the compiled SQL, and SQLite refuses
 *   expressions deeper than 1,000 (999 bare terms did). A phrase is one term however long.
 */

export const MAX_LUCENE_QUERY_LENGTH = 2000;
export const MAX_LUCENE_NESTING = 32;
/** Terms (words, phrases, field clauses, each value of a field group) in one query. */
export const MAX_LUCENE_TERMS = 100;

/** Where and why a query is wrong; offsets index the query string (UTF-16 code units). */
export interface LuceneSyntaxError {
  message: string;
  offset: number;
  length: number;
}

export interface LuceneSpan {
  offset: number;
  length: number;
}

export type LuceneNode =
  | { kind: 'all'; span: LuceneSpan }
  | { kind: 'and' | 'or'; children: LuceneNode[]; span: LuceneSpan }
  | { kind: 'not'; child: LuceneNode; span: LuceneSpan }
  | {
      /** A bare term or phrase over the catalogue's text fields. */
      kind: 'text';
      /** phrase: all tokens in order; prefix: same, last token as a prefix; wildcard: pattern. */
      match: 'phrase' | 'prefix' | 'wildcard';
      /** The unescaped text, or for `wildcard` a pattern with `*`, `?` and `\` escapes. */
      text: string;
      span: LuceneSpan;
    }
  | {
      /** A validated leaf over one catalogue field, shared with queue conditions. */
      kind: 'field';
      field: string;
      operator: ConditionOperator;
      value: ConditionValue;
      span: LuceneSpan;
    };

export type LuceneParseResult =
  { ok: true; ast: LuceneNode } | { ok: false; error: LuceneSyntaxError };

/** Thrown only by compile/evaluate when given an AST that does not fit the catalogue. */
export class LuceneQueryError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly length: number,
  ) {
    super(message);
    this.name = 'LuceneQueryError';
  }
}

/**
 * Parses and checks a query against the catalogue's fields and value types. Never throws:
 * every problem comes back as a LuceneSyntaxError. An empty query matches everything.
 */
export function parseLucene(
  query: string,
  catalogue: FieldCatalogue<never> = CASE_FIELD_CATALOGUE,
): LuceneParseResult {
  if (query.length > MAX_LUCENE_QUERY_LENGTH) {
    return {
      ok: false,
      error: {
        message: `The query is too long: ${query.length.toLocaleString('en-US')} characters, at most ${MAX_LUCENE_QUERY_LENGTH.toLocaleString('en-US')}`,
        offset: MAX_LUCENE_QUERY_LENGTH,
        length: query.length - MAX_LUCENE_QUERY_LENGTH,
      },
    };
  }
  const unreadable = findUnreadableCharacter(query);
  if (unreadable) return { ok: false, error: unreadable };
  try {
    return { ok: true, ast: new LuceneParser(query, catalogue).parseQuery() };
  } catch (error) {
    if (error instanceof ParseFailure) return { ok: false, error: error.detail };
    // Defensive: the parser has no other failure mode, but the box must never see a raw throw.
    return {
      ok: false,
      error: { message: 'The query could not be read', offset: 0, length: query.length },
    };
  }
}

/** Renders an error under its query with carets, for the CLI and logs. */
export function formatLuceneError(query: string, error: LuceneSyntaxError): string {
  const caretCount = Math.max(1, Math.min(error.length, query.length - error.offset));
  return `${error.message}\n  ${printableQuery(query)}\n  ${' '.repeat(error.offset)}${'^'.repeat(caretCount)}`;
}

/** Control characters other than whitespace (C0, DEL, C1) and lone surrogates. */
const UNREADABLE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The same, and the whitespace controls (tab, line breaks), which a caret line cannot show. */
const UNPRINTABLE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function findUnreadableCharacter(query: string): LuceneSyntaxError | null {
  const found = UNREADABLE_CHARACTER.exec(query);
  if (!found) return null;
  const code = found[0].charCodeAt(0);
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const what =
    code >= 0xd800 && code <= 0xdfff
      ? `a broken character (a lone UTF-16 surrogate, U+${hex})`
      : `a control character (U+${hex})`;
  return {
    message: `The query contains ${what}, which cannot be searched for; remove it`,
    offset: found.index,
    length: 1,
  };
}

/**
 * The query as it can be shown above a caret line: whitespace controls as spaces, other control
 * characters as visible symbols (a raw ESC could drive the terminal), one UTF-16 unit for one so
 * offsets still line up.
 */
export function printableQuery(query: string): string {
  return query.replace(UNPRINTABLE_CHARACTER, (char) => {
    const code = char.charCodeAt(0);
    if (code >= 0x09 && code <= 0x0d) return ' ';
    if (code < 0x20) return String.fromCharCode(0x2400 + code); // ␀ … ␟
    if (code === 0x7f) return '\u2421'; // ␡
    return '\ufffd'; // C1 controls, lone surrogates
  });
}

// ---------------------------------------------------------------------------------------------
// Parser

class ParseFailure extends Error {
  constructor(readonly detail: LuceneSyntaxError) {
    super(detail.message);
  }
}

type OperatorWord = 'AND' | 'OR' | 'NOT';

interface ValueToken {
  /** Unescaped text. */
  text: string;
  /** Wildcard pattern (unescaped `*` / `?` are wildcards; literal ones escaped with `\`). */
  pattern: string;
  hasWildcard: boolean;
  /** The only wildcards are trailing `*`s: `phish*`. */
  prefixOnly: boolean;
  /** How many unescaped `*` end the token. */
  trailingStars: number;
  quoted: boolean;
  span: LuceneSpan;
}

type AnyField = FieldDefinition<never>;

const WHITESPACE = /\s/;

class LuceneParser {
  private position = 0;
  private nesting = 0;
  private terms = 0;

  constructor(
    private readonly input: string,
    private readonly catalogue: FieldCatalogue<never>,
  ) {}

  parseQuery(): LuceneNode {
    this.skipWhitespace();
    if (this.atEnd()) return { kind: 'all', span: { offset: 0, length: this.input.length } };
    const node = this.parseOr(null);
    this.skipWhitespace();
    if (!this.atEnd()) {
      // parseAnd only stops early at ')' when no group is open.
      this.fail("Unexpected ')': there is no '(' for it to close", this.position, 1);
    }
    return node;
  }

  /** or := and (OR and)* */
  private parseOr(groupField: AnyField | null): LuceneNode {
    const start = this.position;
    const children = [this.parseAnd(groupField)];
    for (;;) {
      this.skipWhitespace();
      const operator = this.peekOperator();
      if (operator?.word !== 'OR') break;
      this.position += operator.length;
      this.expectOperand(operator.word, operator.offset, operator.length);
      children.push(this.parseAnd(groupField));
    }
    return children.length === 1
      ? (children[0] as LuceneNode)
      : this.combine('or', children, start);
  }

  /** and := unary ((AND)? unary)* — adjacent clauses are ANDed. */
  private parseAnd(groupField: AnyField | null): LuceneNode {
    const start = this.position;
    const children = [this.parseUnary(groupField)];
    for (;;) {
      this.skipWhitespace();
      if (this.atEnd() || this.peek() === ')') break;
      const operator = this.peekOperator();
      if (operator?.word === 'OR') break;
      if (operator?.word === 'AND') {
        this.position += operator.length;
        this.expectOperand(operator.word, operator.offset, operator.length);
      }
      children.push(this.parseUnary(groupField));
    }
    return children.length === 1
      ? (children[0] as LuceneNode)
      : this.combine('and', children, start);
  }

  /** unary := (NOT | ! | -) unary | + unary | primary */
  private parseUnary(groupField: AnyField | null): LuceneNode {
    this.skipWhitespace();
    const start = this.position;
    const operator = this.peekOperator();
    if (operator?.word === 'AND' || operator?.word === 'OR') {
      this.fail(`${operator.text} needs a search term before it`, operator.offset, operator.length);
    }
    if (operator?.word === 'NOT') {
      this.position += operator.length;
      this.expectOperand(operator.text, operator.offset, operator.length);
      return this.negate(groupField, start);
    }
    const char = this.peek();
    if (char === '-' || char === '+') {
      const next = this.input[this.position + 1];
      if (next === undefined || WHITESPACE.test(next) || next === ')') {
        this.fail(
          `'${char}' must be directly followed by the term to ${char === '-' ? 'exclude' : 'require'}, like ${char}phishing`,
          this.position,
          1,
        );
      }
      this.position += 1;
      if (char === '+') return this.nested(() => this.parseUnary(groupField));
      return this.negate(groupField, start);
    }
    return this.parsePrimary(groupField);
  }

  private negate(groupField: AnyField | null, start: number): LuceneNode {
    const child = this.nested(() => this.parseUnary(groupField));
    return { kind: 'not', child, span: this.spanFrom(start) };
  }

  /** primary := '(' or ')' | field ':' value | term | phrase (values only inside field groups) */
  private parsePrimary(groupField: AnyField | null): LuceneNode {
    const start = this.position;
    const char = this.peek();
    if (char === '(') {
      this.position += 1;
      return this.nested(() => this.parseParenthesised(groupField, start));
    }
    if (char === ')') this.fail("Unexpected ')': there is no '(' for it to close", start, 1);
    if (char === ']' || char === '}') {
      this.fail(`Unexpected '${char}': there is no range for it to close`, start, 1);
    }
    if (groupField) {
      this.countTerm(start);
      return this.parseFieldValue(groupField, start);
    }
    if (char === '[' || char === '{') {
      this.fail('A range needs a field, like score:[50 TO 80]', start, 1);
    }
    if (char === '"') {
      this.countTerm(start);
      return this.textNode(this.readPhrase());
    }
    const word = this.readWord(true);
    if (this.peek() === ':') {
      this.position += 1;
      // In a field group `severity:(High OR Critical)` each value is a term of its own.
      if (this.peek() !== '(') this.countTerm(start);
      return this.parseFieldClause(word, start);
    }
    this.countTerm(start);
    return this.textNode(word);
  }

  private countTerm(start: number): void {
    this.terms += 1;
    if (this.terms > MAX_LUCENE_TERMS) {
      this.fail(
        `The query has more than ${MAX_LUCENE_TERMS} search terms; remove some (a "quoted phrase" counts as one term)`,
        start,
        this.input.length - start,
      );
    }
  }

  private parseParenthesised(groupField: AnyField | null, open: number): LuceneNode {
    this.skipWhitespace();
    if (this.peek() === ')') this.fail('Empty parentheses: put a search term inside', open, 2);
    if (this.atEnd()) this.fail("Missing ')' to close this '('", open, 1);
    const node = this.parseOr(groupField);
    this.skipWhitespace();
    if (this.peek() !== ')') this.fail("Missing ')' to close this '('", open, 1);
    this.position += 1;
    return node;
  }

  private parseFieldClause(name: ValueToken, start: number): LuceneNode {
    if (name.quoted || name.hasWildcard || name.text === '') {
      this.fail(
        'A field name must be a plain word, like status:New',
        name.span.offset,
        name.span.length + 1,
      );
    }
    if (name.text === '_exists_') return this.parseExists(start);
    const field = findField(this.catalogue, name.text);
    if (!field) {
      this.fail(
        `Unknown field '${name.text}'. Fields: ${this.catalogue.fields.map((f) => f.key).join(', ')}, _exists_`,
        name.span.offset,
        name.span.length,
      );
    }
    const char = this.peek();
    if (char === undefined || WHITESPACE.test(char) || char === ')') {
      this.fail(
        `'${name.text}:' needs a value right after the colon`,
        start,
        this.position - start,
      );
    }
    if (char === '(') {
      this.position += 1;
      const node = this.nested(() => this.parseParenthesised(field, start + name.span.length + 1));
      return this.withSpan(node, start);
    }
    return this.withSpan(this.parseFieldValue(field, this.position), start);
  }

  private parseExists(start: number): LuceneNode {
    const char = this.peek();
    if (char === undefined || WHITESPACE.test(char) || char === '(' || char === '"') {
      this.fail(
        '_exists_ needs a field name, like _exists_:assignee',
        start,
        this.position - start,
      );
    }
    const name = this.readWord(false);
    const field = findField(this.catalogue, name.text);
    if (!field || name.hasWildcard) {
      this.fail(`Unknown field '${name.text}' after _exists_`, name.span.offset, name.span.length);
    }
    return this.fieldNode(field, 'exists', null, this.spanFrom(start));
  }

  /** A value for a known field: range, comparison, phrase or word. */
  private parseFieldValue(field: AnyField, start: number): LuceneNode {
    const char = this.peek();
    if (char === '[' || char === '{') return this.parseRange(field, start);
    if (char === '>' || char === '<') return this.parseComparison(field, start);
    const token = char === '"' ? this.readPhrase() : this.readWord(false);
    return this.termForField(field, token, start);
  }

  private termForField(field: AnyField, token: ValueToken, start: number): LuceneNode {
    const span = this.spanFrom(start);
    if (!token.quoted && token.text === '*' && token.hasWildcard) {
      return this.fieldNode(field, 'exists', null, span); // field:* means "has a value"
    }
    switch (field.type) {
      case 'string':
        return token.hasWildcard
          ? this.fieldNode(field, 'matches', token.pattern, span)
          : this.fieldNode(field, 'contains', token.text, span);
      case 'tags':
        return token.hasWildcard
          ? this.fieldNode(field, 'matches', token.pattern, span)
          : this.fieldNode(field, 'is', token.text, span);
      case 'enum': {
        if (token.hasWildcard) {
          const like = wildcardToLike(token.pattern);
          const matching = field.values.filter((value) => likeMatches(like, value));
          if (matching.length === 0) {
            this.fail(
              `'${token.text}' matches no ${field.label}; values are ${field.values.join(', ')}`,
              token.span.offset,
              token.span.length,
            );
          }
          return matching.length === 1
            ? this.fieldNode(field, 'is', matching[0] as string, span)
            : this.fieldNode(field, 'in', matching, span);
        }
        return this.fieldNode(field, 'is', this.enumValue(field, token), span);
      }
      case 'number':
        return this.fieldNode(field, 'is', this.numberValue(field, token), span);
      case 'date':
        return this.fieldNode(field, 'is', this.dateValue(field, token), span);
    }
  }

  private parseComparison(field: AnyField, start: number): LuceneNode {
    let operator: ConditionOperator = this.peek() === '>' ? '>' : '<';
    this.position += 1;
    if (this.peek() === '=') {
      operator = operator === '>' ? '>=' : '<=';
      this.position += 1;
    }
    const char = this.peek();
    if (char === undefined || WHITESPACE.test(char) || char === ')') {
      this.fail(
        `'${operator}' needs a value right after it, like score:${operator}75`,
        start,
        this.position - start,
      );
    }
    const token = char === '"' ? this.readPhrase() : this.readWord(false);
    const bound = this.orderedValue(field, token, this.spanFrom(start));
    return this.fieldNode(field, operator, bound, this.spanFrom(start));
  }

  private parseRange(field: AnyField, start: number): LuceneNode {
    const lowerInclusive = this.peek() === '[';
    this.position += 1;
    this.skipWhitespace();
    const emptyRange = (): never => {
      const close = this.input.slice(start).search(/[\]}]/);
      return this.fail(
        `The range needs a lower and an upper bound, like ${field.key}:[50 TO 80] (* for none)`,
        start,
        close === -1 ? this.input.length - start : close + 1,
      );
    };
    if (this.atEnd() || this.peek() === ']' || this.peek() === '}' || this.atRangeTo()) {
      emptyRange();
    }
    const lower = this.readRangeBound();
    const beforeTo = this.position;
    this.skipWhitespace();
    if (!this.atRangeTo() || this.position === beforeTo) {
      this.fail("Expected 'TO' between the range bounds, like [50 TO 80]", this.position, 1);
    }
    this.position += 2;
    this.skipWhitespace();
    if (this.atEnd() || this.peek() === ']' || this.peek() === '}') emptyRange();
    const upper = this.readRangeBound();
    this.skipWhitespace();
    const close = this.peek();
    if (close !== ']' && close !== '}') {
      this.fail("Missing ']' or '}' to close this range", start, 1);
    }
    this.position += 1;
    const upperInclusive = close === ']';
    const span = this.spanFrom(start);
    const lowerOpen = !lower.quoted && lower.text === '*';
    const upperOpen = !upper.quoted && upper.text === '*';
    if (lowerOpen && upperOpen) return this.fieldNode(field, 'exists', null, span);
    const lowerValue = lowerOpen ? null : this.orderedValue(field, lower, span);
    const upperValue = upperOpen ? null : this.orderedValue(field, upper, span);
    if (lowerValue !== null && upperValue !== null) {
      const low = this.orderKey(field, lowerValue, 'start');
      const high = this.orderKey(field, upperValue, 'end');
      if (low > high || (low === high && (!lowerInclusive || !upperInclusive))) {
        this.fail(
          'The range is empty: its lower bound is above its upper bound',
          start,
          span.length,
        );
      }
      if (lowerInclusive && upperInclusive) {
        return this.fieldNode(field, 'between', [lowerValue, upperValue], span);
      }
    }
    const parts: LuceneNode[] = [];
    if (lowerValue !== null) {
      parts.push(this.fieldNode(field, lowerInclusive ? '>=' : '>', lowerValue, span));
    }
    if (upperValue !== null) {
      parts.push(this.fieldNode(field, upperInclusive ? '<=' : '<', upperValue, span));
    }
    return parts.length === 1 ? (parts[0] as LuceneNode) : { kind: 'and', children: parts, span };
  }

  private atRangeTo(): boolean {
    if (!this.input.startsWith('TO', this.position)) return false;
    const after = this.input[this.position + 2];
    return after !== undefined && WHITESPACE.test(after);
  }

  private readRangeBound(): ValueToken {
    if (this.peek() === '"') return this.readPhrase();
    return this.readToken((char) => WHITESPACE.test(char) || '[]{}()"'.includes(char));
  }

  /** A bound for >, <, ranges: a number, a date, or an ordered enum value. */
  private orderedValue(field: AnyField, token: ValueToken, span: LuceneSpan): ConditionScalar {
    switch (field.type) {
      case 'number':
        return this.numberValue(field, token);
      case 'date':
        return this.dateValue(field, token);
      case 'enum':
        if (field.order) return this.enumValue(field, token);
        break;
      default:
        break;
    }
    return this.fail(
      `Ranges and comparisons apply to numbers, dates and severity; ${field.label} is ${field.type === 'enum' ? 'a list of values' : field.type}`,
      span.offset,
      span.length,
    );
  }

  private orderKey(field: AnyField, value: ConditionScalar, side: 'start' | 'end'): number {
    if (field.type === 'date') {
      const interval = parseDateValue(value);
      if (!interval) return Number.NaN;
      return side === 'start' ? interval.start : interval.end - 1;
    }
    if (field.type === 'enum') return field.order?.rankOf[String(value)] ?? Number.NaN;
    return Number(value);
  }

  private numberValue(field: AnyField, token: ValueToken): number {
    if (!token.hasWildcard && /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(token.text)) {
      return Number(token.text);
    }
    return this.fail(
      `${field.label} expects a number, got '${token.text}'`,
      token.span.offset,
      token.span.length,
    );
  }

  private dateValue(field: AnyField, token: ValueToken): string {
    if (!token.hasWildcard && parseDateValue(token.text)) return token.text;
    return this.fail(
      `${field.label} expects a date like 2026-01-31 or 2026-01-31T08:00:00Z, got '${token.text}'`,
      token.span.offset,
      token.span.length,
    );
  }

  private enumValue(field: AnyField, token: ValueToken): string {
    const canonical = field.type === 'enum' ? canonicalEnumValue(field, token.text) : undefined;
    if (canonical !== undefined && !token.hasWildcard) return canonical;
    const values = field.type === 'enum' ? field.values.join(', ') : '';
    return this.fail(
      `${field.label} must be one of ${values}; got '${token.text}'`,
      token.span.offset,
      token.span.length,
    );
  }

  private fieldNode(
    field: AnyField,
    operator: ConditionOperator,
    value: ConditionValue,
    span: LuceneSpan,
  ): LuceneNode {
    // The parser builds only valid leaves; this guards the shared contract with conditions.ts.
    const problem = checkConditionLeaf(field, operator, value);
    if (problem) this.fail(problem.message, span.offset, span.length);
    return { kind: 'field', field: field.key, operator, value, span };
  }

  private textNode(token: ValueToken): LuceneNode {
    const { span } = token;
    if (!token.quoted && token.hasWildcard && token.prefixOnly) {
      // Only the wildcard stars: `a\**` searches the prefix `a*`.
      const stem = token.text.slice(0, token.text.length - token.trailingStars);
      if (stem === '') return { kind: 'all', span };
      if (!this.catalogue.textSearch.tokenised || ftsTokens(stem).length > 0) {
        return { kind: 'text', match: 'prefix', text: stem, span };
      }
    }
    if (!token.quoted && token.hasWildcard) {
      return { kind: 'text', match: 'wildcard', text: token.pattern, span };
    }
    if (this.catalogue.textSearch.tokenised && ftsTokens(token.text).length === 0) {
      this.fail(
        `'${token.text}' has no letters or digits to search for; to match it exactly, name a field, like name:"${token.text}"`,
        span.offset,
        span.length,
      );
    }
    return { kind: 'text', match: 'phrase', text: token.text, span };
  }

  // -- lexing ----------------------------------------------------------------------------------

  private readPhrase(): ValueToken {
    const start = this.position;
    this.position += 1;
    let text = '';
    let pattern = '';
    for (;;) {
      const char = this.input[this.position];
      if (char === undefined) {
        this.fail(
          'Missing closing quote for the phrase that starts here',
          start,
          this.position - start,
        );
      }
      this.position += 1;
      if (char === '"') break;
      let literal = char;
      if (char === '\\' && this.position < this.input.length) {
        literal = this.input[this.position] as string;
        this.position += 1;
      }
      text += literal;
      pattern += '*?\\'.includes(literal) ? `\\${literal}` : literal;
    }
    return {
      text,
      pattern,
      hasWildcard: false,
      prefixOnly: false,
      trailingStars: 0,
      quoted: true,
      span: this.spanFrom(start),
    };
  }

  /** A word; `stopAtColon` outside values, where a colon ends a field name. */
  private readWord(stopAtColon: boolean): ValueToken {
    return this.readToken(
      (char) => WHITESPACE.test(char) || '()"[]{}'.includes(char) || (stopAtColon && char === ':'),
    );
  }

  private readToken(isStop: (char: string) => boolean): ValueToken {
    const start = this.position;
    let text = '';
    let pattern = '';
    let wildcards = 0;
    let trailingStars = 0;
    while (this.position < this.input.length) {
      const char = this.input[this.position] as string;
      if (isStop(char)) break;
      if (char === '^' || char === '~') {
        this.fail(
          `'${char}' (${char === '^' ? 'boost' : 'fuzzy or proximity search'}) is not supported; put a backslash before it to search for it`,
          this.position,
          1,
        );
      }
      this.position += 1;
      if (char === '\\') {
        const escaped = this.input[this.position];
        if (escaped === undefined) {
          this.fail(
            'A backslash at the end escapes nothing; use \\\\ for a backslash',
            start,
            this.position - start,
          );
        }
        this.position += 1;
        text += escaped;
        pattern += '*?\\'.includes(escaped) ? `\\${escaped}` : escaped;
        trailingStars = 0;
        continue;
      }
      text += char;
      pattern += char;
      if (char === '*' || char === '?') wildcards += 1;
      trailingStars = char === '*' ? trailingStars + 1 : 0;
    }
    if (this.position === start) {
      const char = this.peek();
      this.fail(
        char === undefined ? 'Expected a search term at the end' : `Unexpected '${char}'`,
        start,
        char === undefined ? 0 : 1,
      );
    }
    return {
      text,
      pattern,
      hasWildcard: wildcards > 0,
      prefixOnly: wildcards > 0 && wildcards === trailingStars,
      trailingStars,
      quoted: false,
      span: this.spanFrom(start),
    };
  }

  private peekOperator():
    { word: OperatorWord; text: string; offset: number; length: number } | undefined {
    const offset = this.position;
    const rest = this.input.slice(offset, offset + 4);
    if (rest.startsWith('&&')) return { word: 'AND', text: '&&', offset, length: 2 };
    if (rest.startsWith('||')) return { word: 'OR', text: '||', offset, length: 2 };
    if (rest.startsWith('!')) return { word: 'NOT', text: '!', offset, length: 1 };
    for (const word of ['AND', 'OR', 'NOT'] as const) {
      if (!rest.startsWith(word)) continue;
      const after = this.input[offset + word.length];
      if (
        after === undefined ||
        WHITESPACE.test(after) ||
        after === '(' ||
        after === ')' ||
        after === '"'
      ) {
        return { word, text: word, offset, length: word.length };
      }
    }
    return undefined;
  }

  /** After an operator: something to apply it to must follow. */
  private expectOperand(operator: string, offset: number, length: number): void {
    this.skipWhitespace();
    if (this.atEnd() || this.peek() === ')') {
      this.fail(`${operator} needs a search term after it`, offset, length);
    }
    const next = this.peekOperator();
    if (next && next.word !== 'NOT') {
      this.fail(
        `Expected a search term between ${operator} and ${next.text}`,
        next.offset,
        next.length,
      );
    }
  }

  private nested<T>(parse: () => T): T {
    this.nesting += 1;
    if (this.nesting > MAX_LUCENE_NESTING) {
      this.fail(
        `The query is nested too deeply: at most ${MAX_LUCENE_NESTING} levels of parentheses and NOT`,
        Math.max(0, this.position - 1),
        1,
      );
    }
    const result = parse();
    this.nesting -= 1;
    return result;
  }

  private combine(kind: 'and' | 'or', children: LuceneNode[], start: number): LuceneNode {
    return { kind, children, span: this.spanFrom(start) };
  }

  private withSpan(node: LuceneNode, start: number): LuceneNode {
    return { ...node, span: this.spanFrom(start) };
  }

  private spanFrom(start: number): LuceneSpan {
    return { offset: start, length: this.position - start };
  }

  private skipWhitespace(): void {
    while (
      this.position < this.input.length &&
      WHITESPACE.test(this.input[this.position] as string)
    ) {
      this.position += 1;
    }
  }

  private peek(): string | undefined {
    return this.input[this.position];
  }

  private atEnd(): boolean {
    return this.position >= this.input.length;
  }

  private fail(message: string, offset: number, length: number): never {
    // Clamp so offset + length always lies within the query (errors at the end have length 0).
    const at = Math.min(Math.max(0, offset), this.input.length);
    const span = Math.min(Math.max(0, length), this.input.length - at);
    throw new ParseFailure({ message, offset: at, length: span });
  }
}

// ---------------------------------------------------------------------------------------------
// Full-text tokens (TypeScript twin of FTS5's default unicode61 tokenizer)

/**
 * Splits text as FTS5's unicode61 tokenizer does: letters and digits form tokens, everything
 * else separates; case and diacritics are folded.
 */
export function ftsTokens(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}\p{Co}]+/u)
    .filter((token) => token !== '');
}

function textHasPhrase(text: string, phrase: readonly string[], prefix: boolean): boolean {
  const tokens = ftsTokens(text);
  for (let start = 0; start + phrase.length <= tokens.length; start++) {
    const matches = phrase.every((wanted, index) => {
      const token = tokens[start + index] as string;
      return prefix && index === phrase.length - 1 ? token.startsWith(wanted) : token === wanted;
    });
    if (matches) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Evaluation (and the pieces of it the stores' SQL compilers share)

/** Evaluates a parsed query against a row, agreeing with the stores' SQL (main/store/sql). */
export function evaluateLucene(ast: LuceneNode, row: CaseFieldRow): boolean;
export function evaluateLucene<Row>(
  ast: LuceneNode,
  row: Row,
  catalogue: FieldCatalogue<Row>,
): boolean;
export function evaluateLucene<Row>(
  ast: LuceneNode,
  row: Row,
  catalogue?: FieldCatalogue<Row>,
): boolean {
  return evaluateNode(
    ast,
    row,
    catalogue ?? (CASE_FIELD_CATALOGUE as unknown as FieldCatalogue<Row>),
  );
}

function evaluateNode<Row>(node: LuceneNode, row: Row, catalogue: FieldCatalogue<Row>): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return node.children.every((child) => evaluateNode(child, row, catalogue));
    case 'or':
      return node.children.some((child) => evaluateNode(child, row, catalogue));
    case 'not':
      return !evaluateNode(node.child, row, catalogue);
    case 'field':
      return evaluateLeaf(luceneField(catalogue, node), node.operator, node.value, row);
    case 'text': {
      const fields = luceneTextFields(catalogue, node);
      if (catalogue.textSearch.tokenised && node.match !== 'wildcard') {
        const phrase = ftsTokens(node.text);
        return fields.some((field) => {
          const value = field.read(row);
          const text = Array.isArray(value) ? value.join(' ') : value;
          return typeof text === 'string' && textHasPhrase(text, phrase, node.match === 'prefix');
        });
      }
      const { operator, value } = luceneTextLeaf(node.match, node.text);
      return fields.some((field) => evaluateLeaf(field, operator, value, row));
    }
  }
}

/**
 * Without a token index (or for inner wildcards), a text term is this leaf on each text field:
 * a substring, or the wildcard pattern anywhere in the value.
 */
export function luceneTextLeaf(
  match: 'phrase' | 'prefix' | 'wildcard',
  text: string,
): { operator: ConditionOperator; value: string } {
  return match === 'wildcard'
    ? { operator: 'matches', value: `*${text}*` }
    : { operator: 'contains', value: asciiLower(text) };
}

/** The fields a bare term searches (the catalogue's text search fields). */
export function luceneTextFields<Row>(
  catalogue: FieldCatalogue<Row>,
  node: LuceneNode,
): FieldDefinition<Row>[] {
  return catalogue.textSearch.fieldKeys.map((key) => {
    const field = findField(catalogue, key);
    if (!field)
      throw new LuceneQueryError(
        `Text field '${key}' is not in the catalogue`,
        node.span.offset,
        node.span.length,
      );
    return field;
  });
}

/** The catalogue field of a field clause; a LuceneQueryError for an AST of another catalogue. */
export function luceneField<Row>(
  catalogue: FieldCatalogue<Row>,
  node: Extract<LuceneNode, { kind: 'field' }>,
): FieldDefinition<Row> {
  const field = findField(catalogue, node.field);
  if (!field) {
    throw new LuceneQueryError(`Unknown field '${node.field}'`, node.span.offset, node.span.length);
  }
  return field;
}
