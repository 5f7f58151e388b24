import type { HandlerContext, HandlerMap } from '../../ipc/handler-context';
import { startDemoLoadJob } from './demo-job';

export function demoHandlers(ctx: HandlerContext): HandlerMap<'demo.load'> {
  return {
    // a job in a worker thread: loading, then the queue indexes (issue 12.7)
    'demo.load': ({ alerts, seed }) => ({ jobId: startDemoLoadJob(ctx, { alerts, seed }).jobId }),
  };
}
