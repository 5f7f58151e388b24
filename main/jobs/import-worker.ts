import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { openStore } from '../store/open';
import { fileSource, importAlertSources } from '../features/alerts/import-files';
import { sharedCancelCheck } from './cancel-flag';

/**
 * Runs an alert import off the main thread (rule 7, NFR-2) on its own connection to the store
 * (WAL lets the app keep reading meanwhile). Reports progress, then the summary.
 */
const inputSchema = z.object({
  dbPath: z.string(),
  migrationsFolder: z.string(),
  actor: z.string(),
  format: z.enum(['auto', 'watchfloor', 'ecs', 'suricata', 'wazuh', 'thehive']),
  // files on disk, read in chunks (issue 11.3); `name` is what the summary calls each
  files: z.array(z.object({ name: z.string(), path: z.string() })),
  /** the job's cancel flag (cancel-flag.ts): the import stops between two batches once set */
  cancel: z.instanceof(SharedArrayBuffer),
});

const input = inputSchema.parse(workerData);
const store = openStore(input.dbPath, { create: false, migrationsFolder: input.migrationsFolder });
try {
  const summary = importAlertSources(
    store,
    input.files.map((f) => ({ ...fileSource(f.path), name: f.name })),
    {
      format: input.format,
      actor: input.actor,
      signal: sharedCancelCheck(input.cancel),
      onProgress: (fraction, message) =>
        parentPort?.postMessage({ type: 'progress', fraction, message }),
    },
  );
  parentPort?.postMessage({ type: 'done', summary });
} finally {
  store.close();
}
