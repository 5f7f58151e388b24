import { EventEmitter } from 'node:events';
import type { Job } from '../../shared/ipc/contract';
import { newId } from '../store/ids';
import type { JobRecords } from '../store/local/job-records';
import { ServiceError } from '../service-error';

export interface JobHandle {
  readonly id: string;
  /**
   * Aborted when the user cancels the job (jobs.cancel). A cancellable job checks it between
   * its batches, never inside a transaction, and then throws JobCancelled saying what was done.
   */
  readonly signal: AbortSignal;
  progress(fraction: number | null, message?: string): void;
}

/**
 * Thrown by a job's work when it stopped because it was cancelled: the job ends Cancelled with
 * this message, which says what was done and kept ("Cancelled after 3 batches: …").
 */
export class JobCancelled extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobCancelled';
  }
}

export interface JobOptions {
  /** the work stops between batches when its signal is aborted (NFR-2); default false */
  cancellable?: boolean;
}

const isRunning = (job: Job) => job.status === 'In Progress' || job.status === 'Waiting';

/** How long a write that found the store busy waits before it tries again. */
const BUSY_RETRY_MS = 250;

/**
 * Long work as jobs (rule 7): each has a status and progress that the Task List shows.
 * Progress events are throttled so a fast job does not flood IPC. With `records` (the app's
 * processes), every job is also kept in the store, so one its process did not finish is shown
 * as Interrupted on the next start (issue 11.3); without (CLI, tests) jobs live in memory.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly emitter = new EventEmitter();
  private readonly lastEmit = new Map<string, number>();
  /** jobs changed since they were last written, and ids dismissed since */
  private readonly unsaved = new Set<string>();
  private readonly removed = new Set<string>();
  /** the running jobs of this process that can be cancelled */
  private readonly controllers = new Map<string, AbortController>();
  private writeTimer: NodeJS.Timeout | null = null;

  constructor(private readonly records: JobRecords | null = null) {
    for (const job of records?.adopt() ?? []) this.jobs.set(job.id, job);
  }

  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  onChange(listener: (job: Job) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  /**
   * NFR-2: asks a running cancellable job to stop after its current batch, and returns the job
   * as it is now (still In Progress; it ends Cancelled once the batch is written). A second
   * request changes nothing. An unknown id, a job that has ended and one that cannot stop
   * half-way are refused, and nothing changes.
   */
  cancel(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new ServiceError('NOT_FOUND', `No job with id ${id}`);
    if (!isRunning(job)) {
      throw new ServiceError(
        'BAD_REQUEST',
        `"${job.title}" has already ended (${job.status}): there is nothing to cancel`,
      );
    }
    const controller = this.controllers.get(id);
    if (!controller) {
      throw new ServiceError(
        'BAD_REQUEST',
        `"${job.title}" cannot be cancelled: it has no point to stop at before it ends`,
      );
    }
    if (!controller.signal.aborted) {
      controller.abort();
      this.update(id, { message: 'Cancelling: stops once the current batch is written' }, true);
    }
    return { ...job };
  }

  /** Removes a finished (or interrupted) job from the list and from the store. */
  dismiss(id: string): void {
    if (this.forget(id)) this.save();
  }

  clearFinished(): void {
    let any = false;
    for (const job of [...this.jobs.values()]) any = this.forget(job.id) || any;
    if (any) this.save();
  }

  /** Writes what is not written yet, waiting for the store if it must (the app is closing). */
  close(): void {
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    if (!this.records || (this.unsaved.size === 0 && this.removed.size === 0)) return;
    this.records.write(this.pending(), [...this.removed]);
    this.unsaved.clear();
    this.removed.clear();
  }

  /** Starts `work` now and returns the job id; the promise settles the job's status. */
  start<T>(
    kind: string,
    title: string,
    work: (job: JobHandle) => Promise<T>,
    describe: (result: T) => string,
    options: JobOptions = {},
  ): { id: string; done: Promise<T> } {
    const now = Date.now();
    const cancellable = options.cancellable ?? false;
    const job: Job = {
      id: newId(),
      kind,
      title,
      status: 'In Progress',
      progress: 0,
      message: null,
      cancellable,
      createdAt: now,
      updatedAt: now,
    };
    const controller = new AbortController();
    this.jobs.set(job.id, job);
    if (cancellable) this.controllers.set(job.id, controller);
    this.emit(job, true);
    const handle: JobHandle = {
      id: job.id,
      signal: controller.signal,
      progress: (fraction, message) => {
        // "Cancelling…" stays shown until the job ends
        if (controller.signal.aborted) return;
        this.update(job.id, { progress: fraction, message: message ?? null }, false);
      },
    };
    const finish = (patch: Partial<Job>) => {
      this.controllers.delete(job.id);
      this.update(job.id, { ...patch, cancellable: false }, true);
    };
    const done = work(handle).then(
      (result) => {
        finish({ status: 'Success', progress: 1, message: describe(result) });
        return result;
      },
      (err: unknown) => {
        if (err instanceof JobCancelled) finish({ status: 'Cancelled', message: err.message });
        else finish({ status: 'Failure', message: (err as Error).message });
        throw err;
      },
    );
    done.catch(() => {}); // the failure is recorded on the job; callers may also await it
    return { id: job.id, done };
  }

  private update(id: string, patch: Partial<Job>, force: boolean): void {
    const job = this.jobs.get(id);
    if (!job) return;
    Object.assign(job, patch, { updatedAt: Date.now() });
    this.emit(job, force);
  }

  private pending(): Job[] {
    return [...this.unsaved].flatMap((id) => {
      const job = this.jobs.get(id);
      return job ? [{ ...job }] : [];
    });
  }

  private forget(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || isRunning(job)) return false;
    this.jobs.delete(id);
    this.lastEmit.delete(id);
    this.unsaved.delete(id);
    if (this.records) this.removed.add(id);
    return true;
  }

  /** Writes what changed; a store that is busy is tried again shortly. */
  private save(): void {
    if (!this.records) return;
    if (this.writeTimer) clearTimeout(this.writeTimer);
    this.writeTimer = null;
    const removed = [...this.removed];
    if (this.records.tryWrite(this.pending(), removed)) {
      this.unsaved.clear();
      for (const id of removed) this.removed.delete(id);
    } else {
      this.writeTimer = this.schedule(BUSY_RETRY_MS);
    }
  }

  private schedule(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.writeTimer = null;
      this.save();
    }, ms);
    timer.unref(); // a pending write never keeps a finished process alive
    return timer;
  }

  private emit(job: Job, force: boolean): void {
    const last = this.lastEmit.get(job.id) ?? 0;
    if (!force && job.updatedAt - last < 100) return;
    this.lastEmit.set(job.id, job.updatedAt);
    // The store has what the Task List is told (a kill -9 right after loses nothing shown).
    if (this.records) {
      this.unsaved.add(job.id);
      this.save();
    }
    this.emitter.emit('change', { ...job });
  }
}
