import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { Store } from '../../store/open';
import type { ParseError, ParseFormatOption } from '../../../shared/domain/ingest/parse';
import {
  readAlertStream,
  streamsByLine,
  type AlertBatch,
} from '../../../shared/domain/ingest/stream';
import { IngestSession, type IngestCounts } from '../correlation/ingest';
import { ADMIN_TENANT_NAME } from '../../../shared/domain/types';
import { isReservedTenantName, type NormalizedAlert } from '../../../shared/domain/alert-format';
import { getCorrelationSettings } from '../correlation/correlation-settings';
import { caseFilterPredicate, recordCaseFilterHits } from '../correlation/case-filters';
import { workerBeside, type WorkerScript } from '../../jobs/worker-script';
import type { CancelCheck } from '../../jobs/cancel-flag';

export interface ImportSummary extends IngestCounts {
  failed: number;
  /** records of a known format that are not alerts (e.g. Suricata flow events) */
  skipped: number;
  /** the first MAX_REPORTED_ERRORS errors; `failed` counts them all */
  errors: ParseError[];
  /**
   * Set when the import was cancelled (NFR-2): it stopped between two batches, after `batches`
   * committed ones (about `fraction` of the input read); what they imported is kept.
   */
  cancelled?: { batches: number; fraction: number };
}

/** Alerts per transaction: big enough to amortise the commit, small enough to keep memory flat. */
export const IMPORT_BATCH = 5_000;
/**
 * WAL pages a file import (`importAlertFilesInParallel`, the CLI) lets pile up before its
 * connection checkpoints: 1 GiB. At SQLite's default of 1,000 pages nearly every batch's commit
 * also copies its pages back into the database file and syncs it, and the pages that every batch
 * touches (index interiors, the entity rows of growing cases) are copied once per batch instead
 * of once per checkpoint. Importing 1,000,000 demo alerts into a fresh store took 173-177 s at
 * 1,000 pages, 157-179 s at 16,384 and 138-144 s at this. The WAL file grows to about 1.1 GB
 * during such an import; the import checkpoints what it left at the end, and the file goes when
 * the store is closed.
 */
export const IMPORT_CHECKPOINT_PAGES = 262_144;
/** Errors kept for the summary (a file of a million bad lines must not fill memory). */
export const MAX_REPORTED_ERRORS = 1_000;
const CHUNK_BYTES = 4 << 20;

export interface AlertSource {
  name: string;
  /** size in characters or bytes, for progress */
  size: number;
  /** the text, in chunks */
  chunks: () => Iterable<string>;
}

export interface ImportOptions {
  format: ParseFormatOption;
  actor: string;
  /** fraction of the whole import done, 0..1, and what is being done */
  onProgress?: (fraction: number, message: string) => void;
  /** checked before each batch is written: once aborted, the import stops there (NFR-2) */
  signal?: CancelCheck;
}

/** A file on disk read in 4 MB chunks (UTF-8, split characters kept whole). */
export function fileSource(file: string): AlertSource {
  return {
    name: path.basename(file),
    size: fs.statSync(file).size,
    chunks: function* () {
      const fd = fs.openSync(file, 'r');
      try {
        const decoder = new StringDecoder('utf8');
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        for (;;) {
          const n = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
          if (n === 0) break;
          yield decoder.write(buffer.subarray(0, n));
        }
        const tail = decoder.end();
        if (tail) yield tail;
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** Text already in memory (an uploaded file). */
export function textSource(name: string, content: string): AlertSource {
  return { name, size: content.length, chunks: () => [content] };
}

/** What the common file-system errors mean, for the summary. */
const FILE_ERROR_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
};

/** `cannot read file: ENOENT (no such file)` for an error of the file system. */
export function fileErrorMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (!code) return `cannot read file: ${err instanceof Error ? err.message : String(err)}`;
  const text = FILE_ERROR_TEXT[code];
  return `cannot read file: ${code}${text ? ` (${text})` : ''}`;
}

/**
 * A path as a source, or the one error that path gets (missing, unreadable, a directory): each
 * path of an import is reported on its own and the others are still imported. Directories are
 * not read (name the files in them, e.g. `dir/*.json`).
 */
export function openableSource(file: string): AlertSource | ParseError {
  const fail = (message: string): ParseError => ({ file: path.basename(file), line: 0, message });
  try {
    if (fs.statSync(file).isDirectory()) {
      return fail(
        'is a directory, not an alert file: directories are not read (name the files in it, e.g. dir/*.json)',
      );
    }
    fs.closeSync(fs.openSync(file, 'r')); // readable: fail here, before any batch, if not
    return fileSource(file);
  } catch (err) {
    return fail(fileErrorMessage(err));
  }
}

/** An error of reading a source (not of the store), which fails that source alone. */
export class SourceReadError extends Error {
  constructor(cause: unknown) {
    super(fileErrorMessage(cause), { cause });
    this.name = 'SourceReadError';
  }
}

/**
 * The chunks of a source with reading errors turned into SourceReadError, so that the import
 * tells them from the store's errors (which also carry a `code`, e.g. SQLITE_BUSY).
 */
export function* readChunks(source: AlertSource): Generator<string> {
  let iterator: Iterator<string>;
  try {
    iterator = source.chunks()[Symbol.iterator]();
  } catch (err) {
    throw new SourceReadError(err);
  }
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = iterator.next();
    } catch (err) {
      throw new SourceReadError(err);
    }
    if (next.done) return;
    yield next.value;
  }
}

/**
 * One import: batches of parsed alerts go through one IngestSession (one transaction each), and
 * the counts add up into the summary the CLI prints and the Task List shows.
 */
class ImportRun {
  readonly summary: ImportSummary = {
    read: 0,
    imported: 0,
    duplicates: 0,
    suppressed: 0,
    failed: 0,
    skipped: 0,
    casesCreated: 0,
    casesUpdated: 0,
    errors: [],
  };
  private readonly session: IngestSession;
  private readonly filters: ReturnType<typeof caseFilterPredicate>;
  /** the connection's checkpoint interval before the import, when the import raised it */
  private readonly ownCheckpointPages: number | null = null;

  /**
   * `checkpointPages`: checkpoint the WAL every that many pages during the import, unless the
   * connection checkpoints less often already (0: another thread checkpoints it).
   */
  constructor(
    private readonly store: Store,
    options: ImportOptions,
    checkpointPages?: number,
  ) {
    const own = store.db.pragma('wal_autocheckpoint', { simple: true }) as number;
    if (checkpointPages !== undefined && own > 0 && own < checkpointPages) {
      store.db.pragma(`wal_autocheckpoint = ${checkpointPages}`);
      this.ownCheckpointPages = own;
    }
    this.filters = caseFilterPredicate(store);
    this.session = new IngestSession(store, {
      actor: options.actor,
      settings: getCorrelationSettings(store),
      isSuppressed: this.filters?.matches,
      // COR-5: a batch's suppression counts commit with its alerts
      onWrite: this.filters ? (w) => recordCaseFilterHits(w, this.filters!.hits) : undefined,
    });
  }

  fail(error: ParseError): void {
    this.summary.failed++;
    if (this.summary.errors.length < MAX_REPORTED_ERRORS) this.summary.errors.push(error);
  }

  add(fileName: string, batch: AlertBatch): void {
    const summary = this.summary;
    summary.read += batch.alerts.length + batch.errors.length + batch.duplicates;
    summary.skipped += batch.skipped;
    summary.duplicates += batch.duplicates;
    for (const error of batch.errors) this.fail(error);
    // ADM-1: the admin organisation holds no alerts; such records fail alone, not the batch. The
    // Watchfloor format refuses them at their line already; this covers any other producer.
    const isAdmin = (a: NormalizedAlert) => a.tenant !== null && isReservedTenantName(a.tenant);
    let alerts = batch.alerts;
    if (alerts.some(isAdmin)) {
      for (const a of alerts.filter(isAdmin)) {
        this.fail({
          file: fileName,
          line: 0,
          message: `alert ${a.source}:${a.sourceRef} names the reserved '${ADMIN_TENANT_NAME}' organisation as its tenant`,
        });
      }
      alerts = alerts.filter((a) => !isAdmin(a));
    }
    if (alerts.length === 0) return;
    this.filters?.hits.clear(); // a batch that failed counted its hits: they were not written
    const rawJson = batch.rawJson;
    const counts = this.session.ingest(
      alerts,
      rawJson && new Map(batch.alerts.map((a, i) => [a, rawJson[i]!])),
    );
    summary.imported += counts.imported;
    summary.duplicates += counts.duplicates;
    summary.suppressed += counts.suppressed;
    summary.casesCreated += counts.casesCreated;
    summary.casesUpdated += counts.casesUpdated;
  }

  /**
   * After the import, failed or not: the connection's own checkpoint interval again, and a
   * checkpoint of what the import left in the WAL, so that its thread does that work and not the
   * next writer.
   */
  restore(): void {
    const db = this.store.db;
    if (this.ownCheckpointPages === null || !db.open) return;
    db.pragma(`wal_autocheckpoint = ${this.ownCheckpointPages}`);
    db.pragma('wal_checkpoint(PASSIVE)');
  }

  finish(): ImportSummary {
    this.summary.errors.sort((a, b) => (a.file === b.file ? a.line - b.line : 0));
    return this.summary;
  }
}

function progressMessage(name: string, imported: number): string {
  return `${name}: ${imported.toLocaleString('en')} alerts imported`;
}

/**
 * Imports alert sources (ING-1): each is read as a stream (format detected per record unless
 * given), unreadable records are reported with file and line, and the valid ones are ingested and
 * correlated in transactions of IMPORT_BATCH. Re-importing imports nothing new. Files on disk go
 * through `importAlertFilesInParallel` (CLI); uploaded contents through this (the UI's job).
 */
export function importAlertSources(
  store: Store,
  sources: readonly AlertSource[],
  options: ImportOptions,
): ImportSummary {
  // In the app this runs in the import worker, whose commits keep checkpointing as usual: a
  // raised interval would hand that work to the maintenance timer on the main thread.
  return importInto(new ImportRun(store, options), sources, options);
}

function importInto(
  run: ImportRun,
  sources: readonly AlertSource[],
  options: ImportOptions,
): ImportSummary {
  let batches = 0;
  let fraction = 0;
  for (const [index, source] of sources.entries()) {
    try {
      for (const batch of readAlertStream(readChunks(source), {
        fileName: source.name,
        format: options.format,
        batchSize: IMPORT_BATCH,
      })) {
        // Between two transactions: the batches written stay, this one is not written at all.
        if (options.signal?.aborted) {
          run.summary.cancelled = { batches, fraction };
          return run.finish();
        }
        run.add(source.name, batch);
        batches++;
        fraction =
          (index + Math.min(1, batch.consumed / Math.max(1, source.size))) / sources.length;
        options.onProgress?.(fraction, progressMessage(source.name, run.summary.imported));
      }
    } catch (err) {
      if (!(err instanceof SourceReadError)) throw err; // a store error fails the import
      run.fail({ file: source.name, line: 0, message: err.message });
    }
  }
  return run.finish();
}

// ---------------------------------------------------------------------------------------------
// Parsing in a second thread

/** Messages of the parse worker (main/jobs/parse-worker.ts). */
export const parseWorkerMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('batch'),
    file: z.number().int().nonnegative(),
    batch: z.custom<AlertBatch>(),
  }),
  z.object({ type: z.literal('file-error'), error: z.custom<ParseError>() }),
  z.object({ type: z.literal('done') }),
]);

export interface ParseWorkerInput {
  files: string[];
  format: ParseFormatOption;
  batchSize: number;
  /** Int32Array over a SharedArrayBuffer: [0] = batches posted and not yet written */
  inFlight: SharedArrayBuffer;
  maxInFlight: number;
}

/**
 * Old-generation heap of the parse thread when every file is NDJSON: it holds one batch being
 * read (at most IMPORT_BATCH records or MAX_BATCH_CHARS of text) and one being handed over.
 * Without a cap V8 lets the heap grow to hundreds of MB before collecting (peak RSS of a
 * 400,000-alert import: 636 MiB uncapped, 537 MiB at 128). A file read whole (JSON array,
 * concatenated objects) needs memory in proportion to its size, so then there is no cap.
 */
const STREAMING_PARSER_HEAP_MB = 128;

/** Whether the stream reader will read this file line by line (its first chunk tells). */
function readsLineByLine(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.allocUnsafe(CHUNK_BYTES);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return streamsByLine(new StringDecoder('utf8').write(head.subarray(0, n)));
  } catch {
    return true; // not read at all: the worker reports the path's error
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** The parse worker beside the import worker (the same folder and loader). */
export function parseWorkerBeside(importWorker: WorkerScript): WorkerScript {
  return workerBeside(importWorker, 'parse-worker');
}

/**
 * Imports alert files with the reading and parsing in a worker thread and the correlation and
 * writing here, so the two overlap on two cores. At most `maxInFlight` parsed batches wait (the
 * worker blocks on a shared counter), so memory stays flat whatever the file size.
 */
export async function importAlertFilesInParallel(
  store: Store,
  files: readonly string[],
  options: ImportOptions & { parseWorker: WorkerScript },
): Promise<ImportSummary> {
  const run = new ImportRun(store, options, IMPORT_CHECKPOINT_PAGES);
  const sizes = files.map((f) => {
    try {
      return fs.statSync(f).size;
    } catch {
      return 0;
    }
  });
  const inFlight = new SharedArrayBuffer(4);
  const counter = new Int32Array(inFlight);
  const input: ParseWorkerInput = {
    files: [...files],
    format: options.format,
    batchSize: IMPORT_BATCH,
    inFlight,
    maxInFlight: 1,
  };
  const worker = new Worker(options.parseWorker.path, {
    execArgv: options.parseWorker.execArgv,
    workerData: input,
    // Line-by-line files need little heap: cap it so V8 collects instead of growing.
    ...(files.every(readsLineByLine)
      ? { resourceLimits: { maxOldGenerationSizeMb: STREAMING_PARSER_HEAP_MB } }
      : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let failure: unknown = null;
      worker.on('message', (raw: unknown) => {
        if (failure) return;
        try {
          const msg = parseWorkerMessageSchema.parse(raw);
          if (msg.type === 'file-error') run.fail(msg.error);
          else if (msg.type === 'batch') {
            const name = path.basename(files[msg.file] ?? '');
            run.add(name, msg.batch);
            options.onProgress?.(
              (msg.file + Math.min(1, msg.batch.consumed / Math.max(1, sizes[msg.file] ?? 1))) /
                files.length,
              progressMessage(name, run.summary.imported),
            );
            Atomics.sub(counter, 0, 1);
            Atomics.notify(counter, 0);
          } else resolve();
        } catch (err) {
          failure = err;
          reject(err);
          void worker.terminate();
        }
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (code !== 0 && !failure) reject(new Error(`parse worker stopped (exit code ${code})`));
      });
    });
  } finally {
    run.restore();
    await worker.terminate();
  }
  return run.finish();
}
