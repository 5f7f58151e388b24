import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { openStore } from '../store/open';
import { importAlertSources, textSource } from './import-files';

/**
 * Runs an alert import off the main thread (rule 7, NFR-2) on its own connection to the store
 * (WAL lets the app keep reading meanwhile). Reports progress, then the summary.
 */
const inputSchema = z.object({
  dbPath: z.string(),
  migrationsFolder: z.string(),
  actor: z.string(),
  format: z.enum(['auto', 'watchfloor', 'ecs', 'suricata', 'wazuh', 'thehive']),
  files: z.array(z.object({ name: z.string(), content: z.string() })),
});

const input = inputSchema.parse(workerData);
const store = openStore(input.dbPath, { create: false, migrationsFolder: input.migrationsFolder });
try {
  const summary = importAlertSources(
    store,
    input.files.map((f) => textSource(f.name, f.content)),
    {
      format: input.format,
      actor: input.actor,
      onProgress: (fraction, message) =>
        parentPort?.postMessage({ type: 'progress', fraction, message }),
    },
  );
  parentPort?.postMessage({ type: 'done', summary });
} finally {
  store.close();
}
