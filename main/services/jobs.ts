import { EventEmitter } from 'node:events';
import type { Job } from '../../shared/ipc/contract';
import { newId } from './ids';

export interface JobHandle {
  readonly id: string;
  progress(fraction: number | null, message?: string): void;
}

/**
 * Long work as jobs (rule 7): each has a status and progress that the Task List shows.
 * Progress events are throttled so a fast job does not flood IPC.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly emitter = new EventEmitter();
  private readonly lastEmit = new Map<string, number>();

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

  dismiss(id: string): void {
    const job = this.jobs.get(id);
    if (job && job.status !== 'In Progress' && job.status !== 'Waiting') this.jobs.delete(id);
  }

  clearFinished(): void {
    for (const job of this.jobs.values()) this.dismiss(job.id);
  }

  /** Starts `work` now and returns the job id; the promise settles the job's status. */
  start<T>(
    kind: string,
    title: string,
    work: (job: JobHandle) => Promise<T>,
    describe: (result: T) => string,
  ): { id: string; done: Promise<T> } {
    const now = Date.now();
    const job: Job = {
      id: newId(),
      kind,
      title,
      status: 'In Progress',
      progress: 0,
      message: null,
      createdAt: now,
      updatedAt: now,
    };
    this.jobs.set(job.id, job);
    this.emit(job, true);
    const handle: JobHandle = {
      id: job.id,
      progress: (fraction, message) => {
        this.update(job.id, { progress: fraction, message: message ?? null }, false);
      },
    };
    const done = work(handle).then(
      (result) => {
        this.update(job.id, { status: 'Success', progress: 1, message: describe(result) }, true);
        return result;
      },
      (err: unknown) => {
        this.update(job.id, { status: 'Failure', message: (err as Error).message }, true);
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

  private emit(job: Job, force: boolean): void {
    const last = this.lastEmit.get(job.id) ?? 0;
    if (!force && job.updatedAt - last < 100) return;
    this.lastEmit.set(job.id, job.updatedAt);
    this.emitter.emit('change', { ...job });
  }
}
