import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ANALYSTS,
  DEMO_TENANTS,
  generateDemoCases,
  type DemoCase,
} from '../../shared/domain/demo';
import { severityForScore, severityRank } from '../../shared/domain/severity';
import { ENTITY_KINDS, type CaseSeverity } from '../../shared/domain/types';
import { loadDemoData } from '../../main/features/demo/demo';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';

const DAY = 86_400_000;
const END_AT = Date.UTC(2026, 0, 1);

function generate(alerts: number, seed: number, endAt = END_AT): DemoCase[] {
  return [...generateDemoCases({ alerts, seed, endAt })];
}

describe('generateDemoCases', () => {
  const cases = generate(5000, 42);
  const alerts = cases.flatMap((c) => c.alerts);

  it('gives identical cases for the same seed, alert count and end time', () => {
    expect(generate(5000, 42)).toEqual(cases);
  });

  it('gives different cases for a different seed or end time', () => {
    const other = generate(5000, 43);
    expect(other.length).toBeGreaterThan(0);
    expect(other.map((c) => c.name)).not.toEqual(cases.map((c) => c.name));
    expect(other[0]!.alerts[0]!.timestamp).not.toBe(cases[0]!.alerts[0]!.timestamp);
    const later = generate(5000, 42, END_AT + DAY);
    expect(later[0]!.firstAlertAt).toBe(cases[0]!.firstAlertAt + DAY);
  });

  it.each([1, 2, 7, 12, 13, 999, 5000])('produces exactly %i alerts', (n) => {
    const generated = generate(n, 5);
    expect(generated.reduce((sum, c) => sum + c.alerts.length, 0)).toBe(n);
    for (const c of generated) {
      expect(c.alerts.length).toBeGreaterThanOrEqual(1);
      expect(c.alerts.length).toBeLessThanOrEqual(12);
    }
  });

  it('takes alerts from SIEM, EDR, IDS and email sources', () => {
    const types = new Set(alerts.map((a) => a.type));
    expect([...types].sort()).toEqual(['EDR', 'Email', 'IDS', 'SIEM']);
    expect(new Set(alerts.map((a) => a.source)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(cases.map((c) => c.tenant))).toEqual(new Set(DEMO_TENANTS));
  });

  it('gives every alert a unique source reference', () => {
    expect(new Set(alerts.map((a) => `${a.source}\u0000${a.sourceRef}`)).size).toBe(alerts.length);
  });

  it('tags every alert with ATT&CK tactic and technique ids', () => {
    for (const a of alerts) {
      expect(a.tactic).toMatch(/^TA\d{4}$/);
      expect(a.technique).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(a.tacticName.length).toBeGreaterThan(0);
      expect(a.techniqueName.length).toBeGreaterThan(0);
    }
    expect(new Set(alerts.map((a) => a.tactic)).size).toBeGreaterThan(5);
  });

  it('gives alerts entities and cases the union of their alerts’ entities', () => {
    for (const c of cases) {
      const union = new Set<string>();
      for (const a of c.alerts) {
        expect(a.entities.length).toBeGreaterThan(0);
        for (const e of a.entities) {
          expect(ENTITY_KINDS).toContain(e.kind);
          expect(e.value.length).toBeGreaterThan(0);
          union.add(`${e.kind}:${e.value}`);
        }
      }
      expect(new Set(c.entities.map((e) => `${e.kind}:${e.value}`))).toEqual(union);
      expect(c.entities.length).toBe(union.size);
    }
  });

  it('keeps every alert within the 90 days before endAt', () => {
    const outside = alerts.filter((a) => a.timestamp < END_AT - 90 * DAY || a.timestamp > END_AT);
    expect(outside.map((a) => new Date(a.timestamp).toISOString()).slice(0, 5)).toEqual([]);
  });

  it('keeps case times within the span and consistent with their alerts', () => {
    for (const c of cases) {
      expect(c.firstAlertAt).toBe(Math.min(...c.alerts.map((a) => a.timestamp)));
      expect(c.lastAlertAt).toBe(Math.max(...c.alerts.map((a) => a.timestamp)));
      expect(c.createdAt).toBeGreaterThanOrEqual(c.firstAlertAt);
      expect(c.updatedAt).toBeGreaterThanOrEqual(c.createdAt);
      if (c.closedAt !== null) expect(c.closedAt).toBeLessThanOrEqual(END_AT);
    }
  });

  it('updates no case after endAt', () => {
    const late = cases.filter((c) => c.updatedAt > END_AT);
    expect(late.map((c) => new Date(c.updatedAt).toISOString()).slice(0, 5)).toEqual([]);
  });

  it('yields cases in ascending order of their first alert', () => {
    const firsts = cases.map((c) => c.firstAlertAt);
    const outOfOrder = firsts.filter((t, i) => i > 0 && t < firsts[i - 1]!).length;
    expect(outOfOrder).toBe(0);
  });

  it('spreads cases over the whole span rather than piling them up at the end', () => {
    const lastDay = cases.filter((c) => c.firstAlertAt > END_AT - DAY).length;
    // 90 days of evenly spread incidents put about 1/90 of them in the last day
    expect(lastDay / cases.length).toBeLessThan(0.05);
  });

  it('scores cases 0-100 from their alerts, with TLP and status consistent', () => {
    for (const c of cases) {
      expect(Number.isInteger(c.score)).toBe(true);
      expect(c.score).toBeGreaterThanOrEqual(0);
      expect(c.score).toBeLessThanOrEqual(100);
      const maxAlert = Math.max(...c.alerts.map((a) => a.score));
      expect(c.score).toBeGreaterThanOrEqual(maxAlert);
      expect(c.tlp).toBe(c.score >= 80 ? 'RED' : 'AMBER');
      const closed = c.status === 'Resolved' || c.status === 'Cancelled';
      expect(c.closedAt !== null).toBe(closed);
      expect(c.outcome !== null).toBe(closed);
      if (c.assigneeLogin !== null) {
        expect(DEMO_ANALYSTS.map((a) => a.login)).toContain(c.assigneeLogin);
      }
    }
    const severities = new Set(cases.map((c) => severityForScore(c.score)));
    expect(severities.size).toBeGreaterThanOrEqual(3);
  });
});

describe('loadDemoData', () => {
  const ALERTS = 7000;
  const SEED = 17;
  let dir: string;
  let a: Workspace;
  let b: Workspace;
  const generated = generate(ALERTS, SEED);

  function rows(ws: Workspace, sql: string): Record<string, unknown>[] {
    return ws.store.db.prepare(sql).all() as Record<string, unknown>[];
  }
  function count(ws: Workspace, table: string, where = ''): number {
    return (
      ws.store.db.prepare(`SELECT count(*) AS n FROM ${table} ${where}`).get() as { n: number }
    ).n;
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-demo-'));
    const migrationsFolder = sourceMigrationsFolder();
    a = openWorkspace(path.join(dir, 'a.db'), { create: true, migrationsFolder });
    b = openWorkspace(path.join(dir, 'b.db'), { create: true, migrationsFolder });
    const progress: number[] = [];
    const resultA = await loadDemoData(
      a.store,
      { alerts: ALERTS, seed: SEED, endAt: END_AT },
      (p) => progress.push(p.alerts),
    );
    const resultB = await loadDemoData(b.store, { alerts: ALERTS, seed: SEED, endAt: END_AT });
    expect(resultA).toEqual({ alerts: ALERTS, cases: generated.length });
    expect(resultB).toEqual(resultA);
    expect(progress.at(-1)).toBe(ALERTS);
  });

  afterAll(() => {
    a.close();
    b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Tenant and user ids are random per store; compare them by name and login instead.
  const CASES_SQL = `SELECT c.*, t.name AS tenant_name, u.login AS assignee_login
    FROM cases c JOIN tenants t ON t.id = c.tenant_id LEFT JOIN users u ON u.id = c.assignee ORDER BY c.id`;
  const ALERTS_SQL = `SELECT a.*, t.name AS tenant_name FROM alerts a JOIN tenants t ON t.id = a.tenant_id ORDER BY a.id`;

  function withoutRandomIds(list: Record<string, unknown>[]): Record<string, unknown>[] {
    return list.map(({ tenant_id: _t, assignee: _a, ...rest }) => rest);
  }

  it('writes identical case rows, ids included, for the same seed and end time', () => {
    const casesA = rows(a, CASES_SQL);
    expect(casesA.length).toBe(generated.length);
    expect(withoutRandomIds(rows(b, CASES_SQL))).toEqual(withoutRandomIds(casesA));
  });

  it('writes identical alert rows, ids included', () => {
    const alertsA = rows(a, ALERTS_SQL);
    expect(alertsA.length).toBe(ALERTS);
    expect(withoutRandomIds(rows(b, ALERTS_SQL))).toEqual(withoutRandomIds(alertsA));
  });

  it('stores the generated cases in order with sequential numbers 1..N', () => {
    const stored = rows(
      a,
      'SELECT c.number, c.name, c.score, c.created_at AS createdAt, t.name AS tenant FROM cases c JOIN tenants t ON t.id = c.tenant_id ORDER BY c.number',
    );
    expect(stored.map((r) => r.number)).toEqual(generated.map((_, i) => i + 1));
    expect(stored).toEqual(
      generated.map((c, i) => ({
        number: i + 1,
        name: c.name,
        score: c.score,
        createdAt: c.createdAt,
        tenant: c.tenant,
      })),
    );
  });

  it('stores severity and its rank as severityForScore gives them', () => {
    const stored = rows(a, 'SELECT score, severity, severity_rank AS rank FROM cases') as {
      score: number;
      severity: CaseSeverity;
      rank: number;
    }[];
    for (const r of stored) {
      expect(r.severity).toBe(severityForScore(r.score));
      expect(r.rank).toBe(severityRank(r.severity));
    }
  });

  it('links every alert to its case and stores the entities', () => {
    expect(count(a, 'case_alerts')).toBe(ALERTS);
    expect(count(a, 'alerts', 'WHERE case_id IS NULL')).toBe(0);
    const mismatched = rows(
      a,
      `SELECT c.id FROM cases c
       WHERE c.alert_count != (SELECT count(*) FROM case_alerts l WHERE l.case_id = c.id)
          OR c.alert_count != (SELECT count(*) FROM alerts x WHERE x.case_id = c.id)`,
    );
    expect(mismatched).toEqual([]);
    const alertEntities = generated.reduce(
      (n, c) => n + c.alerts.reduce((m, x) => m + x.entities.length, 0),
      0,
    );
    const caseEntities = generated.reduce((n, c) => n + c.entities.length, 0);
    const stored = a.store.db
      .prepare('SELECT coalesce(sum(json_array_length(entities)), 0) AS n FROM alerts')
      .get() as { n: number };
    expect(stored.n).toBe(alertEntities);
    expect(count(a, 'case_entities')).toBe(caseEntities);
  });

  it('records one insert mutation (and activity entry) per case, alert, queue, tenant and user, and links each case to its alerts', () => {
    const expected = [
      { type: 'alert', n: ALERTS },
      { type: 'case', n: generated.length },
      // the default queues All Open Cases and All Closed Cases (QUE-2), created at open
      { type: 'queue', n: 2 },
      // base data (admin, default, local analyst) and the demo tenants and analysts
      { type: 'tenant', n: 2 + DEMO_TENANTS.length },
      { type: 'user', n: 1 + DEMO_ANALYSTS.length },
    ];
    const inserts = rows(
      a,
      "SELECT entity_type AS type, count(*) AS n FROM outbox WHERE op = 'insert' GROUP BY entity_type ORDER BY entity_type",
    );
    expect(inserts).toEqual(expected);
    expect(
      rows(
        a,
        "SELECT entity_id FROM outbox WHERE op = 'insert' GROUP BY entity_type, entity_id HAVING count(*) > 1",
      ),
    ).toEqual([]);
    // one link mutation per case, naming all its alerts
    expect(count(a, 'outbox', "WHERE op = 'link' AND entity_type = 'case'")).toBe(generated.length);
    expect(count(a, 'outbox', "WHERE op NOT IN ('insert', 'link')")).toBe(0);
    // every mutation has its activity entry
    expect(count(a, 'activity', 'WHERE mutation_id NOT IN (SELECT mutation_id FROM outbox)')).toBe(
      0,
    );
    expect(count(a, 'activity')).toBe(count(a, 'outbox'));
    expect(
      count(
        a,
        'activity',
        "WHERE entity_type = 'alert' AND entity_id NOT IN (SELECT id FROM alerts)",
      ),
    ).toBe(0);
  });

  it('refuses to load the same seed twice and changes nothing', async () => {
    const before = ['cases', 'alerts', 'activity', 'outbox', 'case_entities'].map((t) =>
      count(a, t),
    );
    await expect(
      loadDemoData(a.store, { alerts: ALERTS, seed: SEED, endAt: END_AT }),
    ).rejects.toThrow(/UNIQUE/);
    expect(
      ['cases', 'alerts', 'activity', 'outbox', 'case_entities'].map((t) => count(a, t)),
    ).toEqual(before);
  });
});

describe('demoAlertRecord', () => {
  it('is a valid Watchfloor v1 record that imports back to the same alert', async () => {
    const { demoAlertRecord, generateDemoCases } = await import('../../shared/domain/demo');
    const { parseAlertFile } = await import('../../shared/domain/ingest/parse');
    const alerts = [
      ...generateDemoCases({ alerts: 50, seed: 9, endAt: Date.UTC(2026, 10, 1) }),
    ].flatMap((c) => c.alerts);
    const text = alerts.map((a) => JSON.stringify(demoAlertRecord(a))).join('\n');
    const parsed = parseAlertFile(text, { fileName: 'demo.ndjson' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.format).toBe('watchfloor');
    expect(parsed.alerts.map((a) => [a.sourceRef, a.timestamp, a.score, a.technique])).toEqual(
      alerts.map((a) => [a.sourceRef, a.timestamp, a.score, a.technique]),
    );
  });
});
