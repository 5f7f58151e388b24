import type { HandlerContext, HandlerMap } from '../ipc/handler-context';

export function jobHandlers({
  ws,
}: HandlerContext): HandlerMap<
  'jobs.list' | 'jobs.dismiss' | 'jobs.cancel' | 'jobs.clearFinished'
> {
  const { jobs } = ws;
  return {
    'jobs.list': () => jobs.list(),
    'jobs.dismiss': ({ id }) => {
      jobs.dismiss(id);
      return { ok: true as const };
    },
    // NFR-2: unknown id NOT_FOUND, an ended job BAD_REQUEST; nothing changes then
    'jobs.cancel': ({ id }) => jobs.cancel(id),
    'jobs.clearFinished': () => {
      jobs.clearFinished();
      return { ok: true as const };
    },
  };
}
