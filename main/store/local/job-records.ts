import { desc, inArray } from 'drizzle-orm';
import type { Store } from '../open';
import { jobs as jobsTable } from '../schema';
import { jobStatusSchema, type Job } from '../../../shared/ipc/contract';

/** Finished job records kept across restarts; older ones go when the app starts. */
export const KEPT_FINISHED_JOBS = 200;

/** What the Task List can add to an interrupted job of a kind, so the user knows what to do. */
const RESUME_HINTS: Readonly<Record<string, string>> = {
  import:
    'The alerts imported before it stopped are kept; import the file again for the rest (alerts already imported are skipped).',
};

/** The message of a job its process left unfinished: how far it got and what it did last. */
export function interruptedMessage(job: Pick<Job, 'kind' | 'progress' | 'message'>): string {
  const done = job.progress === null ? '' : `; ${Math.floor(job.progress * 100)}% done`;
  const last = job.message ? ` (${job.message})` : '';
  const hint = RESUME_HINTS[job.kind];
  return `The app stopped while this job ran${done}${last}.${hint ? ` ${hint}` : ''}`;
}

/** Whether a process of that id runs on this machine (what a job or upload folder was left by). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user has that id, so it is alive (not ours to judge)
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

type JobRow = typeof jobsTable.$inferSelect;

function toJob(row: JobRow): Job {
  const status = jobStatusSchema.safeParse(row.status);
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    // a status this version does not know (a newer app wrote it) reads as Interrupted
    status: status.success ? status.data : 'Interrupted',
    progress: row.progress === null ? null : Math.min(1, Math.max(0, row.progress)),
    message: row.message,
    // a job read back is not this process's to stop (its own jobs are kept in memory)
    cancellable: false,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * The store's record of the app's jobs (table `jobs`, migration 0018). Writes never wait for
 * another connection's write lock (an import worker holds it for a whole batch): a write that
 * finds the store busy reports false and the runner tries again later, so the Task List never
 * freezes the main thread.
 */
export class JobRecords {
  constructor(
    private readonly store: Store,
    private readonly pid: number = process.pid,
  ) {}

  /**
   * On start: the jobs a process that is gone left Waiting or In Progress become Interrupted,
   * finished records beyond the newest KEPT_FINISHED_JOBS are removed, and the records to show
   * are returned (newest first). Jobs of another running app on the same store stay its own.
   */
  adopt(now = Date.now()): Job[] {
    const db = this.store.db;
    const shown: Job[] = [];
    db.transaction(() => {
      const rows = this.store.orm.select().from(jobsTable).orderBy(desc(jobsTable.createdAt)).all();
      const drop: string[] = [];
      let finished = 0;
      for (const row of rows) {
        const job = toJob(row);
        const running = job.status === 'In Progress' || job.status === 'Waiting';
        if (running && row.ownerPid !== null && row.ownerPid !== this.pid) {
          if (processIsAlive(row.ownerPid)) continue;
        }
        if (running) {
          Object.assign(job, {
            status: 'Interrupted',
            message: interruptedMessage(job),
            updatedAt: now,
          } satisfies Partial<Job>);
          this.writeRows([job]);
        } else if (++finished > KEPT_FINISHED_JOBS) {
          drop.push(job.id);
          continue;
        }
        shown.push(job);
      }
      this.deleteRows(drop);
    })();
    return shown;
  }

  /**
   * Writes these jobs and removes those ids in one transaction; false (nothing written) when
   * another connection holds the write lock or this one is inside a transaction of its own
   * (a service reporting progress from inside one).
   */
  tryWrite(save: readonly Job[], remove: readonly string[]): boolean {
    const db = this.store.db;
    if (!db.open) return true; // a closed store takes no more writes: nothing is left to retry
    if (db.inTransaction) return false;
    const previous = db.pragma('busy_timeout', { simple: true }) as number;
    db.pragma('busy_timeout = 0');
    try {
      db.transaction(() => {
        this.writeRows(save);
        this.deleteRows(remove);
      }).immediate();
      return true;
    } catch (err) {
      if (isBusy(err)) return false;
      throw err;
    } finally {
      db.pragma(`busy_timeout = ${previous}`);
    }
  }

  /** The same write, waiting for the lock as any writer does (when the app closes). */
  write(save: readonly Job[], remove: readonly string[]): void {
    const db = this.store.db;
    if (!db.open) return;
    db.transaction(() => {
      this.writeRows(save);
      this.deleteRows(remove);
    }).immediate();
  }

  private writeRows(save: readonly Job[]): void {
    for (const job of save) {
      const row = {
        id: job.id,
        kind: job.kind,
        title: job.title,
        status: job.status,
        progress: job.progress,
        message: job.message,
        ownerPid: this.pid,
        createdAt: job.createdAt,
        updatedAt: job.updatedAt,
      };
      this.store.orm
        .insert(jobsTable)
        .values(row)
        .onConflictDoUpdate({ target: jobsTable.id, set: row })
        .run();
    }
  }

  private deleteRows(ids: readonly string[]): void {
    if (ids.length > 0)
      this.store.orm
        .delete(jobsTable)
        .where(inArray(jobsTable.id, [...ids]))
        .run();
  }
}
