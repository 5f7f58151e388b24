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
  DAY_MS,
  checkQueueDraft,
  listQueues,
  markAllQueuesPending,
  parseQueueDraft,
  refreshQueueMembership,
  reindexQueueNow,
  indexOnlyMembersSql,
  reindexSteps,
  removeQueue,
  saveQueue,
  setQueuePinned,
} from '../../main/features/queues/queues';
import { runBulkUpdateNow } from '../../main/features/cases/bulk-update';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { writeTransaction } from '../../main/store/write';
import {
  evaluateCondition,
  type ConditionNode,
  type ConditionScalar,
} from '../../shared/domain/conditions';
import { CASE_FIELD_CATALOGUE, type CaseFieldRow } from '../../shared/domain/fields';
import { SeededRandom } from '../../shared/domain/random';
import {
  DEFAULT_QUEUE_IDS,
  MAX_CUSTOM_QUEUES,
  type Job,
  type QueueDraft,
} from '../../shared/ipc/contract';

const migrationsFolder = sourceMigrationsFolder();
/** Demo data ends "today", so the default queues' one-year range holds every demo case. */
const END_AT = Date.now() - (Date.now() % DAY_MS);

let dir: string;
let ws: Workspace;

function open(file: string): Workspace {
  return openWorkspace(file, { create: true, migrationsFolder });
}

function count(sql: string, ...params: unknown[]): number {
  return (ws.store.db.prepare(sql).get(...params) as { n: number }).n;
}

function memberIds(queueId: string): string[] {
  return (
    ws.store.db
      .prepare('SELECT case_id FROM queue_members WHERE queue_id = ? ORDER BY case_id')
      .pluck()
      .all(queueId) as string[]
  ).sort();
}

function queueCount(queueId: string, now?: number): number | null {
  const queue = listQueues(ws.store, ws.user.id, now).find((q) => q.id === queueId);
  if (!queue) throw new Error(`no queue ${queueId}`);
  return queue.count;
}

interface CaseDbRow {
  id: string;
  tenant_id: string;
  number: number;
  tenantName: string;
  name: string;
  description: string;
  summary: string | null;
  score: number;
  severity: CaseFieldRow['severity'];
  status: CaseFieldRow['status'];
  outcome: CaseFieldRow['outcome'];
  creator: string;
  assignee: string | null;
  assignee_name: string | null;
  tags: string;
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

/** Every case as the plain row conditions are evaluated against in TypeScript. */
function allCaseRows(): (CaseFieldRow & { id: string; tenantId: string })[] {
  const rows = ws.store.db
    .prepare(
      'SELECT cases.*, t.name AS tenantName FROM cases JOIN tenants t ON t.id = cases.tenant_id',
    )
    .all() as CaseDbRow[];
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    number: r.number,
    tenantName: r.tenantName,
    name: r.name,
    description: r.description,
    summary: r.summary,
    score: r.score,
    severity: r.severity,
    status: r.status,
    outcome: r.outcome,
    creator: r.creator,
    assignee: r.assignee,
    assigneeName: r.assignee_name,
    tags: JSON.parse(r.tags) as string[],
    tlp: r.tlp,
    pap: r.pap,
    what: r.what,
    who: r.who,
    alertCount: r.alert_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    firstAlertAt: r.first_alert_at,
    lastAlertAt: r.last_alert_at,
  }));
}

const highOrCritical: ConditionNode = {
  type: 'condition',
  field: 'severity',
  operator: 'in',
  value: ['High', 'Critical'],
};

function draft(overrides: Partial<QueueDraft> = {}): QueueDraft {
  return {
    name: 'High and critical',
    condition: highOrCritical,
    range: { kind: 'relative', days: 30 },
    ...overrides,
  };
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

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-queues-'));
  ws = open(path.join(dir, 'q.db'));
  await loadDemoData(ws.store, { alerts: 1500, seed: 5, endAt: END_AT });
  // Demo cases are inserted around refreshQueueMembership; build the indexes as the app does.
  for (const id of markAllQueuesPending(ws.store)) reindexQueueNow(ws.store, id);
});

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('default queues (QUE-2)', () => {
  it('exist once, with the fixed one-year range, after every open', () => {
    const file = path.join(dir, 'defaults.db');
    const first = open(file);
    first.close();
    const again = open(file);
    try {
      const queues = listQueues(again.store, again.user.id);
      expect(queues.map((q) => [q.id, q.name, q.isDefault, q.count])).toEqual([
        [DEFAULT_QUEUE_IDS.allOpen, 'All Open Cases', true, 0],
        [DEFAULT_QUEUE_IDS.allClosed, 'All Closed Cases', true, 0],
      ]);
      for (const q of queues) expect(q.range).toEqual({ kind: 'relative', days: 365 });
      const created = again.store.db
        .prepare("SELECT count(*) AS n FROM activity WHERE entity_type = 'queue'")
        .get() as { n: number };
      expect(created.n).toBe(2);
    } finally {
      again.close();
    }
  });

  it('hold the open and the closed cases, counted from the index', () => {
    const open = count(
      "SELECT count(*) AS n FROM cases WHERE status IN ('New', 'In Progress', 'Escalated')",
    );
    const closed = count(
      "SELECT count(*) AS n FROM cases WHERE status IN ('Resolved', 'Cancelled')",
    );
    expect(open).toBeGreaterThan(0);
    expect(closed).toBeGreaterThan(0);
    expect(queueCount(DEFAULT_QUEUE_IDS.allOpen)).toBe(open);
    expect(queueCount(DEFAULT_QUEUE_IDS.allClosed)).toBe(closed);
  });

  it('cannot be edited or deleted', () => {
    const before = count('SELECT count(*) AS n FROM activity');
    const edit = refusal(() =>
      saveQueue(ws.store, ws.user, draft({ id: DEFAULT_QUEUE_IDS.allOpen, name: 'Mine' })),
    );
    expect(edit.code).toBe('FORBIDDEN');
    expect(edit.message).toBe('All Open Cases is a default queue: it cannot be edited (QUE-2)');
    const remove = refusal(() => removeQueue(ws.store, ws.user, DEFAULT_QUEUE_IDS.allClosed));
    expect(remove.code).toBe('FORBIDDEN');
    expect(remove.message).toMatch(/All Closed Cases is a default queue: it cannot be deleted/);
    expect(listQueues(ws.store, ws.user.id).map((q) => q.name)).toContain('All Open Cases');
    expect(count('SELECT count(*) AS n FROM activity')).toBe(before);
  });

  it('are refused through the router too, with a clear code', async () => {
    const router = createRouter(createHandlers(ws, webHandlerEnvironment()));
    const result = await router.invoke('queues.remove', { id: DEFAULT_QUEUE_IDS.allOpen });
    expect(result).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringContaining('cannot be deleted') },
    });
    const validate = await router.invoke('queues.validate', {
      ...draft(),
      id: DEFAULT_QUEUE_IDS.allClosed,
    });
    expect(validate.ok && validate.data).toMatchObject({
      errors: [{ path: 'id', message: expect.stringContaining('cannot be edited') }],
    });
  });
});

describe('queue drafts (QUE-1, QUE-3, QUE-4, QUE-7)', () => {
  const check = (d: QueueDraft) => checkQueueDraft(ws.store, parseQueueDraft(d));

  it('a short range with a valid condition has no errors and no warnings', () => {
    expect(check(draft())).toEqual({ errors: [], warnings: [] });
  });

  it('warns about ranges longer than one month (QUE-4), relative or absolute', () => {
    const long = check(draft({ range: { kind: 'relative', days: 90 } }));
    expect(long.errors).toEqual([]);
    expect(long.warnings).toEqual([expect.stringMatching(/90 days, more than one month.*slow/)]);
    const absolute = check(
      draft({ range: { kind: 'absolute', from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 2, 1) } }),
    );
    expect(absolute.warnings).toEqual([expect.stringMatching(/59 days/)]);
    expect(check(draft({ range: { kind: 'relative', days: 31 } })).warnings).toEqual([]);
  });

  it('refuses an absolute range that ends before it starts', () => {
    const result = check(draft({ range: { kind: 'absolute', from: 2000, to: 1000 } }));
    expect(result.errors).toEqual([{ path: 'range', message: 'The range starts after it ends' }]);
  });

  it('refuses an invalid condition, naming the path of each problem', () => {
    const result = check(
      draft({
        condition: {
          type: 'group',
          op: 'AND',
          children: [
            { type: 'condition', field: 'severity', operator: 'is', value: 'Huge' },
            { type: 'condition', field: 'nope', operator: 'is', value: 'x' },
          ],
        },
      }),
    );
    expect(result.errors.map((e) => e.path)).toEqual([
      'condition.children[0].value',
      'condition.children[1].field',
    ]);
    expect(result.errors[1]!.message).toMatch(/Unknown field 'nope'/);
    const saved = refusal(() =>
      saveQueue(ws.store, ws.user, draft({ condition: { type: 'group', op: 'XOR' } })),
    );
    expect(saved.code).toBe('BAD_REQUEST');
    expect(saved.message).toMatch(/^Invalid queue: condition/);
  });

  it('refuses a second queue with the same name, ignoring case', () => {
    const { queue } = saveQueue(ws.store, ws.user, draft({ name: 'Twins' }));
    try {
      expect(check(draft({ name: 'TWINS' })).errors).toEqual([
        { path: 'name', message: 'A queue named "TWINS" already exists' },
      ]);
      // renaming the queue to itself is fine
      expect(check(draft({ id: queue.id, name: 'twins' })).errors).toEqual([]);
    } finally {
      removeQueue(ws.store, ws.user, queue.id);
    }
  });

  it('QUE-7: warns when assignee holds a display name and assignee_name an id or login', () => {
    const analyst = ws.store.db
      .prepare(
        "SELECT id, login, display_name AS displayName FROM users WHERE login <> 'analyst' LIMIT 1",
      )
      .get() as { id: string; login: string; displayName: string };
    const leaf = (field: string, value: ConditionScalar | ConditionScalar[], operator = 'is') =>
      draft({ condition: { type: 'condition', field, operator, value } });

    expect(check(leaf('assignee', analyst.id)).warnings).toEqual([]);
    expect(check(leaf('assignee_name', analyst.displayName)).warnings).toEqual([]);

    const byName = check(leaf('assignee', analyst.displayName));
    expect(byName.errors).toEqual([]);
    expect(byName.warnings).toEqual([
      `"${analyst.displayName}" looks like a name, but assignee matches the user id: use assignee is ${analyst.id} (${analyst.displayName}), or assignee_name for display names (QUE-7)`,
    ]);
    expect(check(leaf('assigneeId', ['someone else'], 'in')).warnings).toEqual([
      expect.stringMatching(/"someone else" is not the id of any known user/),
    ]);
    for (const value of [analyst.id, analyst.login]) {
      expect(check(leaf('assignee_name', value)).warnings).toEqual([
        `"${value}" looks like a user id or login, but assignee_name matches the display name: use assignee_name is "${analyst.displayName}", or assignee for user ids (QUE-7)`,
      ]);
    }
    // `exists` carries no value to check
    expect(
      check(draft({ condition: { type: 'condition', field: 'assignee', operator: 'exists' } }))
        .warnings,
    ).toEqual([]);
  });

  it(`QUE-3: refuses the ${MAX_CUSTOM_QUEUES + 1}st custom queue with a clear message`, () => {
    const existing = count('SELECT count(*) AS n FROM queues WHERE is_default = 0');
    const made: string[] = [];
    try {
      for (let i = existing; i < MAX_CUSTOM_QUEUES; i++) {
        made.push(saveQueue(ws.store, ws.user, draft({ name: `Limit ${i}` })).queue.id);
      }
      expect(count('SELECT count(*) AS n FROM queues WHERE is_default = 0')).toBe(
        MAX_CUSTOM_QUEUES,
      );
      const before = count('SELECT count(*) AS n FROM activity');
      const refused = refusal(() => saveQueue(ws.store, ws.user, draft({ name: 'One too many' })));
      expect(refused.code).toBe('BAD_REQUEST');
      expect(refused.message).toBe(
        `There are already ${MAX_CUSTOM_QUEUES} queues, the most allowed is ${MAX_CUSTOM_QUEUES}: delete one before adding another (QUE-3)`,
      );
      expect(count('SELECT count(*) AS n FROM activity')).toBe(before);
      // editing an existing queue at the limit is still fine
      expect(() =>
        saveQueue(ws.store, ws.user, draft({ id: made[0]!, name: 'Limit renamed' })),
      ).not.toThrow();
    } finally {
      for (const id of made) removeQueue(ws.store, ws.user, id);
    }
    expect(count('SELECT count(*) AS n FROM queues WHERE is_default = 0')).toBe(existing);
  });
});

describe('queue writes are audited (rule 5)', () => {
  it('create, update and remove each record activity and outbox entries', () => {
    const { queue } = saveQueue(ws.store, ws.user, draft({ name: 'Audited' }));
    saveQueue(ws.store, ws.user, draft({ id: queue.id, name: 'Audited 2' }));
    removeQueue(ws.store, ws.user, queue.id);
    const actions = ws.store.db
      .prepare(
        "SELECT action, actor FROM activity WHERE entity_type = 'queue' AND entity_id = ? ORDER BY id",
      )
      .all(queue.id);
    expect(actions).toEqual([
      { action: 'create', actor: ws.user.login },
      { action: 'update', actor: ws.user.login },
      { action: 'delete', actor: ws.user.login },
    ]);
    expect(
      count(
        "SELECT count(*) AS n FROM outbox WHERE entity_type = 'queue' AND entity_id = ?",
        queue.id,
      ),
    ).toBe(3);
    // members and index state go with the queue
    expect(count('SELECT count(*) AS n FROM queue_members WHERE queue_id = ?', queue.id)).toBe(0);
    expect(count('SELECT count(*) AS n FROM queue_index WHERE queue_id = ?', queue.id)).toBe(0);
  });
});

describe('membership index (QUE-5, QUE-6)', () => {
  it('re-indexing a new queue gives exactly the cases its condition, scope and range select', () => {
    const now = END_AT;
    const tenant = ws.store.db
      .prepare('SELECT t.id, t.name FROM tenants t JOIN cases c ON c.tenant_id = t.id LIMIT 1')
      .get() as { id: string; name: string };
    const { queue } = saveQueue(
      ws.store,
      ws.user,
      draft({ name: 'Scoped', tenantId: tenant.id, range: { kind: 'relative', days: 20 } }),
    );
    try {
      expect(queueCount(queue.id, now)).toBeNull(); // pending until indexed
      const outcome = reindexQueueNow(ws.store, queue.id, { now });
      const expected = allCaseRows()
        .filter(
          (c) =>
            c.tenantId === tenant.id &&
            c.createdAt >= now - 20 * DAY_MS &&
            evaluateCondition(highOrCritical, c),
        )
        .map((c) => c.id)
        .sort();
      expect(expected.length).toBeGreaterThan(0);
      expect(outcome).toEqual({ status: 'done', count: expected.length, name: 'Scoped' });
      expect(memberIds(queue.id)).toEqual(expected);
      expect(queueCount(queue.id, now)).toBe(expected.length);
    } finally {
      removeQueue(ws.store, ws.user, queue.id);
    }
  });

  it('a relative range lets cases age out: counts follow the clock without a re-index', () => {
    const indexedAt = END_AT;
    const { queue } = saveQueue(
      ws.store,
      ws.user,
      draft({ name: 'Last week', range: { kind: 'relative', days: 7 } }),
    );
    try {
      reindexQueueNow(ws.store, queue.id, { now: indexedAt });
      const rows = allCaseRows().filter((c) => evaluateCondition(highOrCritical, c));
      const inWindow = (now: number) => rows.filter((c) => c.createdAt >= now - 7 * DAY_MS);
      expect(queueCount(queue.id, indexedAt)).toBe(inWindow(indexedAt).length);
      for (const later of [1, 3, 6]) {
        const now = indexedAt + later * DAY_MS;
        expect(inWindow(now).length).toBeLessThan(inWindow(indexedAt).length);
        expect(queueCount(queue.id, now)).toBe(inWindow(now).length);
        expect(memberIds(queue.id)).toEqual(
          inWindow(now)
            .map((c) => c.id)
            .sort(),
        );
      }
    } finally {
      removeQueue(ws.store, ws.user, queue.id);
    }
  });

  it('a status change moves a case from All Open Cases to All Closed Cases at once', () => {
    const openCase = ws.store.db
      .prepare("SELECT id FROM cases WHERE status = 'New' LIMIT 1")
      .pluck()
      .get() as string;
    const openBefore = queueCount(DEFAULT_QUEUE_IDS.allOpen)!;
    const closedBefore = queueCount(DEFAULT_QUEUE_IDS.allClosed)!;
    expect(memberIds(DEFAULT_QUEUE_IDS.allOpen)).toContain(openCase);
    const result = runBulkUpdateNow(
      ws.store,
      ws.user.login,
      { ids: [openCase] },
      {
        status: 'Resolved',
        outcome: 'False Positive',
        summary: 'Benign admin activity',
      },
    );
    expect(result.updated).toBe(1);
    expect(memberIds(DEFAULT_QUEUE_IDS.allOpen)).not.toContain(openCase);
    expect(memberIds(DEFAULT_QUEUE_IDS.allClosed)).toContain(openCase);
    expect(queueCount(DEFAULT_QUEUE_IDS.allOpen)).toBe(openBefore - 1);
    expect(queueCount(DEFAULT_QUEUE_IDS.allClosed)).toBe(closedBefore + 1);
    runBulkUpdateNow(ws.store, ws.user.login, { ids: [openCase] }, { status: 'In Progress' });
    expect(memberIds(DEFAULT_QUEUE_IDS.allOpen)).toContain(openCase);
    expect(queueCount(DEFAULT_QUEUE_IDS.allOpen)).toBe(openBefore);
    expect(queueCount(DEFAULT_QUEUE_IDS.allClosed)).toBe(closedBefore);
  });

  it('field edits re-evaluate a case in every queue, and a deleted case leaves them all', () => {
    const { queue } = saveQueue(ws.store, ws.user, draft({ name: 'Edits' }));
    reindexQueueNow(ws.store, queue.id);
    try {
      const low = ws.store.db
        .prepare(
          "SELECT id FROM cases WHERE severity = 'Low' AND status = 'New' AND created_at >= ? LIMIT 1",
        )
        .pluck()
        .get(Date.now() - 20 * DAY_MS) as string;
      const before = queueCount(queue.id)!;
      writeTransaction(ws.store, 'test', (w) => {
        w.derivedDb
          .prepare("UPDATE cases SET severity = 'Critical', severity_rank = 4 WHERE id = ?")
          .run(low);
        refreshQueueMembership(w, [low]);
      });
      expect(memberIds(queue.id)).toContain(low);
      expect(queueCount(queue.id)).toBe(before + 1);

      const openBefore = queueCount(DEFAULT_QUEUE_IDS.allOpen)!;
      writeTransaction(ws.store, 'test', (w) => {
        w.derivedDb.prepare('DELETE FROM case_alerts WHERE case_id = ?').run(low);
        w.derivedDb.prepare('UPDATE alerts SET case_id = NULL WHERE case_id = ?').run(low);
        w.derivedDb.prepare('DELETE FROM case_entities WHERE case_id = ?').run(low);
        w.derivedDb.prepare('DELETE FROM cases WHERE id = ?').run(low);
        refreshQueueMembership(w, [low]);
      });
      expect(count('SELECT count(*) AS n FROM queue_members WHERE case_id = ?', low)).toBe(0);
      expect(queueCount(queue.id)).toBe(before);
      expect(queueCount(DEFAULT_QUEUE_IDS.allOpen)).toBe(openBefore - 1);
    } finally {
      removeQueue(ws.store, ws.user, queue.id);
    }
  });

  it('a newer save stops a re-index still running; the newest one wins', () => {
    const { queue } = saveQueue(ws.store, ws.user, draft({ name: 'Superseded' }));
    try {
      const first = reindexSteps(ws.store, queue.id, { chunkSize: 50 });
      expect(first.next().done).toBe(false); // one chunk into the first generation
      saveQueue(
        ws.store,
        ws.user,
        draft({
          id: queue.id,
          name: 'Superseded',
          condition: { type: 'condition', field: 'severity', operator: 'is', value: 'Low' },
        }),
      );
      let step = first.next();
      while (!step.done) step = first.next();
      expect(step.value).toEqual({ status: 'superseded', name: 'Superseded' });
      expect(queueCount(queue.id)).toBeNull();
      const outcome = reindexQueueNow(ws.store, queue.id);
      const low = count(
        "SELECT count(*) AS n FROM cases WHERE severity = 'Low' AND created_at >= ?",
        Date.now() - 30 * DAY_MS,
      );
      expect(outcome).toEqual({ status: 'done', count: low, name: 'Superseded' });
    } finally {
      removeQueue(ws.store, ws.user, queue.id);
    }
  });

  it('a rename alone keeps the index (no re-index needed)', () => {
    const { queue } = saveQueue(ws.store, ws.user, draft({ name: 'Renamed' }));
    try {
      reindexQueueNow(ws.store, queue.id);
      const n = queueCount(queue.id);
      const saved = saveQueue(ws.store, ws.user, draft({ id: queue.id, name: 'Renamed again' }));
      expect(saved.needsReindex).toBe(false);
      expect(queueCount(queue.id)).toBe(n);
      const changed = saveQueue(
        ws.store,
        ws.user,
        draft({ id: queue.id, name: 'Renamed again', range: { kind: 'relative', days: 10 } }),
      );
      expect(changed.needsReindex).toBe(true);
    } finally {
      removeQueue(ws.store, ws.user, queue.id);
    }
  });

  it('property: membership after re-index equals evaluateCondition over all cases (seeded)', () => {
    const random = new SeededRandom(20261123);
    const rows = allCaseRows();
    const users = ws.store.db.prepare('SELECT id FROM users').pluck().all() as string[];
    const sample = <T>(values: readonly T[]) => random.pick(values);
    const leaf = (): ConditionNode => {
      const row = sample(rows);
      switch (random.int(0, 7)) {
        case 0:
          return { type: 'condition', field: 'status', operator: 'in', value: [row.status, 'New'] };
        case 1:
          return {
            type: 'condition',
            field: 'score',
            operator: sample(['>', '>=', '<', '<=']),
            value: row.score,
          };
        case 2:
          return {
            type: 'condition',
            field: 'severity',
            operator: sample(['>=', 'is', 'is not']),
            value: row.severity,
          };
        case 3:
          return row.tags.length > 0
            ? {
                type: 'condition',
                field: 'tags',
                operator: sample(['is', 'not contains']),
                value: sample(row.tags),
              }
            : { type: 'condition', field: 'tags', operator: 'not exists' };
        case 4:
          return {
            type: 'condition',
            field: 'assignee',
            operator: sample(['is', 'is not']),
            value: sample(users),
          };
        case 5:
          return {
            type: 'condition',
            field: 'name',
            operator: 'contains',
            value: row.name.slice(0, random.int(3, 8)).toUpperCase(),
          };
        case 6:
          return { type: 'condition', field: 'tenant', operator: 'is', value: row.tenantName };
        default:
          return {
            type: 'condition',
            field: 'created',
            operator: '>=',
            value: new Date(row.createdAt).toISOString(),
          };
      }
    };
    const tree = (depth: number): ConditionNode =>
      depth >= 3 || random.chance(0.4)
        ? leaf()
        : {
            type: 'group',
            op: random.chance(0.5) ? 'AND' : 'OR',
            ...(random.chance(0.2) ? { not: true } : {}),
            children: Array.from({ length: random.int(1, 3) }, () => tree(depth + 1)),
          };
    let selective = 0;
    let indexOnly = 0;
    let walked = 0;
    for (let i = 0; i < 25; i++) {
      const condition = tree(0);
      const days = random.int(1, 60);
      const { queue } = saveQueue(
        ws.store,
        ws.user,
        draft({ name: `Property ${i}`, condition, range: { kind: 'relative', days } }),
      );
      try {
        const now = Date.now();
        // two ways to index: the matching cases listed from indexes alone, or a walk
        if (indexOnlyMembersSql(ws.store.db, queue, now)) indexOnly += 1;
        else walked += 1;
        // random chunk sizes exercise the keyset chunking along (created_at, id)
        reindexQueueNow(ws.store, queue.id, { now, chunkSize: random.int(1, 300) });
        const expected = rows
          .filter((c) => c.createdAt >= now - days * DAY_MS && evaluateCondition(condition, c))
          .map((c) => c.id)
          .sort();
        if (expected.length > 0 && expected.length < rows.length) selective += 1;
        expect(memberIds(queue.id), JSON.stringify(condition)).toEqual(expected);
        expect(queueCount(queue.id, now)).toBe(expected.length);
        // again over the existing members, plus stale ones that must go: they are cleared in
        // ranges first
        const stale = ws.store.db.prepare(
          'INSERT OR IGNORE INTO queue_members (queue_id, case_id, case_created_at) VALUES (?, ?, ?)',
        );
        for (const c of rows.filter((r) => !expected.includes(r.id)).slice(0, 30))
          stale.run(queue.id, c.id, c.createdAt);
        // and members of cases that are gone: before the range, inside it, past the last case
        const from = now - days * DAY_MS;
        for (const at of [from - 5 * DAY_MS, from - 1, from, from + DAY_MS, now + 1, now + DAY_MS])
          stale.run(queue.id, `gone-${at}`, at);
        reindexQueueNow(ws.store, queue.id, {
          now,
          chunkSize: random.int(1, 300),
          clearChunk: random.int(1, 40),
        });
        expect(memberIds(queue.id), `again: ${JSON.stringify(condition)}`).toEqual(expected);
        expect(queueCount(queue.id, now)).toBe(expected.length);
      } finally {
        removeQueue(ws.store, ws.user, queue.id);
      }
    }
    expect(selective).toBeGreaterThan(10); // agreement on trivial queues would prove little
    expect(indexOnly).toBeGreaterThan(2);
    expect(walked).toBeGreaterThan(2);
  });
});

describe('pins (QUE-6)', () => {
  it('are per user and list pinned queues first, then the defaults, then by name', () => {
    const made = ['Zulu', 'alpha', 'Mike'].map(
      (name) => saveQueue(ws.store, ws.user, draft({ name })).queue.id,
    );
    try {
      const names = () => listQueues(ws.store, ws.user.id).map((q) => q.name);
      expect(names()).toEqual(['All Open Cases', 'All Closed Cases', 'alpha', 'Mike', 'Zulu']);
      setQueuePinned(ws.store, ws.user, made[0]!, true);
      setQueuePinned(ws.store, ws.user, DEFAULT_QUEUE_IDS.allClosed, true);
      setQueuePinned(ws.store, ws.user, made[0]!, true); // pinning twice changes nothing
      expect(names()).toEqual(['Zulu', 'All Closed Cases', 'All Open Cases', 'alpha', 'Mike']);
      const pinned = listQueues(ws.store, ws.user.id)
        .filter((q) => q.pinned)
        .map((q) => q.name);
      expect(pinned).toEqual(['Zulu', 'All Closed Cases']);
      // another user sees no pins
      expect(listQueues(ws.store, 'someone-else').some((q) => q.pinned)).toBe(false);
      setQueuePinned(ws.store, ws.user, made[0]!, false);
      expect(names()).toEqual(['All Closed Cases', 'All Open Cases', 'alpha', 'Mike', 'Zulu']);
      setQueuePinned(ws.store, ws.user, DEFAULT_QUEUE_IDS.allClosed, false);
      expect(refusal(() => setQueuePinned(ws.store, ws.user, 'missing', true)).code).toBe(
        'NOT_FOUND',
      );
    } finally {
      for (const id of made) removeQueue(ws.store, ws.user, id);
    }
  });
});

describe('queues through the router', () => {
  let router: Router;
  beforeAll(() => {
    router = createRouter(createHandlers(ws, webHandlerEnvironment()));
  });

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

  it('queues.save re-indexes as a job whose message gives the count', async () => {
    const saved = await router.invoke('queues.save', draft({ name: 'Via router' }));
    if (!saved.ok) throw new Error(saved.error.message);
    const { queue, jobId } = saved.data as {
      queue: { id: string; count: number | null };
      jobId: string;
    };
    const job = await finished(jobId);
    const n = queueCount(queue.id);
    expect(job.status).toBe('Success');
    expect(job.kind).toBe('queue.reindex');
    expect(job.message).toBe(`${n!.toLocaleString('en')} cases in Via router`);
    const list = await router.invoke('queues.list', {});
    expect(
      list.ok &&
        (list.data as { id: string; count: number }[]).find((q) => q.id === queue.id)?.count,
    ).toBe(n);
    const pin = await router.invoke('queues.pin', { id: queue.id, pinned: true });
    expect(pin).toEqual({ ok: true, data: { ok: true } });
    const removed = await router.invoke('queues.remove', { id: queue.id });
    expect(removed).toEqual({ ok: true, data: { ok: true } });
  });

  it('queues.validate returns errors and warnings without saving', async () => {
    const before = count('SELECT count(*) AS n FROM queues');
    const result = await router.invoke(
      'queues.validate',
      draft({ range: { kind: 'relative', days: 200 } }),
    );
    expect(result.ok && result.data).toEqual({
      errors: [],
      warnings: [expect.stringContaining('200 days')],
    });
    expect(count('SELECT count(*) AS n FROM queues')).toBe(before);
  });
});

describe('the catalogue the tests rely on', () => {
  it('has the fields the generator uses', () => {
    for (const key of [
      'status',
      'score',
      'severity',
      'tags',
      'assignee',
      'name',
      'tenant',
      'created',
    ]) {
      expect(CASE_FIELD_CATALOGUE.fields.some((f) => f.key === key)).toBe(true);
    }
  });
});
