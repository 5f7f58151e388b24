import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The project's own Node 22 (the system node may be older; bin/watchfloor.mjs refuses those).
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const BIN = path.join(ROOT, 'bin', 'watchfloor.mjs');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let db: string;

function watchfloor(...args: string[]): Run {
  const r = spawnSync(NODE, [BIN, '--db', db, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): unknown {
  const r = watchfloor(...args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.status, args.join(' ')).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

function sql<T>(query: string, ...params: unknown[]): T {
  const handle = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return handle.prepare(query).get(...params) as T;
  } finally {
    handle.close();
  }
}

interface ListedQueue {
  id: string;
  name: string;
  count: number;
  isDefault: boolean;
  pinned: boolean;
}

const highOrCritical = JSON.stringify({
  type: 'condition',
  field: 'severity',
  operator: 'in',
  value: ['High', 'Critical'],
});

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-queues-cli-'));
  db = path.join(dir, 'store.db');
  const demo = spawnSync(NODE, [BIN, '--db', db, 'demo', '--alerts', '1200', '--seed', '6'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(demo.status).toBe(0);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('watchfloor queues / cases / export (issue 4)', () => {
  let queueId = '';

  it('queues list --json gives the default queues with counts from the index', () => {
    const list = ok('queues', 'list', '--json') as ListedQueue[];
    expect(list.map((q) => Object.keys(q).sort())).toEqual([
      ['count', 'id', 'isDefault', 'name', 'pinned'],
      ['count', 'id', 'isDefault', 'name', 'pinned'],
    ]);
    expect(list.map((q) => [q.name, q.isDefault, q.pinned])).toEqual([
      ['All Open Cases', true, false],
      ['All Closed Cases', true, false],
    ]);
    const open = sql<{ n: number }>(
      "SELECT count(*) AS n FROM cases WHERE status IN ('New', 'In Progress', 'Escalated')",
    ).n;
    const total = sql<{ n: number }>('SELECT count(*) AS n FROM cases').n;
    expect(list[0]!.count).toBe(open);
    expect(list[0]!.count + list[1]!.count).toBe(total);
  });

  it('queues add prints the queue, indexed before the command exits', () => {
    const queue = ok(
      'queues',
      'add',
      '--name',
      'Serious',
      '--condition',
      highOrCritical,
      '--range',
      '3w',
    ) as ListedQueue & { range: unknown };
    queueId = queue.id;
    expect(queue.range).toEqual({ kind: 'relative', days: 21 });
    const expected = sql<{ n: number }>(
      "SELECT count(*) AS n FROM cases WHERE severity IN ('High', 'Critical') AND created_at >= ?",
      Date.now() - 21 * 86_400_000,
    ).n;
    expect(expected).toBeGreaterThan(0);
    expect(queue.count).toBe(expected);
    const list = ok('queues', 'list', '--json') as ListedQueue[];
    expect(list.find((q) => q.id === queueId)).toEqual({
      id: queueId,
      name: 'Serious',
      count: expected,
      isDefault: false,
      pinned: false,
    });
  });

  it('queues add warns on stderr about a long range and a name in assignee (QUE-4, QUE-7)', () => {
    const r = watchfloor(
      'queues',
      'add',
      '--name',
      'Jane',
      '--range',
      '1y',
      '--condition',
      JSON.stringify({ type: 'condition', field: 'assignee', operator: 'is', value: 'Jane Doe' }),
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: The date range covers 365 days/);
    expect(r.stderr).toMatch(/warning: "Jane Doe" is not the id of any known user/);
    expect((JSON.parse(r.stdout) as ListedQueue).count).toBe(0);
    expect(watchfloor('queues', 'remove', 'Jane').status).toBe(0);
  });

  it('an invalid condition exits 2 with the reason and saves nothing', () => {
    const before = sql<{ n: number }>('SELECT count(*) AS n FROM queues').n;
    const r = watchfloor(
      'queues',
      'add',
      '--name',
      'Broken',
      '--condition',
      '{"type":"condition","field":"severity","operator":"is","value":"Huge"}',
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^watchfloor: Invalid queue: condition\.value: /);
    const notJson = watchfloor('queues', 'add', '--name', 'Broken', '--condition', '{nope');
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/--condition is not valid JSON/);
    const badRange = watchfloor(
      'queues',
      'add',
      '--name',
      'B',
      '--condition',
      highOrCritical,
      '--range',
      '2x',
    );
    expect(badRange.status).toBe(2);
    expect(badRange.stderr).toMatch(
      /--range must look like 30d, 4w, 1y or 2026-01-01\.\.2026-03-31/,
    );
    expect(sql<{ n: number }>('SELECT count(*) AS n FROM queues').n).toBe(before);
  });

  it('default queues cannot be changed or removed from the CLI either', () => {
    const r = watchfloor('queues', 'remove', 'All Open Cases');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'watchfloor: All Open Cases is a default queue: it cannot be deleted (QUE-2)\n',
    );
    const u = watchfloor('queues', 'update', 'All Closed Cases', '--name', 'Mine');
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/cannot be edited/);
  });

  it('queues update changes the range and re-indexes; an absolute range works', () => {
    const queue = ok(
      'queues',
      'update',
      queueId,
      '--range',
      '2026-10-01..2026-10-20',
    ) as ListedQueue & {
      range: { kind: string; from: number; to: number };
    };
    expect(queue.range).toEqual({
      kind: 'absolute',
      from: Date.UTC(2026, 9, 1),
      to: Date.UTC(2026, 9, 21) - 1,
    });
    const expected = sql<{ n: number }>(
      "SELECT count(*) AS n FROM cases WHERE severity IN ('High', 'Critical') AND created_at BETWEEN ? AND ?",
      Date.UTC(2026, 9, 1),
      Date.UTC(2026, 9, 21) - 1,
    ).n;
    expect(queue.count).toBe(expected);
  });

  it('cases --queue --query --sort --limit lists the queue, searched and sorted', () => {
    const cases = ok(
      'cases',
      '--json',
      '--queue',
      'serious',
      '--query',
      'status:(New OR "In Progress")',
      '--sort',
      'score:asc',
      '--limit',
      '7',
    ) as { score: number; status: string; severity: string; number: number }[];
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.length).toBeLessThanOrEqual(7);
    for (const c of cases) {
      expect(['High', 'Critical']).toContain(c.severity);
      expect(['New', 'In Progress']).toContain(c.status);
    }
    const scores = cases.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
  });

  it('an invalid query exits 2 with a caret under the problem', () => {
    const r = watchfloor('cases', '--json', '--query', 'severity:(High OR');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'watchfloor: invalid --query: OR needs a search term after it\n  severity:(High OR\n                 ^^\n',
    );
    // Issue 11.7: 999 terms used to reach SQLite ("Expression tree is too large", exit 1).
    const many = watchfloor('cases', '--json', '--query', 'a '.repeat(999).trim());
    expect(many.status).toBe(2);
    expect(many.stdout).toBe('');
    expect(many.stderr).toMatch(
      /^watchfloor: invalid --query: The query has more than 100 search terms; remove some \(a "quoted phrase" counts as one term\)\n {2}a a a .*\n {2}\s{200}\^+\n$/,
    );
    const sort = watchfloor('cases', '--json', '--sort', 'rowid:desc');
    expect(sort.status).toBe(2);
    expect(sort.stderr).toMatch(/--sort must be FIELD:asc or FIELD:desc/);
    const queue = watchfloor('cases', '--json', '--queue', 'Nope');
    expect(queue.status).toBe(2);
    expect(queue.stderr).toMatch(/no queue named "Nope"; queues: "All Open Cases"/);
  });

  it('export cases --csv writes the queue with the chosen columns and a BOM', () => {
    const file = path.join(dir, 'out', 'serious.csv');
    const summary = ok(
      'export',
      'cases',
      '--csv',
      file,
      '--queue',
      'Serious',
      '--columns',
      'number,Case Name,severity,tags',
      '--bom',
      '--sort',
      'number:asc',
    ) as { file: string; rows: number; matching: number; truncated: boolean };
    const queued = (ok('queues', 'list', '--json') as ListedQueue[]).find(
      (q) => q.name === 'Serious',
    )!;
    expect(summary).toMatchObject({
      file,
      rows: queued.count,
      matching: queued.count,
      truncated: false,
    });
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFFCase ID,Case Name,Severity,Tags\r\n')).toBe(true);
    const numbers = text
      .slice(1)
      .split('\r\n')
      .slice(1, -1)
      .map((line) => Number(line.split(',')[0]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.length).toBe(queued.count);
    const badColumn = watchfloor('export', 'cases', '--csv', file, '--columns', 'number,secret');
    expect(badColumn.status).toBe(2);
    expect(badColumn.stderr).toMatch(/unknown column "secret"/);
  });

  it('queues remove deletes the queue and its index', () => {
    expect(ok('queues', 'remove', queueId)).toEqual({ removed: queueId });
    expect(
      sql<{ n: number }>('SELECT count(*) AS n FROM queue_members WHERE queue_id = ?', queueId).n,
    ).toBe(0);
    expect((ok('queues', 'list', '--json') as ListedQueue[]).map((q) => q.name)).toEqual([
      'All Open Cases',
      'All Closed Cases',
    ]);
  });
});
