import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { openStore } from '../store/open';
import { loadDemoAndIndexQueues } from '../features/demo/demo';
import { sharedCancelCheck } from './cancel-flag';

/**
 * Loads demo data off the main thread (rule 7, issue 12.7) on its own connection to the store:
 * the demo batches through the write path, then the queue indexes, as `loadDemoAndIndexQueues`
 * does in the CLI. Reports progress, then the outcome; it stops between two transactions once
 * its job's cancel flag is set.
 */
const inputSchema = z.object({
  dbPath: z.string(),
  migrationsFolder: z.string(),
  alerts: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  endAt: z.number(),
  cancel: z.instanceof(SharedArrayBuffer),
});

async function run(): Promise<void> {
  const input = inputSchema.parse(workerData);
  const store = openStore(input.dbPath, {
    create: false,
    migrationsFolder: input.migrationsFolder,
  });
  try {
    const outcome = await loadDemoAndIndexQueues(
      store,
      { alerts: input.alerts, seed: input.seed, endAt: input.endAt },
      (fraction, message) => parentPort?.postMessage({ type: 'progress', fraction, message }),
      sharedCancelCheck(input.cancel),
    );
    parentPort?.postMessage({ type: 'done', outcome });
  } finally {
    store.close();
  }
}

// No top-level await: Electron runs this as a CommonJS bundle. A rejection is unhandled here,
// which ends the worker with an 'error' event that fails the job.
void run();
