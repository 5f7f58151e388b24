import type { HandlerContext, HandlerMap } from '../../ipc/handler-context';
import {
  checkQueueDraft,
  getQueueDto,
  listQueues,
  parseQueueDraft,
  removeQueue,
  resumeQueueIndexing,
  saveQueue,
  setQueuePinned,
  startCountJob,
  startReindexJob,
} from './queues';

/** Creating the handlers starts the re-index jobs a store's queues still need (QUE-5). */
export function queueHandlers({
  ws,
  queuesChanged,
}: HandlerContext): HandlerMap<
  'queues.list' | 'queues.validate' | 'queues.save' | 'queues.remove' | 'queues.pin'
> {
  const { store, user } = ws;
  resumeQueueIndexing(ws, queuesChanged);
  return {
    'queues.list': () => listQueues(store, user.id),
    'queues.validate': (draft) => checkQueueDraft(store, parseQueueDraft(draft)),
    'queues.save': (draft) => {
      const { queue, needsReindex } = saveQueue(store, user, draft);
      const jobId = needsReindex
        ? startReindexJob(ws, queue.id, queuesChanged)
        : startCountJob(ws, queue.id);
      return { queue: getQueueDto(store, user.id, queue.id), jobId };
    },
    'queues.remove': ({ id }) => {
      removeQueue(store, user, id);
      return { ok: true as const };
    },
    'queues.pin': ({ id, pinned }) => {
      setQueuePinned(store, user, id, pinned);
      return { ok: true as const };
    },
  };
}
