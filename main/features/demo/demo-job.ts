import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { HandlerContext } from '../../ipc/handler-context';
import { JobCancelled } from '../../jobs/runner';
import { shareCancelFlag } from '../../jobs/cancel-flag';
import { workerBeside, type WorkerScript } from '../../jobs/worker-script';
import { resumeQueueIndexing } from '../queues/queues';
import { defaultDemoEnd, type DemoLoadOutcome } from './demo';

const outcomeSchema = z.object({
  alerts: z.number().int().nonnegative(),
  cases: z.number().int().nonnegative(),
  cancelled: z.object({ batches: z.number().int().nonnegative() }).optional(),
  cancelledWhile: z.enum(['loading', 'indexing']).optional(),
});

const messageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), fraction: z.number(), message: z.string() }),
  z.object({ type: z.literal('done'), outcome: outcomeSchema }),
]);

/** The demo worker beside the import worker (the same folder and loader). */
export function demoWorkerBeside(importWorker: WorkerScript): WorkerScript {
  return workerBeside(importWorker, 'demo-worker');
}

const loaded = (o: DemoLoadOutcome) =>
  `${o.alerts.toLocaleString('en')} demo alerts in ${o.cases.toLocaleString('en')} cases loaded; they are kept`;

/** What a cancelled demo load did, and what happens to the queue indexes (NFR-2). */
export function describeCancelledDemoLoad(o: DemoLoadOutcome): string {
  if (o.cancelledWhile === 'indexing') {
    return `Cancelled while indexing queues: ${loaded(o)}. The queue indexes not rebuilt yet stay pending until a queue is saved or the app next starts`;
  }
  const batches = o.cancelled?.batches ?? 0;
  if (batches === 0) return 'Cancelled before any demo data was loaded';
  return `Cancelled after ${batches.toLocaleString('en')} batch${batches === 1 ? '' : 'es'}: ${loaded(o)}. The queues are re-indexed by jobs of their own`;
}

/**
 * Demo load as a job in a worker thread (rule 7, issue 12.7), the same in Electron and browser
 * mode: the worker opens its own connection and runs `loadDemoAndIndexQueues`, so the main
 * thread never writes a demo batch or re-indexes. Cancelled while loading, the queues are
 * re-indexed by jobs of their own (the cases written bypassed queue membership).
 */
export function startDemoLoadJob(
  ctx: HandlerContext,
  options: { alerts: number; seed: number; endAt?: number },
): { jobId: string; done: Promise<DemoLoadOutcome> } {
  const { ws, env } = ctx;
  const script = demoWorkerBeside(env.importWorker);
  const { id, done } = ws.jobs.start(
    'demo',
    `Load demo data (${options.alerts.toLocaleString('en')} alerts)`,
    (job) =>
      new Promise<DemoLoadOutcome>((resolve, reject) => {
        const worker = new Worker(script.path, {
          execArgv: script.execArgv,
          workerData: {
            dbPath: ws.store.file,
            migrationsFolder: env.migrationsFolder,
            alerts: options.alerts,
            seed: options.seed,
            endAt: options.endAt ?? defaultDemoEnd(),
            cancel: shareCancelFlag(job.signal),
          },
        });
        let outcome: DemoLoadOutcome | null = null;
        let failure: Error | null = null;
        worker.on('message', (raw: unknown) => {
          const msg = messageSchema.safeParse(raw);
          if (!msg.success) {
            failure ??= new Error(`demo worker sent an unexpected message: ${msg.error.message}`);
            void worker.terminate();
          } else if (msg.data.type === 'progress') {
            job.progress(Math.min(1, Math.max(0, msg.data.fraction)), msg.data.message);
          } else {
            outcome = msg.data.outcome;
          }
        });
        worker.on('error', (err) => (failure ??= err));
        worker.on('exit', (code) => {
          const o = outcome as DemoLoadOutcome | null;
          ctx.changed(null); // even a failed load may have written batches before it failed
          if (failure) return reject(failure);
          if (!o) return reject(new Error(`demo worker stopped (exit code ${code})`));
          if (o.cancelledWhile === 'loading' && o.alerts > 0) {
            resumeQueueIndexing(ws, ctx.queuesChanged);
          }
          if (o.cancelledWhile) reject(new JobCancelled(describeCancelledDemoLoad(o)));
          else resolve(o);
        });
      }),
    (o) =>
      `Loaded ${o.alerts.toLocaleString('en')} alerts in ${o.cases.toLocaleString('en')} cases`,
    { cancellable: true },
  );
  return { jobId: id, done };
}
