import { describe, expect, it } from 'vitest';
import { evaluateCondition, type ConditionNode } from '../../../shared/domain/conditions';
import type { CaseFieldRow } from '../../../shared/domain/fields';
import { evaluateLucene, parseLucene } from '../../../shared/domain/lucene';
import { SeededRandom } from '../../../shared/domain/random';
import { CASE_SORT_FIELDS, type CaseSortField } from '../../../shared/domain/types';
import { createTenant } from '../../../server/auth/accounts';
import { caseSearchText } from '../../../server/store/search-text';
import { backends, OPERATOR, useServer, type TestServer } from './helpers/harness';

/**
 * The read API: the desktop's Lucene query compiled for PostgreSQL must select exactly the cases
 * the shared TypeScript evaluator selects (the reference both compilers answer to), sorts must
 * order as the desktop's SQLite does, and keyset pages must join up without gaps or repeats.
 */

interface DbCase {
  id: string;
  number: number;
  tenant: string;
  name: string;
  description: string;
  summary: string | null;
  score: number;
  severity: CaseFieldRow['severity'];
  severity_rank: number;
  status: CaseFieldRow['status'];
  outcome: CaseFieldRow['outcome'];
  creator: string;
  assignee: string | null;
  assignee_name: string | null;
  tags: string[];
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

function toFieldRow(c: DbCase): CaseFieldRow {
  return {
    number: c.number,
    tenantName: c.tenant,
    name: c.name,
    description: c.description,
    summary: c.summary,
    score: c.score,
    severity: c.severity,
    status: c.status,
    outcome: c.outcome,
    creator: c.creator,
    assignee: c.assignee,
    assigneeName: c.assignee_name,
    tags: c.tags,
    tlp: c.tlp,
    pap: c.pap,
    what: c.what,
    who: c.who,
    alertCount: c.alert_count,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    closedAt: c.closed_at,
    firstAlertAt: c.first_alert_at,
    lastAlertAt: c.last_alert_at,
  };
}

async function seedCases(s: TestServer): Promise<DbCase[]> {
  await createTenant(s.db, OPERATOR, 'read-acme');
  await createTenant(s.db, OPERATOR, 'read-globex');
  const random = new SeededRandom(3);
  const titles = [
    'Encoded PowerShell',
    'Phishing kit download',
    'Port scan',
    'phish report',
    'Ünïcode Straße alert',
    "quote ' and % percent_",
  ];
  const records = Array.from({ length: 90 }, (_, i) => ({
    source: ['edr', 'siem', 'ids'][i % 3],
    sourceRef: `read-${i}`,
    title: titles[i % titles.length],
    description: i % 4 === 0 ? 'lateral movement via SMB' : '',
    timestamp: new Date(
      Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 86_400_000 + (i % 3) * 60_000,
    ).toISOString(),
    severity: random.int(1, 100),
    tactic: ['TA0001', 'TA0002', 'TA0008'][i % 3],
    tenant: i % 2 === 0 ? 'read-acme' : 'read-globex',
    entities: { hosts: [`WS-${Math.floor(i / 3)}`], users: i % 5 === 0 ? [`User${i % 7}`] : [] },
  }));
  const reply = await s.request('POST', '/api/v1/alerts', { body: records });
  expect(reply.json.errors).toBe(0);
  // Vary what ingestion does not set: assignees, tags, statuses, outcomes (direct writes).
  const ids = await s.db.query<{ id: string; tenant_id: string }>(
    'SELECT id, tenant_id FROM cases ORDER BY id',
  );
  for (const [n, row] of ids.entries()) {
    const status = ['New', 'In Progress', 'Escalated', 'Resolved', 'Cancelled'][n % 5] as string;
    const assignee = n % 3 === 0 ? null : n % 3 === 1 ? 'Alice Analyst' : 'bob';
    const tags =
      n % 4 === 0
        ? []
        : n % 4 === 1
          ? ['phishing']
          : n % 4 === 2
            ? ['edr', 'Lateral']
            : ['vip-user'];
    await s.db.query(
      `UPDATE cases SET status = $3, assignee_name = $4, assignee = $5, tags = $6::text[],
         outcome = $7, updated_at = updated_at + $8
       WHERE tenant_id = $1 AND id = $2`,
      [
        row.tenant_id,
        row.id,
        status,
        assignee,
        assignee ? `u-${assignee}` : null,
        tags,
        status === 'Resolved' ? 'True Positive' : null,
        (n * 7919) % 1000,
      ],
    );
  }
  const cases = await s.db.query<DbCase>(
    `SELECT c.*, t.name AS tenant FROM cases c JOIN tenants t ON t.tenant_id = c.tenant_id
     WHERE t.name LIKE 'read-%'`,
  );
  for (const c of cases) {
    await s.db.query(
      'UPDATE cases SET search_text = $3 WHERE tenant_id = (SELECT tenant_id FROM tenants WHERE name = $1) AND id = $2',
      [
        c.tenant,
        c.id,
        caseSearchText({
          name: c.name,
          description: c.description,
          what: c.what,
          who: c.who,
          tags: c.tags,
        }),
      ],
    );
  }
  return cases;
}

async function allPages(
  s: TestServer,
  params: string,
  limit: number,
): Promise<{ id: string; number: number }[]> {
  const out: { id: string; number: number }[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard += 1) {
    const url: string = `/api/v1/cases?limit=${limit}&${params}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const reply = await s.request('GET', url);
    expect(reply.status, url).toBe(200);
    out.push(...(reply.json.cases as { id: string; number: number }[]));
    cursor = reply.json.nextCursor as string | null;
    if (!cursor) return out;
  }
  throw new Error('paging did not end');
}

const QUERIES = [
  'phish',
  'phish*',
  '"encoded powershell"',
  'PowerShell AND NOT scan',
  'strasse',
  '*owersh*',
  'severity:high',
  'severity:>=High',
  'severity:(High OR Critical) AND powershell',
  'score:[50 TO 80]',
  'score:{50 TO 80]',
  'score:>=75',
  'NOT status:New',
  'status:in*',
  '_exists_:assignee',
  'assignee_name:alice',
  'assignee_name:"alice analyst"',
  'assignee:*',
  'tags:phishing',
  'tags:lat*',
  'tags:EDR',
  'name:*shell*',
  'name:"quote \' and % percent_"',
  'name:percent_',
  'tenant:read-acme',
  'who:ws-1*',
  'what:TA0002',
  'alertCount:>2',
  'alertCount:[2 TO *]',
  'created:[2020-01-01 TO 2100-01-01]',
  'lastAlert:<2026-01-10',
  'firstAlert:2026-01-05',
  'outcome:"True Positive"',
  'lateral OR vip',
  '(phish OR scan) AND -tags:phishing',
  'name:"x\'); DROP TABLE cases; --"',
];

for (const backend of backends()) {
  describe(`read API on ${backend.name}`, () => {
    const server = useServer(backend);
    let cases: DbCase[] = [];

    it('selects with Lucene exactly what the shared evaluator selects (TBL-4)', async () => {
      const s = server();
      cases = await seedCases(s);
      expect(cases.length).toBeGreaterThan(25);
      for (const query of QUERIES) {
        const parsed = parseLucene(query);
        if (!parsed.ok) throw new Error(`${query}: ${parsed.error.message}`);
        const expected = cases
          .filter((c) => evaluateLucene(parsed.ast, toFieldRow(c)))
          .map((c) => c.id)
          .sort();
        const got = (await allPages(s, `query=${encodeURIComponent(query)}`, 500))
          .map((c) => c.id)
          .filter((id) => cases.some((c) => c.id === id))
          .sort();
        expect(got, query).toEqual(expected);
      }
      const nonEmpty = QUERIES.filter((query) => {
        const parsed = parseLucene(query);
        return parsed.ok && cases.some((c) => evaluateLucene(parsed.ast, toFieldRow(c)));
      });
      expect(nonEmpty.length).toBeGreaterThan(QUERIES.length * 0.7);
    });

    it('selects queue members exactly as evaluateCondition does (QUE-1)', async () => {
      const s = server();
      const conditions: ConditionNode[] = [
        {
          type: 'group',
          op: 'AND',
          children: [{ type: 'condition', field: 'severity', operator: '>=', value: 'High' }],
        },
        {
          type: 'group',
          op: 'OR',
          not: true,
          children: [
            { type: 'condition', field: 'assignee_name', operator: 'in', value: ['BOB', 'nobody'] },
            { type: 'condition', field: 'tags', operator: 'starts with', value: 'la' },
          ],
        },
        {
          type: 'group',
          op: 'AND',
          children: [{ type: 'condition', field: 'name', operator: 'matches', value: '*kit*' }],
        },
        {
          type: 'group',
          op: 'AND',
          children: [{ type: 'condition', field: 'score', operator: 'between', value: [20, 60.5] }],
        },
        {
          type: 'group',
          op: 'AND',
          children: [{ type: 'condition', field: 'created', operator: '<=', value: '2100-01-01' }],
        },
        { type: 'group', op: 'OR', children: [] },
      ];
      for (const [n, condition] of conditions.entries()) {
        const created = await s.request('POST', '/api/v1/queues', {
          body: { name: `q${n}`, tenant: 'read-acme', condition },
        });
        expect(created.status, JSON.stringify(condition)).toBe(201);
        const expected = cases
          .filter((c) => c.tenant === 'read-acme' && evaluateCondition(condition, toFieldRow(c)))
          .map((c) => c.id)
          .sort();
        expect(created.json.count).toBe(expected.length);
        const got = (await allPages(s, `queue=q${n}`, 100)).map((c) => c.id).sort();
        expect(got).toEqual(expected);
      }
      const queues = await s.request('GET', '/api/v1/queues');
      expect((queues.body as { name: string }[]).slice(0, 2).map((q) => q.name)).toEqual([
        'All Open Cases',
        'All Closed Cases',
      ]);
    });

    it('sorts like the desktop and pages by cursor without gaps or repeats', async () => {
      const s = server();
      const ids = new Set(cases.map((c) => c.id));
      const key: Record<CaseSortField, (c: DbCase) => string | number> = {
        number: (c) => c.number,
        name: (c) => c.name,
        score: (c) => c.score,
        severity: (c) => c.severity_rank,
        status: (c) => c.status,
        creator: (c) => c.creator,
        assigneeName: (c) => c.assignee_name ?? '',
        alertCount: (c) => c.alert_count,
        createdAt: (c) => c.created_at,
        updatedAt: (c) => c.updated_at,
        what: (c) => c.what ?? '',
      };
      const codePoints = (text: string) => Buffer.from(text, 'utf8');
      for (const sort of CASE_SORT_FIELDS) {
        for (const direction of ['asc', 'desc'] as const) {
          const sign = direction === 'asc' ? 1 : -1;
          const expected = [...cases]
            .sort((a, b) => {
              const x = key[sort](a);
              const y = key[sort](b);
              const byValue =
                typeof x === 'number' && typeof y === 'number'
                  ? x - y
                  : Buffer.compare(codePoints(String(x)), codePoints(String(y)));
              return sign * (byValue || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
            })
            .map((c) => c.id);
          const got = (await allPages(s, `sort=${sort}:${direction}`, 7))
            .map((c) => c.id)
            .filter((id) => ids.has(id));
          expect(got, `${sort}:${direction}`).toEqual(expected);
        }
      }
    });

    it('lists cases as the desktop CLI prints them, with alertRefs, and one case with its alerts', async () => {
      const s = server();
      const reply = await s.request(
        'GET',
        '/api/v1/cases?withAlerts=true&limit=3&tenant=read-acme&sort=number:asc',
      );
      const first = (reply.json.cases as Record<string, unknown>[])[0] as Record<string, unknown>;
      expect(Object.keys(first).sort()).toEqual(
        [
          'alertCount',
          'alertRefs',
          'assignee',
          'createdAt',
          'id',
          'name',
          'number',
          'score',
          'severity',
          'status',
          'tenant',
          'updatedAt',
        ].sort(),
      );
      expect(first.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const refs = first.alertRefs as string[];
      expect(refs.length).toBe(first.alertCount);
      expect(refs.every((ref) => /^(edr|siem|ids):read-\d+$/.test(ref))).toBe(true);
      expect([...refs].sort()).toEqual(refs);
      const one = await s.request(
        'GET',
        `/api/v1/cases/${first.number as number}?tenant=read-acme`,
      );
      expect(one.status).toBe(200);
      expect((one.json.alerts as unknown[]).length).toBe(first.alertCount);
      // numbers are per tenant: without a tenant, a number both tenants have is ambiguous
      const ambiguous = await s.request('GET', `/api/v1/cases/${first.number as number}`);
      expect([200, 409]).toContain(ambiguous.status);
      if (ambiguous.status === 409) expect(ambiguous.json.error?.message).toContain('?tenant=');
      expect((await s.request('GET', '/api/v1/cases/999999?tenant=read-acme')).status).toBe(404);
    });

    it('refuses a bad query, sort or cursor with where it went wrong, and changes nothing', async () => {
      const s = server();
      const bad = await s.request(
        'GET',
        `/api/v1/cases?query=${encodeURIComponent('severity:(High OR Critical')}`,
      );
      expect(bad.status).toBe(400);
      expect(bad.json.error?.message).toContain("Missing ')'");
      expect(bad.json.error?.details).toMatchObject({
        offset: expect.any(Number),
        length: expect.any(Number),
      });
      const unknownField = await s.request(
        'GET',
        `/api/v1/cases?query=${encodeURIComponent("nosuch:1' OR '1'='1")}`,
      );
      expect(unknownField.status).toBe(400);
      expect(unknownField.json.error?.message).toContain("Unknown field 'nosuch'");
      expect((await s.request('GET', '/api/v1/cases?sort=password:desc')).status).toBe(400);
      expect((await s.request('GET', '/api/v1/cases?limit=0')).status).toBe(400);
      expect((await s.request('GET', '/api/v1/cases?cursor=garbage')).status).toBe(400);
      const page = await s.request('GET', '/api/v1/cases?limit=2&sort=score:desc');
      const mismatch = await s.request(
        'GET',
        `/api/v1/cases?limit=2&sort=name:asc&cursor=${encodeURIComponent(page.json.nextCursor as string)}`,
      );
      expect(mismatch.status).toBe(400);
      expect(mismatch.json.error?.message).toContain('score:desc');
      const [row] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases');
      expect(row?.n).toBeGreaterThan(0);
    });
  });
}
