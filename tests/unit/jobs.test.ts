import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobCancelled, JobRunner } from '../../main/jobs/runner';
import { ServiceError } from '../../main/service-error';
import {
  interruptedMessage,
  JobRecords,
  KEPT_FINISHED_JOBS,
} from '../../main/store/local/job-records';
import { openStore, type Store } from '../../main/store/open';
import { sourceMigrationsFolder } from '../../main/store/paths';
import type { Job } from '../../shared/ipc/contract';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-jobs-'));
  store = openStore(path.join(dir, 'w.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The id a process had that has exited: the owner of jobs "killed with their process". */
function pidOfAnEndedProcess(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.status).toBe(0);
  return r.pid!;
}

const never = () => new Promise<never>(() => {});

function rows(): { id: string; status: string; progress: number | null; message: string | null }[] {
  return store.db.prepare('SELECT id, status, progress, message FROM jobs ORDER BY id').all() as {
    id: string;
    status: string;
    progress: number | null;
    message: string | null;
  }[];
}

describe('JobRunner with job records in the store', () => {
  it('shows a job its ended process left running as Interrupted, with how far it got', async () => {
    const before = new JobRunner(new JobRecords(store, pidOfAnEndedProcess()));
    let reported: () => void = () => {};
    const progressed = new Promise<void>((resolve) => (reported = resolve));
    const { id } = before.start(
      'import',
      'Import eve.json',
      (job) => {
        // after the runner's 100 ms throttle of progress events, so this one is shown and kept
        setTimeout(() => {
          job.progress(0.4, 'eve.json: 20,000 alerts imported');
          reported();
        }, 150);
        return never();
      },
      String,
    );
    const done = before.start('demo', 'Load demo data', async () => 'ok', String);
    await Promise.all([progressed, done.done]);
    // the process "ends" here: a new runner over the same store starts
    const after = new JobRunner(new JobRecords(store));
    const shown = after.list();
    expect(shown.map((j) => j.id).sort()).toEqual([id, done.id].sort());
    const interrupted = after.get(id)!;
    expect(interrupted.status).toBe('Interrupted');
    expect(interrupted.message).toBe(
      'The app stopped while this job ran; 40% done (eve.json: 20,000 alerts imported). ' +
        'The alerts imported before it stopped are kept; import the file again for the rest ' +
        '(alerts already imported are skipped).',
    );
    expect(after.get(done.id)).toMatchObject({ status: 'Success', message: 'ok' });
    expect(rows().find((r) => r.id === id)?.status).toBe('Interrupted');
  });

  it('removes dismissed and cleared jobs from the store too', async () => {
    const first = new JobRunner(new JobRecords(store));
    const a = first.start('export', 'Export A', async () => 'a', String);
    const b = first.start('export', 'Export B', async () => 'b', String);
    const c = first.start('export', 'Export C', async () => 'c', String);
    await Promise.all([a.done, b.done, c.done]);
    first.dismiss(a.id);
    expect(first.list().map((j) => j.id)).not.toContain(a.id);
    expect(
      new JobRunner(new JobRecords(store))
        .list()
        .map((j) => j.id)
        .sort(),
    ).toEqual([b.id, c.id].sort());
    first.clearFinished();
    expect(first.list()).toEqual([]);
    expect(rows()).toEqual([]);
    expect(new JobRunner(new JobRecords(store)).list()).toEqual([]);
  });

  it('leaves the running jobs of another live process on the same store alone', () => {
    // the test runner's parent process is alive and is not this one
    const other = new JobRunner(new JobRecords(store, process.ppid));
    const { id } = other.start('import', 'Import a.json', never, String);
    const mine = new JobRunner(new JobRecords(store));
    expect(mine.get(id)).toBeUndefined();
    expect(rows()).toEqual([expect.objectContaining({ id, status: 'In Progress' })]);
  });

  it('keeps the newest finished records only', async () => {
    const runner = new JobRunner(new JobRecords(store));
    const extra = 5;
    for (let i = 0; i < KEPT_FINISHED_JOBS + extra; i++) {
      await runner.start('export', `Export ${i}`, async () => i, String).done;
    }
    const kept = new JobRunner(new JobRecords(store)).list();
    expect(kept).toHaveLength(KEPT_FINISHED_JOBS);
    expect(kept.map((j) => j.title)).not.toContain('Export 0');
    expect(kept[0]!.title).toBe(`Export ${KEPT_FINISHED_JOBS + extra - 1}`);
    expect(rows()).toHaveLength(KEPT_FINISHED_JOBS);
  });

  it('never waits for another connection holding the write lock, and writes once it is free', async () => {
    // An import worker holds the write lock for a whole batch. Were the runner to wait for it,
    // this busy timeout would hang the test far past its own timeout.
    store.db.pragma('busy_timeout = 600000');
    const other = new Database(store.file);
    other.prepare('BEGIN IMMEDIATE').run();
    const runner = new JobRunner(new JobRecords(store));
    const { id, done } = runner.start('export', 'Export while busy', async () => 'ok', String);
    await done;
    expect(runner.get(id)?.status).toBe('Success');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(600000);
    other.prepare('COMMIT').run();
    other.close();
    // the retry writes it (the test timeout bounds this wait; nothing is timed)
    while (rows().length === 0) await new Promise((r) => setTimeout(r, 50));
    expect(rows()).toEqual([expect.objectContaining({ id, status: 'Success', message: 'ok' })]);
  });

  it('writes what is left when it closes', () => {
    const runner = new JobRunner(new JobRecords(store));
    const other = new Database(store.file);
    other.prepare('BEGIN IMMEDIATE').run();
    runner.start('import', 'Import b.json', never, String);
    expect(rows()).toEqual([]);
    other.prepare('COMMIT').run();
    other.close();
    runner.close();
    expect(rows()).toEqual([expect.objectContaining({ status: 'In Progress' })]);
  });
});

describe('JobRunner.cancel (NFR-2)', () => {
  /** A job of three "batches" that stops between two once its signal is aborted. */
  function batchedJob(runner: JobRunner, written: number[]) {
    let release: () => void = () => {};
    const next = () => new Promise<void>((resolve) => (release = resolve));
    const started = runner.start(
      'cases.bulkUpdate',
      'Set tags on 3 batches',
      async (job) => {
        for (let batch = 1; batch <= 3; batch++) {
          await next();
          if (job.signal.aborted) {
            throw new JobCancelled(`Cancelled after ${written.length} of 3 batches`);
          }
          written.push(batch);
          job.progress(batch / 3, `${batch} of 3`);
        }
        return written.length;
      },
      (n) => `${n} batches`,
      { cancellable: true },
    );
    return { ...started, release: () => release() };
  }

  it('ends the job Cancelled with what it did, and its record keeps that', async () => {
    const runner = new JobRunner(new JobRecords(store));
    const written: number[] = [];
    const job = batchedJob(runner, written);
    expect(runner.get(job.id)).toMatchObject({ status: 'In Progress', cancellable: true });
    job.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toEqual([1]);
    const asked = runner.cancel(job.id);
    expect(asked).toMatchObject({
      status: 'In Progress',
      message: 'Cancelling: stops once the current batch is written',
    });
    // a second request is no error and changes nothing
    expect(runner.cancel(job.id)).toEqual(asked);
    job.release();
    await expect(job.done).rejects.toBeInstanceOf(JobCancelled);
    expect(written).toEqual([1]);
    const ended = runner.get(job.id)!;
    expect(ended).toMatchObject({
      status: 'Cancelled',
      message: 'Cancelled after 1 of 3 batches',
      cancellable: false,
    });
    expect(rows()).toEqual([
      expect.objectContaining({
        id: job.id,
        status: 'Cancelled',
        message: 'Cancelled after 1 of 3 batches',
      }),
    ]);
    // the next start shows it Cancelled, not Interrupted
    expect(new JobRunner(new JobRecords(store)).get(job.id)).toMatchObject({
      status: 'Cancelled',
      message: 'Cancelled after 1 of 3 batches',
      cancellable: false,
    });
  });

  it('refuses an unknown id and an ended job, changing nothing', async () => {
    const runner = new JobRunner(new JobRecords(store));
    const written: number[] = [];
    const job = batchedJob(runner, written);
    for (let i = 0; i < 3; i++) {
      job.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await job.done;
    const before = { job: runner.get(job.id), rows: rows() };
    const refusal = (id: string) => {
      try {
        runner.cancel(id);
      } catch (err) {
        if (err instanceof ServiceError) return { code: err.code, message: err.message };
        throw err;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal('nope')).toEqual({ code: 'NOT_FOUND', message: 'No job with id nope' });
    expect(refusal(job.id)).toEqual({
      code: 'BAD_REQUEST',
      message: '"Set tags on 3 batches" has already ended (Success): there is nothing to cancel',
    });
    expect({ job: runner.get(job.id), rows: rows() }).toEqual(before);
    expect(written).toEqual([1, 2, 3]);
  });
});

describe('JobRunner without records (CLI, tests)', () => {
  it('writes nothing to the store', async () => {
    const runner = new JobRunner();
    await runner.start('export', 'Export', async () => 'ok', String).done;
    expect(runner.list()).toHaveLength(1);
    expect(rows()).toEqual([]);
  });
});

describe('interruptedMessage', () => {
  const job = (patch: Partial<Job>) => ({
    kind: 'reindex',
    progress: null,
    message: null,
    ...patch,
  });
  it('says how far the job got and what it did last, when known', () => {
    expect(interruptedMessage(job({}))).toBe('The app stopped while this job ran.');
    expect(interruptedMessage(job({ progress: 0.999, message: 'Indexing 9 of 10 queues' }))).toBe(
      'The app stopped while this job ran; 99% done (Indexing 9 of 10 queues).',
    );
  });
});
