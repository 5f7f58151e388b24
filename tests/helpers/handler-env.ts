import type { HandlerEnvironment } from '../../main/ipc/handlers';
import { sourceImportWorker, sourceMigrationsFolder } from '../../main/store/paths';

/** The handler environment of browser mode, for tests that build a router over a workspace. */
export function webHandlerEnvironment(
  notify: HandlerEnvironment['notify'] = () => {},
): HandlerEnvironment {
  return {
    mode: 'web',
    migrationsFolder: sourceMigrationsFolder(),
    importWorker: sourceImportWorker(),
    notify,
  };
}
