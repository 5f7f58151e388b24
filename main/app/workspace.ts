import { openStore, type Store, type StoreMode } from '../store/open';
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
  /** 'read': the CLI's read commands, which never write (default 'write') */
  mode?: StoreMode;
  onUpgrade?: (pendingMigrations: number) => void;
}

function localUser(store: Store): CurrentUser | undefined {
  return store.db
    .prepare(
      'SELECT id, login, display_name AS displayName, tenant_id AS tenantId FROM users WHERE login = ?',
    )
    .get(LOCAL_USER_LOGIN) as CurrentUser | undefined;
}

/**
 * Opens the store and makes sure of its base data and default queues (QUE-2). A read workspace
 * writes nothing: a store that lacks them (one whose first open stopped half-way) gets them from
 * a write open first, as the app would.
 */
export function openWorkspace(file: string, options: OpenWorkspaceOptions): Workspace {
  if (options.mode === 'read') {
    let store = openStore(file, options);
    if (!localUser(store)) {
      store.close();
      openWorkspace(file, { ...options, mode: 'write', create: false }).close();
      store = openStore(file, options);
    }
    const user = localUser(store);
    if (!user) {
      store.close();
      throw new Error(`the store at ${store.file} has no local user`);
    }
    return { store, jobs: new JobRunner(), user, close: () => store.close() };
  }
  const store = openStore(file, options);
  try {
    ensureBaseData(store);
    ensureDefaultQueues(store); // QUE-2
  } catch (err) {
    store.close();
    throw err;
  }
  const user = localUser(store) as CurrentUser;
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
