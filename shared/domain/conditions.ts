import { z } from 'zod';
import { CASE_FIELD_CATALOGUE, findField } from './fields';
import type { CaseFieldRow, FieldCatalogue, FieldDefinition, FieldValueType } from './fields';

/**
 * Condition trees of queues (QUE-1) and case filters (COR-5): groups combine with AND / OR and
 * may be negated; leaves compare one catalogue field with a value. The same tree is evaluated in
 * TypeScript (`evaluateCondition`, e.g. to re-check one case at once, QUE-5) and compiled to SQL
 * by each store (main/store/sql/compile.ts, re-indexing a queue); both must agree on every row.
 *
 * Semantics both sides share:
 * - Text comparisons ignore ASCII case only, exactly like SQLite's NOCASE, LIKE and lower().
 * - A missing value (NULL, or no tags) never satisfies a positive operator (is, contains, >,
 *   in…) and always satisfies its negation: `assignee is not alice` includes unassigned cases.
 *   Every compiled leaf is therefore two-valued (never SQL NULL), so NOT behaves as expected.
 * - `exists` means not NULL and not empty ('' for text, [] for tags).
 * - `matches` takes a wildcard pattern over the whole value: `*` any run, `?` one character,
 *   `\` escapes the next character.
 * - Dates are epoch ms or ISO strings. A date without time (`2026-01-01`) stands for the whole
 *   UTC day: `is` = within the day, `>` = after the day, `<=` = up to the end of the day. A time
 *   without a zone is read as UTC, so every machine agrees (COR-9 spirit).
 * - An empty AND group matches everything; an empty OR group matches nothing.
 */

export const CONDITION_OPERATORS = [
  'is',
  'is not',
  'contains',
  'not contains',
  'starts with',
  'matches',
  '>',
  '>=',
  '<',
  '<=',
  'between',
  'in',
  'not in',
  'exists',
  'not exists',
] as const;
export const conditionOperatorSchema = z.enum(CONDITION_OPERATORS);
export type ConditionOperator = z.infer<typeof conditionOperatorSchema>;

/** Operators a field of each type accepts, in the order the builder lists them. */
export const OPERATORS_BY_TYPE: Readonly<Record<FieldValueType, readonly ConditionOperator[]>> = {
  string: [
    'is',
    'is not',
    'contains',
    'not contains',
    'starts with',
    'matches',
    'in',
    'not in',
    'exists',
    'not exists',
  ],
  enum: ['is', 'is not', 'in', 'not in', 'exists', 'not exists'],
  number: ['is', 'is not', '>', '>=', '<', '<=', 'between', 'in', 'not in', 'exists', 'not exists'],
  date: ['is', 'is not', '>', '>=', '<', '<=', 'between', 'exists', 'not exists'],
  tags: [
    'is',
    'is not',
    'contains',
    'not contains',
    'starts with',
    'matches',
    'in',
    'not in',
    'exists',
    'not exists',
  ],
};

const ORDER_OPERATORS: readonly ConditionOperator[] = ['>', '>=', '<', '<=', 'between'];

/** Operators valid for this field (ordered enums such as severity also compare by rank). */
export function operatorsForField<Row>(field: FieldDefinition<Row>): readonly ConditionOperator[] {
  if (field.type === 'enum' && field.order) {
    return [...OPERATORS_BY_TYPE.enum.slice(0, 4), ...ORDER_OPERATORS, 'exists', 'not exists'];
  }
  return OPERATORS_BY_TYPE[field.type];
}

export const MAX_CONDITION_DEPTH = 32;
export const MAX_CONDITION_NODES = 500;
const MAX_VALUE_LENGTH = 1000;
const MAX_LIST_LENGTH = 500;

export type ConditionScalar = string | number;
export type ConditionValue = ConditionScalar | readonly ConditionScalar[] | null;

export interface ConditionLeaf {
  type: 'condition';
  field: string;
  operator: ConditionOperator;
  /** A scalar; a list for in / not in; [low, high] for between; absent for exists. */
  value?: ConditionValue;
}

export interface ConditionGroup {
  type: 'group';
  op: 'AND' | 'OR';
  not?: boolean;
  children: ConditionNode[];
}

export type ConditionNode = ConditionGroup | ConditionLeaf;

const conditionScalarSchema = z.union([z.string().max(MAX_VALUE_LENGTH), z.number().finite()]);

export const conditionLeafSchema = z.object({
  type: z.literal('condition'),
  field: z.string().min(1).max(100),
  operator: conditionOperatorSchema,
  value: z
    .union([conditionScalarSchema, z.array(conditionScalarSchema).max(MAX_LIST_LENGTH), z.null()])
    .optional(),
});

export const conditionGroupSchema: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.object({
    type: z.literal('group'),
    op: z.enum(['AND', 'OR']),
    not: z.boolean().optional(),
    children: z.array(conditionNodeShape).max(MAX_CONDITION_NODES),
  }),
);

/** The recursive shape; only behind conditionTreeSizeIssue, which bounds its recursion. */
const conditionNodeShape: z.ZodType<ConditionNode> = z.lazy(() =>
  z.union([conditionLeafSchema, conditionGroupSchema]),
);

/**
 * The shape of a condition tree, without checking fields against a catalogue. Nesting and size
 * are checked first, without recursion: zod's own walk recurses once per level, and a tree
 * nested 100,000 deep overflowed the stack before any depth check ran (issue 11.7).
 */
export const conditionNodeSchema: z.ZodType<ConditionNode> = z
  .unknown()
  .superRefine((input, ctx) => {
    const issue = conditionTreeSizeIssue(input);
    if (issue) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.pathSegments });
  })
  .pipe(conditionNodeShape);

export interface ConditionIssue {
  /** Where in the tree, e.g. `children[1].children[0].value`; empty for the root. */
  path: string;
  message: string;
}

export class ConditionValidationError extends Error {
  constructor(readonly issues: readonly ConditionIssue[]) {
    super(issues.map(formatConditionIssue).join('; '));
    this.name = 'ConditionValidationError';
  }
}

export function formatConditionIssue(issue: ConditionIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}

/**
 * The full schema for a catalogue: shape plus fields, operators and values (for IPC requests
 * that carry a queue or a case filter). Issues carry the path of the bad node.
 */
export function createConditionSchema<Row>(
  catalogue: FieldCatalogue<Row>,
): z.ZodType<ConditionNode> {
  return conditionNodeSchema.superRefine((tree, ctx) => {
    for (const issue of collectSemanticIssues(tree, catalogue)) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.pathSegments });
    }
  });
}

export type ConditionValidationResult =
  { ok: true; condition: ConditionNode } | { ok: false; issues: ConditionIssue[] };

/** Validates untrusted input (shape, fields, operators, values) into a condition tree. */
export function validateCondition<Row>(
  input: unknown,
  catalogue: FieldCatalogue<Row>,
): ConditionValidationResult {
  const shape = conditionNodeSchema.safeParse(input);
  if (!shape.success) {
    return {
      ok: false,
      issues: shape.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    };
  }
  const issues = collectSemanticIssues(shape.data, catalogue).map((issue) => ({
    path: formatPath(issue.pathSegments),
    message: issue.message,
  }));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, condition: shape.data };
}

/** QUE-2: a new queue starts with `status is New OR In Progress OR Escalated`. */
export function defaultQueueCondition(): ConditionGroup {
  return {
    type: 'group',
    op: 'OR',
    children: [
      { type: 'condition', field: 'status', operator: 'is', value: 'New' },
      { type: 'condition', field: 'status', operator: 'is', value: 'In Progress' },
      { type: 'condition', field: 'status', operator: 'is', value: 'Escalated' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

interface SemanticIssue {
  pathSegments: (string | number)[];
  message: string;
}

function formatPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? String(segment) : `.${String(segment)}`;
  }
  return path;
}

/**
 * Too deep or too many nodes, found by an explicit stack. Every object with a `children` array
 * counts as a group here, since zod descends into any of them before it knows the node's type.
 */
function conditionTreeSizeIssue(input: unknown): SemanticIssue | null {
  interface Pending {
    node: unknown;
    depth: number;
    pathSegments: (string | number)[];
  }
  const stack: Pending[] = [{ node: input, depth: 0, pathSegments: [] }];
  let nodeCount = 0;
  for (let next = stack.pop(); next; next = stack.pop()) {
    nodeCount += 1;
    const children: unknown =
      typeof next.node === 'object' && next.node !== null
        ? (next.node as { children?: unknown }).children
        : undefined;
    if (!Array.isArray(children)) continue;
    if (nodeCount + stack.length + children.length > MAX_CONDITION_NODES) {
      return {
        pathSegments: [...next.pathSegments, 'children'],
        message: `Too many conditions: at most ${MAX_CONDITION_NODES} in one tree`,
      };
    }
    if (next.depth >= MAX_CONDITION_DEPTH) {
      return {
        pathSegments: next.pathSegments,
        message: `Groups are nested too deeply: at most ${MAX_CONDITION_DEPTH} levels`,
      };
    }
    for (let index = children.length - 1; index >= 0; index--) {
      stack.push({
        node: children[index],
        depth: next.depth + 1,
        pathSegments: [...next.pathSegments, 'children', index],
      });
    }
  }
  return null;
}

function collectSemanticIssues<Row>(
  tree: ConditionNode,
  catalogue: FieldCatalogue<Row>,
): SemanticIssue[] {
  const issues: SemanticIssue[] = [];
  let nodeCount = 0;
  const visit = (node: ConditionNode, path: (string | number)[], depth: number): void => {
    nodeCount += 1;
    if (nodeCount === MAX_CONDITION_NODES + 1) {
      issues.push({
        pathSegments: path,
        message: `Too many conditions: at most ${MAX_CONDITION_NODES} in one tree`,
      });
    }
    if (node.type === 'group') {
      if (depth >= MAX_CONDITION_DEPTH) {
        issues.push({
          pathSegments: path,
          message: `Groups are nested too deeply: at most ${MAX_CONDITION_DEPTH} levels`,
        });
        return;
      }
      node.children.forEach((child, index) =>
        visit(child, [...path, 'children', index], depth + 1),
      );
      return;
    }
    const field = findField(catalogue, node.field);
    if (!field) {
      issues.push({
        pathSegments: [...path, 'field'],
        message: `Unknown field '${node.field}'. Known fields: ${catalogue.fields.map((f) => f.key).join(', ')}`,
      });
      return;
    }
    const problem = checkConditionLeaf(field, node.operator, node.value);
    if (problem) issues.push({ pathSegments: [...path, problem.on], message: problem.message });
  };
  visit(tree, [], 0);
  return issues;
}

export interface LeafProblem {
  on: 'operator' | 'value';
  message: string;
}

/**
 * Checks operator and value against the field type; null when the leaf is valid. Enum values
 * must be spelled exactly as the catalogue lists them (the builder offers a list).
 */
export function checkConditionLeaf<Row>(
  field: FieldDefinition<Row>,
  operator: ConditionOperator,
  value: ConditionValue | undefined,
): LeafProblem | null {
  const allowed = operatorsForField(field);
  if (!allowed.includes(operator)) {
    return {
      on: 'operator',
      message: `Operator '${operator}' does not apply to ${field.label} (${field.type}); use one of: ${allowed.join(', ')}`,
    };
  }
  if (operator === 'exists' || operator === 'not exists') {
    return value === undefined || value === null
      ? null
      : { on: 'value', message: `'${operator}' takes no value` };
  }
  if (value === undefined || value === null) {
    return { on: 'value', message: `'${operator}' needs a value` };
  }
  if (operator === 'in' || operator === 'not in') {
    if (!Array.isArray(value) || value.length === 0) {
      return { on: 'value', message: `'${operator}' needs a non-empty list of values` };
    }
    return checkScalars(field, value);
  }
  if (operator === 'between') {
    if (!Array.isArray(value) || value.length !== 2) {
      return { on: 'value', message: `'between' needs two values: [from, to]` };
    }
    return checkScalars(field, value);
  }
  if (Array.isArray(value)) {
    return { on: 'value', message: `'${operator}' takes a single value, not a list` };
  }
  return checkScalars(field, [value as ConditionScalar]);
}

function checkScalars<Row>(
  field: FieldDefinition<Row>,
  values: readonly ConditionScalar[],
): LeafProblem | null {
  for (const value of values) {
    const message = scalarProblem(field, value);
    if (message) return { on: 'value', message };
  }
  return null;
}

function scalarProblem<Row>(field: FieldDefinition<Row>, value: ConditionScalar): string | null {
  switch (field.type) {
    case 'string':
    case 'tags':
      return typeof value === 'string' ? null : `${field.label} expects text, got ${value}`;
    case 'enum':
      if (typeof value === 'string' && field.values.includes(value)) return null;
      return `${field.label} must be one of ${field.values.join(', ')}; got '${String(value)}'`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? null
        : `${field.label} expects a number, got '${String(value)}'`;
    case 'date':
      return parseDateValue(value)
        ? null
        : `${field.label} expects a date such as 2026-01-31 or 2026-01-31T08:00:00Z, or epoch milliseconds; got '${String(value)}'`;
  }
}

// ---------------------------------------------------------------------------------------------
// Values shared by evaluation, the stores' SQL compilers and Lucene

/** Lower-cases ASCII letters only, as SQLite's lower(), NOCASE and LIKE do. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** A date value as the half-open interval [start, end) of epoch ms it stands for. */
export interface DateInterval {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses epoch ms (number or digit string) or an ISO date / date-time. A bare date is its whole
 * UTC day; anything with a time is one millisecond. Returns null for anything else, including
 * impossible dates such as 2026-02-30.
 */
export function parseDateValue(value: ConditionScalar): DateInterval | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? { start: value, end: value + 1 } : null;
  }
  const text = value.trim();
  if (/^-?\d{1,16}$/.test(text)) {
    const epoch = Number(text);
    return { start: epoch, end: epoch + 1 };
  }
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const start = utcTime(dateOnly[1], dateOnly[2], dateOnly[3], '0', '0', '0', '0');
    return start === null ? null : { start, end: start + DAY_MS };
  }
  const dateTime = DATE_TIME.exec(text);
  if (!dateTime) return null;
  const [, year, month, day, hour, minute, second, millis, zone] = dateTime;
  const local = utcTime(
    year,
    month,
    day,
    hour,
    minute,
    second ?? '0',
    (millis ?? '0').padEnd(3, '0'),
  );
  if (local === null) return null;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (hours * 60 + minutes) * (digits.startsWith('-') ? -1 : 1);
  }
  const start = local - offsetMinutes * 60_000;
  return { start, end: start + 1 };
}

function utcTime(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
  millis: string | undefined,
): number | null {
  const parts = [year, month, day, hour, minute, second, millis].map(Number);
  const [y, mo, d, h, mi, s, ms] = parts as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const time = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches impossible days.
  return new Date(time).getUTCDate() === d ? time : null;
}

/** Converts a wildcard pattern (`*`, `?`, `\` escape) to a LIKE pattern with `\` as escape. */
export function wildcardToLike(pattern: string): string {
  let like = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\' && i + 1 < pattern.length) {
      like += escapeLikeChar(pattern[++i] as string);
    } else if (char === '*') like += '%';
    else if (char === '?') like += '_';
    else like += escapeLikeChar(char);
  }
  return like;
}

/** Escapes text so LIKE (with ESCAPE '\') matches it literally. */
export function escapeLike(text: string): string {
  let escaped = '';
  for (const char of text) escaped += escapeLikeChar(char);
  return escaped;
}

function escapeLikeChar(char: string): string {
  return char === '%' || char === '_' || char === '\\' ? `\\${char}` : char;
}

/** The TypeScript twin of `value LIKE pattern ESCAPE '\\'` (ASCII case-insensitive, whole value). */
export function likeMatches(likePattern: string, text: string): boolean {
  return matchLike(likePattern, text).matches;
}

/** One element of a compiled LIKE pattern: a code point, `_` (ANY_ONE) or a run of `%` (ANY_RUN). */
const ANY_ONE = -1;
const ANY_RUN = -2;

/**
 * `value LIKE pattern ESCAPE '\\'` without a backtracking RegExp (issue 11.6: `%%%%%%.%%%%%%`
 * took seconds per value, so one case filter could stall an import). The classic glob match with
 * a single saved `%` position: on a mismatch only the last `%` takes one more character, because
 * whatever an earlier `%` could absorb, the last one can too. `steps` counts loop iterations: each
 * retry moves the saved text position on, so there are at most (text length + 2) x (pattern
 * length + 1) of them, however many `%` there are; tests hold it to that.
 *
 * As in SQLite: characters are code points, only ASCII letters fold case, a string ends at its
 * first NUL (SQLite reads LIKE's arguments as C strings), a lone surrogate is U+FFFD (what the
 * driver stores for it), and a pattern ending in a lone escape matches nothing.
 */
export function matchLike(likePattern: string, text: string): { matches: boolean; steps: number } {
  const pattern = compileLikePattern(likePattern);
  if (!pattern) return { matches: false, steps: 0 };
  const chars = likeCodePoints(text);
  let steps = 0;
  let p = 0;
  let t = 0;
  let starAt = -1; // pattern index of the last ANY_RUN passed
  let starText = 0; // text index that ANY_RUN currently absorbs up to
  while (t < chars.length) {
    steps += 1;
    const want = pattern[p];
    if (want === ANY_RUN) {
      starAt = p;
      starText = t;
      p += 1;
    } else if (want !== undefined && (want === ANY_ONE || want === chars[t])) {
      p += 1;
      t += 1;
    } else if (starAt >= 0) {
      starText += 1;
      t = starText;
      p = starAt + 1;
    } else {
      return { matches: false, steps };
    }
  }
  while (pattern[p] === ANY_RUN) {
    steps += 1;
    p += 1;
  }
  return { matches: p === pattern.length, steps };
}

/** A LIKE pattern as code points and wildcards (runs of `%` collapsed); null if it can never match. */
function compileLikePattern(likePattern: string): number[] | null {
  const chars = likeCodePoints(likePattern);
  const compiled: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as number;
    if (char === BACKSLASH) {
      i += 1;
      if (i >= chars.length) return null; // SQLite: a trailing escape matches nothing
      compiled.push(chars[i] as number);
    } else if (char === PERCENT) {
      if (compiled.at(-1) !== ANY_RUN) compiled.push(ANY_RUN);
    } else if (char === UNDERSCORE) compiled.push(ANY_ONE);
    else compiled.push(char);
  }
  return compiled;
}

const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const UNDERSCORE = 0x5f;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Code points as SQLite's LIKE sees them: up to the first NUL, ASCII lower-cased. */
function likeCodePoints(text: string): number[] {
  const nul = text.indexOf('\0');
  const visible = (nul === -1 ? text : text.slice(0, nul)).replace(LONE_SURROGATE, '\uFFFD');
  const points: number[] = [];
  for (const char of visible) {
    const point = char.codePointAt(0) as number;
    points.push(point >= 0x41 && point <= 0x5a ? point + 0x20 : point);
  }
  return points;
}

// ---------------------------------------------------------------------------------------------
// Evaluation in TypeScript

/** Evaluates a case condition against a case row (catalogue defaults to case fields). */
export function evaluateCondition(tree: ConditionNode, row: CaseFieldRow): boolean;
export function evaluateCondition<Row>(
  tree: ConditionNode,
  row: Row,
  catalogue: FieldCatalogue<Row>,
): boolean;
export function evaluateCondition<Row>(
  tree: ConditionNode,
  row: Row,
  catalogue?: FieldCatalogue<Row>,
): boolean {
  const fields = catalogue ?? (CASE_FIELD_CATALOGUE as unknown as FieldCatalogue<Row>);
  assertValid(tree, fields);
  return evaluateNode(tree, row, fields);
}

function evaluateNode<Row>(node: ConditionNode, row: Row, catalogue: FieldCatalogue<Row>): boolean {
  if (node.type === 'group') {
    const result =
      node.op === 'AND'
        ? node.children.every((child) => evaluateNode(child, row, catalogue))
        : node.children.some((child) => evaluateNode(child, row, catalogue));
    return node.not ? !result : result;
  }
  const field = findField(catalogue, node.field) as FieldDefinition<Row>;
  return evaluateLeaf(field, node.operator, node.value ?? null, row);
}

const NEGATED: Partial<Record<ConditionOperator, ConditionOperator>> = {
  'is not': 'is',
  'not contains': 'contains',
  'not in': 'in',
  'not exists': 'exists',
};

/**
 * The operator a negative one negates (`is not` → `is`); undefined for a positive operator.
 * A negative leaf is exactly the complement of its positive twin, in TypeScript and in SQL.
 */
export function positiveOperator(operator: ConditionOperator): ConditionOperator | undefined {
  return NEGATED[operator];
}

/** Evaluates one validated leaf against a row. */
export function evaluateLeaf<Row>(
  field: FieldDefinition<Row>,
  operator: ConditionOperator,
  value: ConditionValue,
  row: Row,
): boolean {
  const positive = NEGATED[operator];
  if (positive) return !evaluateLeaf(field, positive, value, row);
  switch (field.type) {
    case 'string': {
      const actual = field.read(row);
      if (operator === 'exists') return actual !== null && actual !== '';
      return actual !== null && textMatches(operator, value, actual);
    }
    case 'tags': {
      const tags = field.read(row) ?? [];
      if (operator === 'exists') return tags.length > 0;
      return tags.some((tag) => textMatches(operator, value, tag));
    }
    case 'enum': {
      const actual = field.read(row);
      if (actual === null) return false;
      if (operator === 'exists') return true;
      if (operator === 'is') return actual === value;
      if (operator === 'in') return (value as readonly ConditionScalar[]).includes(actual);
      const rankOf = field.order?.rankOf ?? {};
      const rank = rankOf[actual];
      if (rank === undefined) return false;
      return compareOrdered(operator, rank, value, (scalar) => {
        const bound = rankOf[String(scalar)] ?? Number.NaN;
        return { start: bound, end: bound };
      });
    }
    case 'number': {
      const actual = field.read(row);
      if (actual === null) return false;
      if (operator === 'exists') return true;
      if (operator === 'in') return (value as readonly ConditionScalar[]).includes(actual);
      return compareOrdered(operator, actual, value, (scalar) => {
        const bound = Number(scalar);
        return { start: bound, end: bound };
      });
    }
    case 'date': {
      const actual = field.read(row);
      if (actual === null) return false;
      if (operator === 'exists') return true;
      return compareOrdered(operator, actual, value, (scalar) => {
        const interval = parseDateValue(scalar);
        if (!interval) throw new ConditionValidationError([{ path: '', message: 'Bad date' }]);
        // Date intervals are half-open; numbers use [start, start] inclusive via the same code.
        return { start: interval.start, end: interval.end - 1 };
      });
    }
  }
}

function textMatches(operator: ConditionOperator, value: ConditionValue, actual: string): boolean {
  const text = sqliteText(actual);
  switch (operator) {
    case 'is':
      return text === sqliteText(String(value));
    case 'in':
      return (value as readonly ConditionScalar[]).some((v) => text === sqliteText(String(v)));
    case 'contains':
      return text.includes(sqliteText(String(value)));
    case 'starts with':
      // Through the LIKE twin, as SQL runs it: the same on a NUL in the value or the text.
      return likeMatches(`${escapeLike(String(value))}%`, actual);
    case 'matches':
      return likeMatches(wildcardToLike(String(value)), actual);
    default:
      return false;
  }
}

/** Text as SQLite compares it with NOCASE and lower(): ASCII folded, lone surrogates U+FFFD. */
function sqliteText(text: string): string {
  return asciiLower(text.replace(LONE_SURROGATE, '\uFFFD'));
}

/** Compares against closed bounds [low, high] (dates pass their interval as [start, end - 1]). */
function compareOrdered(
  operator: ConditionOperator,
  actual: number,
  value: ConditionValue,
  boundsOf: (scalar: ConditionScalar) => { start: number; end: number },
): boolean {
  if (operator === 'between') {
    const [from, to] = value as readonly [ConditionScalar, ConditionScalar];
    return actual >= boundsOf(from).start && actual <= boundsOf(to).end;
  }
  const bounds = boundsOf(value as ConditionScalar);
  switch (operator) {
    case 'is':
      return actual >= bounds.start && actual <= bounds.end;
    case '>':
      return actual > bounds.end;
    case '>=':
      return actual >= bounds.start;
    case '<':
      return actual < bounds.start;
    case '<=':
      return actual <= bounds.end;
    default:
      return false;
  }
}

function assertValid<Row>(tree: ConditionNode, catalogue: FieldCatalogue<Row>): void {
  const result = validateCondition(tree, catalogue);
  if (!result.ok) throw new ConditionValidationError(result.issues);
}
