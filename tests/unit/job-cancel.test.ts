import { webHandlerEnvironment } from '../helpers/handler-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter, type Router } from '../../main/ipc/router';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import {
  IMPORT_BATCH,
  importAlertSources,
  textSource,
} from '../../main/features/alerts/import-files';
import {
  BULK_CHUNK,
  runBulkUpdate,
  startBulkUpdateJob,
  checkBulkChange,
} from '../../main/features/cases/bulk-update';
import {
  CsvExportCancelled,
  planCsvExport,
  writeCasesCsv,
} from '../../main/features/cases/export-csv';
import {
  DAY_MS,
  listQueues,
  reindexQueue,
  reindexQueueNow,
  startReindexJob,
} from '../../main/features/queues/queues';
import { loadDemoAndIndexQueues, loadDemoData } from '../../main/features/demo/demo';
import type { CancelCheck } from '../../main/jobs/cancel-flag';
import { demoAlertRecord, generateDemoCases } from '../../shared/domain/demo';
import { DEFAULT_QUEUE_IDS, type Job } from '../../shared/ipc/contract';

/**
 * Issue 12.6 (NFR-2): each kind of job stops between two batches when cancelled, ends
 * Cancelled saying what it did, keeps the batches it wrote and leaves nothing half-written.
 */

const migrationsFolder = sourceMigrationsFolder();
const END_AT = Date.now() - (Date.now() % DAY_MS);

let dir: string;
let ws: Workspace;
let router: Router;

/** A signal that turns aborted once `after()` says so: the test decides where the job stops. */
function abortWhen(after: () => boolean): CancelCheck {
  return {
    get aborted() {
      return after();
    },
  };
}

function count(sql: string, ...params: unknown[]): number {
  return ws.store.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;
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

/** The first progress event of a job that says how far it got (after its first batch). */
function firstProgress(jobId: string): Promise<Job> {
  return new Promise((resolve) => {
    const off = ws.jobs.onChange((job) => {
      if (job.id === jobId && (job.progress ?? 0) > 0) {
        off();
        resolve(job);
      }
    });
  });
}

/** NDJSON of Watchfloor alert records from the demo generator (a seed not in the store). */
function alertFile(name: string, alerts: number, seed: number): string {
  const lines: string[] = [];
  for (const c of generateDemoCases({ alerts, seed, endAt: END_AT })) {
    for (const a of c.alerts) lines.push(JSON.stringify(demoAlertRecord(a)));
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function queueState(id: string): string | null {
  return (
    (ws.store.db.prepare('SELECT state FROM queue_index WHERE queue_id = ?').pluck().get(id) as
      string | undefined) ?? null
  );
}

function openCases(): number {
  return count("SELECT count(*) FROM cases WHERE status IN ('New', 'In Progress', 'Escalated')");
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-cancel-'));
  ws = openWorkspace(path.join(dir, 'store', 'c.db'), { create: true, migrationsFolder });
  await loadDemoAndIndexQueues(ws.store, { alerts: 12_000, seed: 31, endAt: END_AT });
  // the desktop app's environment: alerts.importFiles names files by path
  router = createRouter(createHandlers(ws, { ...webHandlerEnvironment(), mode: 'electron' }));
}, 120_000);

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('jobs.cancel refuses what it cannot cancel, and changes nothing', () => {
  it('an unknown id is NOT_FOUND', async () => {
    const before = ws.jobs.list();
    expect(await router.invoke('jobs.cancel', { id: 'no-such-job' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No job with id no-such-job' },
    });
    expect(ws.jobs.list()).toEqual(before);
  });

  it('a request without an id is BAD_REQUEST, saying where', async () => {
    const r = await router.invoke('jobs.cancel', { job: 'x' });
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/^invalid request for jobs\.cancel: /),
      },
    });
  });

  it('a job that already ended is BAD_REQUEST and stays as it ended', async () => {
    const { id, done } = ws.jobs.start(
      'demo',
      'Quick job',
      async () => 7,
      (n) => `made ${n}`,
      {
        cancellable: true,
      },
    );
    await done;
    const ended = ws.jobs.get(id)!;
    expect(ended).toMatchObject({ status: 'Success', cancellable: false });
    const r = await router.invoke('jobs.cancel', { id });
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: '"Quick job" has already ended (Success): there is nothing to cancel',
      },
    });
    expect(ws.jobs.get(id)).toEqual(ended);
  });

  it('a running job that has no point to stop at is BAD_REQUEST and runs on', async () => {
    let finish: (n: number) => void = () => {};
    const { id, done } = ws.jobs.start(
      'queue.reindex',
      'Count job',
      () => new Promise<number>((resolve) => (finish = resolve)),
      String,
    );
    expect(ws.jobs.get(id)?.cancellable).toBe(false);
    const r = await router.invoke('jobs.cancel', { id });
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'BAD_REQUEST',
        message: '"Count job" cannot be cancelled: it has no point to stop at before it ends',
      },
    });
    finish(3);
    await done;
    expect(ws.jobs.get(id)).toMatchObject({ status: 'Success', message: '3' });
  });
});

describe('a cancelled import keeps the batches it wrote (worker thread)', () => {
  it('importAlertSources stops before the batch after the cancel; the batches before stay', () => {
    const file = alertFile('direct.ndjson', 4 * IMPORT_BATCH, 41);
    const before = count('SELECT count(*) FROM alerts');
    let batches = 0;
    const summary = importAlertSources(
      ws.store,
      [textSource('direct.ndjson', fs.readFileSync(file, 'utf8'))],
      {
        format: 'auto',
        actor: ws.user.login,
        onProgress: () => batches++,
        signal: abortWhen(() => batches >= 2),
      },
    );
    expect(summary.cancelled).toEqual({ batches: 2, fraction: expect.any(Number) });
    expect(summary.cancelled!.fraction).toBeGreaterThan(0);
    expect(summary.cancelled!.fraction).toBeLessThan(1);
    // exactly two whole batches: every alert they read is in the store, none of the third
    expect(summary.read).toBe(2 * IMPORT_BATCH);
    expect(summary.imported).toBe(2 * IMPORT_BATCH);
    expect(count('SELECT count(*) FROM alerts')).toBe(before + 2 * IMPORT_BATCH);
  });

  it('alerts.importFiles cancelled before its first batch imports nothing', async () => {
    const file = alertFile('early.ndjson', 2 * IMPORT_BATCH, 42);
    const before = count('SELECT count(*) FROM alerts');
    const r = await router.invoke('alerts.importFiles', { files: [{ path: file }] });
    if (!r.ok) throw new Error(r.error.message);
    const { jobId } = r.data as { jobId: string };
    // the flag is set before the worker has even started
    const cancelling = await router.invoke('jobs.cancel', { id: jobId });
    expect(cancelling).toMatchObject({
      ok: true,
      data: { id: jobId, status: 'In Progress', message: expect.stringMatching(/^Cancelling/) },
    });
    const job = await finished(jobId);
    expect(job).toMatchObject({
      status: 'Cancelled',
      message: 'Cancelled before any alert was imported',
      cancellable: false,
    });
    expect(count('SELECT count(*) FROM alerts')).toBe(before);
  });

  it('alerts.importFiles cancelled after a batch ends Cancelled, saying what it kept', async () => {
    const total = 8;
    const file = alertFile('big.ndjson', total * IMPORT_BATCH, 43);
    const before = count('SELECT count(*) FROM alerts');
    const r = await router.invoke('alerts.importFiles', { files: [{ path: file }] });
    if (!r.ok) throw new Error(r.error.message);
    const { jobId } = r.data as { jobId: string };
    await firstProgress(jobId);
    expect((await router.invoke('jobs.cancel', { id: jobId })).ok).toBe(true);
    // a second request changes nothing
    expect((await router.invoke('jobs.cancel', { id: jobId })).ok).toBe(true);
    const job = await finished(jobId);
    expect(job.status).toBe('Cancelled');
    const m =
      /^Cancelled after (\d+) batch(?:es)? \(about (\d+)% read\): ([\d,]+) alerts imported, [\d,]+ cases created, [\d,]+ updated; they are kept\. Import the file again for the rest/.exec(
        job.message ?? '',
      );
    expect(m, job.message ?? '').not.toBeNull();
    const batches = Number(m![1]);
    const imported = Number(m![3]!.replace(/,/g, ''));
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThan(total);
    // whole batches only: what the message says is what the store holds
    expect(imported).toBe(batches * IMPORT_BATCH);
    expect(count('SELECT count(*) FROM alerts')).toBe(before + imported);
  });
});

describe('a cancelled bulk edit keeps the chunks it wrote', () => {
  const openIds = () =>
    ws.store.db
      .prepare("SELECT rowid FROM cases WHERE status = 'New' ORDER BY rowid")
      .pluck()
      .all() as number[];

  it('runBulkUpdate stops between two chunks and reports them', async () => {
    const rowids = openIds();
    expect(rowids.length).toBeGreaterThan(2 * BULK_CHUNK);
    const tag = 'cancel-direct';
    let chunks = 0;
    const result = await runBulkUpdate(
      ws.store,
      ws.user.login,
      rowids,
      checkBulkChange(ws.store, { addTags: [tag] }),
      () => chunks++,
      abortWhen(() => chunks >= 2),
    );
    expect(result).toMatchObject({
      cancelled: true,
      batches: 2,
      totalBatches: Math.ceil(rowids.length / BULK_CHUNK),
      step: { done: 2 * BULK_CHUNK, updated: 2 * BULK_CHUNK },
    });
    expect(count('SELECT count(*) FROM cases WHERE tags LIKE ?', `%"${tag}"%`)).toBe(
      2 * BULK_CHUNK,
    );
  });

  it('cases.bulkUpdate cancelled ends Cancelled after its first chunk, which stays', async () => {
    const rowids = openIds();
    const tag = 'cancel-job';
    const { jobId } = startBulkUpdateJob(
      ws,
      ws.user.login,
      { allMatching: { query: 'status:New', sort: 'updatedAt', direction: 'desc' } },
      { addTags: [tag] },
    );
    // The first chunk was written as the job started; the cancel stops it before the second.
    ws.jobs.cancel(jobId);
    const job = await finished(jobId);
    const batches = Math.ceil(rowids.length / BULK_CHUNK);
    expect(job).toMatchObject({
      status: 'Cancelled',
      message: `Cancelled after 1 of ${batches} batches: 1,000 cases updated; they are kept (${(rowids.length - BULK_CHUNK).toLocaleString('en')} selected cases not looked at)`,
    });
    expect(count('SELECT count(*) FROM cases WHERE tags LIKE ?', `%"${tag}"%`)).toBe(BULK_CHUNK);
    // each changed case has its activity entry: nothing of a chunk half-written
    expect(
      count(
        "SELECT count(DISTINCT entity_id) FROM activity WHERE entity_type = 'case' AND after LIKE ?",
        `%${tag}%`,
      ),
    ).toBe(BULK_CHUNK);
  });
});

describe('a cancelled CSV export leaves no file', () => {
  const view = { sort: 'updatedAt', direction: 'desc' } as const;

  it('writeCasesCsv stops at a check, removes its partial file and says how far it got', () => {
    const file = path.join(dir, 'direct', 'cases.csv');
    const { plan, matching } = planCsvExport(
      ws.store,
      { view, columns: ['number', 'name'], bom: false },
      file,
    );
    expect(matching).toBeGreaterThan(1_000);
    let looks = 0;
    let error: unknown = null;
    try {
      writeCasesCsv(
        ws.store.db,
        plan,
        undefined,
        abortWhen(() => ++looks > 2),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CsvExportCancelled);
    expect((error as CsvExportCancelled).rows).toBe(1_000);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(path.dirname(file))).toEqual([]); // no .part left
  });

  it('cases.exportCsv cancelled ends Cancelled, with neither the file nor a .part', async () => {
    const r = await router.invoke('cases.exportCsv', { view, columns: ['number', 'name'] });
    if (!r.ok) throw new Error(r.error.message);
    const {
      jobId,
      path: file,
      matching,
    } = r.data as {
      jobId: string;
      path: string;
      matching: number;
    };
    expect((await router.invoke('jobs.cancel', { id: jobId })).ok).toBe(true);
    const job = await finished(jobId);
    expect(job).toMatchObject({
      status: 'Cancelled',
      message: `Cancelled after 0 of ${matching.toLocaleString('en')} rows; the partial file was removed`,
    });
    expect(fs.existsSync(file)).toBe(false);
    const left = fs.existsSync(path.dirname(file)) ? fs.readdirSync(path.dirname(file)) : [];
    expect(left.filter((f) => f.startsWith(path.basename(file)))).toEqual([]);
  });
});

describe('a cancelled re-index leaves its queue pending', () => {
  const queueId = DEFAULT_QUEUE_IDS.allOpen;

  it('reindexQueue stops between two steps; a later re-index builds it whole', async () => {
    let steps = 0;
    const outcome = await reindexQueue(
      ws.store,
      queueId,
      () => steps++,
      { chunkSize: 100 },
      abortWhen(() => steps >= 3),
    );
    expect(outcome).toMatchObject({ status: 'cancelled', name: 'All Open Cases' });
    expect(steps).toBe(3);
    expect(queueState(queueId)).not.toBe('ready');
    expect(reindexQueueNow(ws.store, queueId)).toEqual({
      status: 'done',
      count: openCases(),
      name: 'All Open Cases',
    });
  });

  it('its job ends Cancelled saying the index stays pending', async () => {
    const jobId = startReindexJob(ws, queueId);
    ws.jobs.cancel(jobId); // after its first step, which ran as the job started
    const job = await finished(jobId);
    expect(job.status).toBe('Cancelled');
    expect(job.message).toMatch(
      /^Cancelled( \(.+\))?: the index of All Open Cases stays pending and is rebuilt when the queue is next saved or the app next starts$/,
    );
    expect(queueState(queueId)).not.toBe('ready');
    expect(listQueues(ws.store, ws.user.id).find((q) => q.id === queueId)?.count).toBeNull();
    reindexQueueNow(ws.store, queueId);
    expect(listQueues(ws.store, ws.user.id).find((q) => q.id === queueId)?.count).toBe(openCases());
  });
});

describe('a cancelled demo load keeps its batches and gets its queues indexed', () => {
  it('loadDemoData stops before the next batch', async () => {
    const before = count('SELECT count(*) FROM alerts');
    let batches = 0;
    const r = await loadDemoData(
      ws.store,
      { alerts: 20_000, seed: 51, endAt: END_AT },
      () => batches++,
      abortWhen(() => batches >= 2),
    );
    expect(r.cancelled).toEqual({ batches: 2 });
    expect(r.alerts).toBeGreaterThanOrEqual(2 * 5000);
    expect(r.alerts).toBeLessThan(20_000);
    expect(count('SELECT count(*) FROM alerts')).toBe(before + r.alerts);
  });

  it('loadDemoAndIndexQueues cancelled while indexing leaves the queues pending', async () => {
    let indexing = false;
    const r = await loadDemoAndIndexQueues(
      ws.store,
      { alerts: 3000, seed: 52, endAt: END_AT },
      (_fraction, message) => (indexing ||= message.startsWith('Indexing queues')),
      abortWhen(() => indexing),
    );
    expect(r).toMatchObject({ alerts: 3000, cancelledWhile: 'indexing' });
    expect(queueState(DEFAULT_QUEUE_IDS.allClosed)).not.toBe('ready');
    for (const q of listQueues(ws.store, ws.user.id)) reindexQueueNow(ws.store, q.id);
  });

  it('demo.load cancelled at once loads nothing', async () => {
    const before = count('SELECT count(*) FROM alerts');
    const r = await router.invoke('demo.load', { alerts: 10_000, seed: 53 });
    if (!r.ok) throw new Error(r.error.message);
    const { jobId } = r.data as { jobId: string };
    expect((await router.invoke('jobs.cancel', { id: jobId })).ok).toBe(true);
    const job = await finished(jobId);
    expect(job).toMatchObject({
      status: 'Cancelled',
      message: 'Cancelled before any demo data was loaded',
    });
    expect(count('SELECT count(*) FROM alerts')).toBe(before);
  });

  it('demo.load cancelled after a batch keeps it; the queues are re-indexed by their own jobs', async () => {
    const before = count('SELECT count(*) FROM alerts');
    const r = await router.invoke('demo.load', { alerts: 40_000, seed: 54 });
    if (!r.ok) throw new Error(r.error.message);
    const { jobId } = r.data as { jobId: string };
    await firstProgress(jobId);
    const started = new Set(ws.jobs.list().map((j) => j.id));
    expect((await router.invoke('jobs.cancel', { id: jobId })).ok).toBe(true);
    const job = await finished(jobId);
    expect(job.status).toBe('Cancelled');
    const m =
      /^Cancelled after (\d+) batch(?:es)?: ([\d,]+) demo alerts in [\d,]+ cases loaded; they are kept\. The queues are re-indexed by jobs of their own$/.exec(
        job.message ?? '',
      );
    expect(m, job.message ?? '').not.toBeNull();
    const loaded = Number(m![2]!.replace(/,/g, ''));
    expect(loaded).toBeLessThan(40_000);
    expect(count('SELECT count(*) FROM alerts')).toBe(before + loaded);
    // the demo cases bypassed queue membership: every queue gets a re-index job of its own
    const reindexJobs = ws.jobs.list().filter((j) => !started.has(j.id));
    expect(reindexJobs.map((j) => j.kind)).toEqual(
      listQueues(ws.store, ws.user.id).map(() => 'queue.reindex'),
    );
    for (const j of reindexJobs) expect((await finished(j.id)).status).toBe('Success');
    expect(
      listQueues(ws.store, ws.user.id).find((q) => q.id === DEFAULT_QUEUE_IDS.allOpen)?.count,
    ).toBe(openCases());
  });
});
