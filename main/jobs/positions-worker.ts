import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { readPositionList } from '../features/cases/case-positions';
import { openReadConnection } from '../features/cases/export-csv';

/**
 * Reads the case table's position lists off the main thread (case-positions.ts, rule 7), one at
 * a time, each on a fresh read-only connection to the store (WAL: the app keeps writing). The
 * rowids go back as a transferred buffer, not copied.
 */
const inputSchema = z.object({ dbPath: z.string() });
const requestSchema = z.object({
  id: z.number(),
  request: z.object({
    sql: z.string(),
    params: z.array(z.union([z.string(), z.number(), z.null()])),
    queueId: z.string().nullable(),
  }),
});

const { dbPath } = inputSchema.parse(workerData);
parentPort?.on('message', (raw: unknown) => {
  const { id, request } = requestSchema.parse(raw);
  let db: Database.Database | null = null;
  try {
    db = openReadConnection(Database, dbPath);
    const read = readPositionList(db, request);
    parentPort?.postMessage({ type: 'list', id, ...read }, [read.rowids.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort?.postMessage({ type: 'error', id, message: (err as Error).message });
  } finally {
    db?.close();
  }
});
