import type { HandlerContext, HandlerMap } from '../../ipc/handler-context';
import { defaultDemoEnd, loadDemoData } from './demo';
import { markAllQueuesPending } from '../../store/derived/queue-membership';
import { reindexQueue } from '../queues/queues';

/** The share of a demo load's progress bar for loading; queue indexing takes the rest. */
const DEMO_LOAD_SHARE = 0.9;

export function demoHandlers({ ws, changed }: HandlerContext): HandlerMap<'demo.load'> {
  const { store, jobs } = ws;
  return {
    'demo.load': ({ alerts, seed }) => {
      const { id } = jobs.start(
        'demo',
        `Load demo data (${alerts.toLocaleString('en')} alerts)`,
        async (job) => {
          const result = await loadDemoData(
            store,
            { alerts, seed, endAt: defaultDemoEnd() },
            (p) => {
              job.progress(
                (p.alerts / p.total) * DEMO_LOAD_SHARE,
                `${p.alerts.toLocaleString('en')} alerts, ${p.cases.toLocaleString('en')} cases`,
              );
            },
          );
          // Demo cases are bulk-inserted around refreshQueueMembership: rebuild the indexes, in
          // the rest of the progress bar (it never goes back).
          const pending = markAllQueuesPending(store);
          for (const [i, queueId] of pending.entries()) {
            await reindexQueue(store, queueId, (p) =>
              job.progress(
                DEMO_LOAD_SHARE + ((1 - DEMO_LOAD_SHARE) * (i + p.fraction)) / pending.length,
                `Indexing queues: ${p.message}`,
              ),
            );
          }
          return changed(result);
        },
        (r) =>
          `Loaded ${r.alerts.toLocaleString('en')} alerts in ${r.cases.toLocaleString('en')} cases`,
      );
      return { jobId: id };
    },
  };
}
