import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_FIELD_CATALOGUE, CASE_FIELD_CATALOGUE } from '../../shared/domain/fields';
import type { AlertFieldRow, CaseFieldRow } from '../../shared/domain/fields';
import {
  evaluateLucene,
  formatLuceneError,
  ftsTokens,
  MAX_LUCENE_NESTING,
  MAX_LUCENE_QUERY_LENGTH,
  MAX_LUCENE_TERMS,
  parseLucene,
  printableQuery,
} from '../../shared/domain/lucene';
import type { LuceneNode, LuceneParseResult } from '../../shared/domain/lucene';
import { SeededRandom } from '../../shared/domain/random';
import { compileLuceneToSql, ftsPhraseQuery } from '../../main/store/sql/sqlite-dialect';
import { sqlChainHeight } from '../helpers/sql-height';
import { severityRank } from '../../shared/domain/severity';
import {
  CASE_OUTCOMES,
  CASE_SEVERITIES,
  CASE_STATUSES,
  PAP_VALUES,
  TLP_VALUES,
} from '../../shared/domain/types';

const TENANTS = ['Acme', 'Globex'];
const DAY = 86_400_000;
const BASE_TIME = Date.UTC(2026, 0, 1);
const TEXTS = [
  'Phishing email from bob',
  'phish kit download',
  'powershell.exe -enc AAAA',
  'Beacon to 10.0.0.1',
  'bob, laptop-7',
  'alice@corp, srv-db-01',
  'Initial Access',
  'T1566.001',
  'Ransomware note found',
  'a_b 50% done',
  'C:\\Windows\\Temp',
  '',
];
const TAGS = ['VIP', 'phishing', 'malware', 'ransomware', 'false-positive', 'a_b'];

function parseOk(query: string): LuceneNode {
  const result = parseLucene(query);
  if (!result.ok) throw new Error(`${query}: ${formatLuceneError(query, result.error)}`);
  return result.ast;
}

function randomCase(random: SeededRandom, index: number): CaseFieldRow {
  const closed = random.chance(0.4);
  const assigned = random.chance(0.6);
  const time = () =>
    BASE_TIME + random.int(0, 40) * DAY + (random.chance(0.3) ? 0 : random.int(0, DAY - 1));
  return {
    number: index + 1,
    tenantName: random.pick(TENANTS),
    name: random.pick(TEXTS),
    description: random.chance(0.2) ? null : random.pick(TEXTS),
    summary: closed ? random.pick(TEXTS) : null,
    score: random.int(0, 100),
    severity: random.pick(CASE_SEVERITIES),
    status: random.pick(CASE_STATUSES),
    outcome: closed ? random.pick(CASE_OUTCOMES) : null,
    creator: random.chance(0.5) ? 'System' : 'alice',
    assignee: assigned ? random.pick(['u-1', 'u-2']) : null,
    assigneeName: assigned ? random.pick(['Alice', 'Bob']) : null,
    tags: Array.from({ length: random.int(0, 3) }, () => random.pick(TAGS)),
    tlp: random.pick(TLP_VALUES),
    pap: random.pick(PAP_VALUES),
    what: random.chance(0.2) ? null : random.pick(['T1566', 'T1059.001', 'Initial Access']),
    who: random.chance(0.3) ? null : random.pick(TEXTS),
    alertCount: random.int(0, 10),
    createdAt: time(),
    updatedAt: time(),
    closedAt: closed ? time() : null,
    firstAlertAt: time(),
    lastAlertAt: time(),
  };
}

function createDatabase(rows: readonly CaseFieldRow[]): Database.Database {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE cases (
      id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL,
      description TEXT, score INTEGER NOT NULL, severity TEXT NOT NULL,
      severity_rank INTEGER NOT NULL, status TEXT NOT NULL, outcome TEXT, summary TEXT,
      creator TEXT NOT NULL, assignee TEXT, assignee_name TEXT, tags TEXT NOT NULL DEFAULT '[]',
      tlp TEXT NOT NULL, pap TEXT NOT NULL, what TEXT, who TEXT, alert_count INTEGER NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, closed_at INTEGER,
      first_alert_at INTEGER, last_alert_at INTEGER
    );
    CREATE VIRTUAL TABLE cases_fts USING fts5(
      name, description, what, who, tags, content='cases', content_rowid='rowid'
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
  db.exec(`INSERT INTO cases_fts(cases_fts) VALUES ('rebuild')`);
  return db;
}

const random = new SeededRandom(4180);
const rows = Array.from({ length: 200 }, (_, index) => randomCase(random, index));
let db: Database.Database;
beforeAll(() => {
  db = createDatabase(rows);
});
afterAll(() => db.close());

function sqlNumbers(ast: LuceneNode): number[] {
  const { sql, params } = compileLuceneToSql(ast, CASE_FIELD_CATALOGUE);
  const found = db
    .prepare(
      `SELECT cases.number AS number FROM cases JOIN tenants t ON t.id = cases.tenant_id WHERE ${sql} ORDER BY cases.number`,
    )
    .all(...params) as { number: number }[];
  return found.map((row) => row.number);
}

function tsNumbers(ast: LuceneNode): number[] {
  return rows.filter((row) => evaluateLucene(ast, row)).map((row) => row.number);
}

describe('parseLucene: valid queries', () => {
  it('treats an empty query and * as match-all', () => {
    expect(parseOk('').kind).toBe('all');
    expect(parseOk('   ').kind).toBe('all');
    expect(parseOk('*').kind).toBe('all');
  });

  it('gives NOT over AND over OR, and ANDs adjacent clauses', () => {
    const ast = parseOk('a OR b AND NOT c d');
    expect(ast).toMatchObject({
      kind: 'or',
      children: [
        { kind: 'text', text: 'a' },
        {
          kind: 'and',
          children: [
            { kind: 'text', text: 'b' },
            { kind: 'not', child: { kind: 'text', text: 'c' } },
            { kind: 'text', text: 'd' },
          ],
        },
      ],
    });
    expect(parseOk('a && b || !c')).toMatchObject({
      kind: 'or',
      children: [{ kind: 'and' }, { kind: 'not' }],
    });
  });

  it('reads field values by type', () => {
    expect(parseOk('status:"In Progress"')).toMatchObject({
      kind: 'field',
      field: 'status',
      operator: 'is',
      value: 'In Progress',
    });
    expect(parseOk('severity:high')).toMatchObject({ operator: 'is', value: 'High' });
    expect(parseOk('status:in*')).toMatchObject({ operator: 'is', value: 'In Progress' });
    expect(parseOk('tlp:AMBER*')).toMatchObject({
      operator: 'in',
      value: ['AMBER', 'AMBER+STRICT'],
    });
    expect(parseOk('name:phish')).toMatchObject({ operator: 'contains', value: 'phish' });
    expect(parseOk('name:phish*')).toMatchObject({ operator: 'matches', value: 'phish*' });
    expect(parseOk('tags:VIP')).toMatchObject({ field: 'tags', operator: 'is', value: 'VIP' });
    expect(parseOk('id:42')).toMatchObject({ field: 'number', operator: 'is', value: 42 });
    expect(parseOk('caseId:42')).toMatchObject({ field: 'number' });
    expect(parseOk('created_at:2026-01-05')).toMatchObject({
      field: 'created',
      value: '2026-01-05',
    });
    expect(parseOk('assignee:*')).toMatchObject({ field: 'assignee', operator: 'exists' });
    expect(parseOk('_exists_:assignee_name')).toMatchObject({
      field: 'assignee_name',
      operator: 'exists',
    });
    expect(parseOk('created:>=2026-01-01T10:00:00Z')).toMatchObject({
      operator: '>=',
      value: '2026-01-01T10:00:00Z',
    });
  });

  it('reads ranges and comparisons', () => {
    expect(parseOk('score:[50 TO 80]')).toMatchObject({ operator: 'between', value: [50, 80] });
    expect(parseOk('score:{50 TO 80}')).toMatchObject({
      kind: 'and',
      children: [
        { operator: '>', value: 50 },
        { operator: '<', value: 80 },
      ],
    });
    expect(parseOk('score:[50 TO 80}')).toMatchObject({
      children: [{ operator: '>=' }, { operator: '<' }],
    });
    expect(parseOk('score:[50 TO *]')).toMatchObject({ operator: '>=', value: 50 });
    expect(parseOk('score:[* TO *]')).toMatchObject({ operator: 'exists' });
    expect(parseOk('created:[2026-01-01 TO 2026-02-01]')).toMatchObject({
      field: 'created',
      operator: 'between',
      value: ['2026-01-01', '2026-02-01'],
    });
    expect(parseOk('severity:[Medium TO Critical]')).toMatchObject({ operator: 'between' });
    for (const op of ['>', '>=', '<', '<='] as const) {
      expect(parseOk(`score:${op}75`)).toMatchObject({ operator: op, value: 75 });
    }
  });

  it('reads field groups, prefixes, phrases and escapes', () => {
    expect(parseOk('severity:(High OR Critical)')).toMatchObject({
      kind: 'or',
      children: [
        { kind: 'field', field: 'severity', value: 'High' },
        { kind: 'field', field: 'severity', value: 'Critical' },
      ],
      span: { offset: 0, length: 27 },
    });
    expect(parseOk('-status:Resolved +tags:vip')).toMatchObject({
      kind: 'and',
      children: [{ kind: 'not', child: { field: 'status' } }, { field: 'tags' }],
    });
    expect(parseOk('"phish kit"')).toMatchObject({
      kind: 'text',
      match: 'phrase',
      text: 'phish kit',
    });
    expect(parseOk('phish*')).toMatchObject({ kind: 'text', match: 'prefix', text: 'phish' });
    expect(parseOk('*ish')).toMatchObject({ kind: 'text', match: 'wildcard', text: '*ish' });
    expect(parseOk('name:a\\*b')).toMatchObject({ operator: 'contains', value: 'a*b' });
    expect(parseOk('name:"say \\"hi\\""')).toMatchObject({ value: 'say "hi"' });
    expect(parseOk('who:C\\:\\\\Windows')).toMatchObject({ value: 'C:\\Windows' });
    expect(parseOk('/etc/passwd')).toMatchObject({ kind: 'text', text: '/etc/passwd' });
  });

  it('accepts field names in any case and keeps AND-like words lower case as terms', () => {
    expect(parseOk('Severity:High')).toMatchObject({ field: 'severity' });
    expect(parseOk('cats and dogs')).toMatchObject({
      kind: 'and',
      children: [{ text: 'cats' }, { text: 'and' }, { text: 'dogs' }],
    });
    expect(parseOk('ANDROID')).toMatchObject({ kind: 'text', text: 'ANDROID' });
  });
});

describe('parseLucene: errors say where', () => {
  const cases: [string, number, number, RegExp][] = [
    ['(phish', 0, 1, /Missing '\)'/],
    ['a AND (b OR c', 6, 1, /Missing '\)'/],
    ['phish)', 5, 1, /Unexpected '\)'/],
    ['phish AND', 6, 3, /AND needs a search term after it/],
    ['AND phish', 0, 3, /AND needs a search term before it/],
    ['phish OR', 6, 2, /OR needs a search term after it/],
    ['a AND OR b', 6, 2, /between AND and OR/],
    ['(a AND)', 3, 3, /AND needs a search term after it/],
    ['NOT', 0, 3, /NOT needs a search term/],
    ['name:"phish kit', 5, 10, /Missing closing quote/],
    ['"', 0, 1, /Missing closing quote/],
    ['score:[ TO ]', 6, 6, /needs a lower and an upper bound/],
    ['score:[]', 6, 2, /needs a lower and an upper bound/],
    ['score:[50 TO ]', 6, 8, /needs a lower and an upper bound/],
    ['score:[50 80]', 10, 1, /Expected 'TO'/],
    ['score:[50 TO 80', 6, 1, /Missing '\]' or '\}'/],
    ['score:[80 TO 50]', 6, 10, /range is empty/],
    ['score:{50 TO 50]', 6, 10, /range is empty/],
    ['score:abc', 6, 3, /Score expects a number, got 'abc'/],
    ['score:>=high', 8, 4, /Score expects a number/],
    ['created:[foo TO bar]', 9, 3, /Created expects a date .* got 'foo'/],
    ['created:2026-02-30', 8, 10, /expects a date/],
    ['severity:Huge', 9, 4, /Severity must be one of Critical, High, Medium, Low; got 'Huge'/],
    ['status:zz*', 7, 3, /matches no Status/],
    ['colour:red', 0, 6, /Unknown field 'colour'/],
    ['a AND colour:red', 6, 6, /Unknown field 'colour'/],
    ['_exists_:colour', 9, 6, /Unknown field 'colour' after _exists_/],
    ['name:[a TO b]', 5, 8, /Ranges and comparisons apply to numbers, dates and severity/],
    ['score:', 0, 6, /needs a value right after the colon/],
    ['score:> 5', 6, 1, /'>' needs a value/],
    ['[1 TO 2]', 0, 1, /A range needs a field/],
    ['()', 0, 2, /Empty parentheses/],
    ['- phish', 0, 1, /'-' must be directly followed/],
    ['phish~2', 5, 1, /fuzzy/],
    ['phish^2', 5, 1, /boost/],
    ['phish\\', 0, 6, /backslash at the end/],
    ['...', 0, 3, /no letters or digits/],
    ['---', 2, 1, /'-' must be directly followed/],
    ['score:[50', 9, 0, /Expected 'TO'/],
    [':x', 0, 1, /Unexpected ':'/],
  ];
  it.each(cases)('%s', (query, offset, length, message) => {
    const result = parseLucene(query);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(message);
    expect({ offset: result.error.offset, length: result.error.length }).toEqual({
      offset,
      length,
    });
  });

  it('rejects over-long queries', () => {
    const query = 'a '.repeat(MAX_LUCENE_QUERY_LENGTH);
    const result = parseLucene(query);
    expect(result).toMatchObject({
      ok: false,
      error: { offset: MAX_LUCENE_QUERY_LENGTH, length: query.length - MAX_LUCENE_QUERY_LENGTH },
    });
    expect(!result.ok && result.error.message).toMatch(/too long: 4,000 characters, at most 2,000/);
  });

  it('rejects nesting deeper than the limit', () => {
    const ok = `${'('.repeat(MAX_LUCENE_NESTING)}a${')'.repeat(MAX_LUCENE_NESTING)}`;
    expect(parseLucene(ok).ok).toBe(true);
    const deep = `${'('.repeat(MAX_LUCENE_NESTING + 1)}a${')'.repeat(MAX_LUCENE_NESTING + 1)}`;
    expect(parseLucene(deep)).toMatchObject({
      ok: false,
      error: { offset: MAX_LUCENE_NESTING, message: expect.stringMatching(/nested too deeply/) },
    });
    expect(parseLucene('NOT '.repeat(40) + 'a').ok).toBe(false);
    expect(parseLucene('-'.repeat(40) + 'a').ok).toBe(false);
  });

  it('formats an error with carets under the bad part', () => {
    const result = parseLucene('score:abc');
    expect(!result.ok && formatLuceneError('score:abc', result.error)).toBe(
      "Score expects a number, got 'abc'\n  score:abc\n        ^^^",
    );
  });
});

describe('compileLuceneToSql agrees with evaluateLucene', () => {
  const queries = [
    'phishing',
    'Phish',
    'phish*',
    'PH*',
    '"phish kit"',
    '"email from"',
    'bob',
    '10.0.0.1',
    'powershell.exe',
    'laptop',
    '*ish*',
    'ph?sh',
    '50%',
    'a_b',
    'ransom*',
    'temp',
    'vip',
    'phishing -tags:phishing',
    'name:phish',
    'name:PHISH*',
    'name:*kit*',
    'name:"from bob"',
    'who:bob OR who:alice',
    'severity:(High OR Critical)',
    'severity:>=High',
    'severity:[Low TO Medium]',
    'status:(New OR "In Progress") AND NOT severity:Low',
    'score:[50 TO 80]',
    'score:{50 TO 80}',
    'score:[50 TO 80}',
    'score:>=75',
    'score:<10 OR score:>90',
    'score:[* TO 20]',
    'created:[2026-01-05 TO 2026-01-10]',
    'created:{2026-01-05 TO 2026-01-10}',
    'created:2026-01-07',
    'created:>2026-02-01',
    'created:<=2026-01-03T12:00:00Z',
    'closed:*',
    'NOT closed:*',
    '_exists_:assignee',
    '-_exists_:assignee',
    'assignee_name:alice',
    'tenant:acme',
    'tags:vip',
    'tags:(malware OR ransomware)',
    'tags:*ware',
    'tag:false-positive',
    'what:T1566',
    'id:[1 TO 20]',
    'alertCount:0',
    'outcome:"false positive"',
    'tlp:amber*',
    'creator:system AND -phishing',
    '(phish* OR ransom*) AND score:>=50 AND NOT status:Cancelled',
    'initial access',
    '"initial access" OR "beacon to"',
  ];

  it.each(queries)('%s', (query) => {
    const ast = parseOk(query);
    expect(sqlNumbers(ast)).toEqual(tsNumbers(ast));
  });

  it('finds what an analyst expects', () => {
    const names = (query: string) =>
      new Set(tsNumbers(parseOk(query)).map((n) => rows[n - 1]?.name));
    expect(names('"phish kit"')).toEqual(
      new Set(
        rows
          .filter((r) =>
            [r.name, r.description, r.what, r.who].some((t) => t?.includes('phish kit')),
          )
          .map((r) => r.name),
      ),
    );
    // Token search: "phish" does not find "Phishing"; the prefix does.
    expect(tsNumbers(parseOk('name:phishing AND NOT phish*'))).toEqual([]);
    const row = { ...(rows[0] as CaseFieldRow), name: 'Phishing email', description: null };
    const only = { ...row, what: null, who: null, tags: [] };
    expect(evaluateLucene(parseOk('phish'), only)).toBe(false);
    expect(evaluateLucene(parseOk('phish*'), only)).toBe(true);
    expect(evaluateLucene(parseOk('PHISHING'), only)).toBe(true);
    expect(evaluateLucene(parseOk('"email phishing"'), only)).toBe(false);
  });

  it('on 600 random valid queries', () => {
    const queryRandom = new SeededRandom(99);
    let selective = 0;
    for (let i = 0; i < 600; i++) {
      const query = randomQuery(queryRandom, 0);
      const ast = parseOk(query);
      const expected = tsNumbers(ast);
      if (expected.length > 0 && expected.length < rows.length) selective += 1;
      expect(sqlNumbers(ast), query).toEqual(expected);
    }
    expect(selective).toBeGreaterThan(250);
  });

  it('searches alerts without an FTS index by substring', () => {
    const alert: AlertFieldRow = {
      tenantName: 'Acme',
      source: 'Splunk',
      sourceRef: 'r1',
      type: 'auth',
      title: 'Impossible travel for bob',
      description: null,
      timestamp: BASE_TIME,
      score: 40,
      tactic: null,
      technique: null,
      tags: [],
      tlp: 'GREEN',
      status: 'New',
    };
    const result = parseLucene('travel* AND source:splunk', ALERT_FIELD_CATALOGUE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(evaluateLucene(result.ast, alert, ALERT_FIELD_CATALOGUE)).toBe(true);
    expect(compileLuceneToSql(result.ast, ALERT_FIELD_CATALOGUE).sql).toContain('alerts.title');
    expect(parseLucene('severity:High', ALERT_FIELD_CATALOGUE).ok).toBe(false);
  });

  it('escapes FTS5 syntax inside the parameter', () => {
    expect(ftsPhraseQuery('a "b" OR c', false)).toBe('"a ""b"" OR c"');
    expect(ftsTokens('Powershell.exe -enc, Émile')).toEqual(['powershell', 'exe', 'enc', 'emile']);
    for (const query of ['"NEAR(a b)"', 'name:"x\' OR 1=1 --"', '"a"" OR ""b"', 'AND\\ x']) {
      expect(() => sqlNumbers(parseOk(query)), query).not.toThrow();
    }
  });
});

const QUERY_WORDS = [
  'phish',
  'phishing',
  'bob',
  'kit',
  'email',
  'exe',
  '10.0.0.1',
  'access',
  'note',
];

function randomClause(random: SeededRandom): string {
  const date = (day = random.int(-2, 42)) =>
    new Date(BASE_TIME + day * DAY).toISOString().slice(0, 10);
  const score = () => random.int(0, 100);
  switch (random.int(0, 17)) {
    case 0:
      return random.pick(QUERY_WORDS);
    case 1:
      return `${random.pick(QUERY_WORDS).slice(0, random.int(1, 4))}*`;
    case 2:
      return random.pick(['"phish kit"', '"from bob"', '"initial access"', '"beacon to 10"']);
    case 3:
      return random.pick(['*ish*', 'b?b', 'ph?sh*', '*a_b*', '*%*']);
    case 4:
      return `name:${random.pick(['phish', 'PHISH*', '*kit*', '"from bob"', 'note'])}`;
    case 5:
      return `severity:${random.pick(['high', '>=Medium', '<High', '(Low OR Critical)', '[Low TO High]'])}`;
    case 6:
      return `status:${random.pick(['New', '"In Progress"', '(Resolved OR Cancelled)', 'in*'])}`;
    case 7: {
      const low = random.int(0, 98);
      const high = random.int(low + 1, 100);
      return `score:${random.pick(['[', '{'])}${low} TO ${high}${random.pick([']', '}'])}`;
    }
    case 8:
      return `score:${random.pick(['>', '>=', '<', '<='])}${score()}`;
    case 9: {
      const first = random.int(-2, 40);
      const low = date(first);
      const high = date(random.int(first + 1, 42));
      return `${random.pick(['created', 'updated', 'closed'])}:${random.pick(['[', '{'])}${low} TO ${high}${random.pick([']', '}'])}`;
    }
    case 10:
      return `${random.pick(['created', 'lastAlert'])}:${random.pick(['>', '>=', '<', '<=', ''])}${date()}`;
    case 11:
      return `_exists_:${random.pick(['assignee', 'outcome', 'closed', 'description', 'who'])}`;
    case 12:
      return `tags:${random.pick(['vip', 'malware', '*ware', '(phishing OR a_b)', '*'])}`;
    case 13:
      return `who:${random.pick(['bob', 'laptop*', '"srv-db"', '*'])}`;
    case 14:
      return `assignee_name:${random.pick(['alice', 'BOB'])}`;
    case 15:
      return `alertCount:${random.pick(['[2 TO 5]', '>7', '0'])}`;
    case 16:
      return `tenant:${random.pick(['acme', 'Globex', 'glo*'])}`;
    default:
      return `what:${random.pick(['T1566', 'T1059*', '"initial access"'])}`;
  }
}

function randomQuery(random: SeededRandom, depth: number): string {
  if (depth >= 3 || random.chance(0.4)) {
    const prefix = random.pick(['', '', '', 'NOT ', '-', '+']);
    return prefix + randomClause(random);
  }
  const parts = Array.from({ length: random.int(2, 4) }, () => randomQuery(random, depth + 1));
  const joined = parts.reduce((left, right) =>
    `${left} ${random.pick(['AND', 'OR', '', '&&', '||', 'AND NOT'])} ${right}`.replace(
      /  +/g,
      ' ',
    ),
  );
  return random.chance(0.6) ? `(${joined})` : joined;
}

describe('parseLucene fuzz', () => {
  const SYNTAX = [
    '(',
    ')',
    '"',
    ':',
    '[',
    ']',
    '{',
    '}',
    '*',
    '?',
    '\\',
    '-',
    '+',
    '!',
    '>',
    '<',
    '=',
    ' ',
    '~',
    '^',
    '/',
  ];
  const SOUP = [
    'AND',
    'OR',
    'NOT',
    '&&',
    '||',
    'TO',
    '(',
    ')',
    '"',
    '[',
    ']',
    '{',
    '}',
    '*',
    ':',
    '-',
    '+',
    'score:',
    'severity:',
    'created:',
    'tags:',
    'name:',
    '_exists_:',
    'status:',
    'id:',
    'foo:',
    '50',
    '2026-01-01',
    'High',
    'phish',
    'bob',
    'x*',
    '>=',
    '<',
    '\\',
    '\\"',
    '  ',
  ];

  function assertWellFormed(query: string, result: LuceneParseResult): void {
    if (result.ok) return;
    const { error } = result;
    expect(error.message.length, query).toBeGreaterThan(0);
    expect(error.message, query).not.toBe('The query could not be read');
    expect(error.offset, query).toBeGreaterThanOrEqual(0);
    expect(error.length, query).toBeGreaterThanOrEqual(0);
    expect(error.offset + error.length, query).toBeLessThanOrEqual(query.length);
  }

  it('never throws on random characters', () => {
    const fuzz = new SeededRandom(1);
    for (let i = 0; i < 3000; i++) {
      let query = '';
      const length = fuzz.int(0, 40);
      for (let j = 0; j < length; j++) {
        const roll = fuzz.next();
        query +=
          roll < 0.5
            ? fuzz.pick(SYNTAX)
            : roll < 0.9
              ? String.fromCharCode(fuzz.int(97, 122))
              : String.fromCharCode(fuzz.int(0, 0x2fff));
      }
      let result: LuceneParseResult | undefined;
      expect(() => {
        result = parseLucene(query);
      }, query).not.toThrow();
      assertWellFormed(query, result as LuceneParseResult);
    }
  });

  it('never throws on token soups, and what parses also runs in SQLite and agrees', () => {
    const fuzz = new SeededRandom(2);
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const tokens = Array.from({ length: fuzz.int(1, 12) }, () => fuzz.pick(SOUP));
      const query = tokens.join(fuzz.chance(0.5) ? ' ' : '');
      const result = parseLucene(query);
      assertWellFormed(query, result);
      if (result.ok) {
        parsed += 1;
        expect(sqlNumbers(result.ast), query).toEqual(tsNumbers(result.ast));
      }
    }
    expect(parsed).toBeGreaterThan(100);
  });

  it('stays bounded on long and deep inputs', () => {
    const inputs = [
      '('.repeat(1999),
      ')'.repeat(2000),
      'a '.repeat(1000),
      'NOT '.repeat(500),
      '"'.repeat(2000),
      `score:[${'1'.repeat(1990)} TO 2]`,
      'a OR '.repeat(399) + 'a',
      '\\'.repeat(2000),
    ];
    for (const query of inputs) assertWellFormed(query, parseLucene(query));
    const wide = parseLucene('a OR '.repeat(MAX_LUCENE_TERMS - 1) + 'a');
    expect(wide.ok && wide.ast.kind === 'or' && wide.ast.children.length).toBe(MAX_LUCENE_TERMS);
  });
});

describe('parseLucene: limits and characters (issue 11.7)', () => {
  function parseError(query: string) {
    const result = parseLucene(query);
    if (result.ok) throw new Error(`expected ${JSON.stringify(query)} to be refused`);
    return result.error;
  }

  it(`refuses more than ${MAX_LUCENE_TERMS} terms, pointing at the first one too many`, () => {
    const query = 'a '.repeat(999).trim(); // 1,997 characters: under the length limit
    expect(query.length).toBeLessThan(MAX_LUCENE_QUERY_LENGTH);
    const error = parseError(query);
    expect(error.message).toBe(
      `The query has more than ${MAX_LUCENE_TERMS} search terms; remove some (a "quoted phrase" counts as one term)`,
    );
    expect(error.offset).toBe(2 * MAX_LUCENE_TERMS);
    expect(error.length).toBe(query.length - 2 * MAX_LUCENE_TERMS);
    expect(parseLucene('a '.repeat(MAX_LUCENE_TERMS)).ok).toBe(true);
    // Field clauses, ranges and each value of a field group count; a phrase is one term.
    const values = Array.from({ length: MAX_LUCENE_TERMS + 1 }, (_, i) => `v${i}`).join(' OR ');
    expect(parseError(`name:(${values})`).message).toMatch(/more than 100 search terms/);
    expect(parseLucene(`name:(${values.split(' OR ').slice(1).join(' OR ')})`).ok).toBe(true);
    expect(parseError('score:[1 TO 5] '.repeat(MAX_LUCENE_TERMS + 1)).offset).toBe(
      15 * MAX_LUCENE_TERMS,
    );
    expect(parseLucene(`"${'word '.repeat(390)}"`).ok).toBe(true);
  });

  it('compiles the widest and deepest queries to shallow SQL that SQLite runs', () => {
    const terms = (n: number, word: (i: number) => string) =>
      Array.from({ length: n }, (_, i) => word(i));
    const deep =
      '('.repeat(MAX_LUCENE_NESTING / 2) +
      terms(MAX_LUCENE_TERMS - 2, (i) => `w${i}`).join(' ') +
      ')'.repeat(MAX_LUCENE_NESTING / 2);
    let nested = 'x';
    // Each level nests twice: its parentheses and its NOT.
    for (let i = 1; i <= MAX_LUCENE_NESTING / 2; i++) nested = `(y${i} OR NOT ${nested})`;
    const queries = [
      terms(MAX_LUCENE_TERMS, (i) => `w${i}`).join(' '),
      terms(MAX_LUCENE_TERMS, (i) => `name:w${i}*`).join(' OR '),
      terms(MAX_LUCENE_TERMS / 2, (i) => `score:[${i} TO ${i + 5}]`).join(' AND '),
      deep,
      nested,
    ];
    for (const query of queries) {
      const ast = parseOk(query);
      const { sql } = compileLuceneToSql(ast, CASE_FIELD_CATALOGUE);
      expect(sqlChainHeight(sql), query.slice(0, 40)).toBeLessThan(120);
      expect(sqlNumbers(ast)).toEqual(tsNumbers(ast));
    }
  });

  const unreadable: [string, string][] = [
    ['\0', 'a control character (U+0000)'],
    ['\x01', 'a control character (U+0001)'],
    ['\x1b', 'a control character (U+001B)'],
    ['\x7f', 'a control character (U+007F)'],
    ['\x85', 'a control character (U+0085)'],
    ['\uD800', 'a broken character (a lone UTF-16 surrogate, U+D800)'],
    ['\uDC00', 'a broken character (a lone UTF-16 surrogate, U+DC00)'],
  ];

  it.each(unreadable)('refuses %j wherever it is, at its position', (char, what) => {
    const places: [string, string][] = [
      ['phish', 'ing'],
      ['"phish ', ' kit"'],
      ['name:a', 'b'],
      ['severity:High OR ', ''],
      ['tags:(a OR b', ')'],
    ];
    for (const [before, after] of places) {
      const query = `${before}${char}${after}`;
      const error = parseError(query);
      expect(error.message).toBe(
        `The query contains ${what}, which cannot be searched for; remove it`,
      );
      expect(error.offset).toBe(before.length);
      expect(error.length).toBe(1);
    }
  });

  it('reads tabs, newlines and characters beyond the BMP as usual', () => {
    const ast = parseOk('phish\tkit\nname:"😀 x" OR Émile');
    expect(sqlNumbers(ast)).toEqual(tsNumbers(ast));
  });

  it('shows control characters visibly above the caret line', () => {
    const query = 'ab\x1b[2Jc\0d';
    const error = parseError(query);
    expect(printableQuery(query)).toBe('ab\u241b[2Jc\u2400d');
    expect(formatLuceneError(query, error)).toBe(`${error.message}\n  ab\u241b[2Jc\u2400d\n    ^`);
    expect(printableQuery('a\tb\n😀\uD800')).toBe('a b 😀\ufffd');
  });

  it('strips only the wildcard stars of a prefix term', () => {
    expect(parseOk('phish\\**')).toMatchObject({ kind: 'text', match: 'prefix', text: 'phish*' });
    expect(parseOk('phish**')).toMatchObject({ kind: 'text', match: 'prefix', text: 'phish' });
  });
});
