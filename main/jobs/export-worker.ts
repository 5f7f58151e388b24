import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  csvExportPlanSchema,
  CsvExportCancelled,
  openReadConnection,
  writeCasesCsv,
} from '../features/cases/export-csv';
import { sharedCancelCheck } from './cancel-flag';

/**
 * Writes a CSV export off the main thread (TBL-7, rule 7) on its own read-only connection to the
 * store (WAL lets the app keep writing meanwhile). Reports rows written, then the totals; a
 * cancelled export (its job's shared flag, NFR-2) removes its partial file and says so.
 */
const inputSchema = z.object({
  dbPath: z.string(),
  plan: csvExportPlanSchema,
  cancel: z.instanceof(SharedArrayBuffer),
});

const input = inputSchema.parse(workerData);
const db = openReadConnection(Database, input.dbPath);
try {
  const result = writeCasesCsv(
    db,
    input.plan,
    (rows) => parentPort?.postMessage({ type: 'progress', rows }),
    sharedCancelCheck(input.cancel),
  );
  parentPort?.postMessage({ type: 'done', ...result });
} catch (err) {
  if (!(err instanceof CsvExportCancelled)) throw err;
  parentPort?.postMessage({ type: 'cancelled', rows: err.rows });
} finally {
  db.close();
}
