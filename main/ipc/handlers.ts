import type { Handlers } from './router';
import type { Workspace } from '../app/workspace';
import type { HandlerContext, HandlerEnvironment } from './handler-context';
import { alertHandlers } from '../features/alerts/handlers';
import { caseHandlers } from '../features/cases/handlers';
import { queueHandlers } from '../features/queues/handlers';
import { settingsHandlers } from '../features/settings/handlers';
import { directoryHandlers } from '../features/directory/handlers';
import { demoHandlers } from '../features/demo/handlers';
import { jobHandlers } from '../jobs/handlers';

export type { AppMode, HandlerEnvironment } from './handler-context';

/** What the features' handlers (and the jobs boot starts) work with. */
export function handlerContext(ws: Workspace, env: HandlerEnvironment): HandlerContext {
  const changed = <T>(result: T): T => {
    env.notify('case');
    env.notify('alert');
    return result;
  };
  // Queue counts live beside the case table: when an index is ready the table refreshes too.
  return { ws, env, changed, queuesChanged: () => env.notify('case') };
}

/**
 * Every contract channel's handler: each feature brings the map of the channels it owns, and
 * `satisfies Handlers` makes the compiler check that together they cover the contract exactly
 * once. Creating them starts nothing: the start-up jobs are main/app/boot.ts's.
 */
export function createHandlers(
  ws: Workspace,
  env: HandlerEnvironment,
  ctx: HandlerContext = handlerContext(ws, env),
): Handlers {
  return {
    ...settingsHandlers(ctx),
    ...caseHandlers(ctx),
    ...alertHandlers(ctx),
    ...queueHandlers(ctx),
    ...directoryHandlers(ctx),
    ...demoHandlers(ctx),
    ...jobHandlers(ctx),
  } satisfies Handlers;
}
