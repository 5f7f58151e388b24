import { webHandlerEnvironment } from '../helpers/handler-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootApp, bootCommand, type BootedApp } from '../../main/app/boot';
import { openWorkspace } from '../../main/app/workspace';
import { createHandlers } from '../../main/ipc/handlers';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { loadDemoAndIndexQueues } from '../../main/features/demo/demo';
import {
  DAY_MS,
  INDEX_AT_OPEN_MAX_CASES,
  listQueues,
  markAllQueuesPending,
} from '../../main/features/queues/queues';
import { DEFAULT_QUEUE_IDS, type Job } from '../../shared/ipc/contract';

/** Issue 12.4/12.7: one composition root for Electron, browser mode and the CLI. */

const migrationsFolder = sourceMigrationsFolder();
const END_AT = Date.now() - (Date.now() % DAY_MS);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

let dir: string;
let booted: BootedApp | null = null;
const notified: string[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-boot-'));
  notified.length = 0;
});

afterEach(() => {
  booted?.close();
  booted = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

function boot(file: string, demo?: { alerts: number }): BootedApp {
  booted = bootApp({
    storePath: file,
    environment: webHandlerEnvironment((e) => notified.push(e)),
    demo: demo ?? null,
  });
  return booted;
}

function finished(app: BootedApp, jobId: string): Promise<Job> {
  return new Promise((resolve) => {
    const settle = (job: Job | undefined) => {
      if (job && job.id === jobId && job.status !== 'In Progress' && job.status !== 'Waiting') {
        off();
        resolve(job);
      }
    };
    const off = app.ws.jobs.onChange(settle);
    settle(app.ws.jobs.get(jobId));
  });
}

function openCases(app: BootedApp): number {
  return app.ws.store.db
    .prepare("SELECT count(*) FROM cases WHERE status IN ('New', 'In Progress', 'Escalated')")
    .pluck()
    .get() as number;
}

/** A store whose queue indexes are all pending and that looks too big to index at open. */
async function storeWithPendingQueues(file: string): Promise<void> {
  const ws = openWorkspace(file, { create: true, migrationsFolder });
  try {
    await loadDemoAndIndexQueues(ws.store, { alerts: 400, seed: 3, endAt: END_AT });
    // Opening estimates the size from the largest rowid (queues.ts): past the limit, the
    // indexes are left to jobs.
    ws.store.db
      .prepare('UPDATE cases SET rowid = ? WHERE rowid = (SELECT max(rowid) FROM cases)')
      .run(INDEX_AT_OPEN_MAX_CASES + 1);
    markAllQueuesPending(ws.store);
  } finally {
    ws.close();
  }
}

describe('bootApp (Electron, browser mode)', () => {
  it('opens and migrates the store, keeps job records, starts maintenance and builds the router', async () => {
    const app = boot(path.join(dir, 'new', 'w.db'));
    expect(fs.existsSync(path.join(dir, 'new', 'w.db'))).toBe(true);
    expect(app.startupJobIds).toEqual([]);
    expect(app.demoLoad).toBeNull();
    // maintenance runs the checkpoints of a long-running process (maintenance.ts)
    expect(app.ws.store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(await app.router.invoke('jobs.list', {})).toEqual({ ok: true, data: [] });
    const { done } = app.ws.jobs.start('export', 'Export', async () => 'ok', String);
    await done;
    const kept = app.ws.store.db.prepare('SELECT status FROM jobs').pluck().all();
    expect(kept).toEqual(['Success']);
    app.close();
    expect(app.ws.store.db.open).toBe(false);
    booted = null;
  });

  it("rebuilds a large store's pending queue indexes as start-up jobs; the handlers start none", async () => {
    const file = path.join(dir, 'pending.db');
    await storeWithPendingQueues(file);
    const plain = openWorkspace(file, { create: false, migrationsFolder });
    try {
      createHandlers(plain, webHandlerEnvironment());
      expect(plain.jobs.list()).toEqual([]);
    } finally {
      plain.close();
    }
    const app = boot(file);
    const queues = listQueues(app.ws.store, app.ws.user.id);
    expect(app.startupJobIds).toHaveLength(queues.length);
    const jobs = await Promise.all(app.startupJobIds.map((id) => finished(app, id)));
    expect(jobs.map((j) => [j.kind, j.status])).toEqual(
      queues.map(() => ['queue.reindex', 'Success']),
    );
    const allOpen = listQueues(app.ws.store, app.ws.user.id).find(
      (q) => q.id === DEFAULT_QUEUE_IDS.allOpen,
    );
    expect(allOpen?.count).toBe(openCases(app));
    expect(notified).toContain('case');
  });

  it('loads --demo N into an empty store as a job whose writes are not the main connection’s', async () => {
    const app = boot(path.join(dir, 'demo.db'), { alerts: 2000 });
    expect(app.demoLoad).not.toBeNull();
    expect(app.startupJobIds).toEqual([app.demoLoad!.jobId]);
    const changesBefore = app.ws.store.db.prepare('SELECT total_changes()').pluck().get() as number;
    const outcome = await app.demoLoad!.done;
    expect(outcome).toMatchObject({ alerts: 2000 });
    expect(await finished(app, app.demoLoad!.jobId)).toMatchObject({
      kind: 'demo',
      status: 'Success',
      message: expect.stringMatching(/^Loaded 2,000 alerts in [\d,]+ cases$/),
    });
    // The worker wrote ~2,000 alerts and their cases on its own connection; this one wrote
    // at most its job records and maintenance merges meanwhile.
    const changesAfter = app.ws.store.db.prepare('SELECT total_changes()').pluck().get() as number;
    expect(changesAfter - changesBefore).toBeLessThan(100);
    expect(app.ws.store.db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(2000);
    // the job's last stage indexed every queue
    for (const q of listQueues(app.ws.store, app.ws.user.id)) expect(q.count).not.toBeNull();
    expect(
      listQueues(app.ws.store, app.ws.user.id).find((q) => q.id === DEFAULT_QUEUE_IDS.allOpen)
        ?.count,
    ).toBe(openCases(app));
    expect(notified).toEqual(['case', 'alert']);
  });

  it('leaves a store that has cases alone when --demo is given', async () => {
    const file = path.join(dir, 'full.db');
    const ws = openWorkspace(file, { create: true, migrationsFolder });
    await loadDemoAndIndexQueues(ws.store, { alerts: 300, seed: 4, endAt: END_AT });
    ws.close();
    const app = boot(file, { alerts: 2000 });
    expect(app.demoLoad).toBeNull();
    expect(app.startupJobIds).toEqual([]);
    expect(app.ws.store.db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(300);
  });
});

describe('bootCommand (CLI)', () => {
  it('opens the store without job records or maintenance', () => {
    const ws = bootCommand(path.join(dir, 'cli.db'), { create: true, migrationsFolder });
    try {
      expect(ws.store.db.pragma('wal_autocheckpoint', { simple: true })).toBeGreaterThan(0);
      ws.jobs.start('export', 'Export', async () => 'ok', String);
      expect(ws.store.db.prepare('SELECT count(*) FROM jobs').pluck().get()).toBe(0);
    } finally {
      ws.close();
    }
  });
});

describe('one boot: the start-up rules are coded once', () => {
  function sources(folder: string): { file: string; text: string }[] {
    return fs
      .readdirSync(path.join(ROOT, folder), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => {
        const file = path.relative(ROOT, path.join(e.parentPath, e.name));
        return { file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') };
      });
  }

  it('only the demo feature re-indexes after a demo load, and only it loads demo data', () => {
    const calling = (pattern: RegExp) =>
      sources('main')
        .filter(({ text }) => pattern.test(text))
        .map(({ file }) => file)
        .sort();
    // the definition and the rebuild of every derived table (outbox replay) are the others
    expect(calling(/markAllQueuesPending\(/)).toEqual([
      'main/features/demo/demo.ts',
      'main/store/derived/index.ts',
      'main/store/derived/queue-membership.ts',
    ]);
    expect(calling(/\bloadDemoData\(/)).toEqual(['main/features/demo/demo.ts']);
    expect(calling(/\bloadDemoAndIndexQueues\(/)).toEqual([
      'main/cli/commands/demo.ts',
      'main/features/demo/demo.ts',
      'main/jobs/demo-worker.ts',
    ]);
  });

  it('Electron and browser mode open the store through boot, and Electron imports no feature', () => {
    for (const file of ['main/electron/index.ts', 'main/web/start.ts']) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect(text, file).toMatch(/\bbootApp\(/);
      expect(text, file).not.toMatch(/openWorkspace|startStoreMaintenance|createHandlers|reindex/);
      expect(text, file).not.toMatch(/from '\.\.\/features\//);
    }
  });
});
