import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asciiLower,
  conditionNodeSchema,
  createConditionSchema,
  defaultQueueCondition,
  evaluateCondition,
  likeMatches,
  matchLike,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_NODES,
  operatorsForField,
  parseDateValue,
  validateCondition,
  wildcardToLike,
} from '../../shared/domain/conditions';
import type {
  ConditionLeaf,
  ConditionNode,
  ConditionOperator,
  ConditionScalar,
  ConditionValue,
} from '../../shared/domain/conditions';
import { ALERT_FIELD_CATALOGUE, CASE_FIELD_CATALOGUE, findField } from '../../shared/domain/fields';
import type { AlertFieldRow, CaseFieldRow, FieldDefinition } from '../../shared/domain/fields';
import { SeededRandom } from '../../shared/domain/random';
import { compileConditionToSql, joinSqlBalanced } from '../../main/store/sql/sqlite-dialect';
import { sqlChainHeight } from '../helpers/sql-height';
import { severityRank } from '../../shared/domain/severity';
import {
  CASE_OUTCOMES,
  CASE_SEVERITIES,
  CASE_STATUSES,
  PAP_VALUES,
  TLP_VALUES,
} from '../../shared/domain/types';

/** Text that exercises case folding, LIKE metacharacters, backslashes and non-ASCII letters. */
const WORDS = [
  'alpha',
  'Alpha',
  'ALPHA beta',
  'beta',
  'gamma_1',
  'gammax1',
  '50%',
  '50x',
  'a\\b',
  'Émile',
  'émile',
  'straße',
  'STRASSE',
  'ph*sh',
  'phish',
  'Phishing email',
  'a?b',
  'line\nbreak',
  '',
];
const TENANTS = ['Acme', 'globex', 'Initech'];
const DAY = 86_400_000;
const BASE_TIME = Date.UTC(2026, 0, 1);

function randomText(random: SeededRandom): string {
  return random.chance(0.3)
    ? `${random.pick(WORDS)} ${random.pick(WORDS)}`.trim()
    : random.pick(WORDS);
}

function randomTime(random: SeededRandom): number {
  // Many values on exact day boundaries so date-only comparisons hit their edges.
  const day = BASE_TIME + random.int(0, 6) * DAY;
  return random.chance(0.3) ? day : random.chance(0.1) ? day - 1 : day + random.int(0, DAY - 1);
}

function randomCase(random: SeededRandom, index: number): CaseFieldRow {
  const closed = random.chance(0.4);
  const assigned = random.chance(0.6);
  return {
    number: index + 1,
    tenantName: random.pick(TENANTS),
    name: randomText(random),
    description: random.chance(0.2) ? null : randomText(random),
    summary: closed ? randomText(random) : null,
    score: random.int(0, 100),
    severity: random.pick(CASE_SEVERITIES),
    status: random.pick(CASE_STATUSES),
    outcome: closed ? random.pick(CASE_OUTCOMES) : null,
    creator: random.chance(0.5) ? 'System' : randomText(random),
    assignee: assigned ? random.pick(['u-1', 'u-2', 'U-3', '']) : null,
    assigneeName: assigned ? random.pick(['Alice', 'bob', 'Émile']) : null,
    tags: Array.from({ length: random.int(0, 3) }, () => randomText(random)),
    tlp: random.pick(TLP_VALUES),
    pap: random.pick(PAP_VALUES),
    what: random.chance(0.2) ? null : random.pick(['T1566', 'T1059.001', 'Initial Access']),
    who: random.chance(0.3) ? null : randomText(random),
    alertCount: random.int(0, 10),
    createdAt: randomTime(random),
    updatedAt: randomTime(random),
    closedAt: closed ? randomTime(random) : null,
    firstAlertAt: random.chance(0.1) ? null : randomTime(random),
    lastAlertAt: random.chance(0.1) ? null : randomTime(random),
  };
}

function createCaseDatabase(rows: readonly CaseFieldRow[]): Database.Database {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE cases (
      id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL,
      name_is_manual INTEGER NOT NULL DEFAULT 0, description TEXT, score INTEGER NOT NULL,
      severity TEXT NOT NULL, severity_rank INTEGER NOT NULL,
      severity_is_manual INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, outcome TEXT,
      summary TEXT, creator TEXT NOT NULL, assignee TEXT, assignee_name TEXT,
      tags TEXT NOT NULL DEFAULT '[]', tlp TEXT NOT NULL, pap TEXT NOT NULL, what TEXT, who TEXT,
      alert_count INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      closed_at INTEGER, first_alert_at INTEGER, last_alert_at INTEGER
    );
  `);
  const insertTenant = db.prepare('INSERT INTO tenants (id, name) VALUES (?, ?)');
  TENANTS.forEach((name, index) => insertTenant.run(`t${index}`, name));
  const insertCase = db.prepare(`
    INSERT INTO cases (id, tenant_id, number, name, description, score, severity, severity_rank,
      status, outcome, summary, creator, assignee, assignee_name, tags, tlp, pap, what, who,
      alert_count, created_at, updated_at, closed_at, first_alert_at, last_alert_at)
    VALUES (@id, @tenantId, @number, @name, @description, @score, @severity, @severityRank,
      @status, @outcome, @summary, @creator, @assignee, @assigneeName, @tags, @tlp, @pap, @what,
      @who, @alertCount, @createdAt, @updatedAt, @closedAt, @firstAlertAt, @lastAlertAt)
  `);
  for (const row of rows) {
    insertCase.run({
      ...row,
      id: `c${row.number}`,
      tenantId: `t${TENANTS.indexOf(row.tenantName)}`,
      severityRank: severityRank(row.severity),
      tags: JSON.stringify(row.tags),
    });
  }
  return db;
}

function sqlMatches(db: Database.Database, tree: ConditionNode): number[] {
  const { sql, params } = compileConditionToSql(tree, CASE_FIELD_CATALOGUE);
  const rows = db
    .prepare(
      `SELECT cases.number AS number FROM cases JOIN tenants t ON t.id = cases.tenant_id WHERE ${sql} ORDER BY cases.number`,
    )
    .all(...params) as { number: number }[];
  return rows.map((row) => row.number);
}

function randomScalar(
  random: SeededRandom,
  field: FieldDefinition<CaseFieldRow>,
  rows: readonly CaseFieldRow[],
): ConditionScalar {
  const sampleRow = random.pick(rows);
  switch (field.type) {
    case 'string': {
      const actual = field.read(sampleRow);
      if (actual && random.chance(0.5)) {
        // A piece of a real value, in a random case, so contains / starts with hit often.
        const start = random.int(0, actual.length);
        const piece = actual.slice(start, random.int(start, actual.length));
        return random.chance(0.5) ? piece.toUpperCase() : piece;
      }
      return randomText(random);
    }
    case 'tags': {
      const tags = field.read(sampleRow) ?? [];
      return tags.length > 0 && random.chance(0.6) ? random.pick(tags) : randomText(random);
    }
    case 'enum':
      return random.pick(field.values);
    case 'number': {
      const actual = field.read(sampleRow);
      return actual !== null && random.chance(0.5) ? actual : random.int(-5, 105);
    }
    case 'date': {
      const actual = field.read(sampleRow) ?? BASE_TIME;
      const day = new Date(BASE_TIME + random.int(-1, 7) * DAY).toISOString().slice(0, 10);
      switch (random.int(0, 3)) {
        case 0:
          return actual;
        case 1:
          return day;
        case 2:
          return new Date(actual).toISOString();
        default:
          return `${day}T12:00:00+02:00`;
      }
    }
  }
}

function randomWildcard(random: SeededRandom, text: string): string {
  let pattern = '';
  for (const char of text) {
    const roll = random.next();
    // Runs of stars are where a backtracking matcher blew up (issue 11.6).
    if (roll < 0.04) pattern += '*'.repeat(random.int(2, 12));
    else if (roll < 0.15) pattern += '*';
    else if (roll < 0.25) pattern += '?';
    else if (char === '*' || char === '?' || char === '\\') pattern += `\\${char}`;
    else pattern += char;
  }
  return random.chance(0.3) ? `*${pattern}` : pattern;
}

function randomLeaf(random: SeededRandom, rows: readonly CaseFieldRow[]): ConditionLeaf {
  const field = random.pick(CASE_FIELD_CATALOGUE.fields);
  const operator = random.pick(operatorsForField(field));
  let value: ConditionValue | undefined;
  switch (operator) {
    case 'exists':
    case 'not exists':
      value = undefined;
      break;
    case 'in':
    case 'not in':
      value = Array.from({ length: random.int(1, 3) }, () => randomScalar(random, field, rows));
      break;
    case 'between':
      value = [randomScalar(random, field, rows), randomScalar(random, field, rows)];
      break;
    case 'matches':
      value = randomWildcard(random, String(randomScalar(random, field, rows)));
      break;
    default:
      value = randomScalar(random, field, rows);
  }
  return value === undefined
    ? { type: 'condition', field: field.key, operator }
    : { type: 'condition', field: field.key, operator, value };
}

function randomTree(
  random: SeededRandom,
  rows: readonly CaseFieldRow[],
  depth: number,
): ConditionNode {
  if (depth >= 4 || random.chance(0.35)) return randomLeaf(random, rows);
  return {
    type: 'group',
    op: random.chance(0.5) ? 'AND' : 'OR',
    ...(random.chance(0.25) ? { not: true } : {}),
    children: Array.from({ length: random.int(0, 4) }, () => randomTree(random, rows, depth + 1)),
  };
}

describe('condition evaluation agrees with SQL', () => {
  const random = new SeededRandom(20260101);
  const rows = Array.from({ length: 250 }, (_, index) => randomCase(random, index));
  let db: Database.Database;

  beforeAll(() => {
    db = createCaseDatabase(rows);
  });
  afterAll(() => db.close());

  it('on every operator of every field', () => {
    const leafRandom = new SeededRandom(7);
    for (const field of CASE_FIELD_CATALOGUE.fields) {
      for (const operator of operatorsForField(field)) {
        for (let i = 0; i < 6; i++) {
          let leaf = randomLeaf(leafRandom, rows);
          while (leaf.field !== field.key || leaf.operator !== operator) {
            leaf = randomLeaf(leafRandom, rows);
          }
          const expected = rows.filter((row) => evaluateCondition(leaf, row)).map((r) => r.number);
          expect(sqlMatches(db, leaf), JSON.stringify(leaf)).toEqual(expected);
        }
      }
    }
  });

  it('on 400 random condition trees', () => {
    const treeRandom = new SeededRandom(42);
    let nonTrivial = 0;
    for (let i = 0; i < 400; i++) {
      const tree = randomTree(treeRandom, rows, 0);
      const expected = rows.filter((row) => evaluateCondition(tree, row)).map((r) => r.number);
      if (expected.length > 0 && expected.length < rows.length) nonTrivial += 1;
      expect(sqlMatches(db, tree), JSON.stringify(tree)).toEqual(expected);
    }
    // The generator must produce selective trees, or agreement would prove little.
    expect(nonTrivial).toBeGreaterThan(150);
  });
});

describe('condition semantics', () => {
  const base: CaseFieldRow = {
    number: 7,
    tenantName: 'Acme',
    name: 'Phishing email from Bob',
    description: null,
    summary: null,
    score: 60,
    severity: 'High',
    status: 'New',
    outcome: null,
    creator: 'System',
    assignee: null,
    assigneeName: null,
    tags: ['phishing', 'VIP'],
    tlp: 'AMBER',
    pap: 'GREEN',
    what: 'T1566',
    who: 'bob, laptop-7',
    alertCount: 3,
    createdAt: Date.UTC(2026, 0, 15, 10),
    updatedAt: Date.UTC(2026, 0, 15, 11),
    closedAt: null,
    firstAlertAt: null,
    lastAlertAt: null,
  };
  const leaf = (
    field: string,
    operator: ConditionOperator,
    value?: ConditionValue,
  ): ConditionLeaf =>
    value === undefined
      ? { type: 'condition', field, operator }
      : { type: 'condition', field, operator, value };

  it('treats a missing value as matching only negative operators', () => {
    expect(evaluateCondition(leaf('assignee', 'is not', 'u-1'), base)).toBe(true);
    expect(evaluateCondition(leaf('assignee', 'is', 'u-1'), base)).toBe(false);
    expect(evaluateCondition(leaf('assignee', 'not contains', 'u'), base)).toBe(true);
    expect(evaluateCondition(leaf('assignee', 'not exists'), base)).toBe(true);
    expect(evaluateCondition(leaf('outcome', 'not in', ['Other']), base)).toBe(true);
    expect(evaluateCondition(leaf('closed', '<', '2030-01-01'), base)).toBe(false);
    expect(evaluateCondition(leaf('closed', 'is not', '2030-01-01'), base)).toBe(true);
  });

  it('compares text ignoring case and matches tags exactly', () => {
    expect(evaluateCondition(leaf('name', 'contains', 'EMAIL'), base)).toBe(true);
    expect(evaluateCondition(leaf('creator', 'is', 'system'), base)).toBe(true);
    expect(evaluateCondition(leaf('name', 'starts with', 'phish'), base)).toBe(true);
    expect(evaluateCondition(leaf('name', 'matches', 'phish*bob'), base)).toBe(true);
    expect(evaluateCondition(leaf('name', 'matches', 'phish'), base)).toBe(false);
    expect(evaluateCondition(leaf('tags', 'is', 'vip'), base)).toBe(true);
    expect(evaluateCondition(leaf('tags', 'is', 'phish'), base)).toBe(false);
    expect(evaluateCondition(leaf('tags', 'contains', 'phish'), base)).toBe(true);
  });

  it('reads a date without time as the whole UTC day', () => {
    expect(evaluateCondition(leaf('created', 'is', '2026-01-15'), base)).toBe(true);
    expect(evaluateCondition(leaf('created', '<=', '2026-01-15'), base)).toBe(true);
    expect(evaluateCondition(leaf('created', '>', '2026-01-15'), base)).toBe(false);
    expect(evaluateCondition(leaf('created', '<', '2026-01-15'), base)).toBe(false);
    expect(evaluateCondition(leaf('created', 'between', ['2026-01-15', '2026-01-15']), base)).toBe(
      true,
    );
    expect(evaluateCondition(leaf('created', 'is', '2026-01-15T10:00:00Z'), base)).toBe(true);
    expect(evaluateCondition(leaf('created', 'is', '2026-01-15T12:00+02:00'), base)).toBe(true);
  });

  it('orders severity by rank', () => {
    expect(evaluateCondition(leaf('severity', '>=', 'High'), base)).toBe(true);
    expect(evaluateCondition(leaf('severity', '>', 'High'), base)).toBe(false);
    expect(evaluateCondition(leaf('severity', 'between', ['Medium', 'Critical']), base)).toBe(true);
  });

  it('treats empty groups as neutral and honours NOT', () => {
    expect(evaluateCondition({ type: 'group', op: 'AND', children: [] }, base)).toBe(true);
    expect(evaluateCondition({ type: 'group', op: 'OR', children: [] }, base)).toBe(false);
    expect(
      evaluateCondition(
        { type: 'group', op: 'AND', not: true, children: [leaf('status', 'is', 'New')] },
        base,
      ),
    ).toBe(false);
  });

  it('starts a new queue with the open statuses (QUE-2)', () => {
    const condition = defaultQueueCondition();
    expect(evaluateCondition(condition, base)).toBe(true);
    expect(evaluateCondition(condition, { ...base, status: 'Escalated' })).toBe(true);
    expect(evaluateCondition(condition, { ...base, status: 'Resolved' })).toBe(false);
    expect(compileConditionToSql(condition, CASE_FIELD_CATALOGUE)).toEqual({
      sql: '((cases.status IS NOT NULL AND cases.status = ?) OR (cases.status IS NOT NULL AND cases.status = ?) OR (cases.status IS NOT NULL AND cases.status = ?))',
      params: ['New', 'In Progress', 'Escalated'],
    });
  });

  it('evaluates case filters against alerts (COR-5)', () => {
    const alert: AlertFieldRow = {
      tenantName: 'Acme',
      source: 'Splunk',
      sourceRef: 'r-1',
      type: 'auth',
      title: 'Impossible travel',
      description: null,
      timestamp: Date.UTC(2026, 0, 2),
      score: 30,
      tactic: 'TA0001',
      technique: null,
      tags: ['noise'],
      tlp: 'GREEN',
      status: 'New',
    };
    const filter: ConditionNode = {
      type: 'group',
      op: 'AND',
      children: [leaf('source', 'is', 'splunk'), leaf('tags', 'is', 'noise')],
    };
    expect(evaluateCondition(filter, alert, ALERT_FIELD_CATALOGUE)).toBe(true);
    const { sql, params } = compileConditionToSql(filter, ALERT_FIELD_CATALOGUE);
    expect(sql).toContain('alerts.source');
    expect(params).toEqual(['splunk', 'noise']);
  });

  it('keeps values out of the SQL text', () => {
    const hostile = "x' OR 1=1; DROP TABLE cases; --";
    const { sql, params } = compileConditionToSql(
      leaf('name', 'contains', hostile),
      CASE_FIELD_CATALOGUE,
    );
    expect(sql.toLowerCase()).not.toContain('drop');
    // Text parameters are bound ASCII-lowered (main/store/sql/dialect.ts).
    expect(params).toEqual([asciiLower(hostile)]);
  });
});

describe('condition validation', () => {
  const issuesOf = (input: unknown) => {
    const result = validateCondition(input, CASE_FIELD_CATALOGUE);
    return result.ok ? [] : result.issues;
  };

  it('accepts the default queue condition and field aliases', () => {
    expect(validateCondition(defaultQueueCondition(), CASE_FIELD_CATALOGUE).ok).toBe(true);
    expect(issuesOf({ type: 'condition', field: 'created_at', operator: '>', value: 0 })).toEqual(
      [],
    );
    expect(findField(CASE_FIELD_CATALOGUE, 'caseId')?.key).toBe('number');
  });

  it('names the path of an unknown field', () => {
    const issues = issuesOf({
      type: 'group',
      op: 'AND',
      children: [
        { type: 'condition', field: 'status', operator: 'is', value: 'New' },
        {
          type: 'group',
          op: 'OR',
          children: [{ type: 'condition', field: 'colour', operator: 'is', value: 'red' }],
        },
      ],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('children[1].children[0].field');
    expect(issues[0]?.message).toMatch(/Unknown field 'colour'/);
  });

  it('rejects an operator that does not fit the field type', () => {
    const [issue] = issuesOf({ type: 'condition', field: 'score', operator: 'contains', value: 5 });
    expect(issue?.path).toBe('operator');
    expect(issue?.message).toMatch(/'contains' does not apply to Score \(number\)/);
  });

  it('rejects values outside an enum, with the allowed values', () => {
    const [issue] = issuesOf({
      type: 'condition',
      field: 'severity',
      operator: 'is',
      value: 'Huge',
    });
    expect(issue?.path).toBe('value');
    expect(issue?.message).toBe("Severity must be one of Critical, High, Medium, Low; got 'Huge'");
    expect(
      issuesOf({ type: 'condition', field: 'status', operator: 'in', value: ['New', 'Open'] })[0]
        ?.message,
    ).toMatch(/got 'Open'/);
  });

  it('rejects badly shaped values', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'condition', field: 'score', operator: '>', value: 'high' }, /expects a number/],
      [{ type: 'condition', field: 'score', operator: 'between', value: [1] }, /two values/],
      [{ type: 'condition', field: 'score', operator: 'in', value: [] }, /non-empty list/],
      [{ type: 'condition', field: 'name', operator: 'is', value: ['a'] }, /single value/],
      [{ type: 'condition', field: 'name', operator: 'is' }, /needs a value/],
      [{ type: 'condition', field: 'name', operator: 'exists', value: 'x' }, /takes no value/],
      [
        { type: 'condition', field: 'created', operator: '>', value: '2026-02-30' },
        /expects a date/,
      ],
      [
        { type: 'condition', field: 'created', operator: '>', value: 'yesterday' },
        /expects a date/,
      ],
    ];
    for (const [input, message] of cases) {
      expect(issuesOf(input)[0]?.message, JSON.stringify(input)).toMatch(message);
    }
  });

  it('rejects malformed structure with the path', () => {
    const issues = issuesOf({
      type: 'group',
      op: 'XOR',
      children: [{ type: 'condition', field: 'name', operator: 'like', value: 'x' }],
    });
    expect(issues.length).toBeGreaterThan(0);
    expect(conditionNodeSchema.safeParse({ type: 'group', op: 'AND' }).success).toBe(false);
  });

  it('limits nesting depth', () => {
    let tree: ConditionNode = { type: 'condition', field: 'score', operator: '>', value: 1 };
    for (let i = 0; i < 40; i++) tree = { type: 'group', op: 'AND', children: [tree] };
    expect(issuesOf(tree)[0]?.message).toMatch(/nested too deeply/);
  });

  it('reports issues with paths through the zod schema too', () => {
    const schema = createConditionSchema(CASE_FIELD_CATALOGUE);
    const result = schema.safeParse({
      type: 'group',
      op: 'AND',
      children: [{ type: 'condition', field: 'tlp', operator: 'is', value: 'PURPLE' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['children', 0, 'value']);
  });

  it('refuses to evaluate or compile an invalid tree', () => {
    const bad: ConditionNode = { type: 'condition', field: 'nope', operator: 'is', value: 'x' };
    expect(() => compileConditionToSql(bad, CASE_FIELD_CATALOGUE)).toThrow(/Unknown field 'nope'/);
  });

  it('parses date values strictly', () => {
    expect(parseDateValue('2026-01-01')).toEqual({
      start: Date.UTC(2026, 0, 1),
      end: Date.UTC(2026, 0, 2),
    });
    expect(parseDateValue('2026-01-01T10:00:00.5Z')?.start).toBe(
      Date.UTC(2026, 0, 1, 10, 0, 0, 500),
    );
    expect(parseDateValue('2026-13-01')).toBeNull();
    expect(parseDateValue('2026-01-01T24:00')).toBeNull();
    expect(parseDateValue('1767225600000')?.start).toBe(1767225600000);
  });
});

describe('wildcard matching stays linear (issue 11.6)', () => {
  /** Patterns meant to hurt: star runs, `?` runs, near-misses of the text, escapes. */
  function hostilePattern(random: SeededRandom, maxLength: number): string {
    let pattern = '';
    while (pattern.length < maxLength) {
      switch (random.int(0, 6)) {
        case 0:
          pattern += '*'.repeat(random.int(1, 20));
          break;
        case 1:
          pattern += '?'.repeat(random.int(1, 5));
          break;
        case 2:
          pattern += 'a'.repeat(random.int(1, 8));
          break;
        case 3:
          pattern += random.pick(['.', 'b', '\\*', '\\?', '\\\\', '%', '_', 'é', '😀']);
          break;
        case 4:
          pattern += '*a';
          break;
        default:
          pattern += 'a?';
      }
    }
    return pattern.slice(0, maxLength);
  }

  it('takes at most (n + 2) x (m + 1) steps, whatever the pattern', () => {
    const random = new SeededRandom(116);
    const texts = [
      'a'.repeat(10_000),
      'ab'.repeat(5_000),
      `${'a'.repeat(9_999)}b`,
      Array.from({ length: 10_000 }, () => random.pick(['a', 'a', 'a', 'b', '.'])).join(''),
    ];
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const like = wildcardToLike(hostilePattern(random, random.int(1, 200)));
      const text = random.pick(texts);
      const { steps } = matchLike(like, text);
      const bound = (text.length + 2) * (like.length + 1);
      expect(steps, like).toBeLessThanOrEqual(bound);
      worst = Math.max(worst, steps / bound);
    }
    // The bound is not vacuous: some patterns come near it.
    expect(worst).toBeGreaterThan(0.05);
  });

  it('answers the patterns that hung at once', () => {
    const text = 'a'.repeat(10_000);
    for (const pattern of ['******.******', '*******.*******', '**********.', '*a*a*a*a*a*a*a*b']) {
      const { matches, steps } = matchLike(wildcardToLike(pattern), text);
      expect(matches).toBe(false);
      expect(steps, pattern).toBeLessThanOrEqual(2 * (text.length + 2));
    }
    // The same through a case filter's evaluation (COR-5), which runs on every imported alert.
    const alert: AlertFieldRow = {
      tenantName: 'Acme',
      source: 'edr',
      sourceRef: 'r1',
      type: 'EDR',
      title: 'a'.repeat(5_000),
      description: null,
      timestamp: 0,
      score: 50,
      tactic: null,
      technique: null,
      tags: ['b'.repeat(5_000)],
      tlp: 'GREEN',
      status: 'New',
    };
    const filter: ConditionNode = {
      type: 'group',
      op: 'OR',
      children: [
        { type: 'condition', field: 'title', operator: 'matches', value: '**********.' },
        { type: 'condition', field: 'tags', operator: 'matches', value: '*******.*******' },
      ],
    };
    expect(evaluateCondition(filter, alert, ALERT_FIELD_CATALOGUE)).toBe(false);
  });

  it('agrees with SQLite LIKE on star runs, escapes, case, NUL and broken surrogates', () => {
    const db = new Database(':memory:');
    try {
      const like = db.prepare(`SELECT ? LIKE ? ESCAPE '\\' AS m`).pluck();
      const random = new SeededRandom(1107);
      const alphabet = [
        'a',
        'A',
        'b',
        '.',
        '%',
        '_',
        '\\',
        'é',
        'É',
        'ß',
        '😀',
        '\0',
        '\uD800',
        '\n',
      ];
      const patternAlphabet = [...alphabet, '%%%%', '%%%%%%%%%%', '_', '__', '\\%', '\\_', '\\\\'];
      let matched = 0;
      for (let i = 0; i < 3000; i++) {
        const text = Array.from({ length: random.int(0, 14) }, () => random.pick(alphabet)).join(
          '',
        );
        const pattern = Array.from({ length: random.int(0, 8) }, () =>
          random.pick(patternAlphabet),
        ).join('');
        const expected = like.get(text, pattern) === 1;
        if (expected) matched += 1;
        expect(likeMatches(pattern, text), JSON.stringify([text, pattern])).toBe(expected);
      }
      expect(matched).toBeGreaterThan(150);
    } finally {
      db.close();
    }
  });
});

describe('text operators agree with SQL on unusual text', () => {
  it('on NUL, broken surrogates and LIKE metacharacters in values and data', () => {
    const texts = ['ab\0cd', 'ab', 'abc', 'a\uD800b', 'a\uFFFDb', '50%_x', 'AB\0', '\0', ''];
    const random = new SeededRandom(3);
    const rows = texts.map((name, index) => ({ ...randomCase(random, index), name }));
    const db = createCaseDatabase(rows);
    try {
      for (const operator of ['is', 'contains', 'starts with', 'matches', 'in'] as const) {
        for (const value of ['ab', 'ab\0c', 'AB\0', 'a\uD800', 'a?b', '50%', '\0', 'ab*', '*']) {
          const leaf: ConditionLeaf = {
            type: 'condition',
            field: 'name',
            operator,
            value: operator === 'in' ? [value] : value,
          };
          const expected = rows.filter((row) => evaluateCondition(leaf, row)).map((r) => r.number);
          expect(sqlMatches(db, leaf), JSON.stringify(leaf)).toEqual(expected);
        }
      }
    } finally {
      db.close();
    }
  });
});

describe('condition trees from untrusted input (issue 11.7)', () => {
  function nested(depth: number): unknown {
    let tree: unknown = { type: 'condition', field: 'score', operator: '>', value: 1 };
    for (let i = 0; i < depth; i++) tree = { type: 'group', op: 'AND', children: [tree] };
    return tree;
  }

  it.each([MAX_CONDITION_DEPTH + 1, 5_000, 100_000])(
    'refuses a tree %i groups deep with a path, without overflowing the stack',
    (depth) => {
      const result = validateCondition(nested(depth), CASE_FIELD_CATALOGUE);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.issues).toHaveLength(1);
      expect(result.issues[0]?.message).toBe(
        `Groups are nested too deeply: at most ${MAX_CONDITION_DEPTH} levels`,
      );
      expect(result.issues[0]?.path).toBe(
        Array.from({ length: MAX_CONDITION_DEPTH }, () => 'children[0]').join('.'),
      );
      expect(conditionNodeSchema.safeParse(nested(depth)).success).toBe(false);
      expect(() =>
        compileConditionToSql(nested(depth) as ConditionNode, CASE_FIELD_CATALOGUE),
      ).toThrow(/nested too deeply/);
    },
  );

  it('accepts a tree at the depth limit', () => {
    expect(validateCondition(nested(MAX_CONDITION_DEPTH), CASE_FIELD_CATALOGUE).ok).toBe(true);
  });

  it('refuses a tree with too many nodes before walking it', () => {
    const leaf = { type: 'condition', field: 'score', operator: '>', value: 1 };
    const wide = { type: 'group', op: 'OR', children: Array.from({ length: 100_000 }, () => leaf) };
    const result = validateCondition(wide, CASE_FIELD_CATALOGUE);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]?.message).toMatch(/Too many conditions: at most 500/);
  });

  it('compiles the largest trees to shallow SQL that SQLite runs', () => {
    const leaf = (i: number): ConditionLeaf => ({
      type: 'condition',
      field: i % 2 === 0 ? 'name' : 'tags',
      operator: i % 3 === 0 ? 'not contains' : 'matches',
      value: `*x${i}*`,
    });
    // One flat group of the most nodes, and the deepest chain with the rest spread over it.
    const flat: ConditionNode = {
      type: 'group',
      op: 'AND',
      children: Array.from({ length: MAX_CONDITION_NODES - 1 }, (_, i) => leaf(i)),
    };
    let deep: ConditionNode = {
      type: 'group',
      op: 'OR',
      children: Array.from({ length: 100 }, (_, i) => leaf(i)),
    };
    for (let level = 1; level < MAX_CONDITION_DEPTH; level++) {
      deep = {
        type: 'group',
        op: level % 2 ? 'AND' : 'OR',
        not: level % 3 === 0,
        children: [deep, ...Array.from({ length: 10 }, (_, i) => leaf(i))],
      };
    }
    const db = createCaseDatabase([]);
    try {
      for (const tree of [flat, deep]) {
        expect(validateCondition(tree, CASE_FIELD_CATALOGUE).ok).toBe(true);
        const { sql } = compileConditionToSql(tree, CASE_FIELD_CATALOGUE);
        // SQLite's limit is 1,000; a chain of 500 leaves alone used to take half of it.
        expect(sqlChainHeight(sql)).toBeLessThan(300);
        expect(sqlMatches(db, tree)).toEqual([]);
      }
    } finally {
      db.close();
    }
  });

  it('joins long chains in short parenthesised runs', () => {
    expect(joinSqlBalanced(['a'], 'OR')).toBe('(a)');
    expect(joinSqlBalanced(['a', 'b', 'c'], 'AND')).toBe('(a AND b AND c)');
    const many = joinSqlBalanced(
      Array.from({ length: 1000 }, (_, i) => `x${i}`),
      'OR',
    );
    expect(many.match(/x\d+/g)).toEqual(Array.from({ length: 1000 }, (_, i) => `x${i}`));
    expect(sqlChainHeight(many)).toBeLessThanOrEqual(7 * 4);
  });
});
