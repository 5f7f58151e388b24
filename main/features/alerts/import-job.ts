import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { Workspace } from '../../app/workspace';
import type { ImportSummary } from './import-files';
import { ServiceError } from '../../service-error';
import type { WorkerScript } from '../../jobs/worker-script';
import { JobCancelled } from '../../jobs/runner';
import { shareCancelFlag } from '../../jobs/cancel-flag';

export type { WorkerScript } from '../../jobs/worker-script';

const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), fraction: z.number(), message: z.string() }),
  z.object({ type: z.literal('done'), summary: z.custom<ImportSummary>() }),
]);

/** A file the import job reads from disk: where it is, and the name its errors give. */
export interface ImportFile {
  name: string;
  path: string;
}

/**
 * The files the desktop app names by path (a chosen or dropped file, ALR-6): each must be an
 * absolute path to a regular file, else the request fails as a whole, saying which path.
 */
export function filesAtPaths(paths: readonly string[]): ImportFile[] {
  return paths.map((file, index) => {
    const where = `files.${index}`;
    if (!path.isAbsolute(file)) {
      throw new ServiceError('BAD_REQUEST', `${where}: ${file} is not an absolute path`);
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (err) {
      throw new ServiceError(
        'BAD_REQUEST',
        `${where}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    if (!stat.isFile()) {
      throw new ServiceError(
        'BAD_REQUEST',
        `${where}: ${file} is ${stat.isDirectory() ? 'a folder' : 'not a regular file'}; choose alert files`,
      );
    }
    return { name: path.basename(file), path: file };
  });
}

/**
 * Starts an import of files on disk as a job in a worker thread (ALR-6, rule 7). The worker
 * reads them in chunks by path: no file's text crosses IPC or sits whole in memory (issue 11.3).
 * `onDone` runs once the worker has stopped, whatever the outcome (uploads are removed then).
 */
export function startImportJob(
  ws: Workspace,
  script: WorkerScript,
  migrationsFolder: string,
  files: readonly ImportFile[],
  onDone: () => void,
): string {
  const title = files.length === 1 ? `Import ${files[0]!.name}` : `Import ${files.length} files`;
  const { id } = ws.jobs.start(
    'import',
    title,
    (job) =>
      new Promise<ImportSummary>((resolve, reject) => {
        let worker: Worker;
        try {
          worker = new Worker(script.path, {
            execArgv: script.execArgv,
            workerData: {
              dbPath: ws.store.file,
              migrationsFolder,
              actor: ws.user.login,
              format: 'auto',
              files: files.map((f) => ({ name: f.name, path: f.path })),
              // NFR-2: the worker stops by itself after the batch it is writing
              cancel: shareCancelFlag(job.signal),
            },
          });
        } catch (err) {
          onDone();
          throw err;
        }
        let summary: ImportSummary | null = null;
        let failure: Error | null = null;
        worker.on('message', (raw: unknown) => {
          const msg = messageSchema.safeParse(raw);
          if (!msg.success) {
            failure ??= new Error(`import worker sent an unexpected message: ${msg.error.message}`);
            void worker.terminate();
          } else if (msg.data.type === 'progress') {
            job.progress(Math.min(1, Math.max(0, msg.data.fraction)), msg.data.message);
          } else {
            summary = msg.data.summary;
          }
        });
        worker.on('error', (err) => (failure ??= err));
        // The job ends once the worker has stopped and onDone has run: a finished job's uploads
        // are gone and its data is announced.
        worker.on('exit', (code) => {
          onDone();
          const s = summary as ImportSummary | null;
          if (failure) reject(failure);
          else if (s?.cancelled) reject(new JobCancelled(describeCancelledImport(s)));
          else if (s) resolve(s);
          else reject(new Error(`import worker stopped (exit code ${code})`));
        });
      }),
    describeImport,
    { cancellable: true },
  );
  return id;
}

/** What a cancelled import did: how far it got, and that what it wrote is kept (NFR-2). */
export function describeCancelledImport(s: ImportSummary): string {
  const { batches, fraction } = s.cancelled ?? { batches: 0, fraction: 0 };
  if (batches === 0) return 'Cancelled before any alert was imported';
  const cases = `${s.casesCreated.toLocaleString('en')} cases created, ${s.casesUpdated.toLocaleString('en')} updated`;
  return (
    `Cancelled after ${batches.toLocaleString('en')} batch${batches === 1 ? '' : 'es'} ` +
    `(about ${Math.floor(fraction * 100)}% read): ${s.imported.toLocaleString('en')} alerts imported, ` +
    `${cases}; they are kept. Import the file again for the rest (alerts already imported are skipped).`
  );
}

function describeImport(s: ImportSummary): string {
  const parts = [`${s.imported.toLocaleString('en')} imported`];
  if (s.duplicates) parts.push(`${s.duplicates.toLocaleString('en')} duplicates`);
  if (s.suppressed) parts.push(`${s.suppressed} suppressed`);
  if (s.skipped) parts.push(`${s.skipped.toLocaleString('en')} skipped (not alerts)`);
  if (s.failed)
    parts.push(
      `${s.failed} failed (${s.errors
        .slice(0, 3)
        .map((e) => `${e.file}:${e.line} ${e.message}`)
        .join('; ')})`,
    );
  parts.push(`${s.casesCreated} cases created, ${s.casesUpdated} updated`);
  return parts.join(', ');
}
