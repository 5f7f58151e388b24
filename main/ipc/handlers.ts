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

/**
 * Every contract channel's handler: each feature brings the map of the channels it owns, and
 * `satisfies Handlers` makes the compiler check that together they cover the contract exactly
 * once. Creating the handlers also starts the re-index jobs a large store's queues still need.
 */
export function createHandlers(ws: Workspace, env: HandlerEnvironment): Handlers {
  const changed = <T>(result: T): T => {
    env.notify('case');
    env.notify('alert');
    return result;
  };
  // Queue counts live beside the case table: when an index is ready the table refreshes too.
  const ctx: HandlerContext = { ws, env, changed, queuesChanged: () => env.notify('case') };
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
