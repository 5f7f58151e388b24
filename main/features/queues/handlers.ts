import type { HandlerContext, HandlerMap } from '../../ipc/handler-context';
import {
  checkQueueDraft,
  getQueueDto,
  listQueues,
  parseQueueDraft,
  removeQueue,
  saveQueue,
  setQueuePinned,
  startCountJob,
  startReindexJob,
} from './queues';

/** The queue channels; the start-up re-index of pending queues is boot's (main/app/boot.ts). */
export function queueHandlers({
  ws,
  queuesChanged,
}: HandlerContext): HandlerMap<
  'queues.list' | 'queues.validate' | 'queues.save' | 'queues.remove' | 'queues.pin'
> {
  const { store, user } = ws;
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
