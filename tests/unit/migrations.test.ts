import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openStore,
  StoreOpenError,
  WATCHFLOOR_APPLICATION_ID,
  type Store,
} from '../../main/store/open';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { writeTransaction } from '../../main/store/write';
import { ingestAlerts } from '../../main/features/correlation/ingest';
import { getCorrelationSettings } from '../../main/features/correlation/correlation-settings';
import type { NormalizedAlert } from '../../shared/domain/alert-format';

/**
 * Migrations 0006-0011 on a store written before them: alert entity rows become alerts.entities,
 * case entity rows move to case_entities, case_alerts is rebuilt WITHOUT ROWID, the old
 * `entities` table is dropped, cases_fts becomes a contentless index fed by a queue, and two case
 * indexes go away; queue_members becomes one WITHOUT ROWID b-tree (0011, 0014).
 */

const migrationsFolder = sourceMigrationsFolder();
/** The last migration an "old" store has (0005_queue_index). */
const OLD_LAST_IDX = 5;

interface JournalEntry {
  idx: number;
  tag: string;
  when: number;
}

const journal = JSON.parse(
  fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
) as { version: string; dialect: string; entries: JournalEntry[] };

let dir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-migrations-'));
});

afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A migrations folder holding only 0000..0005: the schema of a store from before 0006. */
function oldMigrationsFolder(): string {
  const folder = path.join(dir, 'old-migrations');
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true });
  const entries = journal.entries.filter((e) => e.idx <= OLD_LAST_IDX);
  expect(entries.map((e) => e.idx)).toEqual([0, 1, 2, 3, 4, 5]);
  for (const e of entries) {
    fs.copyFileSync(path.join(migrationsFolder, `${e.tag}.sql`), path.join(folder, `${e.tag}.sql`));
    const snapshot = `${String(e.idx).padStart(4, '0')}_snapshot.json`;
    fs.copyFileSync(
      path.join(migrationsFolder, 'meta', snapshot),
      path.join(folder, 'meta', snapshot),
    );
  }
  fs.writeFileSync(
    path.join(folder, 'meta', '_journal.json'),
    JSON.stringify({ ...journal, entries }, null, 2),
  );
  return folder;
}

function track(store: Store): Store {
  open.push(store);
  return store;
}

const T0 = Date.UTC(2026, 2, 10, 9, 0);
const QUEUE_ID = 'queue-old-1';
const MIN = 60_000;

const TENANT = { id: 'tenant-acme', name: 'Acme' };
const CASE = {
  id: 'case-old-1',
  number: 1,
  name: 'Kerberoasting against svc-backup',
  firstAlertAt: T0,
  lastAlertAt: T0 + 10 * MIN,
};
/** Alert entity rows, in the order they are inserted (entity-row id order). */
const ALERT_1_ENTITIES = [
  { kind: 'user', value: 'acme\\svc-backup' },
  { kind: 'host', value: 'dc-01.acme.example' },
  { kind: 'ip', value: '10.0.0.5' },
];
const ALERT_2_ENTITIES = [
  { kind: 'host', value: 'dc-01.acme.example' },
  { kind: 'hash', value: 'ab'.repeat(32) },
];
/** The case's entity rows (distinct entities of its alerts). */
const CASE_ENTITIES = [
  { kind: 'hash', value: 'ab'.repeat(32) },
  { kind: 'host', value: 'dc-01.acme.example' },
  { kind: 'ip', value: '10.0.0.5' },
  { kind: 'user', value: 'acme\\svc-backup' },
];

function insertOldAlert(
  db: Database.Database,
  id: string,
  sourceRef: string,
  timestamp: number,
  caseId: string | null,
): void {
  db.prepare(
    `INSERT INTO alerts (id, tenant_id, source, source_ref, type, title, description, timestamp, score, status, case_id, created_at, updated_at)
     VALUES (?, ?, 'edr', ?, 'EDR', ?, '', ?, 60, ?, ?, ?, ?)`,
  ).run(
    id,
    TENANT.id,
    sourceRef,
    `Alert ${sourceRef}`,
    timestamp,
    caseId ? 'Imported' : 'New',
    caseId,
    timestamp,
    timestamp,
  );
}

/**
 * Writes a store with migrations 0000..0005 only and data in the old shapes: entity rows in the
 * `entities` table (alert rows with alert_id, case rows with case_id), case_alerts links, and the
 * external-content cases_fts kept by the 0001 triggers. Returns the file, closed.
 */
function writeOldStore(): string {
  const file = path.join(dir, 'old.db');
  const store = openStore(file, { create: true, migrationsFolder: oldMigrationsFolder() });
  const db = store.db;
  expect(
    (db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n,
  ).toBe(OLD_LAST_IDX + 1);
  // writeTransaction needs 0008's queue table, so the old data is written with plain SQL.
  db.transaction(() => {
    db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)').run(
      TENANT.id,
      TENANT.name,
      T0,
    );
    db.prepare(
      `INSERT INTO cases (id, tenant_id, number, name, description, score, severity, severity_rank, status, creator, created_at, updated_at, first_alert_at, last_alert_at, alert_count, tactics)
       VALUES (?, ?, ?, ?, 'Service tickets requested for many SPNs', 55, 'Medium', 2, 'New', 'System', ?, ?, ?, ?, 2, '["TA0006"]')`,
    ).run(CASE.id, TENANT.id, CASE.number, CASE.name, T0, T0, CASE.firstAlertAt, CASE.lastAlertAt);
    insertOldAlert(db, 'alert-1', 'ref-1', CASE.firstAlertAt, CASE.id);
    insertOldAlert(db, 'alert-2', 'ref-2', CASE.lastAlertAt, CASE.id);
    insertOldAlert(db, 'alert-3', 'ref-3', T0 + 30 * MIN, null); // no entities, no case
    const entity = db.prepare(
      'INSERT INTO entities (tenant_id, alert_id, case_id, kind, value) VALUES (?, ?, ?, ?, ?)',
    );
    // Interleaved, so "entity-row id order" differs from grouping by alert.
    entity.run(TENANT.id, 'alert-1', null, ALERT_1_ENTITIES[0]!.kind, ALERT_1_ENTITIES[0]!.value);
    entity.run(TENANT.id, 'alert-2', null, ALERT_2_ENTITIES[0]!.kind, ALERT_2_ENTITIES[0]!.value);
    entity.run(TENANT.id, 'alert-1', null, ALERT_1_ENTITIES[1]!.kind, ALERT_1_ENTITIES[1]!.value);
    for (const e of CASE_ENTITIES) entity.run(TENANT.id, null, CASE.id, e.kind, e.value);
    entity.run(TENANT.id, 'alert-2', null, ALERT_2_ENTITIES[1]!.kind, ALERT_2_ENTITIES[1]!.value);
    entity.run(TENANT.id, 'alert-1', null, ALERT_1_ENTITIES[2]!.kind, ALERT_1_ENTITIES[2]!.value);
    const link = db.prepare(
      'INSERT INTO case_alerts (case_id, alert_id, tenant_id, added_at) VALUES (?, ?, ?, ?)',
    );
    link.run(CASE.id, 'alert-1', TENANT.id, T0 + 1);
    link.run(CASE.id, 'alert-2', TENANT.id, T0 + 2);
    // A custom queue with its membership index (0005's rowid table), for 0011.
    db.prepare(
      `INSERT INTO queues (id, tenant_id, owner_id, name, description, condition, range, is_default, sort_order, created_at, updated_at)
       VALUES (?, NULL, NULL, 'Open', '', ?, ?, 0, 1, ?, ?)`,
    ).run(
      QUEUE_ID,
      JSON.stringify({ type: 'condition', field: 'status', operator: 'is', value: 'New' }),
      JSON.stringify({ kind: 'relative', days: 30 }),
      T0,
      T0,
    );
    db.prepare(
      'INSERT INTO queue_members (queue_id, case_id, case_created_at) VALUES (?, ?, ?)',
    ).run(QUEUE_ID, CASE.id, T0);
  })();
  // The old search index is the external-content one kept by the 0001 triggers.
  expect(
    db.prepare("SELECT rowid FROM cases_fts WHERE cases_fts MATCH 'kerberoasting'").all(),
  ).toHaveLength(1);
  store.close();
  return file;
}

function tableNames(store: Store): string[] {
  return (
    store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}

function indexNames(store: Store): string[] {
  return (
    store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}

function count(store: Store, table: string): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

function ftsRowids(store: Store, query: string): number[] {
  return (
    store.db
      .prepare('SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rowid')
      .all(query) as { rowid: number }[]
  ).map((r) => r.rowid);
}

function caseRowid(store: Store, id: string): number {
  return (store.db.prepare('SELECT rowid FROM cases WHERE id = ?').get(id) as { rowid: number })
    .rowid;
}

function alertEntities(store: Store, id: string): string {
  return (
    store.db.prepare('SELECT entities FROM alerts WHERE id = ?').get(id) as { entities: string }
  ).entities;
}

function caseEntities(store: Store, caseId: string): { kind: string; value: string }[] {
  return store.db
    .prepare('SELECT kind, value FROM case_entities WHERE case_id = ? ORDER BY kind, value')
    .all(caseId) as { kind: string; value: string }[];
}

function upgrade(file: string): Store {
  return track(openStore(file, { create: false, migrationsFolder }));
}

describe('a read of a store from an older version (issue 11)', () => {
  it('upgrades it first (it is ours), then reads on a connection that cannot write', () => {
    const file = writeOldStore();
    let notice = 0;
    const store = track(
      openStore(file, {
        create: false,
        migrationsFolder,
        mode: 'read',
        onUpgrade: (n) => (notice = n),
      }),
    );
    expect(notice).toBe(journal.entries.length - (OLD_LAST_IDX + 1));
    expect(count(store, '__drizzle_migrations')).toBe(journal.entries.length);
    expect(store.db.pragma('application_id', { simple: true })).toBe(WATCHFLOOR_APPLICATION_ID);
    expect(store.mode).toBe('read');
    expect(() => store.db.prepare('DELETE FROM tenants').run()).toThrow(/readonly/);
  });
});

describe('migrations 0006-0011 on a store from before them', () => {
  it('move alert entity rows into alerts.entities as JSON, in entity-row id order', () => {
    const store = upgrade(writeOldStore());
    expect(JSON.parse(alertEntities(store, 'alert-1'))).toEqual(ALERT_1_ENTITIES);
    expect(JSON.parse(alertEntities(store, 'alert-2'))).toEqual(ALERT_2_ENTITIES);
    // an alert without entity rows gets the column default
    expect(alertEntities(store, 'alert-3')).toBe('[]');
    // every migration ran, once
    expect(count(store, '__drizzle_migrations')).toBe(journal.entries.length);
  });

  it('copy case entity rows into case_entities (and only those)', () => {
    const store = upgrade(writeOldStore());
    expect(caseEntities(store, CASE.id)).toEqual(CASE_ENTITIES);
    expect(store.db.prepare('SELECT DISTINCT tenant_id AS t FROM case_entities').all()).toEqual([
      { t: TENANT.id },
    ]);
    expect(count(store, 'case_entities')).toBe(CASE_ENTITIES.length);
  });

  it('keep the case_alerts links in a WITHOUT ROWID table', () => {
    const store = upgrade(writeOldStore());
    expect(
      store.db
        .prepare(
          'SELECT case_id AS caseId, alert_id AS alertId, tenant_id AS tenantId, added_at AS addedAt FROM case_alerts ORDER BY alert_id',
        )
        .all(),
    ).toEqual([
      { caseId: CASE.id, alertId: 'alert-1', tenantId: TENANT.id, addedAt: T0 + 1 },
      { caseId: CASE.id, alertId: 'alert-2', tenantId: TENANT.id, addedAt: T0 + 2 },
    ]);
    const sql = (
      store.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'case_alerts'").get() as {
        sql: string;
      }
    ).sql;
    expect(sql).toMatch(/WITHOUT ROWID\s*$/);
    expect(indexNames(store)).toContain('case_alerts_alert_idx');
    expect(tableNames(store)).not.toContain('__new_case_alerts');
    // the rebuilt table still cascades: deleting a case removes its links
    writeTransaction(store, 'test', (w) => {
      w.derivedDb.prepare('UPDATE alerts SET case_id = NULL WHERE case_id = ?').run(CASE.id);
      w.derivedDb.prepare('DELETE FROM cases WHERE id = ?').run(CASE.id);
    });
    expect(count(store, 'case_alerts')).toBe(0);
    expect(count(store, 'case_entities')).toBe(0);
  });

  it('drop the entities table, its indexes and the two unused case indexes', () => {
    const store = upgrade(writeOldStore());
    const tables = tableNames(store);
    expect(tables).not.toContain('entities');
    expect(tables).toEqual(expect.arrayContaining(['case_entities', 'cases_fts_pending']));
    const indexes = indexNames(store);
    for (const gone of [
      'entities_lookup_idx',
      'entities_alert_idx',
      'entities_case_idx',
      'entities_case_lookup_idx',
      'cases_last_alert_idx',
      'cases_open_window_idx',
    ])
      expect(indexes).not.toContain(gone);
    expect(indexes).toContain('case_entities_case_idx');
  });

  it('rebuild cases_fts as a contentless index that finds the old case, with nothing queued', () => {
    const store = upgrade(writeOldStore());
    const rowid = caseRowid(store, CASE.id);
    expect(ftsRowids(store, 'kerberoasting')).toEqual([rowid]);
    expect(ftsRowids(store, 'description:spns')).toEqual([rowid]);
    expect(ftsRowids(store, 'phishing')).toEqual([]);
    expect(count(store, 'cases_fts_pending')).toBe(0);
    const sql = (
      store.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'cases_fts'").get() as {
        sql: string;
      }
    ).sql;
    expect(sql).toContain("content=''");
    expect(sql).toContain('contentless_delete=1');
    expect(() =>
      store.db.prepare("INSERT INTO cases_fts(cases_fts) VALUES ('integrity-check')").run(),
    ).not.toThrow();
  });

  it('leave a store that passes integrity and foreign key checks', () => {
    const store = upgrade(writeOldStore());
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
  });

  it('keep queue members in one WITHOUT ROWID b-tree (0011, 0014) that still cascades from its queue', () => {
    const store = upgrade(writeOldStore());
    expect(
      store.db
        .prepare('SELECT queue_id AS q, case_id AS c, case_created_at AS at FROM queue_members')
        .all(),
    ).toEqual([{ q: QUEUE_ID, c: CASE.id, at: T0 }]);
    const sql = (
      store.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'queue_members'").get() as {
        sql: string;
      }
    ).sql;
    expect(sql).toMatch(/WITHOUT ROWID\s*$/);
    expect(sql).toContain('PRIMARY KEY(`queue_id`, `case_created_at`, `case_id`)');
    expect(indexNames(store).filter((n) => n.startsWith('queue_members'))).toEqual([]);
    expect(tableNames(store)).not.toContain('__new_queue_members');
    store.db.pragma('foreign_keys = ON');
    store.db.prepare('DELETE FROM queues WHERE id = ?').run(QUEUE_ID);
    expect(count(store, 'queue_members')).toBe(0);
  });

  it('fill open_case_entities (0012, 0017) with the entities of the open case and its last alert time rounded up to the end of its day', () => {
    const store = upgrade(writeOldStore());
    // T0 + 10 minutes is 2026-03-10 09:10 UTC: its bound is 2026-03-11 00:00
    const bound = Date.UTC(2026, 2, 11);
    expect(
      store.db
        .prepare(
          'SELECT kind, value, last_alert_bound AS at, case_id AS caseId FROM open_case_entities ORDER BY kind, value',
        )
        .all(),
    ).toEqual(CASE_ENTITIES.map((e) => ({ ...e, at: bound, caseId: CASE.id })));
  });

  it('leave a store that keeps the migrated data on a second open (nothing re-runs)', () => {
    const file = writeOldStore();
    upgrade(file).close();
    const again = upgrade(file);
    expect(count(again, '__drizzle_migrations')).toBe(journal.entries.length);
    expect(JSON.parse(alertEntities(again, 'alert-1'))).toEqual(ALERT_1_ENTITIES);
    expect(caseEntities(again, CASE.id)).toEqual(CASE_ENTITIES);
    expect(ftsRowids(again, 'kerberoasting')).toEqual([caseRowid(again, CASE.id)]);
  });

  it('leave a store where a new alert correlates into the migrated case and search follows', () => {
    const store = upgrade(writeOldStore());
    const alert: NormalizedAlert = {
      source: 'edr',
      sourceRef: 'ref-new',
      type: 'EDR',
      title: 'Golden ticket forged',
      description: '',
      timestamp: CASE.lastAlertAt + 20 * MIN,
      score: 90,
      tactic: 'TA0006',
      technique: 'T1558.001',
      tacticName: null,
      techniqueName: null,
      tenant: TENANT.name,
      entities: [
        { kind: 'host', value: 'dc-01.acme.example' },
        { kind: 'user', value: 'acme\\krbtgt' },
      ],
      tags: [],
      tlp: 'AMBER',
      raw: null,
    };
    const counts = ingestAlerts(store, [alert], {
      actor: 'test',
      settings: getCorrelationSettings(store),
    });
    expect(counts).toMatchObject({ imported: 1, casesCreated: 0, casesUpdated: 1 });
    const row = store.db
      .prepare('SELECT case_id AS caseId, entities FROM alerts WHERE source_ref = ?')
      .get('ref-new') as { caseId: string; entities: string };
    expect(row.caseId).toBe(CASE.id);
    expect(JSON.parse(row.entities)).toEqual(alert.entities);
    expect(
      store.db.prepare('SELECT alert_count AS n, name FROM cases WHERE id = ?').get(CASE.id),
    ).toEqual({ n: 3, name: 'Golden ticket forged and 2 others' });
    expect(caseEntities(store, CASE.id)).toContainEqual({ kind: 'user', value: 'acme\\krbtgt' });
    expect(count(store, 'case_alerts')).toBe(3);
    // the renamed case is found by its new name, no longer by the old one, and the queue is empty
    const rowid = caseRowid(store, CASE.id);
    expect(ftsRowids(store, 'golden')).toEqual([rowid]);
    expect(ftsRowids(store, 'kerberoasting')).toEqual([]);
    expect(count(store, 'cases_fts_pending')).toBe(0);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('refuse a store whose migration fails, as STORE_CORRUPT, and leave it at its old version', () => {
    const file = writeOldStore();
    // Something already named case_entities: 0006 cannot create its table.
    const raw = new Database(file);
    raw.exec('CREATE TABLE case_entities (note TEXT)');
    raw.close();
    let error: unknown = null;
    try {
      upgrade(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).code).toBe('STORE_CORRUPT');
    expect((error as StoreOpenError).message).toMatch(/cannot migrate/);
    // Every migration of the run rolled back: the old schema and data are intact.
    const check = new Database(file, { readonly: true });
    try {
      expect(
        (check.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n,
      ).toBe(OLD_LAST_IDX + 1);
      expect((check.prepare('SELECT count(*) AS n FROM entities').get() as { n: number }).n).toBe(
        ALERT_1_ENTITIES.length + ALERT_2_ENTITIES.length + CASE_ENTITIES.length,
      );
      const alertColumns = (check.pragma('table_info(alerts)') as { name: string }[]).map(
        (c) => c.name,
      );
      expect(alertColumns).not.toContain('entities');
      expect(
        check.prepare("SELECT name FROM sqlite_master WHERE name = 'cases_fts_pending'").all(),
      ).toEqual([]);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
  });
});
