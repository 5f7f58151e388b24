import { webHandlerEnvironment } from '../helpers/handler-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter, type Router } from '../../main/ipc/router';
import { loadDemoData } from '../../main/features/demo/demo';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import {
  checkConditionLeaf,
  operatorsForField,
  type ConditionValue,
} from '../../shared/domain/conditions';
import { CASE_FIELD_CATALOGUE, type CaseFieldRow } from '../../shared/domain/fields';
import {
  evaluateLucene,
  LuceneQueryError,
  MAX_LUCENE_QUERY_LENGTH,
  MAX_LUCENE_TERMS,
  parseLucene,
  type LuceneNode,
  type LuceneSpan,
} from '../../shared/domain/lucene';
import { SeededRandom } from '../../shared/domain/random';
import { compileLuceneToSql } from '../../main/store/sql/sqlite-dialect';

/**
 * Issue 11.7: whatever is typed into the search box, the answer is rows or a located
 * BAD_REQUEST, never INTERNAL, a SQLite error or a hang, and the SQL agrees with the TypeScript
 * evaluator on a real store (migrated schema, FTS index, demo data).
 */

const migrationsFolder = sourceMigrationsFolder();

let dir: string;
let ws: Workspace;
let router: Router;
let rows: CaseFieldRow[];

interface CaseDbRow {
  number: number;
  tenantName: string;
  name: string;
  description: string | null;
  summary: string | null;
  score: number;
  severity: CaseFieldRow['severity'];
  status: CaseFieldRow['status'];
  outcome: CaseFieldRow['outcome'];
  creator: string;
  assignee: string | null;
  assignee_name: string | null;
  tags: string;
  tlp: CaseFieldRow['tlp'];
  pap: CaseFieldRow['pap'];
  what: string | null;
  who: string | null;
  alert_count: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  first_alert_at: number | null;
  last_alert_at: number | null;
}

function loadRows(): CaseFieldRow[] {
  const found = ws.store.db
    .prepare(
      'SELECT cases.*, t.name AS tenantName FROM cases JOIN tenants t ON t.id = cases.tenant_id',
    )
    .all() as CaseDbRow[];
  return found.map((r) => ({
    number: r.number,
    tenantName: r.tenantName,
    name: r.name,
    description: r.description,
    summary: r.summary,
    score: r.score,
    severity: r.severity,
    status: r.status,
    outcome: r.outcome,
    creator: r.creator,
    assignee: r.assignee,
    assigneeName: r.assignee_name,
    tags: JSON.parse(r.tags) as string[],
    tlp: r.tlp,
    pap: r.pap,
    what: r.what,
    who: r.who,
    alertCount: r.alert_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    firstAlertAt: r.first_alert_at,
    lastAlertAt: r.last_alert_at,
  }));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-lucene-fuzz-'));
  ws = openWorkspace(path.join(dir, 'f.db'), { create: true, migrationsFolder });
  await loadDemoData(ws.store, { alerts: 400, seed: 117, endAt: Date.UTC(2026, 0, 31) });
  rows = loadRows();
  router = createRouter(createHandlers(ws, webHandlerEnvironment()));
});

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The query through the router, as the search box sends it; asserts the answer's shape. */
async function search(query: string): Promise<number | null> {
  const result = await router.invoke('cases.list', { offset: 0, limit: 5, query, withTotal: true });
  if (result.ok) return (result.data as { total: number }).total;
  const { error } = result;
  expect(error.code, `${JSON.stringify(query)}: ${error.message}`).toBe('BAD_REQUEST');
  if (query.length > MAX_LUCENE_QUERY_LENGTH) return null; // refused by the contract's max length
  expect(error.position, JSON.stringify(query)).toBeDefined();
  const position = error.position as LuceneSpan;
  expect(position.offset).toBeGreaterThanOrEqual(0);
  expect(position.length).toBeGreaterThanOrEqual(0);
  expect(position.offset + position.length).toBeLessThanOrEqual(query.length);
  expect(error.message).not.toBe('The query could not be read');
  return null;
}

function tsCount(ast: LuceneNode): number {
  return rows.filter((row) => evaluateLucene(ast, row)).length;
}

/**
 * Searches as `search` does, and checks that SQL found what the evaluator finds. ftsTokens is
 * FTS5's unicode61 tokenizer only for the characters analysts type: on unassigned code points,
 * most combining marks and some compatibility characters (¼, Ŀ) the two split words differently,
 * so `compare: false` for queries holding arbitrary code points (the evaluator of FTS text terms
 * serves tests only; the store always answers through FTS5).
 */
async function searchAgrees(query: string, compare = true): Promise<boolean> {
  const total = await search(query);
  if (total === null || !compare) return false;
  const parsed = parseLucene(query);
  expect(parsed.ok, JSON.stringify(query)).toBe(true);
  if (parsed.ok) expect(total, JSON.stringify(query)).toBe(tsCount(parsed.ast));
  return true;
}

const CHARACTERS = [
  ...'()[]{}":*?\\-+!<>=~^/&|',
  ' ',
  '  ',
  '\t',
  '\n',
  '\0',
  '\x01',
  '\x1b',
  '\x7f',
  '\x85',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\uD800',
  '\uDFFF',
  '😀',
  'é',
  'e\u0301',
  'ß',
  'İ',
  '中',
  'AND',
  'OR',
  'NOT',
  'TO',
  '&&',
  '||',
  '**********',
  '?????',
];

const WORDS = ['phish', 'Phishing', 'powershell', 'bob', 'a', 'x', '10.0.0.1', 'Ransom', '50'];
const FIELDS = ['name:', 'severity:', 'status:', 'score:', 'created:', 'tags:', 'who:', 'what:'];

function randomQuery(random: SeededRandom): { query: string; anyCodePoint: boolean } {
  let query = '';
  let anyCodePoint = false;
  const length = random.chance(0.05) ? random.int(500, 2100) : random.int(0, 40);
  while (query.length < length) {
    const roll = random.next();
    if (roll < 0.45) query += random.pick(CHARACTERS);
    else if (roll < 0.75) query += random.pick(WORDS);
    else if (roll < 0.9) query += random.pick(FIELDS);
    else {
      query += String.fromCodePoint(random.int(0, 0x10ffff));
      anyCodePoint = true;
    }
  }
  return { query, anyCodePoint };
}

describe('Lucene fuzz on a real store (issue 11.7)', () => {
  it('answers random character soups with rows or a located BAD_REQUEST', async () => {
    const random = new SeededRandom(1171);
    let agreed = 0;
    for (let i = 0; i < 1500; i++) {
      const { query, anyCodePoint } = randomQuery(random);
      if (await searchAgrees(query, !anyCodePoint)) agreed += 1;
    }
    expect(agreed).toBeGreaterThan(100);
  });

  it('runs wildcard-heavy and wide queries without a SQLite error or a hang', async () => {
    const random = new SeededRandom(1172);
    let agreed = 0;
    for (let i = 0; i < 300; i++) {
      const stars = () => '*'.repeat(random.int(1, 30));
      const clause = () =>
        random.pick([
          `${stars()}.${stars()}`,
          `name:${stars()}e${stars()}.${stars()}`,
          `*a*a*a*a*a*a*a*a*a*b`,
          `who:${'?'.repeat(random.int(1, 40))}*`,
          `tags:${stars()}i${stars()}`,
          `status:${stars()}`,
          `"${random.pick(WORDS)} ${random.pick(WORDS)}"`,
          random.pick(WORDS),
        ]);
      const count = random.int(1, 120);
      const query = Array.from({ length: count }, clause).join(
        random.pick([' ', ' OR ', ' AND ', ' AND NOT ']),
      );
      if (await searchAgrees(query.slice(0, MAX_LUCENE_QUERY_LENGTH))) agreed += 1;
    }
    expect(agreed).toBeGreaterThan(50);
  });
});

describe('random valid ASTs compile to SQL that agrees with the evaluator (issue 11.7)', () => {
  const TEXTS = ['phish', 'Phishing email', 'powershell', 'bob', 'é', '"quoted"', 'a_b%', 'x\\y'];

  function randomValue(random: SeededRandom, type: string, operator: string): ConditionValue {
    const scalar = (): string | number => {
      switch (type) {
        case 'number':
          return random.int(-5, 120);
        case 'date':
          return random.pick(['2026-01-15', '2025-12-31T23:00:00Z', Date.UTC(2026, 0, 20)]);
        default:
          return (
            random.pick(TEXTS) + (operator === 'matches' ? random.pick(['*', '**?*', '']) : '')
          );
      }
    };
    if (operator === 'exists' || operator === 'not exists') return null;
    if (operator === 'between') return [scalar(), scalar()];
    if (operator === 'in' || operator === 'not in')
      return Array.from({ length: random.int(1, 3) }, scalar);
    return scalar();
  }

  function randomLeaf(random: SeededRandom): LuceneNode | null {
    const field = random.pick(CASE_FIELD_CATALOGUE.fields);
    const operator = random.pick(operatorsForField(field));
    let value = randomValue(random, field.type, operator);
    if (field.type === 'enum') {
      const pick = () => random.pick(field.values);
      if (Array.isArray(value)) value = value.length === 2 ? [pick(), pick()] : [pick()];
      else if (value !== null) value = pick();
    }
    if (checkConditionLeaf(field, operator, value)) return null;
    return { kind: 'field', field: field.key, operator, value, span: { offset: 0, length: 0 } };
  }

  /** A tree within the parser's limits: `budget.leaves` counts down the terms left. */
  function randomAst(random: SeededRandom, depth: number, budget: { leaves: number }): LuceneNode {
    const span = { offset: 0, length: 0 };
    const roll = random.next();
    if (depth >= 12 || budget.leaves <= 1 || roll < 0.35) {
      budget.leaves -= 1;
      for (;;) {
        const leaf = random.chance(0.3)
          ? ({
              kind: 'text',
              match: random.pick(['phrase', 'prefix', 'wildcard'] as const),
              text: random.pick(['phish', 'email bob', 'power', '*ell*', 'a?b', 'T15']),
              span,
            } satisfies LuceneNode)
          : randomLeaf(random);
        if (leaf) return leaf;
      }
    }
    if (roll < 0.45) return { kind: 'not', child: randomAst(random, depth + 1, budget), span };
    if (roll < 0.5) return { kind: 'all', span };
    return {
      kind: random.chance(0.5) ? 'and' : 'or',
      children: Array.from({ length: random.int(1, 12) }, () =>
        randomAst(random, depth + 1, budget),
      ),
      span,
    };
  }

  it('on 500 random trees', () => {
    const random = new SeededRandom(1173);
    let selective = 0;
    for (let i = 0; i < 500; i++) {
      const ast = randomAst(random, 0, { leaves: MAX_LUCENE_TERMS });
      const { sql, params } = compileLuceneToSql(ast, CASE_FIELD_CATALOGUE);
      const found = ws.store.db
        .prepare(
          `SELECT count(*) AS n FROM cases CROSS JOIN tenants t ON t.id = cases.tenant_id WHERE ${sql}`,
        )
        .get(...params) as { n: number };
      const expected = tsCount(ast);
      if (expected > 0 && expected < rows.length) selective += 1;
      expect(found.n, JSON.stringify(ast)).toBe(expected);
    }
    expect(selective).toBeGreaterThan(60);
  });

  it('throws only a LuceneQueryError for a tree that does not fit the catalogue', () => {
    const span = { offset: 3, length: 4 };
    const bad: LuceneNode = { kind: 'field', field: 'nope', operator: 'is', value: 'x', span };
    expect(() => compileLuceneToSql(bad, CASE_FIELD_CATALOGUE)).toThrow(LuceneQueryError);
    expect(() => evaluateLucene(bad, rows[0] as CaseFieldRow)).toThrow(LuceneQueryError);
  });
});
