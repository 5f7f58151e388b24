import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCases } from '../../main/features/cases/cases';
import {
  backgroundReadCount,
  CASE_CHANGES_KEPT,
  CATCH_UP_MAX,
  casePositions,
  casePositionsSettled,
  enableBackgroundPositions,
  forgetCasePositions,
  lastPositionsError,
  pendingPositionBuilds,
  listedViews,
  positionKey,
  positionsWorkerBeside,
} from '../../main/features/cases/case-positions';
import {
  caseCountEstimate,
  caseViewRowidSql,
  compileCaseView,
  type CaseViewInput,
} from '../../main/features/cases/case-view';
import { loadDemoData } from '../../main/features/demo/demo';
import {
  DAY_MS,
  findQueue,
  indexOnlyMembersSql,
  markAllQueuesPending,
  pruneAgedQueueMembers,
  reindexQueue,
  refreshQueueMembership,
  reindexQueueNow,
  saveQueue,
} from '../../main/features/queues/queues';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { writeTransaction } from '../../main/store/write';
import { sourceImportWorker, sourceMigrationsFolder } from '../../main/store/paths';
import { SeededRandom } from '../../shared/domain/random';
import { CASE_SORT_FIELDS } from '../../shared/domain/types';
import { DEFAULT_QUEUE_IDS } from '../../shared/ipc/contract';

const END_AT = Date.now() - (Date.now() % DAY_MS);
let dir: string;
let ws: Workspace;
let customQueue: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-positions-'));
  ws = openWorkspace(path.join(dir, 'p.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  await loadDemoData(ws.store, { alerts: 1500, seed: 21, endAt: END_AT });
  for (const id of markAllQueuesPending(ws.store)) reindexQueueNow(ws.store, id);
  customQueue = saveQueue(ws.store, ws.user, {
    name: 'High or Critical open',
    condition: {
      type: 'group',
      op: 'AND',
      children: [
        { type: 'condition', field: 'severity', operator: 'in', value: ['High', 'Critical'] },
        {
          type: 'condition',
          field: 'status',
          operator: 'in',
          value: ['New', 'In Progress', 'Escalated'],
        },
      ],
    },
    range: { kind: 'relative', days: 365 },
  }).queue.id;
  reindexQueueNow(ws.store, customQueue);
});

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The view's case ids in order, straight from SQL. */
function sqlOrder(view: CaseViewInput): number[] {
  const compiled = compileCaseView(ws.store, view);
  const { sql, params } = caseViewRowidSql(compiled, false);
  return ws.store.db
    .prepare(sql)
    .pluck()
    .all(...params, -1, 0) as number[];
}

function listed(view: CaseViewInput, buildNow: boolean): number[] | null {
  const compiled = compileCaseView(ws.store, view);
  const list = casePositions(ws.store, compiled, {
    caseCountEstimate: caseCountEstimate(ws.store),
    buildNow,
  });
  return list ? Array.from(list) : null;
}

const CASE_COPY_COLUMNS = () =>
  (ws.store.db.prepare('PRAGMA table_info(cases)').all() as { name: string }[])
    .map((c) => c.name)
    .filter((name) => name !== 'id' && name !== 'number');

/** One random write of the kinds the app makes, through a write transaction. */
function randomWrite(random: SeededRandom): string {
  const db = ws.store.db;
  const ids = db.prepare('SELECT id FROM cases').pluck().all() as string[];
  const id = ids[random.int(0, ids.length - 1)]!;
  const kind = random.int(0, 7);
  writeTransaction(ws.store, 'test', (w) => {
    switch (kind) {
      case 0:
        w.derivedDb.prepare('UPDATE cases SET score = ? WHERE id = ?').run(random.int(0, 100), id);
        break;
      case 1: {
        const status = random.pick(['New', 'In Progress', 'Escalated', 'Closed'] as const);
        w.derivedDb
          .prepare('UPDATE cases SET status = ?, updated_at = updated_at + 1 WHERE id = ?')
          .run(status, id);
        break;
      }
      case 2:
        // NULL and back: nullable sorts put NULL first ascending, last descending
        w.derivedDb
          .prepare('UPDATE cases SET assignee_name = ?, what = ? WHERE id = ?')
          .run(
            random.int(0, 1) ? null : `user ${random.int(0, 5)}`,
            random.int(0, 1) ? null : 'Phishing',
            id,
          );
        break;
      case 3: {
        const severity = random.pick(['Low', 'Medium', 'High', 'Critical'] as const);
        const rank = { Low: 1, Medium: 2, High: 3, Critical: 4 }[severity];
        w.derivedDb
          .prepare('UPDATE cases SET severity = ?, severity_rank = ? WHERE id = ?')
          .run(severity, rank, id);
        break;
      }
      case 4:
        // equal names: the order within them is the id's
        w.derivedDb
          .prepare("UPDATE cases SET name = 'Same name', alert_count = ? WHERE id = ?")
          .run(random.int(1, 4), id);
        break;
      case 5: {
        const columns = CASE_COPY_COLUMNS();
        const newId = randomUUID();
        w.derivedDb
          .prepare(
            `INSERT INTO cases (id, number, ${columns.join(', ')})
             SELECT ?, (SELECT max(number) + 1 FROM cases), ${columns.join(', ')} FROM cases WHERE id = ?`,
          )
          .run(newId, id);
        refreshQueueMembership(w, [newId]);
        return;
      }
      case 6:
        w.derivedDb.prepare('DELETE FROM case_alerts WHERE case_id = ?').run(id);
        w.derivedDb.prepare('UPDATE alerts SET case_id = NULL WHERE case_id = ?').run(id);
        w.derivedDb.prepare('DELETE FROM case_entities WHERE case_id = ?').run(id);
        w.derivedDb.prepare('DELETE FROM cases WHERE id = ?').run(id);
        break;
      default:
        w.derivedDb.prepare('UPDATE cases SET updated_at = ? WHERE id = ?').run(END_AT + kind, id);
    }
    refreshQueueMembership(w, [id]);
  });
  return `write ${kind} on ${id}`;
}

const VIEW_QUEUES = [
  DEFAULT_QUEUE_IDS.allOpen,
  DEFAULT_QUEUE_IDS.allClosed,
  () => customQueue,
  undefined,
] as const;

function views(): CaseViewInput[] {
  return VIEW_QUEUES.flatMap((q) =>
    CASE_SORT_FIELDS.map((sort) => ({
      queueId: typeof q === 'function' ? q() : q,
      sort,
      direction: 'asc' as const,
    })),
  );
}

describe('position lists (deep pages and jumps of big views)', () => {
  it('a list caught up after random writes equals the SQL order, for every queue and sort', () => {
    const random = new SeededRandom(5);
    for (const view of views()) expect(listed(view, true)).toEqual(sqlOrder(view));
    for (let round = 0; round < 25; round++) {
      const done = Array.from({ length: random.int(1, 10) }, () => randomWrite(random));
      for (const view of views()) {
        // no build: the existing list catches up with the logged changes
        const list = listed(view, false);
        expect(list, `${view.queueId ?? 'all'} ${view.sort} after ${done.join(', ')}`).toEqual(
          sqlOrder(view),
        );
      }
    }
  });

  it('pages served from a list equal plain OFFSET pages in both directions, after writes too', () => {
    const random = new SeededRandom(9);
    const plain = (view: CaseViewInput, offset: number, limit: number) => {
      const compiled = compileCaseView(ws.store, view);
      const { sql, params } = caseViewRowidSql(compiled, false);
      return (
        ws.store.db
          .prepare(`SELECT c.id FROM (${sql}) p JOIN cases c ON c.rowid = p.rid`)
          .pluck()
          .all(...params, limit, offset) as string[]
      ).sort((a, b) => a.localeCompare(b));
    };
    for (const view of views()) {
      for (const direction of ['asc', 'desc'] as const) {
        const v = { ...view, direction };
        expect(listed(v, true)).not.toBeNull();
        const members = sqlOrder(v).length;
        for (const offset of [0, random.int(0, members), Math.max(0, members - 10)]) {
          const page = listCases(ws.store, { ...v, offset, limit: 25 }).rows.map((r) => r.id);
          const expected = plain(v, offset, 25);
          expect(
            [...page].sort((a, b) => a.localeCompare(b)),
            `${v.sort} ${direction}`,
          ).toEqual(expected);
          // and in the view's order, not only the same rows
          const rowids = page.map(
            (id) =>
              ws.store.db.prepare('SELECT rowid FROM cases WHERE id = ?').pluck().get(id) as number,
          );
          expect(rowids).toEqual(sqlOrder(v).slice(offset, offset + 25));
        }
      }
      if (random.int(0, 3) === 0) randomWrite(random);
    }
  });

  it('is rebuilt, not patched, when it is older than the log, too far behind, or its queue was re-indexed', () => {
    const view = {
      queueId: DEFAULT_QUEUE_IDS.allOpen,
      sort: 'score' as const,
      direction: 'asc' as const,
    };
    const compiled = () => compileCaseView(ws.store, view);
    const db = ws.store.db;
    expect(listed(view, true)).toEqual(sqlOrder(view));

    // older than the log: the entries it would need are gone
    randomWrite(new SeededRandom(1));
    randomWrite(new SeededRandom(3));
    db.prepare('DELETE FROM case_changes WHERE seq < (SELECT max(seq) FROM case_changes)').run();
    randomWrite(new SeededRandom(2));
    expect(listed(view, false)).toBeNull(); // dropped, and no background builder here
    expect(listedViews(ws.store)).not.toContain(positionKey(compiled()));
    expect(listed(view, true)).toEqual(sqlOrder(view));

    // more changed cases than CATCH_UP_MAX
    const cases = (db.prepare('SELECT count(*) FROM cases').pluck().get() as number) - 1;
    const rounds = Math.ceil((CATCH_UP_MAX + 1) / cases);
    writeTransaction(ws.store, 'test', (w) => {
      for (let i = 0; i < rounds; i++)
        w.derivedDb.prepare('UPDATE cases SET updated_at = updated_at + 1').run();
    });
    if (cases > CATCH_UP_MAX) expect(listed(view, false)).toBeNull();
    expect(listed(view, true)).toEqual(sqlOrder(view));

    // re-indexed queue: a new generation
    reindexQueueNow(ws.store, DEFAULT_QUEUE_IDS.allOpen);
    expect(listed(view, false)).toBeNull();
    expect(listed(view, true)).toEqual(sqlOrder(view));
  });

  it('cases that age out of a relative range leave the list without a rebuild', () => {
    const view = { queueId: customQueue, sort: 'name' as const, direction: 'asc' as const };
    expect(listed(view, true)).toEqual(sqlOrder(view));
    const before = sqlOrder(view).length;
    // 300 days on, the 365-day range starts 65 days ago: older cases leave the queue
    pruneAgedQueueMembers(ws.store, Date.now() + 300 * DAY_MS, customQueue);
    const after = sqlOrder(view);
    expect(after.length).toBeLessThan(before);
    expect(after.length).toBeGreaterThan(0);
    expect(listed(view, false)).toEqual(after);
  });

  it('keeps the change log to its last CASE_CHANGES_KEPT entries', () => {
    const db = ws.store.db;
    const insert = db.prepare('INSERT INTO case_changes (case_rowid) VALUES (1)');
    db.transaction(() => {
      for (let i = 0; i < CASE_CHANGES_KEPT + 50; i++) insert.run();
    })();
    const { n, lo, hi } = db
      .prepare('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM case_changes')
      .get() as { n: number; lo: number; hi: number };
    expect(n).toBe(CASE_CHANGES_KEPT);
    expect(hi - lo + 1).toBe(CASE_CHANGES_KEPT);
  });

  it('without a list, pages nearer the end of a queue are read from its end, in the same order', () => {
    const idOf = ws.store.db.prepare('SELECT id FROM cases WHERE rowid = ?').pluck();
    let checked = 0;
    for (const view of views().filter((v) => v.queueId !== undefined)) {
      for (const direction of ['asc', 'desc'] as const) {
        const v = { ...view, direction };
        const order = sqlOrder(v).map((rowid) => idOf.get(rowid) as string);
        for (const offset of [order.length - 25, order.length - 7, Math.ceil(order.length * 0.6)]) {
          if (offset < 0) continue;
          forgetCasePositions(ws.store);
          const page = listCases(ws.store, { ...v, offset, limit: 25 }).rows.map((r) => r.id);
          expect(page, `${v.queueId} ${v.sort} ${direction} @${offset}`).toEqual(
            order.slice(offset, offset + 25),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('big views get their list from the worker thread; pages in the meantime are exact too', async () => {
    enableBackgroundPositions(ws.store, positionsWorkerBeside(sourceImportWorker()), { above: 0 });
    const view = {
      queueId: DEFAULT_QUEUE_IDS.allClosed,
      sort: 'name' as const,
      direction: 'desc' as const,
    };
    const key = positionKey(compileCaseView(ws.store, view));
    const members = sqlOrder(view).length;
    const offset = Math.floor(members / 2);
    const expected = sqlOrder(view);
    const ids = (rowids: number[]) =>
      rowids.map(
        (r) => ws.store.db.prepare('SELECT id FROM cases WHERE rowid = ?').pluck().get(r) as string,
      );
    forgetCasePositions(ws.store);
    // the first page asks for the list and is served without it
    expect(listedViews(ws.store)).not.toContain(key);
    const first = listCases(ws.store, { ...view, offset, limit: 20 }).rows.map((r) => r.id);
    expect(first).toEqual(ids(expected.slice(offset, offset + 20)));
    await casePositionsSettled(ws.store);
    expect(listedViews(ws.store)).toContain(key);
    // a write after the worker read the list: the page catches it up
    randomWrite(new SeededRandom(33));
    const now = sqlOrder(view);
    const page = listCases(ws.store, { ...view, offset, limit: 20 }).rows.map((r) => r.id);
    expect(page).toEqual(ids(now.slice(offset, offset + 20)));
    expect(listedViews(ws.store)).toContain(key);
  });

  it('a re-index job lists an index-only queue on the worker thread, with the same members', async () => {
    // the worker was enabled for ws by the test before
    const members = () =>
      ws.store.db
        .prepare('SELECT case_id FROM queue_members WHERE queue_id = ? ORDER BY case_id')
        .pluck()
        .all(DEFAULT_QUEUE_IDS.allClosed) as string[];
    reindexQueueNow(ws.store, DEFAULT_QUEUE_IDS.allClosed);
    const expected = members();
    expect(expected.length).toBeGreaterThan(0);
    const queue = findQueue(ws.store.db, DEFAULT_QUEUE_IDS.allClosed)!;
    expect(indexOnlyMembersSql(ws.store.db, queue, Date.now())).not.toBeNull();
    const reads = backgroundReadCount(ws.store);
    const outcome = await reindexQueue(ws.store, DEFAULT_QUEUE_IDS.allClosed);
    expect(outcome).toMatchObject({ status: 'done', count: expected.length });
    expect(backgroundReadCount(ws.store)).toBe(reads + 1);
    expect(members()).toEqual(expected);
  });

  it('a worker that cannot start leaves pages exact and pauses further builds', async () => {
    const other = openWorkspace(path.join(dir, 'broken.db'), {
      create: true,
      migrationsFolder: sourceMigrationsFolder(),
    });
    try {
      await loadDemoData(other.store, { alerts: 300, seed: 4, endAt: END_AT });
      for (const id of markAllQueuesPending(other.store)) reindexQueueNow(other.store, id);
      enableBackgroundPositions(
        other.store,
        { path: path.join(dir, 'no-such-worker.ts'), execArgv: ['--import', 'tsx'] },
        { above: 0 },
      );
      const view = { queueId: DEFAULT_QUEUE_IDS.allClosed, sort: 'score' as const };
      const page = () =>
        listCases(other.store, { ...view, direction: 'desc', offset: 10, limit: 10 }).rows.map(
          (r) => r.id,
        );
      const compiled = compileCaseView(other.store, { ...view, direction: 'desc' });
      const { sql, params } = caseViewRowidSql(compiled, false);
      const idOf = other.store.db.prepare('SELECT id FROM cases WHERE rowid = ?').pluck();
      const fromSql = (
        other.store.db
          .prepare(sql)
          .pluck()
          .all(...params, 10, 10) as number[]
      ).map((rowid) => idOf.get(rowid) as string);
      const expected = page();
      expect(expected).toEqual(fromSql);
      expect(expected).toHaveLength(10);
      expect(pendingPositionBuilds(other.store)).toBe(1);
      await casePositionsSettled(other.store);
      expect(lastPositionsError(other.store)).toMatch(/no-such-worker|Cannot find|exit code/);
      expect(listedViews(other.store)).toEqual([]);
      // paused: the next page does not start another build, and is still exact
      expect(page()).toEqual(expected);
      expect(pendingPositionBuilds(other.store)).toBe(0);
      expect(listedViews(other.store)).toEqual([]);
    } finally {
      other.close();
    }
  });
});
