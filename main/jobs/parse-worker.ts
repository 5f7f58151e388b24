import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { readAlertStream } from '../../shared/domain/ingest/stream';
import {
  openableSource,
  readChunks,
  SourceReadError,
  type ParseWorkerInput,
} from '../features/alerts/import-files';

/**
 * Reads and parses alert files for `importAlertFilesInParallel`: batches of normalized alerts
 * go to the writing thread, never more than `maxInFlight` ahead of it (rule 7, NFR-2).
 */
const inputSchema = z.object({
  files: z.array(z.string()),
  format: z.enum(['auto', 'watchfloor', 'ecs', 'suricata', 'wazuh', 'thehive']),
  batchSize: z.number().int().positive(),
  inFlight: z.instanceof(SharedArrayBuffer),
  maxInFlight: z.number().int().positive(),
});

const input: ParseWorkerInput = inputSchema.parse(workerData);
const counter = new Int32Array(input.inFlight);
const port = parentPort!;

for (const [file, filePath] of input.files.entries()) {
  const source = openableSource(filePath);
  if (!('chunks' in source)) {
    port.postMessage({ type: 'file-error', error: source });
    continue;
  }
  try {
    for (const batch of readAlertStream(readChunks(source), {
      fileName: source.name,
      format: input.format,
      batchSize: input.batchSize,
    })) {
      // Wait while the writer has enough batches queued.
      for (let queued = Atomics.load(counter, 0); queued >= input.maxInFlight;) {
        Atomics.wait(counter, 0, queued);
        queued = Atomics.load(counter, 0);
      }
      Atomics.add(counter, 0, 1);
      batch.rawJson = batch.alerts.map((a) => JSON.stringify(a.raw ?? null));
      for (const a of batch.alerts) a.raw = null;
      port.postMessage({ type: 'batch', file, batch });
    }
  } catch (err) {
    // A file that fails while being read (EIO, removed…) fails alone; the next one is read.
    if (!(err instanceof SourceReadError)) throw err;
    port.postMessage({
      type: 'file-error',
      error: { file: source.name, line: 0, message: err.message },
    });
  }
}
port.postMessage({ type: 'done' });
