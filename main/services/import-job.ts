import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { Workspace } from './workspace';
import type { ImportSummary } from './import-files';

/** Where the import worker's script is: a .ts file under tsx, or the bundled .cjs in Electron. */
export interface WorkerScript {
  path: string;
  execArgv: string[];
}

/**
 * Another worker next to the import worker: all live side by side, as .ts files run through tsx
 * from source (CLI, browser mode, tests) and as bundled .cjs files in Electron.
 */
export function workerBeside(importWorker: WorkerScript, name: string): WorkerScript {
  const extension = path.extname(importWorker.path);
  return {
    path: path.join(path.dirname(importWorker.path), `${name}${extension}`),
    execArgv: importWorker.execArgv,
  };
}

const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), fraction: z.number(), message: z.string() }),
  z.object({ type: z.literal('done'), summary: z.custom<ImportSummary>() }),
]);

/** Starts an import of uploaded files as a job in a worker thread (ALR-6, rule 7). */
export function startImportJob(
  ws: Workspace,
  script: WorkerScript,
  migrationsFolder: string,
  files: { name: string; content: string }[],
  onDone: () => void,
): string {
  const title = files.length === 1 ? `Import ${files[0]!.name}` : `Import ${files.length} files`;
  const { id } = ws.jobs.start(
    'import',
    title,
    (job) =>
      new Promise<ImportSummary>((resolve, reject) => {
        const worker = new Worker(script.path, {
          execArgv: script.execArgv,
          workerData: {
            dbPath: ws.store.file,
            migrationsFolder,
            actor: ws.user.login,
            format: 'auto',
            files,
          },
        });
        let settled = false;
        worker.on('message', (raw: unknown) => {
          const msg = messageSchema.parse(raw);
          if (msg.type === 'progress') job.progress(msg.fraction, msg.message);
          else {
            settled = true;
            resolve(msg.summary);
          }
        });
        worker.on('error', (err) => {
          settled = true;
          reject(err);
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new Error(`import worker stopped (exit code ${code})`));
          onDone();
        });
      }),
    (s) => {
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
    },
  );
  return id;
}
