import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  csvExportPlanSchema,
  openReadConnection,
  writeCasesCsv,
} from '../features/cases/export-csv';

/**
 * Writes a CSV export off the main thread (TBL-7, rule 7) on its own read-only connection to the
 * store (WAL lets the app keep writing meanwhile). Reports rows written, then the totals.
 */
const inputSchema = z.object({ dbPath: z.string(), plan: csvExportPlanSchema });

const input = inputSchema.parse(workerData);
const db = openReadConnection(Database, input.dbPath);
try {
  const result = writeCasesCsv(db, input.plan, (rows) =>
    parentPort?.postMessage({ type: 'progress', rows }),
  );
  parentPort?.postMessage({ type: 'done', ...result });
} finally {
  db.close();
}
