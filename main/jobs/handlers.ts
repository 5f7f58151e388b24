import type { HandlerContext, HandlerMap } from '../ipc/handler-context';

export function jobHandlers({
  ws,
}: HandlerContext): HandlerMap<'jobs.list' | 'jobs.dismiss' | 'jobs.clearFinished'> {
  const { jobs } = ws;
  return {
    'jobs.list': () => jobs.list(),
    'jobs.dismiss': ({ id }) => {
      jobs.dismiss(id);
      return { ok: true as const };
    },
    'jobs.clearFinished': () => {
      jobs.clearFinished();
      return { ok: true as const };
    },
  };
}
