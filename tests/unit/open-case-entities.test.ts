import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { writeTransaction } from '../../main/store/write';
import { ingestAlerts } from '../../main/features/correlation/ingest';
import { getCorrelationSettings } from '../../main/features/correlation/correlation-settings';
import { demoAlertRecord, generateDemoCases } from '../../shared/domain/demo';
import { importWatchfloorRecord } from '../../shared/domain/ingest/watchfloor';
import { SeededRandom } from '../../shared/domain/random';
import { CASE_STATUSES, OPEN_CASE_STATUSES } from '../../shared/domain/types';
import type { NormalizedAlert } from '../../shared/domain/alert-format';

/**
 * open_case_entities (migration 0012) is what correlation looks candidates up in: the entities
 * of open cases with each case's last alert time. Triggers keep it; these tests hold it against
 * the same rows derived from cases and case_entities after every kind of write.
 */

let dir: string;
let ws: Workspace;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-open-entities-'));
  ws = openWorkspace(path.join(dir, 's.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
});

afterEach(() => {
  if (ws.store.db.open) ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Row = {
  tenant_id: string;
  kind: string;
  value: string;
  last_alert_bound: number;
  case_id: string;
};

function stored(): Row[] {
  return ws.store.db
    .prepare(
      'SELECT tenant_id, kind, value, last_alert_bound, case_id FROM open_case_entities ORDER BY 1, 2, 3, 4, 5',
    )
    .all() as Row[];
}

const DAY = 86_400_000;

/**
 * What the table must hold: derived from the cases and their entities, each case's last alert
 * time rounded up to the end of its UTC day (migration 0017).
 */
function derived(): Row[] {
  const open = OPEN_CASE_STATUSES.map(() => '?').join(', ');
  return ws.store.db
    .prepare(
      `SELECT e.tenant_id, e.kind, e.value, ${DAY} * ((c.last_alert_at + ${DAY - 1}) / ${DAY}) AS last_alert_bound, e.case_id
       FROM cases c JOIN case_entities e ON e.case_id = c.id
       WHERE c.status IN (${open}) AND c.last_alert_at IS NOT NULL ORDER BY 1, 2, 3, 4, 5`,
    )
    .all(...OPEN_CASE_STATUSES) as Row[];
}

function demoAlerts(count: number, seed: number): NormalizedAlert[] {
  const out: NormalizedAlert[] = [];
  for (const c of generateDemoCases({ alerts: count, seed, endAt: Date.UTC(2026, 5, 1) })) {
    for (const a of c.alerts) {
      const r = importWatchfloorRecord(
        JSON.parse(JSON.stringify(demoAlertRecord(a))) as Record<string, unknown>,
      );
      if (r.kind !== 'alert') throw new Error(r.kind === 'error' ? r.message : r.kind);
      out.push(r.alert);
    }
  }
  return out;
}

function ingest(alerts: NormalizedAlert[]): void {
  ingestAlerts(ws.store, alerts, { actor: 'test', settings: getCorrelationSettings(ws.store) });
}

describe('open_case_entities', () => {
  it('holds exactly the entities of open cases after correlation creates and grows cases', () => {
    ingest(demoAlerts(400, 3));
    const rows = stored();
    expect(rows.length).toBeGreaterThan(50);
    expect(rows).toEqual(derived());
  });

  it('follows status changes, later alerts, entity edits and deletes on any write path', () => {
    ingest(demoAlerts(300, 4));
    const db = ws.store.db;
    const rng = new SeededRandom(99);
    const caseIds = () => (db.prepare('SELECT id FROM cases').pluck().all() as string[]).sort();
    const pick = () => {
      const ids = caseIds();
      return ids[rng.int(0, ids.length - 1)]!;
    };
    const ops: ((caseId: string) => void)[] = [
      // close or reopen (any status: open ones and closed ones)
      (id) =>
        db
          .prepare('UPDATE cases SET status = ? WHERE id = ?')
          .run(CASE_STATUSES[rng.int(0, CASE_STATUSES.length - 1)], id),
      // a later alert moves the case's window
      (id) =>
        db
          .prepare('UPDATE cases SET last_alert_at = last_alert_at + ? WHERE id = ?')
          .run(rng.int(1, 3_600_000), id),
      // an entity added by hand (triage, merge)
      (id) =>
        db
          .prepare(
            `INSERT OR IGNORE INTO case_entities (tenant_id, kind, value, case_id)
             SELECT tenant_id, 'ip', ?, id FROM cases WHERE id = ?`,
          )
          .run(`10.9.0.${rng.int(1, 250)}`, id),
      // an entity removed
      (id) =>
        db
          .prepare(
            `DELETE FROM case_entities WHERE case_id = ?
             AND value = (SELECT min(value) FROM case_entities WHERE case_id = ?)`,
          )
          .run(id, id),
      // an entity's value corrected in place
      (id) =>
        db
          .prepare(
            `UPDATE case_entities SET value = value || '.corrected'
             WHERE case_id = ? AND kind = (SELECT min(kind) FROM case_entities WHERE case_id = ?)`,
          )
          .run(id, id),
      // the case deleted (its alerts unlinked first)
      (id) => {
        db.prepare('UPDATE alerts SET case_id = NULL WHERE case_id = ?').run(id);
        db.prepare('DELETE FROM cases WHERE id = ?').run(id);
      },
    ];
    for (let i = 0; i < 120; i++) {
      const op = rng.int(0, ops.length - 1);
      writeTransaction(ws.store, 'test', () => ops[op]!(pick()));
      expect(stored(), `after operation ${op} (step ${i})`).toEqual(derived());
    }
  });

  it('rewrites a case`s rows only when its last alert moves into a later day (0017)', () => {
    ingest(demoAlerts(300, 5));
    const db = ws.store.db;
    const big = db
      .prepare(
        `SELECT case_id AS id, count(*) AS n FROM open_case_entities
         GROUP BY case_id ORDER BY n DESC, case_id LIMIT 1`,
      )
      .get() as { id: string; n: number };
    expect(big.n).toBeGreaterThanOrEqual(3);
    const day = Date.UTC(2026, 5, 2);
    const setLast = (at: number): number => {
      const before = db.prepare('SELECT total_changes()').pluck().get() as number;
      writeTransaction(ws.store, 'test', () =>
        db.prepare('UPDATE cases SET last_alert_at = ? WHERE id = ?').run(at, big.id),
      );
      return (db.prepare('SELECT total_changes()').pluck().get() as number) - before;
    };
    const bounds = () =>
      db
        .prepare('SELECT DISTINCT last_alert_bound FROM open_case_entities WHERE case_id = ?')
        .pluck()
        .all(big.id);
    setLast(day + 5 * 60_000);
    expect(bounds()).toEqual([day + DAY]);
    // 00:05 -> 23:50 the same day: same bound, the entity rows stay as they are
    expect(setLast(day + DAY - 10 * 60_000)).toBeLessThan(big.n);
    expect(bounds()).toEqual([day + DAY]);
    // -> midnight exactly: still bounded by that midnight
    expect(setLast(day + DAY)).toBeLessThan(big.n);
    // -> one millisecond later: every row moves to the next midnight
    expect(setLast(day + DAY + 1)).toBeGreaterThanOrEqual(2 * big.n);
    expect(bounds()).toEqual([day + 2 * DAY]);
    expect(stored()).toEqual(derived());
  });

  it('lists in its triggers the open statuses the code uses', () => {
    const sql = ws.store.db
      .prepare(
        "SELECT group_concat(sql, ' ') FROM sqlite_master WHERE sql LIKE '%open_case_entities%' AND type = 'trigger'",
      )
      .pluck()
      .get() as string;
    const lists = sql.match(/IN \(('[^)]*')\)/g) ?? [];
    expect(lists.length).toBeGreaterThanOrEqual(3);
    for (const list of lists)
      expect(list).toBe(`IN (${OPEN_CASE_STATUSES.map((s) => `'${s}'`).join(', ')})`);
  });
});
