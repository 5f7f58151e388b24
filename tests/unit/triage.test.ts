import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { ingestAlerts } from '../../main/features/correlation/ingest';
import {
  importAlertAsCase,
  mergeAlertsIntoCase,
  newCaseFromAlerts,
} from '../../main/features/alerts/triage';
import { ServiceError } from '../../main/service-error';
import { DEFAULT_CORRELATION_SETTINGS } from '../../shared/domain/correlation';
import type { NormalizedAlert } from '../../shared/domain/alert-format';

let dir: string;
let ws: Workspace;

const manual = { ...DEFAULT_CORRELATION_SETTINGS, autoCreateCases: false };

function alert(ref: string, over: Partial<NormalizedAlert> = {}): NormalizedAlert {
  return {
    source: 'edr',
    sourceRef: ref,
    type: 'EDR',
    title: `Alert ${ref}`,
    description: '',
    timestamp: Date.UTC(2026, 0, 1, 10) + Number(ref.replace(/\D/g, '') || 0) * 60_000,
    score: 40,
    tactic: 'TA0002',
    technique: 'T1059',
    tacticName: null,
    techniqueName: null,
    tenant: 'Acme',
    entities: [{ kind: 'host', value: `host-${ref}` }],
    tags: [],
    tlp: 'AMBER',
    raw: { ref },
    ...over,
  };
}

function idOf(ref: string): string {
  return (
    ws.store.db.prepare('SELECT id FROM alerts WHERE source_ref = ?').get(ref) as { id: string }
  ).id;
}

function count(table: string): number {
  return (ws.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function serviceError(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-triage-'));
  ws = openWorkspace(path.join(dir, 's.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  ingestAlerts(
    ws.store,
    [
      alert('a1'),
      alert('a2', { score: 80, title: 'Credential dumping' }),
      alert('a3'),
      alert('b1', { tenant: 'Globex' }),
    ],
    {
      actor: 'test',
      settings: manual,
    },
  );
});
afterEach(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('importAlertAsCase (ALR-3)', () => {
  it('creates a case from one alert and marks the alert Imported', () => {
    const ref = importAlertAsCase(ws.store, 'analyst', idOf('a1'));
    const c = ws.store.db.prepare('SELECT * FROM cases WHERE id = ?').get(ref.caseId) as {
      name: string;
      alert_count: number;
      creator: string;
      score: number;
    };
    expect(c).toMatchObject({ name: 'Alert a1', alert_count: 1, creator: 'analyst', score: 40 });
    const a = ws.store.db
      .prepare('SELECT status, case_id FROM alerts WHERE source_ref = ?')
      .get('a1');
    expect(a).toEqual({ status: 'Imported', case_id: ref.caseId });
  });

  it('refuses a second import and changes nothing', () => {
    importAlertAsCase(ws.store, 'analyst', idOf('a1'));
    const before = [count('cases'), count('activity'), count('outbox'), count('case_alerts')];
    const err = serviceError(() => importAlertAsCase(ws.store, 'analyst', idOf('a1')));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/already imported into case #\d+/);
    expect([count('cases'), count('activity'), count('outbox'), count('case_alerts')]).toEqual(
      before,
    );
  });
});

describe('newCaseFromAlerts (ALR-5)', () => {
  it('makes one case named after the highest-score alert, "and N others"', () => {
    const ref = newCaseFromAlerts(ws.store, 'analyst', [idOf('a1'), idOf('a2'), idOf('a3')]);
    const c = ws.store.db
      .prepare('SELECT name, alert_count, severity FROM cases WHERE id = ?')
      .get(ref.caseId);
    expect(c).toEqual({
      name: 'Credential dumping and 2 others',
      alert_count: 3,
      severity: 'Critical',
    });
    const entities = ws.store.db
      .prepare('SELECT count(*) AS n FROM case_entities WHERE case_id = ?')
      .get(ref.caseId) as { n: number };
    expect(entities.n).toBe(3);
  });

  it('refuses alerts of different tenants', () => {
    const err = serviceError(() =>
      newCaseFromAlerts(ws.store, 'analyst', [idOf('a1'), idOf('b1')]),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(count('cases')).toBe(0);
  });
});

describe('mergeAlertsIntoCase (ALR-4)', () => {
  it('adds alerts to an open case and recomputes it', () => {
    const ref = importAlertAsCase(ws.store, 'analyst', idOf('a1'));
    const merged = mergeAlertsIntoCase(
      ws.store,
      'analyst',
      [idOf('a2'), idOf('a3')],
      ref.number,
      false,
    );
    expect(merged.added).toBe(2);
    const c = ws.store.db
      .prepare('SELECT name, alert_count FROM cases WHERE id = ?')
      .get(ref.caseId);
    expect(c).toEqual({ name: 'Credential dumping and 2 others', alert_count: 3 });
  });

  it('asks for confirmation before merging into a closed case, keeps its status and manual name', () => {
    const ref = importAlertAsCase(ws.store, 'analyst', idOf('a1'));
    ws.store.db
      .prepare(
        "UPDATE cases SET status = 'Resolved', name = 'Known admin script', name_is_manual = 1 WHERE id = ?",
      )
      .run(ref.caseId);
    const err = serviceError(() =>
      mergeAlertsIntoCase(ws.store, 'analyst', [idOf('a2')], ref.number, false),
    );
    expect(err.code).toBe('CONFLICT');
    expect(count('case_alerts')).toBe(1);
    mergeAlertsIntoCase(ws.store, 'analyst', [idOf('a2')], ref.number, true);
    const c = ws.store.db
      .prepare('SELECT name, status, alert_count FROM cases WHERE id = ?')
      .get(ref.caseId);
    expect(c).toEqual({ name: 'Known admin script', status: 'Resolved', alert_count: 2 });
  });

  it('refuses an unknown case number and another tenant', () => {
    expect(
      serviceError(() => mergeAlertsIntoCase(ws.store, 'analyst', [idOf('a1')], 999, false)).code,
    ).toBe('NOT_FOUND');
    const ref = importAlertAsCase(ws.store, 'analyst', idOf('a1'));
    expect(
      serviceError(() => mergeAlertsIntoCase(ws.store, 'analyst', [idOf('b1')], ref.number, false))
        .code,
    ).toBe('BAD_REQUEST');
  });
});

describe('ingestAlerts', () => {
  it('correlates a later alert sharing an entity into the open case, in one transaction with activity and outbox', () => {
    const auto = DEFAULT_CORRELATION_SETTINGS;
    const first = ingestAlerts(
      ws.store,
      [alert('c1', { entities: [{ kind: 'ip', value: '10.0.0.9' }] })],
      { actor: 't', settings: auto },
    );
    expect(first.casesCreated).toBe(1);
    const outboxBefore = count('outbox');
    const second = ingestAlerts(
      ws.store,
      [alert('c2', { entities: [{ kind: 'ip', value: '10.0.0.9' }] })],
      { actor: 't', settings: auto },
    );
    expect(second).toMatchObject({ imported: 1, casesCreated: 0, casesUpdated: 1 });
    expect(count('outbox') - outboxBefore).toBe(3); // the alert, the case update, the link
    const again = ingestAlerts(ws.store, [alert('c2')], { actor: 't', settings: auto });
    expect(again).toMatchObject({ imported: 0, duplicates: 1 });
  });

  it('refuses the reserved admin organisation', () => {
    expect(() =>
      ingestAlerts(ws.store, [alert('z1', { tenant: 'admin' })], { actor: 't', settings: manual }),
    ).toThrow(/reserved/);
  });
});

describe('queue membership follows triage and correlation (QUE-5)', () => {
  function members(name: string): number {
    return (
      ws.store.db
        .prepare(
          'SELECT count(*) AS n FROM queue_members m JOIN queues q ON q.id = m.queue_id WHERE q.name = ?',
        )
        .get(name) as { n: number }
    ).n;
  }

  it('a case made from an alert joins All Open Cases at once', () => {
    const before = members('All Open Cases');
    importAlertAsCase(ws.store, 'analyst', idOf('a1'));
    expect(members('All Open Cases')).toBe(before + 1);
    const created = ingestAlerts(ws.store, [alert('q1', { timestamp: Date.now() })], {
      actor: 't',
      settings: DEFAULT_CORRELATION_SETTINGS,
    });
    expect(created.casesCreated).toBe(1);
    expect(members('All Open Cases')).toBe(before + 2);
  });
});
