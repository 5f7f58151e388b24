import type { Workspace } from '../app/workspace';
import type { WorkerScript } from '../jobs/worker-script';
import type { UploadFolder } from '../web/uploads';
import type { Channel, ChannelParsedRequest, ChannelResponse } from '../../shared/ipc/contract';

export type AppMode = 'electron' | 'web';

/** What the transport gives the handlers: the app's mode, its workers, how to notify the UI. */
export interface HandlerEnvironment {
  mode: AppMode;
  migrationsFolder: string;
  importWorker: WorkerScript;
  /** the CSV export worker (TBL-7); when not given, the one beside the import worker */
  exportWorker?: WorkerScript;
  notify: (entity: 'case' | 'alert') => void;
  /** browser mode's uploaded files, which alerts.importFiles names by upload id */
  uploads?: UploadFolder;
}

/** What every feature's handlers work with. */
export interface HandlerContext {
  ws: Workspace;
  env: HandlerEnvironment;
  /** cases and alerts changed: the UI refreshes its tables */
  changed: <T>(result: T) => T;
  /** a queue's count may have changed (the case table refreshes too) */
  queuesChanged: () => void;
}

/** A feature's share of the contract: one handler per channel it owns. */
export type HandlerMap<C extends Channel> = {
  [K in C]: (request: ChannelParsedRequest<K>) => ChannelResponse<K> | Promise<ChannelResponse<K>>;
};
