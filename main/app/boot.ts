import { openWorkspace, type OpenWorkspaceOptions, type Workspace } from './workspace';
import { startStoreMaintenance } from '../store/maintenance';
import { createHandlers, handlerContext, type HandlerEnvironment } from '../ipc/handlers';
import { createRouter, type Router } from '../ipc/router';
import { countCases } from '../features/cases/cases';
import { resumeQueueIndexing } from '../features/queues/queues';
import { startDemoLoadJob } from '../features/demo/demo-job';
import type { DemoLoadOutcome } from '../features/demo/demo';

/**
 * The one composition root (issue 12.4). What each kind of process gets:
 *
 * |                               | the app (Electron, browser mode) | the CLI          |
 * | store, migrations, base data  | yes                              | yes              |
 * | job records (Interrupted)     | yes                              | no (one-shot)    |
 * | start-up re-index of queues   | jobs, off the request path       | by the commands  |
 * | store maintenance             | yes (a long-running process)     | no               |
 * | router over the handlers      | yes (IPC or WebSocket wires it)  | no               |
 *
 * Electron and browser mode call `bootApp` and only wire their transport to the router; the CLI
 * opens its store through `bootCommand`. Nothing here imports Electron or a transport.
 */

export interface AppBootOptions {
  /** the store file: WATCHFLOOR_DB or the user-data folder's (Electron), --db (browser mode) */
  storePath: string;
  /** how the transport runs workers and tells the UI what changed (its migrations folder too) */
  environment: HandlerEnvironment;
  /** `--demo N`: an empty store gets N alerts' worth of demo data, as a job (a worker thread) */
  demo?: { alerts: number; seed?: number } | null;
  /** where the router logs the errors it turns into INTERNAL answers */
  log?: (message: string) => void;
}

export interface BootedApp {
  ws: Workspace;
  router: Router;
  /** the jobs boot started: the demo load, or the re-index of queue indexes left pending */
  startupJobIds: string[];
  /** the demo load when `demo` was asked for and the store was empty */
  demoLoad: { jobId: string; done: Promise<DemoLoadOutcome> } | null;
  /** stops maintenance and closes the store (unsaved job records are written first) */
  close(): void;
}

/**
 * Boots the app's main side: opens (creating and migrating) the store with its job records,
 * builds the router, starts store maintenance, then the start-up jobs. Every start-up job runs
 * off the main thread's request path: a demo load in a worker thread whose last stage rebuilds
 * the queue indexes (demo cases bypass queue membership), otherwise a re-index job per queue
 * index left pending (a large store's new default queues, a crash, a cancelled re-index).
 */
export function bootApp(options: AppBootOptions): BootedApp {
  const { environment } = options;
  const ws = openWorkspace(options.storePath, {
    create: true,
    migrationsFolder: environment.migrationsFolder,
    persistJobs: true, // a job cut short by the app ending shows as Interrupted next time
  });
  try {
    const ctx = handlerContext(ws, environment);
    const router = createRouter(createHandlers(ws, environment, ctx), options.log);
    const stopMaintenance = startStoreMaintenance(ws.store);
    const demoLoad =
      options.demo && countCases(ws.store) === 0
        ? startDemoLoadJob(ctx, { alerts: options.demo.alerts, seed: options.demo.seed ?? 1 })
        : null;
    const startupJobIds = demoLoad ? [demoLoad.jobId] : resumeQueueIndexing(ws, ctx.queuesChanged);
    return {
      ws,
      router,
      startupJobIds,
      demoLoad,
      close: () => {
        stopMaintenance();
        ws.close();
      },
    };
  } catch (err) {
    ws.close();
    throw err;
  }
}

/**
 * Opens the store for one CLI command: no job records, no maintenance (SQLite's automatic
 * checkpoints serve a one-shot process), no start-up jobs; a command that needs a queue index
 * builds or evaluates it itself.
 */
export function bootCommand(
  storePath: string,
  options: Omit<OpenWorkspaceOptions, 'persistJobs'>,
): Workspace {
  return openWorkspace(storePath, { ...options, persistJobs: false });
}
