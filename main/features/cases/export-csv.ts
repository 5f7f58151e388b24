import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Store } from '../../store/open';
import { CSV_BOM, csvRow, type CsvValue } from '../../../shared/domain/csv';
import type { SqlParam } from '../../store/sql/dialect';
import {
  CASE_COLUMN_LABELS,
  MAX_CSV_EXPORT_ROWS,
  type CaseColumn,
} from '../../../shared/ipc/contract';
import {
  caseCountEstimate,
  caseViewOrder,
  caseViewWhere,
  compileCaseView,
  countCaseView,
  drivesFromMembers,
  type CaseViewInput,
} from './case-view';
import { JobCancelled, type JobRunner } from '../../jobs/runner';
import { shareCancelFlag, type CancelCheck } from '../../jobs/cancel-flag';
import { workerBeside, type WorkerScript } from '../../jobs/worker-script';
import { ServiceError } from '../../service-error';

/**
 * CSV export of the case table's view (TBL-7): the view's queue, filters, search and sort, the
 * chosen columns with the table's header labels, at most 100,000 rows. The query is compiled
 * (and refused if invalid) in main; the rows are read and written by a worker thread on its own
 * read-only connection, streamed to `<store dir>/exports/cases-YYYYMMDD-HHMMSS.csv` in ~1 MB
 * writes (never the whole file in memory), first as a new `.part` file and renamed when complete.
 * RFC 4180 and formula neutralisation come from shared/domain/csv.ts. An export never replaces
 * the store, its -wal/-shm, or any SQLite database, and replaces another existing file only when
 * asked to (`checkExportTarget`).
 *
 * Cells: dates as ISO 8601 UTC; tags joined with ", "; numbers as numbers; Case ID is the
 * case number the table shows.
 */

type ColumnKind = 'text' | 'number' | 'date' | 'tags';

const COLUMN_SQL: Readonly<Record<CaseColumn, { sql: string; kind: ColumnKind }>> = {
  tenantName: { sql: 't.name', kind: 'text' },
  number: { sql: 'cases.number', kind: 'number' },
  name: { sql: 'cases.name', kind: 'text' },
  score: { sql: 'cases.score', kind: 'number' },
  severity: { sql: 'cases.severity', kind: 'text' },
  creator: { sql: 'cases.creator', kind: 'text' },
  what: { sql: 'cases.what', kind: 'text' },
  who: { sql: 'cases.who', kind: 'text' },
  assigneeName: { sql: 'cases.assignee_name', kind: 'text' },
  status: { sql: 'cases.status', kind: 'text' },
  tags: { sql: 'cases.tags', kind: 'tags' },
  createdAt: { sql: 'cases.created_at', kind: 'date' },
  updatedAt: { sql: 'cases.updated_at', kind: 'date' },
  alertCount: { sql: 'cases.alert_count', kind: 'number' },
  outcome: { sql: 'cases.outcome', kind: 'text' },
  closedAt: { sql: 'cases.closed_at', kind: 'date' },
  tlp: { sql: 'cases.tlp', kind: 'text' },
};

/** Everything the worker needs: plain data, so it crosses postMessage. */
export const csvExportPlanSchema = z.object({
  sql: z.string(),
  params: z.array(z.union([z.string(), z.number(), z.null()])),
  columns: z.array(z.string()),
  kinds: z.array(z.enum(['text', 'number', 'date', 'tags'])),
  bom: z.boolean(),
  file: z.string(),
  /** the open store, which the export must never write over */
  storeFile: z.string(),
  overwrite: z.boolean(),
});
export type CsvExportPlan = z.infer<typeof csvExportPlanSchema>;

export interface CsvExportRequest {
  view: CaseViewInput;
  columns: readonly CaseColumn[];
  bom?: boolean;
  /** at most this many rows (default and ceiling 100,000) */
  limit?: number;
  /** replace an existing file that is not a database (the CLI's --force) */
  overwrite?: boolean;
}

/** Compiles the export in main: an invalid view is refused here, before any file exists. */
export function planCsvExport(
  store: Pick<Store, 'db' | 'file'>,
  request: CsvExportRequest,
  file: string,
): { plan: CsvExportPlan; matching: number } {
  checkExportTarget(file, store.file, request.overwrite ?? false);
  const columns = [...new Set(request.columns)];
  if (columns.length === 0) throw new Error('an export needs at least one column');
  const limit = Math.min(request.limit ?? MAX_CSV_EXPORT_ROWS, MAX_CSV_EXPORT_ROWS);
  const view = compileCaseView(store, request.view);
  const matching = countCaseView(store, view);
  const fromMembers = drivesFromMembers(view, caseCountEstimate(store), 0, limit);
  const select = columns.map((c) => COLUMN_SQL[c].sql).join(', ');
  const order = caseViewOrder(view, 'cases');
  let sql: string;
  let params: SqlParam[];
  if (fromMembers && view.indexedQueue) {
    sql = `SELECT ${select} FROM queue_members m CROSS JOIN cases ON cases.id = m.case_id
           CROSS JOIN tenants t ON t.id = cases.tenant_id
           WHERE m.queue_id = ? AND ${view.filter} ${order} LIMIT ?`;
    params = [view.indexedQueue.id, ...view.filterParams, limit];
  } else {
    const where = caseViewWhere(view);
    sql = `SELECT ${select} FROM cases CROSS JOIN tenants t ON t.id = cases.tenant_id
           WHERE ${where.sql} ${order} LIMIT ?`;
    params = [...where.params, limit];
  }
  return {
    plan: {
      sql,
      params,
      columns,
      kinds: columns.map((c) => COLUMN_SQL[c].kind),
      bom: request.bom ?? false,
      file,
      storeFile: store.file,
      overwrite: request.overwrite ?? false,
    },
    matching,
  };
}

const FLUSH_BYTES = 1 << 20;

/**
 * Streams the plan's rows to its file (via a new `<file>.<random>.part`, renamed at the end, so
 * no existing file is ever truncated). Used by the worker and, in-process, by the CLI.
 */
/** Rows between two looks at an export's cancel flag. */
const CANCEL_CHECK_ROWS = 1_000;

/** An export stopped by its job's cancel (NFR-2) after `rows` rows; its partial file is gone. */
export class CsvExportCancelled extends Error {
  constructor(readonly rows: number) {
    super(`export cancelled after ${rows} rows`);
    this.name = 'CsvExportCancelled';
  }
}

export function writeCasesCsv(
  db: Database.Database,
  plan: CsvExportPlan,
  onProgress?: (rows: number) => void,
  signal?: CancelCheck,
): { rows: number; bytes: number } {
  checkExportTarget(plan.file, plan.storeFile, plan.overwrite);
  fs.mkdirSync(path.dirname(plan.file), { recursive: true });
  const partial = `${plan.file}.${crypto.randomBytes(4).toString('hex')}.part`;
  const fd = fs.openSync(partial, 'wx');
  let rows = 0;
  let bytes = 0;
  try {
    let buffer = (plan.bom ? CSV_BOM : '') + csvRow(plan.columns.map(headerOf));
    const flush = () => {
      bytes += fs.writeSync(fd, buffer);
      buffer = '';
    };
    const statement = db.prepare(plan.sql).raw(true);
    if (signal?.aborted) throw new CsvExportCancelled(0);
    for (const raw of statement.iterate(...plan.params) as Iterable<unknown[]>) {
      // A cancelled export leaves no file: the partial one is removed below (NFR-2).
      if (rows % CANCEL_CHECK_ROWS === 0 && signal?.aborted) {
        throw new CsvExportCancelled(rows);
      }
      buffer += csvRow(raw.map((value, i) => cellOf(plan.kinds[i]!, value)));
      rows += 1;
      if (buffer.length >= FLUSH_BYTES) flush();
      if (rows % 10_000 === 0) onProgress?.(rows);
    }
    flush();
    fs.closeSync(fd);
    // Again just before the rename: the target may have appeared while the rows were written.
    checkExportTarget(plan.file, plan.storeFile, plan.overwrite);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(partial, { force: true });
    throw err;
  }
  fs.renameSync(partial, plan.file);
  return { rows, bytes };
}

/** What SQLite keeps beside a database file. */
const SQLITE_COMPANIONS = ['-wal', '-shm', '-journal'] as const;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** The magic numbers a WAL file starts with (big- or little-endian checksums). */
const WAL_MAGIC = [0x377f0682, 0x377f0683];

function headOf(file: string): Buffer {
  const head = Buffer.alloc(16);
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } catch {
    return Buffer.alloc(0);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

const isSqliteDatabase = (file: string) => headOf(file).equals(SQLITE_HEADER);

function isWalFile(file: string): boolean {
  const head = headOf(file);
  return head.length >= 4 && WAL_MAGIC.includes(head.readUInt32BE(0));
}

/** The real path of a file, or of its folder joined with its name when it does not exist. */
function realPathOf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

/**
 * Refuses an export target that would destroy data (issue 11), before anything is written:
 * the open store or its -wal, -shm or -journal — by path, by real path and by device and inode,
 * so symlinks and hard links to them count — any other SQLite database, WAL file or companion
 * of one, a folder, and, unless `overwrite`, any existing file.
 */
export function checkExportTarget(target: string, storeFile: string, overwrite: boolean): void {
  const refuse = (why: string) => {
    throw new ServiceError('FORBIDDEN', `cannot export to ${target}: ${why}; nothing was written`);
  };
  const realTarget = realPathOf(target);
  const realStore = realPathOf(storeFile);
  const existing = statOrNull(target);
  for (const suffix of ['', ...SQLITE_COMPANIONS]) {
    // SQLite keeps the companions beside the real file when the store's path is a symlink.
    const companions = [storeFile + suffix, realStore + suffix].map(statOrNull);
    const same =
      realTarget === realStore + suffix ||
      (existing !== null &&
        companions.some((c) => c !== null && c.dev === existing.dev && c.ino === existing.ino));
    if (same) {
      refuse(
        suffix === ''
          ? `it is the Watchfloor store this command has open (${storeFile})`
          : `it is the ${suffix} file of the Watchfloor store this command has open (${storeFile})`,
      );
    }
  }
  for (const suffix of SQLITE_COMPANIONS) {
    if (realTarget.endsWith(suffix) && isSqliteDatabase(realTarget.slice(0, -suffix.length))) {
      refuse(
        `it is the ${suffix} file of the SQLite database ${realTarget.slice(0, -suffix.length)}`,
      );
    }
  }
  if (existing === null) return;
  if (existing.isDirectory()) refuse('it is a folder');
  if (isSqliteDatabase(target)) refuse('it is an SQLite database, which an export never replaces');
  if (isWalFile(target)) refuse('it is the write-ahead log of an SQLite database');
  if (!overwrite) {
    throw new ServiceError(
      'CONFLICT',
      `cannot export to ${target}: the file already exists; add --force to replace it`,
    );
  }
}

function headerOf(column: string): string {
  return CASE_COLUMN_LABELS[column as CaseColumn] ?? column;
}

function cellOf(kind: ColumnKind, value: unknown): CsvValue {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'number':
      return Number(value);
    case 'date':
      return new Date(Number(value));
    case 'tags':
      return (JSON.parse(String(value)) as string[]).join(', ');
    case 'text':
      return String(value);
  }
}

/** `<store dir>/exports/cases-YYYYMMDD-HHMMSS.csv` in local time, never an existing file. */
export function exportFilePath(storeFile: string, now: Date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  const dir = path.join(path.dirname(storeFile), 'exports');
  for (let n = 1; ; n++) {
    const file = path.join(dir, `cases-${stamp}${n === 1 ? '' : `-${n}`}.csv`);
    if (!fs.existsSync(file) && !fs.existsSync(`${file}.part`)) return file;
  }
}

/**
 * The export worker next to the import worker: both live side by side, as .ts files run through
 * tsx from source (CLI, browser mode, tests) and as bundled .cjs files in Electron.
 */
export function exportWorkerBeside(importWorker: WorkerScript): WorkerScript {
  return workerBeside(importWorker, 'export-worker');
}

const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), rows: z.number() }),
  z.object({ type: z.literal('done'), rows: z.number(), bytes: z.number() }),
  z.object({ type: z.literal('cancelled'), rows: z.number() }),
]);

export interface CsvExportStarted {
  jobId: string;
  path: string;
  matching: number;
  /** settles with the job (tests and the CLI may wait for the file) */
  done: Promise<{ rows: number; bytes: number }>;
}

/** TBL-7 as a job: plans in main, writes in a worker thread. */
export function startCsvExportJob(
  ctx: { store: Store; jobs: JobRunner },
  script: WorkerScript,
  request: CsvExportRequest,
  onDone?: () => void,
): CsvExportStarted {
  const file = exportFilePath(ctx.store.file);
  const { plan, matching } = planCsvExport(ctx.store, request, file);
  const expected = Math.min(matching, MAX_CSV_EXPORT_ROWS);
  const { id, done } = ctx.jobs.start(
    'cases.exportCsv',
    `Export ${expected.toLocaleString('en')} case${expected === 1 ? '' : 's'} to ${path.basename(file)}`,
    (job) =>
      new Promise<{ rows: number; bytes: number }>((resolve, reject) => {
        const worker = new Worker(script.path, {
          execArgv: script.execArgv,
          workerData: { dbPath: ctx.store.file, plan, cancel: shareCancelFlag(job.signal) },
        });
        let settled = false;
        worker.on('message', (raw: unknown) => {
          const msg = workerMessageSchema.parse(raw);
          if (msg.type === 'progress') {
            job.progress(
              msg.rows / Math.max(1, expected),
              `${msg.rows.toLocaleString('en')} rows written`,
            );
          } else if (msg.type === 'cancelled') {
            settled = true;
            reject(
              new JobCancelled(
                `Cancelled after ${msg.rows.toLocaleString('en')} of ${expected.toLocaleString('en')} rows; the partial file was removed`,
              ),
            );
          } else {
            settled = true;
            resolve({ rows: msg.rows, bytes: msg.bytes });
          }
        });
        worker.on('error', (err) => {
          settled = true;
          reject(err);
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new Error(`export worker stopped (exit code ${code})`));
          onDone?.();
        });
      }),
    (r) =>
      `Exported ${r.rows.toLocaleString('en')} case${r.rows === 1 ? '' : 's'} to ${file}` +
      (matching > r.rows
        ? ` (the first ${r.rows.toLocaleString('en')} of ${matching.toLocaleString('en')} matching)`
        : ''),
    { cancellable: true },
  );
  return { jobId: id, path: file, matching, done };
}

/** A read-only connection for readers off the main thread (WAL lets them read alongside). */
export function openReadConnection(DatabaseCtor: typeof Database, file: string): Database.Database {
  const db = new DatabaseCtor(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  return db;
}
