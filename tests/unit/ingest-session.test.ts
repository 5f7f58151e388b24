import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { openStore, type Store } from '../../main/store/open';
import { sourceImportWorker, sourceMigrationsFolder } from '../../main/store/paths';
import { writeTransaction } from '../../main/store/write';
import {
  ingestAlerts,
  IngestSession,
  type IngestOptions,
} from '../../main/features/correlation/ingest';
import { getCorrelationSettings } from '../../main/features/correlation/correlation-settings';
import {
  fileSource,
  IMPORT_CHECKPOINT_PAGES,
  importAlertFilesInParallel,
  importAlertSources,
  parseWorkerBeside,
} from '../../main/features/alerts/import-files';
import { demoAlertRecord, generateDemoCases } from '../../shared/domain/demo';
import { importWatchfloorRecord } from '../../shared/domain/ingest/watchfloor';
import type { NormalizedAlert } from '../../shared/domain/alert-format';
import type { EntityRef } from '../../shared/domain/types';
import { ONE_FILE_PER_FORMAT } from '../fixtures/alerts';

/**
 * IngestSession keeps what it learnt of the store's cases between the batches of one import
 * (main/features/correlation/ingest.ts, SessionCorrelationIndex). These tests check that the cache never
 * changes the outcome: the same cases as one big batch, no joining a case that someone closed
 * meanwhile, nothing remembered from a batch that rolled back.
 */

const migrationsFolder = sourceMigrationsFolder();
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 8, 0);
const TENANT = 'Acme';

let dir: string;
const workspaces: Workspace[] = [];
const stores: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-ingest-session-'));
});

afterEach(() => {
  for (const s of stores.splice(0)) if (s.db.open) s.close();
  for (const ws of workspaces.splice(0)) if (ws.store.db.open) ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function newWorkspace(name = 's.db'): Workspace {
  const ws = openWorkspace(path.join(dir, name), { create: true, migrationsFolder });
  workspaces.push(ws);
  return ws;
}

/** A second connection to the same store file. */
function secondConnection(ws: Workspace): Store {
  const store = openStore(ws.store.file, { create: false, migrationsFolder });
  stores.push(store);
  return store;
}

function options(ws: Workspace, over: Partial<IngestOptions> = {}): IngestOptions {
  return { actor: 'test', settings: getCorrelationSettings(ws.store), ...over };
}

function alert(
  ref: string,
  minutes: number,
  entities: EntityRef[],
  over: Partial<NormalizedAlert> = {},
): NormalizedAlert {
  return {
    source: 'edr',
    sourceRef: ref,
    type: 'EDR',
    title: `Alert ${ref}`,
    description: '',
    timestamp: T0 + minutes * MIN,
    score: 50,
    tactic: 'TA0002',
    technique: 'T1059',
    tacticName: null,
    techniqueName: null,
    tenant: TENANT,
    entities,
    tags: [],
    tlp: 'AMBER',
    raw: { ref },
    ...over,
  };
}

const host = (value: string): EntityRef => ({ kind: 'host', value });

interface AlertRow {
  caseId: string | null;
  status: string;
  suppressed: number;
}

function alertRow(ws: Workspace, ref: string): AlertRow {
  const row = ws.store.db
    .prepare(
      'SELECT case_id AS caseId, status, suppressed FROM alerts WHERE source = ? AND source_ref = ?',
    )
    .get('edr', ref) as AlertRow | undefined;
  if (!row) throw new Error(`no alert ${ref}`);
  return row;
}

function caseOf(ws: Workspace, ref: string): string {
  const id = alertRow(ws, ref).caseId;
  if (!id) throw new Error(`alert ${ref} has no case`);
  return id;
}

interface CaseRow {
  number: number;
  status: string;
  alertCount: number;
  name: string;
}

function caseRow(ws: Workspace, id: string): CaseRow {
  return ws.store.db
    .prepare('SELECT number, status, alert_count AS alertCount, name FROM cases WHERE id = ?')
    .get(id) as CaseRow;
}

function count(ws: Workspace, table: string): number {
  return (ws.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/**
 * Everything an ingest batch writes, without ids (they are random): a batch that rolls back must
 * leave this exactly as it was.
 */
function storeContents(ws: Workspace) {
  const all = (sql: string) => ws.store.db.prepare(sql).all();
  return {
    tenants: all('SELECT name FROM tenants ORDER BY name'),
    cases: all(
      `SELECT number, name, status, alert_count, first_alert_at, last_alert_at, score, severity, what, who, tlp, tactics, lead_alert
       FROM cases ORDER BY number`,
    ),
    alerts: all(
      `SELECT a.source, a.source_ref, a.status, a.suppressed, a.entities, c.number AS caseNumber
       FROM alerts a LEFT JOIN cases c ON c.id = a.case_id ORDER BY a.source, a.source_ref`,
    ),
    links: all(
      `SELECT c.number, a.source_ref FROM case_alerts ca JOIN cases c ON c.id = ca.case_id
       JOIN alerts a ON a.id = ca.alert_id ORDER BY c.number, a.source_ref`,
    ),
    caseEntities: all(
      `SELECT c.number, e.kind, e.value FROM case_entities e JOIN cases c ON c.id = e.case_id
       ORDER BY c.number, e.kind, e.value`,
    ),
    queueMembers: all(
      `SELECT q.name, c.number FROM queue_members m JOIN queues q ON q.id = m.queue_id
       JOIN cases c ON c.id = m.case_id ORDER BY q.name, c.number`,
    ),
    activity: count(ws, 'activity'),
    outbox: count(ws, 'outbox'),
    searchQueue: count(ws, 'cases_fts_pending'),
    searchHits: all("SELECT rowid FROM cases_fts WHERE cases_fts MATCH 'alert' ORDER BY rowid")
      .length,
  };
}

// ---------------------------------------------------------------------------------------------
// Demo data through one session in batches vs one batch

const DEMO_ALERTS = 9_000;
const BATCH = 500;

/** Demo alerts as an import reads them (Watchfloor v1 records), in correlation order. */
function demoAlerts(): NormalizedAlert[] {
  const out: NormalizedAlert[] = [];
  for (const c of generateDemoCases({ alerts: DEMO_ALERTS, seed: 17, endAt: Date.UTC(2026, 5, 1) }))
    for (const a of c.alerts) {
      const imported = importWatchfloorRecord(
        JSON.parse(JSON.stringify(demoAlertRecord(a))) as Record<string, unknown>,
      );
      if (imported.kind !== 'alert') throw new Error(`demo alert not imported: ${imported.kind}`);
      out.push(imported.alert);
    }
  // Batches of a time-ordered import: the engine orders by timestamp, then source and sourceRef.
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort(
    (a, b) =>
      a.timestamp - b.timestamp || text(a.source, b.source) || text(a.sourceRef, b.sourceRef),
  );
}

interface CaseSummary {
  number: number;
  tenant: string;
  name: string;
  status: string;
  alertCount: number;
  firstAlertAt: number;
  lastAlertAt: number;
  score: number;
  severity: string;
  what: string | null;
  who: string | null;
  tlp: string;
  tactics: string;
  entities: string[];
  alerts: string[];
}

/** The cases of a store by number, each with its entity set and its alerts as source:sourceRef. */
function caseSummaries(ws: Workspace): CaseSummary[] {
  const db = ws.store.db;
  const entities = new Map<string, string[]>();
  for (const e of db
    .prepare('SELECT case_id AS caseId, kind, value FROM case_entities ORDER BY kind, value')
    .all() as { caseId: string; kind: string; value: string }[]) {
    const list = entities.get(e.caseId) ?? [];
    list.push(`${e.kind}:${e.value}`);
    entities.set(e.caseId, list);
  }
  const alerts = new Map<string, string[]>();
  for (const r of db
    .prepare(
      `SELECT ca.case_id AS caseId, a.source || ':' || a.source_ref AS ref
       FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id ORDER BY ref`,
    )
    .all() as { caseId: string; ref: string }[]) {
    const list = alerts.get(r.caseId) ?? [];
    list.push(r.ref);
    alerts.set(r.caseId, list);
  }
  const rows = db
    .prepare(
      `SELECT c.id, c.number, t.name AS tenant, c.name, c.status, c.alert_count AS alertCount,
         c.first_alert_at AS firstAlertAt, c.last_alert_at AS lastAlertAt, c.score, c.severity,
         c.what, c.who, c.tlp, c.tactics
       FROM cases c JOIN tenants t ON t.id = c.tenant_id ORDER BY c.number`,
    )
    .all() as (Omit<CaseSummary, 'entities' | 'alerts'> & { id: string })[];
  return rows.map(({ id, ...c }) => ({
    ...c,
    entities: entities.get(id) ?? [],
    alerts: alerts.get(id) ?? [],
  }));
}

/** Peeks at the session's private cache size, only to prove the test reaches eviction. */
function cachedCases(session: IngestSession): number {
  return session['index']['states'].size;
}

describe('IngestSession', () => {
  it('gives the same cases in batches (with cache eviction) as one batch into a fresh store', () => {
    const alerts = demoAlerts();
    expect(alerts).toHaveLength(DEMO_ALERTS);

    const single = newWorkspace('single.db');
    const one = ingestAlerts(single.store, alerts, options(single));
    expect(one.imported).toBe(DEMO_ALERTS);

    const batched = newWorkspace('batched.db');
    const session = new IngestSession(batched.store, options(batched));
    const batchOf = new Map<string, number>();
    let created = 0;
    let updated = 0;
    let imported = 0;
    let evictions = 0;
    let previousCached = 0;
    for (let i = 0; i < alerts.length; i += BATCH) {
      const batch = alerts.slice(i, i + BATCH);
      for (const a of batch) batchOf.set(`${a.source}:${a.sourceRef}`, i / BATCH);
      const counts = session.ingest(batch);
      created += counts.casesCreated;
      updated += counts.casesUpdated;
      imported += counts.imported;
      const cached = cachedCases(session);
      if (cached < previousCached) evictions++;
      previousCached = cached;
    }
    expect(imported).toBe(DEMO_ALERTS);
    expect(created).toBe(one.casesCreated);
    expect(updated).toBeGreaterThan(0); // batches did join cases written by earlier batches

    const expected = caseSummaries(single);
    const actual = caseSummaries(batched);
    // Enough cases for the session to drop old ones (it keeps at most ~2,000 between batches).
    expect(expected.length).toBeGreaterThan(2_000);
    expect(evictions).toBeGreaterThan(0);
    // Some cases hold alerts of several batches: the cache served joins across batches.
    const spanning = actual.filter((c) => new Set(c.alerts.map((r) => batchOf.get(r))).size > 1);
    expect(spanning.length).toBeGreaterThan(5);
    expect(actual.length).toBe(expected.length);
    expect(actual).toEqual(expected);
    for (const c of actual) expect(c.alerts).toHaveLength(c.alertCount);
  });

  it('keeps cases whose window reaches the batch when dropping old ones, and finds dropped ones for an earlier batch', () => {
    const ws = newWorkspace();
    const settings = getCorrelationSettings(ws.store);
    const timeoutMs = settings.timeoutMinutes * MIN;
    const session = new IngestSession(ws.store, { actor: 'test', settings });
    const early = alert('e0', -600, [host('early-01')]);
    session.ingest([early]);
    // More than 2,000 cases the session keeps (their last alerts are later than every batch
    // below), so every following batch starts by dropping the cases that ended before its window.
    const fillers = Array.from({ length: 2_050 }, (_, i) =>
      alert(`f${i}`, 60 * 24 * 30 + i, [host(`filler-${i}`)]),
    );
    expect(session.ingest(fillers).casesCreated).toBe(2_050);
    // One alert per batch, each exactly one timeout after the previous one: the case's last
    // alert is exactly at the start of the next batch's window (both edges are inclusive).
    const chain = Array.from({ length: 8 }, (_, i) =>
      alert(`c${i}`, 0, [host('chain-01')], { timestamp: T0 + i * timeoutMs }),
    );
    for (const [i, a] of chain.entries()) {
      expect(cachedCases(session)).toBeGreaterThan(2_000);
      expect(session.ingest([a])).toMatchObject(
        i === 0 ? { casesCreated: 1, casesUpdated: 0 } : { casesCreated: 0, casesUpdated: 1 },
      );
    }
    const chainCase = caseOf(ws, 'c0');
    for (const a of chain) expect(caseOf(ws, a.sourceRef)).toBe(chainCase);
    expect(caseRow(ws, chainCase).alertCount).toBe(chain.length);
    // The early case was dropped long ago; a late batch reaching back to it still finds it.
    const late = alert('e1', -570, [host('early-01')]);
    expect(session.ingest([late])).toMatchObject({ casesCreated: 0, casesUpdated: 1 });
    expect(caseOf(ws, 'e1')).toBe(caseOf(ws, 'e0'));
    // The same cases as one batch into a fresh store (numbered in another order: by time).
    const single = newWorkspace('single.db');
    ingestAlerts(single.store, [early, ...fillers, ...chain, late], { actor: 'test', settings });
    const unnumbered = (w: Workspace) =>
      caseSummaries(w)
        .map(({ number: _number, ...c }) => c)
        .sort((a, b) => (a.alerts[0]! < b.alerts[0]! ? -1 : 1));
    expect(unnumbered(ws)).toEqual(unnumbered(single));
  });

  it('does not join a case closed by another connection between batches', () => {
    const ws = newWorkspace();
    const session = new IngestSession(ws.store, options(ws));
    session.ingest([alert('a1', 0, [host('ws-01')])]);
    const closed = caseOf(ws, 'a1');

    const other = secondConnection(ws);
    writeTransaction(other, 'analyst', (w) => {
      w.derivedDb
        .prepare("UPDATE cases SET status = 'Resolved', closed_at = ? WHERE id = ?")
        .run(w.now, closed);
    });

    const counts = session.ingest([alert('a2', 5, [host('ws-01')])]);
    expect(counts).toMatchObject({ imported: 1, casesCreated: 1, casesUpdated: 0 });
    expect(caseOf(ws, 'a2')).not.toBe(closed);
    expect(caseRow(ws, closed)).toMatchObject({ status: 'Resolved', alertCount: 1 });
    expect(caseRow(ws, caseOf(ws, 'a2'))).toMatchObject({ status: 'New', alertCount: 1 });
  });

  it('joins a case that another connection created for a key the session knew had none', () => {
    const ws = newWorkspace();
    // a1 is suppressed, so after the batch the session knows "no case holds host ws-09".
    const session = new IngestSession(
      ws.store,
      options(ws, { isSuppressed: (a) => a.sourceRef === 'a1' }),
    );
    expect(session.ingest([alert('a1', 0, [host('ws-09')])])).toMatchObject({ suppressed: 1 });

    const other = secondConnection(ws);
    ingestAlerts(other, [alert('b1', 1, [host('ws-09')])], options(ws));
    const created = caseOf(ws, 'b1');

    const counts = session.ingest([alert('a2', 2, [host('ws-09')])]);
    expect(counts).toMatchObject({ imported: 1, casesCreated: 0, casesUpdated: 1 });
    expect(caseOf(ws, 'a2')).toBe(created);
    expect(caseRow(ws, created).alertCount).toBe(2);
  });

  it('does not join a case closed through the same connection outside the session', () => {
    const ws = newWorkspace();
    const session = new IngestSession(ws.store, options(ws));
    session.ingest([alert('a1', 0, [host('ws-02')])]);
    const closed = caseOf(ws, 'a1');

    writeTransaction(ws.store, 'analyst', (w) =>
      w.patch('case', closed, { status: 'Resolved', closedAt: w.now }),
    );

    const counts = session.ingest([alert('a2', 5, [host('ws-02')])]);
    expect(counts).toMatchObject({ imported: 1, casesCreated: 1, casesUpdated: 0 });
    expect(caseOf(ws, 'a2')).not.toBe(closed);
    expect(caseRow(ws, closed)).toMatchObject({ status: 'Resolved', alertCount: 1 });
  });

  it('does not join a case closed by a plain statement on the same connection', () => {
    const ws = newWorkspace();
    const session = new IngestSession(ws.store, options(ws));
    session.ingest([alert('a1', 0, [host('ws-03')])]);
    const closed = caseOf(ws, 'a1');

    ws.store.db.prepare("UPDATE cases SET status = 'Cancelled' WHERE id = ?").run(closed);

    const counts = session.ingest([alert('a2', 5, [host('ws-03')])]);
    expect(counts).toMatchObject({ casesCreated: 1, casesUpdated: 0 });
    expect(caseOf(ws, 'a2')).not.toBe(closed);
  });

  it('leaves the store unchanged when a batch throws, and the next batch sees the real store', () => {
    const ws = newWorkspace();
    const session = new IngestSession(
      ws.store,
      options(ws, {
        isSuppressed: (a) => {
          if (a.title === 'boom') throw new Error('case filter failed');
          return false;
        },
      }),
    );
    session.ingest([alert('a1', 0, [host('ws-04')])]);
    const first = caseOf(ws, 'a1');
    const before = storeContents(ws);

    // In time order: a2 joins a1's case, a3 starts a case for ws-05, a4 makes the filter throw.
    expect(() =>
      session.ingest([
        alert('a2', 5, [host('ws-04')]),
        alert('a3', 6, [host('ws-05')]),
        alert('a4', 7, [host('ws-06')], { title: 'boom' }),
      ]),
    ).toThrow('case filter failed');
    expect(storeContents(ws)).toEqual(before);
    expect(caseRow(ws, first).alertCount).toBe(1);

    // The case for ws-05 never reached the store, and a1's case still has one alert.
    const counts = session.ingest([
      alert('a5', 8, [host('ws-05')]),
      alert('a2', 9, [host('ws-04')]),
    ]);
    expect(counts).toMatchObject({
      imported: 2,
      duplicates: 0,
      casesCreated: 1,
      casesUpdated: 1,
    });
    expect(caseOf(ws, 'a2')).toBe(first);
    expect(caseRow(ws, first)).toMatchObject({ alertCount: 2, name: 'Alert a1 and 1 other' });
    const fresh = caseOf(ws, 'a5');
    expect(fresh).not.toBe(first);
    // Numbers the failed batch allocated were rolled back with it.
    expect(caseRow(ws, fresh)).toMatchObject({
      number: caseRow(ws, first).number + 1,
      alertCount: 1,
    });
    expect(count(ws, 'cases')).toBe(2);
    expect(
      ws.store.db.prepare("SELECT 1 FROM alerts WHERE source_ref IN ('a3', 'a4')").all(),
    ).toEqual([]);
    expect(count(ws, 'cases_fts_pending')).toBe(0);
  });

  it('leaves the store unchanged when a batch that names a new tenant throws', () => {
    const ws = newWorkspace();
    const session = new IngestSession(
      ws.store,
      options(ws, {
        isSuppressed: () => {
          throw new Error('case filter failed');
        },
      }),
    );
    const before = storeContents(ws);
    expect(() => session.ingest([alert('g1', 0, [host('gx-01')], { tenant: 'Globex' })])).toThrow(
      'case filter failed',
    );
    // ingestAlerts/IngestSession: "a failure leaves the store as it was before that batch"
    expect(storeContents(ws)).toEqual(before);
  });

  it('joins a case created two batches earlier, served from the cache', () => {
    const ws = newWorkspace();
    const runs = recordStatementRuns(ws.store.db);
    const session = new IngestSession(ws.store, options(ws));
    runs.stop();

    session.ingest([alert('a1', 0, [host('ws-07')])]);
    const first = caseOf(ws, 'a1');
    // The statements that read cases and their entities did run for the first batch...
    expect(runs.caseReads()).toBeGreaterThan(0);

    session.ingest([alert('a2', 30, [host('ws-08')])]);
    expect(caseOf(ws, 'a2')).not.toBe(first);

    runs.clear();
    const counts = session.ingest([alert('a3', 60, [host('ws-07')])]);
    expect(counts).toMatchObject({ imported: 1, casesCreated: 0, casesUpdated: 1 });
    expect(caseOf(ws, 'a3')).toBe(first);
    expect(caseRow(ws, first)).toMatchObject({ alertCount: 2, status: 'New' });
    expect(
      ws.store.db.prepare('SELECT count(*) AS n FROM case_alerts WHERE case_id = ?').get(first),
    ).toEqual({ n: 2 });
    // ...and not for the third: the session knew the case and its host from the first batch.
    expect(runs.caseReads()).toBe(0);
  });
});

/**
 * Counts runs of the statements prepared on `db` while recording (the session's statements,
 * prepared once per connection when the first session is made).
 */
function recordStatementRuns(db: Database.Database) {
  const runs = new Map<string, number>();
  const prepare = db.prepare;
  db.prepare = function (this: Database.Database, source: string) {
    const statement = prepare.call(this, source) as Database.Statement;
    runs.set(source, 0);
    for (const method of ['get', 'all', 'run', 'iterate'] as const) {
      const original = statement[method] as (...args: unknown[]) => unknown;
      Object.defineProperty(statement, method, {
        value: (...args: unknown[]) => {
          runs.set(source, (runs.get(source) ?? 0) + 1);
          return original.apply(statement, args);
        },
      });
    }
    return statement;
  } as typeof db.prepare;
  return {
    stop: () => {
      db.prepare = prepare;
    },
    clear: () => {
      for (const key of runs.keys()) runs.set(key, 0);
    },
    /** Runs of the SELECTs that read a case or case entities (candidate lookups, case loads). */
    caseReads: () => {
      let n = 0;
      for (const [source, times] of runs)
        if (/^\s*SELECT\b/i.test(source) && /case_entities|FROM cases WHERE id/i.test(source))
          n += times;
      return n;
    },
  };
}

describe('the WAL checkpoint interval of an import', () => {
  function ndjsonFile(alerts: number, seed: number): string {
    const lines: string[] = [];
    for (const c of generateDemoCases({ alerts, seed, endAt: T0 }))
      for (const a of c.alerts) lines.push(JSON.stringify(demoAlertRecord(a)));
    const file = path.join(dir, `alerts-${seed}.ndjson`);
    fs.writeFileSync(file, lines.join('\n'));
    return file;
  }
  const interval = (ws: Workspace) => ws.store.db.pragma('wal_autocheckpoint', { simple: true });
  const parseWorker = parseWorkerBeside(sourceImportWorker());

  it('is IMPORT_CHECKPOINT_PAGES while a file import runs, and the connection`s own after', async () => {
    const ws = newWorkspace();
    expect(interval(ws)).toBe(1000);
    const during: unknown[] = [];
    const summary = await importAlertFilesInParallel(ws.store, [ndjsonFile(40, 1)], {
      format: 'auto',
      actor: 'test',
      parseWorker,
      onProgress: () => during.push(interval(ws)),
    });
    expect(summary.imported).toBeGreaterThan(30);
    expect(during.length).toBeGreaterThan(0);
    expect(new Set(during)).toEqual(new Set([IMPORT_CHECKPOINT_PAGES]));
    expect(interval(ws)).toBe(1000);
  });

  it('is restored after a failed import', async () => {
    const ws = newWorkspace();
    ws.store.db.pragma('wal_autocheckpoint = 500');
    await expect(
      importAlertFilesInParallel(ws.store, [ndjsonFile(20, 3)], {
        format: 'auto',
        actor: 'test',
        parseWorker,
        onProgress: () => {
          throw new Error('stopped by the test');
        },
      }),
    ).rejects.toThrow('stopped by the test');
    expect(interval(ws)).toBe(500);
  });

  it('is left alone where another thread checkpoints (0) and by an import in the app`s worker', async () => {
    const ws = newWorkspace();
    ws.store.db.pragma('wal_autocheckpoint = 0');
    const during: unknown[] = [];
    await importAlertFilesInParallel(ws.store, [ndjsonFile(20, 2)], {
      format: 'auto',
      actor: 'test',
      parseWorker,
      onProgress: () => during.push(interval(ws)),
    });
    expect(new Set(during)).toEqual(new Set([0]));
    expect(interval(ws)).toBe(0);

    ws.store.db.pragma('wal_autocheckpoint = 1000');
    during.length = 0;
    importAlertSources(ws.store, [fileSource(ndjsonFile(20, 4))], {
      format: 'auto',
      actor: 'test',
      onProgress: () => during.push(interval(ws)),
    });
    expect(new Set(during)).toEqual(new Set([1000]));
  });
});

describe('an import with a parse thread', () => {
  it('stores the same raw records as an import in one thread (they cross threads serialized)', async () => {
    const files = ONE_FILE_PER_FORMAT;
    const parallel = newWorkspace('parallel.db');
    const single = newWorkspace('single.db');
    const a = await importAlertFilesInParallel(parallel.store, files, {
      format: 'auto',
      actor: 'test',
      parseWorker: parseWorkerBeside(sourceImportWorker()),
    });
    const b = importAlertSources(single.store, files.map(fileSource), {
      format: 'auto',
      actor: 'test',
    });
    expect(a.imported).toBeGreaterThan(5);
    expect(a.imported).toBe(b.imported);
    const raws = (ws: Workspace) =>
      ws.store.db
        .prepare('SELECT source, source_ref, raw FROM alerts ORDER BY source, source_ref')
        .all() as { raw: string }[];
    expect(raws(parallel)).toEqual(raws(single));
    for (const r of raws(parallel)) expect(JSON.parse(r.raw)).toBeTypeOf('object');
    expect(raws(parallel).filter((r) => r.raw === 'null')).toEqual([]);
  });
});
