import { openStore, type Store } from '../store/open';
import { JobRunner } from '../jobs/runner';
import { JobRecords } from '../store/local/job-records';
import { ensureBaseData, LOCAL_USER_LOGIN } from '../features/directory/tenants';
import { ensureDefaultQueues } from '../features/queues/queues';

export interface CurrentUser {
  id: string;
  login: string;
  displayName: string;
  tenantId: string;
}

/** What every entry point (Electron, browser mode, CLI, tests) works with: a store and its jobs. */
export interface Workspace {
  store: Store;
  jobs: JobRunner;
  user: CurrentUser;
  close(): void;
}

export interface OpenWorkspaceOptions {
  create: boolean;
  migrationsFolder: string;
  /** keep job records in the store (the app: Electron, browser mode); the CLI does not */
  persistJobs?: boolean;
}

export function openWorkspace(file: string, options: OpenWorkspaceOptions): Workspace {
  const store = openStore(file, options);
  try {
    ensureBaseData(store);
    ensureDefaultQueues(store); // QUE-2
  } catch (err) {
    store.close();
    throw err;
  }
  const user = store.db
    .prepare(
      'SELECT id, login, display_name AS displayName, tenant_id AS tenantId FROM users WHERE login = ?',
    )
    .get(LOCAL_USER_LOGIN) as CurrentUser;
  const jobs = new JobRunner(options.persistJobs ? new JobRecords(store) : null);
  return {
    store,
    jobs,
    user,
    close: () => {
      jobs.close();
      store.close();
    },
  };
}
