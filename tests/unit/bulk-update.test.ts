import { webHandlerEnvironment } from '../helpers/handler-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter, type Router } from '../../main/ipc/router';
import { ServiceError } from '../../main/service-error';
import { loadDemoData } from '../../main/features/demo/demo';
import {
  BULK_CHUNK,
  CLOSE_RELATED_ALERTS_KEY,
  runBulkUpdateNow,
  type BulkChange,
  type BulkSelection,
} from '../../main/features/cases/bulk-update';
import {
  DAY_MS,
  listQueues,
  markAllQueuesPending,
  reindexQueueNow,
} from '../../main/features/queues/queues';
import { writeSetting } from '../../main/features/settings/settings';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { DEFAULT_QUEUE_IDS, type Job } from '../../shared/ipc/contract';

const migrationsFolder = sourceMigrationsFolder();
const END_AT = Date.now() - (Date.now() % DAY_MS);

let dir: string;
let ws: Workspace;
let router: Router;
const notified: string[] = [];

interface CaseState {
  id: string;
  status: string;
  outcome: string | null;
  summary: string | null;
  closed_at: number | null;
  tags: string;
  assignee: string | null;
  assignee_name: string | null;
  updated_at: number;
}

function state(id: string): CaseState {
  return ws.store.db
    .prepare(
      'SELECT id, status, outcome, summary, closed_at, tags, assignee, assignee_name, updated_at FROM cases WHERE id = ?',
    )
    .get(id) as CaseState;
}

function ids(sql: string, ...params: unknown[]): string[] {
  return ws.store.db
    .prepare(sql)
    .pluck()
    .all(...params) as string[];
}

function count(sql: string, ...params: unknown[]): number {
  return (ws.store.db.prepare(sql).get(...params) as { n: number }).n;
}

function queueCount(id: string): number | null {
  return listQueues(ws.store, ws.user.id).find((q) => q.id === id)!.count;
}

function refusal(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

function bulk(selection: BulkSelection, change: BulkChange) {
  return runBulkUpdateNow(ws.store, ws.user.login, selection, change);
}

function finished(jobId: string): Promise<Job> {
  return new Promise((resolve) => {
    const settle = (job: Job | undefined) => {
      if (job && job.id === jobId && job.status !== 'In Progress' && job.status !== 'Waiting') {
        off();
        resolve(job);
      }
    };
    const off = ws.jobs.onChange(settle);
    settle(ws.jobs.get(jobId));
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-bulk-'));
  ws = openWorkspace(path.join(dir, 'b.db'), { create: true, migrationsFolder });
  await loadDemoData(ws.store, { alerts: 4000, seed: 21, endAt: END_AT });
  for (const id of markAllQueuesPending(ws.store)) reindexQueueNow(ws.store, id);
  router = createRouter(
    createHandlers(
      ws,
      webHandlerEnvironment((e) => notified.push(e)),
    ),
  );
});

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('bulk changes that cannot be applied are refused before any case changes', () => {
  const someIds = () => ids("SELECT id FROM cases WHERE status = 'New' LIMIT 3");

  it('closing needs an outcome and a summary (CAS-3)', () => {
    const before = count('SELECT count(*) AS n FROM activity');
    for (const change of [
      { status: 'Resolved' },
      { status: 'Cancelled', outcome: 'Other' },
      { status: 'Resolved', outcome: 'True Positive', summary: '   ' },
    ] as BulkChange[]) {
      const e = refusal(() => bulk({ ids: someIds() }, change));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toBe(
        `Closing cases as ${change.status} needs an outcome and a summary (CAS-3)`,
      );
    }
    expect(count('SELECT count(*) AS n FROM activity')).toBe(before);
  });

  it('an outcome without a closing status, an unknown user, or nothing to do', () => {
    expect(
      refusal(() => bulk({ ids: someIds() }, { status: 'In Progress', outcome: 'Other' })).message,
    ).toMatch(/only when closing/);
    expect(refusal(() => bulk({ ids: someIds() }, { assignee: 'no-such-user' })).message).toBe(
      'No user with id no-such-user',
    );
    expect(refusal(() => bulk({ ids: someIds() }, { addTags: [' '] })).message).toMatch(
      /Nothing to change/,
    );
  });

  it('the router refuses them too, with no job started', async () => {
    const jobsBefore = ws.jobs.list().length;
    const result = await router.invoke('cases.bulkUpdate', {
      selection: { ids: someIds() },
      status: 'Cancelled',
    });
    expect(result).toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('needs an outcome') },
    });
    expect(ws.jobs.list().length).toBe(jobsBefore);
  });
});

describe('bulk status, tags and assignee (TBL-6)', () => {
  it('closing moves cases from All Open to All Closed, records before/after and closes alerts (CAS-8)', () => {
    const chosen = ids(
      "SELECT c.id FROM cases c WHERE c.status IN ('New', 'In Progress') AND EXISTS (SELECT 1 FROM alerts a WHERE a.case_id = c.id AND a.status <> 'Closed') LIMIT 5",
    );
    expect(chosen).toHaveLength(5);
    const openBefore = queueCount(DEFAULT_QUEUE_IDS.allOpen)!;
    const closedBefore = queueCount(DEFAULT_QUEUE_IDS.allClosed)!;
    const alertsToClose = count(
      `SELECT count(*) AS n FROM alerts WHERE status <> 'Closed' AND case_id IN (${chosen.map(() => '?').join(',')})`,
      ...chosen,
    );
    const result = bulk(
      { ids: chosen },
      { status: 'Resolved', outcome: 'True Positive', summary: 'Contained and remediated' },
    );
    expect(result).toEqual({ matched: 5, updated: 5, alertsClosed: alertsToClose });
    for (const id of chosen) {
      const c = state(id);
      expect(c).toMatchObject({
        status: 'Resolved',
        outcome: 'True Positive',
        summary: 'Contained and remediated',
      });
      expect(c.closed_at).toBe(c.updated_at);
      const entry = ws.store.db
        .prepare(
          "SELECT action, before, after FROM activity WHERE entity_type = 'case' AND entity_id = ? ORDER BY id DESC LIMIT 1",
        )
        .get(id) as { action: string; before: string; after: string };
      expect(entry.action).toBe('bulk-update');
      expect(JSON.parse(entry.after)).toMatchObject({
        status: 'Resolved',
        outcome: 'True Positive',
      });
      expect(JSON.parse(entry.before).status).toMatch(/New|In Progress/);
      expect(
        count("SELECT count(*) AS n FROM alerts WHERE case_id = ? AND status <> 'Closed'", id),
      ).toBe(0);
    }
    expect(queueCount(DEFAULT_QUEUE_IDS.allOpen)).toBe(openBefore - 5);
    expect(queueCount(DEFAULT_QUEUE_IDS.allClosed)).toBe(closedBefore + 5);
    // applying the same change again changes nothing
    expect(
      bulk(
        { ids: chosen },
        { status: 'Resolved', outcome: 'True Positive', summary: 'Contained and remediated' },
      ),
    ).toEqual({ matched: 5, updated: 0, alertsClosed: 0 });
    // reopening clears the closing fields and moves them back
    bulk({ ids: chosen }, { status: 'In Progress' });
    expect(state(chosen[0]!)).toMatchObject({
      status: 'In Progress',
      outcome: null,
      summary: null,
      closed_at: null,
    });
    expect(queueCount(DEFAULT_QUEUE_IDS.allOpen)).toBe(openBefore);
  });

  it('CAS-8 off: alerts stay as they are', () => {
    writeSetting(ws.store, 'test', '', CLOSE_RELATED_ALERTS_KEY, false, ws.user.tenantId);
    try {
      const id = ids(
        "SELECT c.id FROM cases c WHERE c.status = 'New' AND EXISTS (SELECT 1 FROM alerts a WHERE a.case_id = c.id AND a.status <> 'Closed') LIMIT 1",
      );
      const result = bulk({ ids: id }, { status: 'Cancelled', outcome: 'Other', summary: 'Dup' });
      expect(result.alertsClosed).toBe(0);
      expect(
        count("SELECT count(*) AS n FROM alerts WHERE case_id = ? AND status <> 'Closed'", id[0]),
      ).toBeGreaterThan(0);
    } finally {
      writeSetting(ws.store, 'test', '', CLOSE_RELATED_ALERTS_KEY, true, ws.user.tenantId);
    }
  });

  it('adds tags without duplicates, keeping the existing ones first', () => {
    const [id] = ids('SELECT id FROM cases WHERE json_array_length(tags) >= 2 LIMIT 1');
    const existing = JSON.parse(state(id!).tags) as string[];
    bulk({ ids: [id!] }, { addTags: [existing[0]!, 'needs-review', 'needs-review', 'vip'] });
    expect(JSON.parse(state(id!).tags)).toEqual([...existing, 'needs-review', 'vip']);
    expect(bulk({ ids: [id!] }, { addTags: ['vip'] }).updated).toBe(0);
  });

  it('assigns by user id (setting the display name) and unassigns with null', () => {
    const user = ws.store.db
      .prepare("SELECT id, display_name AS displayName FROM users WHERE login <> 'analyst' LIMIT 1")
      .get() as { id: string; displayName: string };
    const chosen = ids('SELECT id FROM cases WHERE assignee IS NULL LIMIT 4');
    expect(bulk({ ids: chosen }, { assignee: user.id }).updated).toBe(4);
    for (const id of chosen) {
      expect(state(id)).toMatchObject({ assignee: user.id, assignee_name: user.displayName });
    }
    expect(bulk({ ids: chosen }, { assignee: null }).updated).toBe(4);
    for (const id of chosen)
      expect(state(id)).toMatchObject({ assignee: null, assignee_name: null });
  });

  it('"all matching" applies to every case of a view, in chunks', () => {
    const view = { queueId: DEFAULT_QUEUE_IDS.allOpen, query: 'severity:Low' };
    const expected = ids(
      "SELECT id FROM cases WHERE status IN ('New', 'In Progress', 'Escalated') AND severity = 'Low'",
    );
    expect(expected.length).toBeGreaterThan(0);
    const result = bulk({ allMatching: view }, { addTags: ['low-sweep'] });
    expect(result).toEqual({ matched: expected.length, updated: expected.length, alertsClosed: 0 });
    expect(ids('SELECT id FROM cases WHERE tags LIKE \'%"low-sweep"%\'').sort()).toEqual(
      [...expected].sort(),
    );
  });

  it(`runs through the router as a job in chunks of ${BULK_CHUNK.toLocaleString('en')}, with a success message`, async () => {
    const selection = ids('SELECT id FROM cases ORDER BY id LIMIT 1200');
    expect(selection).toHaveLength(1200);
    notified.length = 0;
    const result = await router.invoke('cases.bulkUpdate', {
      selection: { ids: selection },
      addTags: ['reviewed-2026'],
    });
    if (!result.ok) throw new Error(result.error.message);
    const { jobId, matched } = result.data as { jobId: string; matched: number };
    expect(matched).toBe(1200);
    const job = await finished(jobId);
    expect(job).toMatchObject({
      status: 'Success',
      kind: 'cases.bulkUpdate',
      message: 'Updated 1,200 cases',
    });
    expect(job.title).toBe('Set tags reviewed-2026 on 1,200 cases');
    expect(notified).toContain('case');
    expect(
      count(
        "SELECT count(*) AS n FROM activity WHERE action = 'bulk-update' AND after LIKE '%reviewed-2026%'",
      ),
    ).toBe(1200);
  });
});
