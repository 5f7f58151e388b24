import { webHandlerEnvironment } from '../helpers/handler-env';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { ServiceError } from '../../main/service-error';
import {
  createRouter,
  MAX_REQUEST_DEPTH,
  MAX_REQUEST_VALUES,
  requestShapeProblem,
  type Handlers,
  type Router,
} from '../../main/ipc/router';
import { MAX_CONDITION_DEPTH } from '../../shared/domain/conditions';
import { MAX_LUCENE_TERMS } from '../../shared/domain/lucene';
import { loadDemoData } from '../../main/features/demo/demo';
import { getUiPreferences } from '../../main/features/settings/settings';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import type { Job } from '../../shared/ipc/contract';
import type { CaseRow } from '../../shared/domain/types';

const migrationsFolder = sourceMigrationsFolder();
const END_AT = Date.UTC(2026, 0, 1);

let dir: string;
let ws: Workspace;
const notified: string[] = [];
const logged: string[] = [];

function open(file: string): Workspace {
  return openWorkspace(file, { create: true, migrationsFolder });
}

function routerWith(overrides: Partial<Handlers> = {}): Router {
  const handlers: Handlers = {
    ...createHandlers(
      ws,
      webHandlerEnvironment((entity) => notified.push(entity)),
    ),
    ...overrides,
  };
  return createRouter(handlers, (m) => logged.push(m));
}

function count(table: string): number {
  return (ws.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Row counts plus a hash of the store's files: what "the store did not change" means. */
function storeState(): { counts: Record<string, number>; digest: string } {
  const counts: Record<string, number> = {};
  for (const t of ['cases', 'alerts', 'activity', 'outbox', 'settings', 'case_entities'])
    counts[t] = count(t);
  const hash = crypto.createHash('sha256');
  for (const f of [ws.store.file, `${ws.store.file}-wal`]) {
    if (fs.existsSync(f)) hash.update(fs.readFileSync(f));
  }
  return { counts, digest: hash.digest('hex') };
}

interface CaseKey {
  id: string;
  score: number;
  updatedAt: number;
}

function allCases(): CaseKey[] {
  return ws.store.db
    .prepare('SELECT id, score, updated_at AS updatedAt FROM cases')
    .all() as CaseKey[];
}

/** The order the case table promises: the column, then id, both in the same direction. */
function sortedIds(rows: CaseKey[], key: 'score' | 'updatedAt', dir: 'asc' | 'desc'): string[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows]
    .sort((a, b) => sign * (a[key] - b[key] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    .map((r) => r.id);
}

type Page = { rows: CaseRow[]; total: number | null };

async function listOk(router: Router, payload: unknown): Promise<Page> {
  const result = await router.invoke('cases.list', payload);
  if (!result.ok) throw new Error(`cases.list failed: ${result.error.message}`);
  return result.data as Page;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-router-'));
  ws = open(path.join(dir, 'w.db'));
  await loadDemoData(ws.store, { alerts: 1500, seed: 11, endAt: END_AT });
});

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('router', () => {
  it('answers an unknown channel with UNKNOWN_CHANNEL', async () => {
    const router = routerWith();
    for (const channel of ['cases.drop', '', 42, null, '__proto__', 'toString', 'constructor']) {
      const result = await router.invoke(channel, {});
      expect(result).toEqual({
        ok: false,
        error: { code: 'UNKNOWN_CHANNEL', message: expect.stringContaining('unknown channel') },
      });
    }
  });

  const malformed: { name: string; payload: unknown; path: string; mentions?: string }[] = [
    { name: 'negative offset', payload: { offset: -1, limit: 10 }, path: 'offset' },
    { name: 'fractional offset', payload: { offset: 1.5, limit: 10 }, path: 'offset' },
    { name: 'limit 0', payload: { offset: 0, limit: 0 }, path: 'limit' },
    { name: 'limit 5000', payload: { offset: 0, limit: 5000 }, path: 'limit' },
    {
      name: 'unknown sort field',
      payload: { offset: 0, limit: 10, sort: 'rowid; DROP TABLE cases' },
      path: 'sort',
    },
    {
      name: 'unknown direction',
      payload: { offset: 0, limit: 10, direction: 'sideways' },
      path: 'direction',
    },
    {
      name: 'extra property',
      payload: { offset: 0, limit: 10, where: '1=1' },
      path: '(request)',
      mentions: 'where',
    },
    { name: 'string instead of number', payload: { offset: '0', limit: 10 }, path: 'offset' },
    { name: 'null', payload: null, path: 'offset' },
    { name: 'array', payload: [0, 10], path: '(request)' },
    { name: 'number', payload: 7, path: '(request)' },
  ];

  it.each(malformed)(
    'rejects cases.list with $name as BAD_REQUEST without calling the service',
    async ({ payload, path: issuePath, mentions }) => {
      const real = createHandlers(ws, webHandlerEnvironment());
      const spy = vi.fn(real['cases.list']);
      const router = routerWith({ 'cases.list': spy });
      const before = storeState();
      const result = await router.invoke('cases.list', payload);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('BAD_REQUEST');
      expect(result.error.message).toMatch(/^invalid request for cases\.list/);
      const paths = (result.error.issues ?? []).map((i) => i.path);
      expect(paths).toContain(issuePath);
      if (mentions) {
        expect(result.error.issues?.map((i) => i.message).join(' ')).toContain(mentions);
      }
      expect(spy).not.toHaveBeenCalled();
      expect(storeState()).toEqual(before);
    },
  );

  it('rejects a malformed preferences.update and changes nothing', async () => {
    const real = createHandlers(ws, webHandlerEnvironment());
    const spy = vi.fn(real['preferences.update']);
    const router = routerWith({ 'preferences.update': spy });
    const before = storeState();
    for (const payload of [{ theme: 'neon' }, { sidebarCollapsed: 'yes' }, { admin: true }]) {
      const result = await router.invoke('preferences.update', payload);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('BAD_REQUEST');
    }
    expect(spy).not.toHaveBeenCalled();
    expect(storeState()).toEqual(before);
  });

  it('pages cases by score descending, the pages joining into the full order', async () => {
    const router = routerWith();
    const expected = sortedIds(allCases(), 'score', 'desc');
    expect(expected.length).toBeGreaterThan(300);
    const seen: string[] = [];
    for (let offset = 0; offset < expected.length; offset += 97) {
      const page = await listOk(router, { offset, limit: 97, sort: 'score', direction: 'desc' });
      expect(page.total).toBeNull();
      seen.push(...page.rows.map((r) => r.id));
    }
    expect(seen).toEqual(expected);
  });

  it.each([
    { sort: 'score', direction: 'asc' },
    { sort: 'updatedAt', direction: 'asc' },
    { sort: 'updatedAt', direction: 'desc' },
  ] as const)(
    'returns a page sorted by $sort $direction with the total',
    async ({ sort, direction }) => {
      const router = routerWith();
      const cases = allCases();
      const expected = sortedIds(cases, sort, direction);
      const page = await listOk(router, {
        offset: 40,
        limit: 25,
        sort,
        direction,
        withTotal: true,
      });
      expect(page.total).toBe(cases.length);
      expect(page.rows.map((r) => r.id)).toEqual(expected.slice(40, 65));
      const values = page.rows.map((r) => r[sort]);
      const ordered = [...values].sort((a, b) => (direction === 'asc' ? a - b : b - a));
      expect(values).toEqual(ordered);
    },
  );

  it('defaults to updatedAt descending and returns full case rows', async () => {
    const router = routerWith();
    const page = await listOk(router, { offset: 0, limit: 3 });
    expect(page.rows.map((r) => r.id)).toEqual(
      sortedIds(allCases(), 'updatedAt', 'desc').slice(0, 3),
    );
    const row = page.rows[0]!;
    expect(row.tenantName).toMatch(/^(Acme Corp|Globex Bank|Initech Health)$/);
    expect(Array.isArray(row.tags)).toBe(true);
    expect(row.alertCount).toBeGreaterThan(0);
  });

  it('returns an empty page past the end', async () => {
    const router = routerWith();
    const page = await listOk(router, { offset: 1_000_000, limit: 100, withTotal: true });
    expect(page).toEqual({ rows: [], total: count('cases') });
  });

  it('persists preferences.update and records it in activity and outbox', async () => {
    const router = routerWith();
    const activity = count('activity');
    const outbox = count('outbox');

    const first = await router.invoke('preferences.update', { theme: 'light' });
    expect(first).toEqual({
      ok: true,
      data: { theme: 'light', sidebarCollapsed: false, demoOfferDismissed: false },
    });
    const second = await router.invoke('preferences.update', { sidebarCollapsed: true });
    expect(second).toEqual({
      ok: true,
      data: { theme: 'light', sidebarCollapsed: true, demoOfferDismissed: false },
    });
    expect(count('activity')).toBe(activity + 2);
    expect(count('outbox')).toBe(outbox + 2);
    const entries = ws.store.db
      .prepare(
        "SELECT action, actor, before, after FROM activity WHERE entity_type = 'setting' ORDER BY id DESC LIMIT 2",
      )
      .all() as { action: string; actor: string; before: string | null; after: string }[];
    expect(entries.map((e) => e.action)).toEqual(['update', 'create']);
    expect(entries[0]!.actor).toBe(ws.user.login);
    expect(JSON.parse(entries[0]!.before!)).toMatchObject({ value: { sidebarCollapsed: false } });
    expect(JSON.parse(entries[0]!.after)).toMatchObject({ value: { sidebarCollapsed: true } });

    const info = await router.invoke('app.getInfo', {});
    expect(info.ok && (info.data as { preferences: unknown }).preferences).toEqual({
      theme: 'light',
      sidebarCollapsed: true,
      demoOfferDismissed: false,
    });
    // persisted in the file: a second connection reads the same
    const other = openWorkspace(ws.store.file, { create: false, migrationsFolder });
    try {
      expect(getUiPreferences(other.store, other.user.id).theme).toBe('light');
    } finally {
      other.close();
    }
  });

  it('runs demo.load as a job that reaches Success', async () => {
    const router = routerWith();
    const events: Job[] = [];
    const unsubscribe = ws.jobs.onChange((job) => events.push(job));
    const alertsBefore = count('alerts');
    const casesBefore = count('cases');
    notified.length = 0;
    try {
      const started = await router.invoke('demo.load', { alerts: 12_000, seed: 99 });
      expect(started.ok).toBe(true);
      if (!started.ok) return;
      const { jobId } = started.data as { jobId: string };

      let job: Job | undefined;
      // The router only hands out the job id; the Task List learns the end by polling or events.
      for (let i = 0; i < 600; i++) {
        const listed = await router.invoke('jobs.list', {});
        if (!listed.ok) throw new Error(listed.error.message);
        job = (listed.data as Job[]).find((j) => j.id === jobId);
        if (job && job.status !== 'In Progress' && job.status !== 'Waiting') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(job).toMatchObject({ kind: 'demo', status: 'Success', progress: 1 });
      expect(job?.message).toMatch(/^Loaded 12,000 alerts in [\d,]+ cases$/);
      expect(count('alerts')).toBe(alertsBefore + 12_000);
      expect(count('cases')).toBeGreaterThan(casesBefore);
      expect(notified).toEqual(['case', 'alert']);

      const mine = events.filter((e) => e.id === jobId);
      expect(mine[0]?.status).toBe('In Progress');
      expect(mine.at(-1)?.status).toBe('Success');
      const progress = mine.map((e) => e.progress ?? 0);
      expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never goes backwards
    } finally {
      unsubscribe();
    }
  });

  it('lets a ServiceError cross as its code and message', async () => {
    const router = routerWith({
      'cases.get': ({ id }) => {
        throw new ServiceError('NOT_FOUND', `case ${id} does not exist`);
      },
    });
    const id = '01890a5d-ac96-774b-bcce-b302099a8057';
    expect(await router.invoke('cases.get', { id })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: `case ${id} does not exist` },
    });
  });

  it('lets an async ServiceError cross too, and a plain Error as INTERNAL with its message only', async () => {
    const asyncRouter = routerWith({
      'jobs.clearFinished': async () => {
        await Promise.resolve();
        throw new ServiceError('CONFLICT', 'a job is still running');
      },
    });
    expect(await asyncRouter.invoke('jobs.clearFinished', {})).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'a job is still running' },
    });

    logged.length = 0;
    const plain = routerWith({
      'jobs.list': () => {
        throw new TypeError('secret internals');
      },
    });
    const result = await plain.invoke('jobs.list', {});
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'secret internals' } });
    expect(JSON.stringify(result)).not.toContain('at '); // no stack crosses the boundary
    expect(logged.join('\n')).toContain('jobs.list failed: TypeError: secret internals');
  });

  it('validates cases.get ids before the service runs', async () => {
    const real = createHandlers(ws, webHandlerEnvironment());
    const spy = vi.fn(real['cases.get']);
    const router = routerWith({ 'cases.get': spy });
    const result = await router.invoke('cases.get', { id: "' OR 1=1 --" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues?.map((i) => i.path)).toEqual(['id']);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('router: payloads too deep or too large for the contract (issue 11.7)', () => {
  function nestedObject(depth: number): unknown {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  }
  function nestedArray(depth: number): unknown {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  }
  function conditionTree(groups: number): unknown {
    let tree: unknown = { type: 'condition', field: 'score', operator: 'in', value: [1, 2] };
    for (let i = 0; i < groups; i++) tree = { type: 'group', op: 'AND', children: [tree] };
    return tree;
  }

  const deep: { name: string; channel: string; payload: (depth: number) => unknown }[] = [
    {
      name: 'cases.list filters',
      channel: 'cases.list',
      payload: (d) => ({ offset: 0, limit: 5, filters: nestedObject(d) }),
    },
    {
      name: 'layout.save value',
      channel: 'layout.save',
      payload: (d) => ({ key: 'cases.columns', value: nestedArray(d) }),
    },
    {
      name: 'queues.save condition',
      channel: 'queues.save',
      payload: (d) => ({
        name: 'q',
        range: { kind: 'relative', days: 7 },
        condition: conditionTree(d),
      }),
    },
    { name: 'a bare array', channel: 'jobs.list', payload: (d) => nestedArray(d) },
  ];

  it.each(deep.flatMap((c) => [5_000, 100_000].map((depth) => ({ ...c, depth }))))(
    'refuses $name nested $depth deep as BAD_REQUEST, calling nothing',
    async ({ channel, payload, depth }) => {
      const spy = vi.fn();
      const router = routerWith({ [channel]: spy });
      const before = storeState();
      const result = await router.invoke(channel, payload(depth));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('BAD_REQUEST');
      expect(result.error.message).toContain(
        `invalid request for ${channel}: the request is nested more than ${MAX_REQUEST_DEPTH} levels deep (at `,
      );
      expect(result.error.issues).toHaveLength(1);
      expect(result.error.issues?.[0]?.path.split('.').length).toBeGreaterThanOrEqual(
        MAX_REQUEST_DEPTH - 1,
      );
      expect(spy).not.toHaveBeenCalled();
      expect(storeState()).toEqual(before);
    },
  );

  it('lets the deepest valid condition tree through to the service, and refuses one deeper there', async () => {
    const router = routerWith();
    // The deepest request the contract has: a view inside a bulk selection.
    expect(
      requestShapeProblem({
        selection: { allMatching: { filters: conditionTree(MAX_CONDITION_DEPTH) } },
        status: 'Resolved',
      }),
    ).toBeNull();
    const page = await router.invoke('cases.list', {
      offset: 0,
      limit: 5,
      filters: conditionTree(MAX_CONDITION_DEPTH),
    });
    expect(page.ok).toBe(true);
    const deeper = await router.invoke('cases.list', {
      offset: 0,
      limit: 5,
      filters: conditionTree(MAX_CONDITION_DEPTH + 1),
    });
    expect(deeper).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/nested too deeply: at most 32 levels/),
      },
    });
  });

  it('refuses a payload whose shared objects would take too long to walk', async () => {
    // Structured clone (Electron IPC) keeps shared references: 2^40 paths through 41 objects.
    let shared: unknown = 1;
    for (let i = 0; i < 40; i++) shared = [shared, shared];
    const cyclic: Record<string, unknown> = { key: 'cases.columns' };
    cyclic.value = cyclic;
    const spy = vi.fn();
    const router = routerWith({ 'layout.save': spy });
    const wide = await router.invoke('layout.save', { key: 'cases.columns', value: shared });
    expect(wide).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringContaining(
          `the request holds more than ${MAX_REQUEST_VALUES.toLocaleString('en-US')} values`,
        ),
      },
    });
    const loop = await router.invoke('layout.save', cyclic);
    expect(loop).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(spy).not.toHaveBeenCalled();
  });

  it('answers every bad query as BAD_REQUEST with its position, never INTERNAL', async () => {
    const router = routerWith();
    const cases: { query: string; offset: number; length: number; message: RegExp }[] = [
      { query: 'phish\0ing', offset: 5, length: 1, message: /control character \(U\+0000\)/ },
      { query: '"a \x1b b"', offset: 3, length: 1, message: /control character \(U\+001B\)/ },
      {
        query: 'a '.repeat(999).trim(),
        offset: 2 * MAX_LUCENE_TERMS,
        length: 1997 - 2 * MAX_LUCENE_TERMS,
        message: /more than 100 search terms/,
      },
      { query: 'severity:(High OR', offset: 15, length: 2, message: /OR needs a search term/ },
    ];
    for (const { query, offset, length, message } of cases) {
      const result = await router.invoke('cases.list', { offset: 0, limit: 10, query });
      expect(result, JSON.stringify(query)).toMatchObject({
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: expect.stringMatching(message),
          position: { offset, length },
        },
      });
    }
    const hundred = await router.invoke('cases.list', {
      offset: 0,
      limit: 10,
      query: Array.from({ length: MAX_LUCENE_TERMS }, (_, i) => `w${i}`).join(' OR '),
      withTotal: true,
    });
    expect(hundred.ok).toBe(true);
  });
});
