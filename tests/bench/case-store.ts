import { generateDemoCases } from '../../shared/domain/demo';
import { prepareDemoContext } from '../../main/features/demo/demo';
import { DEMO_SQL, demoCaseRows } from './demo-rows';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import type Database from 'better-sqlite3';

/**
 * The large store behind the issue 4 figures (case table pages and queues): `cases` demo cases
 * and, optionally, about `alerts` alerts linked to them, built fast.
 *
 * - Cases come from the demo generator (names, what/who, tags, statuses, assignees, times) and
 *   go in with their indexes and triggers dropped; both are recreated after the load, so the
 *   schema ends exactly as the migrations left it.
 * - Alerts (the issue's 10,000,000) are generated in SQL from their case: each case gets a
 *   number of alerts proportional to its demo alert count (at most 60), with the case's tenant,
 *   times inside its window, a Watchfloor v1 style raw payload of ~500 bytes, the entities JSON
 *   column and a `case_alerts` link. The case's `alert_count` is set to match. Alert indexes are
 *   dropped during the load and recreated after it as well.
 * - The search index is filled with one INSERT … SELECT (the table is contentless, so FTS5's
 *   'rebuild' command does not apply), then `pragma optimize` runs as after a demo load.
 */

export interface CaseStoreOptions {
  cases: number;
  /** alerts to link to the cases, approximately (0: cases only) */
  alerts?: number;
  /** the demo generator's end time */
  endAt: number;
  seed?: number;
  log: (line: string) => void;
}

const MAX_ALERTS_PER_CASE = 60;
/** Alerts per case the demo generator yields on average when asked for 3.5 per case. */
const DEMO_ALERTS_PER_CASE = 2.75;

/** Column position of `alert_count` in the demo case insert, read from the statement itself. */
function alertCountColumn(): number {
  const columns =
    /\(([^)]*)\)/
      .exec(DEMO_SQL.case)?.[1]
      ?.split(',')
      .map((c) => c.trim()) ?? [];
  const i = columns.indexOf('alert_count');
  if (i < 0) throw new Error('alert_count not found in DEMO_SQL.case');
  return i;
}

/** Drops a table's indexes and triggers (but the ones named) and returns how to recreate them. */
function dropDeferred(db: Database.Database, table: string, keep: string[]): () => void {
  const deferred = db
    .prepare(
      `SELECT name, type, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL`,
    )
    .all(table) as { name: string; type: 'index' | 'trigger'; sql: string }[];
  const dropped = deferred.filter((o) => !keep.includes(o.name));
  for (const o of dropped) db.exec(`DROP ${o.type.toUpperCase()} ${o.name}`);
  return () => {
    for (const o of dropped) db.exec(o.sql);
  };
}

export function buildCaseStore(file: string, options: CaseStoreOptions): Workspace {
  const { cases: count, log } = options;
  const alertsWanted = options.alerts ?? 0;
  const ws = openWorkspace(file, { create: true, migrationsFolder: sourceMigrationsFolder() });
  const db = ws.store.db;
  const ctx = prepareDemoContext(ws.store, options.seed ?? 11);
  const recreateCaseSchema = dropDeferred(db, 'cases', ['cases_number_uq']);
  const insert = db.prepare(DEMO_SQL.case);
  const alertCountAt = alertCountColumn();
  const insertMany = db.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(r);
  });
  // With alerts, each case's count is scaled so the total comes near `alerts`.
  const scale = alertsWanted > 0 ? alertsWanted / (count * DEMO_ALERTS_PER_CASE) : 1;
  let batch: unknown[][] = [];
  let made = 0;
  // ~2.75 alerts per case: ask for enough alerts and stop at `count` cases
  for (const c of generateDemoCases({
    alerts: Math.ceil(count * 3.5),
    seed: options.seed ?? 11,
    endAt: options.endAt,
  })) {
    // The case row only: the demo alert rows (their JSON is most of the cost) are not used.
    const row = demoCaseRows({ ...c, alerts: [] }, ctx).caseRow;
    row[alertCountAt] =
      alertsWanted > 0
        ? Math.min(MAX_ALERTS_PER_CASE, Math.max(1, Math.round(c.alerts.length * scale)))
        : c.alerts.length;
    batch.push(row);
    made++;
    if (batch.length === 10_000) {
      insertMany(batch);
      batch = [];
      if (made % 100_000 === 0) log(`  built ${made.toLocaleString('en')} cases`);
    }
    if (made === count) break;
  }
  if (batch.length) insertMany(batch);
  if (alertsWanted > 0) insertAlerts(db, log);
  log('  recreating case indexes and the full-text index');
  db.transaction(() => {
    recreateCaseSchema();
    db.prepare(
      `INSERT INTO cases_fts (rowid, name, description, what, who, tags)
       SELECT rowid, name, description, what, who, tags FROM cases`,
    ).run();
  })();
  db.pragma('optimize');
  return ws;
}

/** `alert_count` alerts per case, generated in SQL (see the module comment). */
function insertAlerts(db: Database.Database, log: (line: string) => void): void {
  const recreateAlertSchema = dropDeferred(db, 'alerts', []);
  const recreateLinkSchema = dropDeferred(db, 'case_alerts', []);
  const maxRowid = db.prepare('SELECT max(rowid) FROM cases').pluck().get() as number;
  // Alert ids: the case id's first 24 characters (its UUIDv7 time) and a unique last group.
  const alertId = `substr(c.id, 1, 24) || printf('%012x', c.rowid * 64 + k.n)`;
  const addAlerts = db.prepare(
    `WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < ${MAX_ALERTS_PER_CASE - 1})
     INSERT INTO alerts (id, tenant_id, source, source_ref, type, title, description, timestamp, score,
       tactic, tactic_name, technique, technique_name, tags, tlp, raw, entities, status, case_id,
       suppressed, created_at, updated_at)
     SELECT ${alertId}, c.tenant_id, 'bench-edr', printf('%d-%d', c.number, k.n), 'EDR', c.name,
       c.description, c.first_alert_at + (c.last_alert_at - c.first_alert_at) * k.n / c.alert_count,
       max(0, min(100, c.score - (k.n % 7) * 3)), 'TA0002', 'Execution', 'T1059.001', 'PowerShell',
       c.tags, c.tlp,
       json_object('source', 'bench-edr', 'sourceRef', printf('%d-%d', c.number, k.n), 'type', 'EDR',
         'title', c.name, 'description', c.description, 'severity', c.score, 'tactic', 'TA0002',
         'technique', 'T1059.001', 'tags', json(c.tags), 'what', c.what, 'who', c.who,
         'entities', json_object('hosts', json_array(c.who), 'users', json_array('svc_' || (c.number % 997)))),
       json_array(json_object('kind', 'host', 'value', lower(coalesce(c.who, 'host'))),
         json_object('kind', 'user', 'value', 'svc_' || (c.number % 997))),
       CASE WHEN c.status IN ('Resolved', 'Cancelled') THEN 'Closed' ELSE 'Imported' END, c.id,
       0, c.created_at, c.updated_at
     FROM cases c CROSS JOIN k ON k.n < c.alert_count WHERE c.rowid > ? AND c.rowid <= ?`,
  );
  const addLinks = db.prepare(
    `WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < ${MAX_ALERTS_PER_CASE - 1})
     INSERT INTO case_alerts (case_id, alert_id, tenant_id, added_at)
     SELECT c.id, ${alertId}, c.tenant_id, c.created_at
     FROM cases c CROSS JOIN k ON k.n < c.alert_count WHERE c.rowid > ? AND c.rowid <= ?`,
  );
  const step = 50_000;
  let alerts = 0;
  for (let from = 0; from < maxRowid; from += step) {
    db.transaction(() => {
      alerts += addAlerts.run(from, from + step).changes;
      addLinks.run(from, from + step);
    })();
    if ((from + step) % 200_000 === 0 || from + step >= maxRowid)
      log(`  built ${alerts.toLocaleString('en')} alerts`);
  }
  log('  recreating alert indexes');
  db.transaction(() => {
    recreateAlertSchema();
    recreateLinkSchema();
  })();
}
