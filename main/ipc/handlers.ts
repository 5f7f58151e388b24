import type { Handlers } from './router';
import type { Workspace } from '../app/workspace';
import { countCases, getCase, getCaseByNumber, listCases } from '../features/cases/cases';
import { defaultDemoEnd, loadDemoData } from '../features/demo/demo';
import { getUiPreferences, setUiPreferences } from '../features/settings/settings';
import { APP_VERSION } from '../version';
import { getAlertDetail, listAlertPage, listAlertsOfCase } from '../features/alerts/alerts';
import {
  importAlertAsCase,
  mergeAlertsIntoCase,
  newCaseFromAlerts,
} from '../features/alerts/triage';
import {
  filesAtPaths,
  startImportJob,
  type ImportFile,
  type WorkerScript,
} from '../features/alerts/import-job';
import type { UploadFolder, UploadedFile } from '../web/uploads';
import { ServiceError } from '../service-error';
import type { ImportFileRef } from '../../shared/ipc/contract';
import {
  checkQueueDraft,
  getQueueDto,
  listQueues,
  markAllQueuesPending,
  parseQueueDraft,
  reindexQueue,
  removeQueue,
  resumeQueueIndexing,
  saveQueue,
  setQueuePinned,
  startCountJob,
  startReindexJob,
} from '../features/queues/queues';
import { startBulkUpdateJob } from '../features/cases/bulk-update';
import { exportWorkerBeside, startCsvExportJob } from '../features/cases/export-csv';
import { listCaseTags, listUsers } from '../features/directory/users';
import { getLayout, saveLayout } from '../features/settings/layout';
import { enableBackgroundPositions, positionsWorkerBeside } from '../features/cases/case-positions';

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

export type AppMode = 'electron' | 'web';

/**
 * The files alerts.importFiles names (issue 11.3): paths in the desktop app, where the user
 * chose or dropped them; uploads in browser mode, whose page cannot name a path on this
 * machine (and is not let to). Checked before any is claimed, so a bad request changes nothing.
 */
function importFilesOf(
  refs: readonly ImportFileRef[],
  env: HandlerEnvironment,
): { toImport: ImportFile[]; uploaded: UploadedFile[] } {
  const paths: string[] = [];
  const uploadIds: string[] = [];
  for (const [index, ref] of refs.entries()) {
    if ('path' in ref) {
      if (env.mode === 'web') {
        throw new ServiceError(
          'FORBIDDEN',
          `files.${index}: browser mode imports uploaded files only, not a path on the server`,
        );
      }
      paths.push(ref.path);
    } else {
      if (!env.uploads?.has(ref.uploadId)) {
        throw new ServiceError(
          'BAD_REQUEST',
          `files.${index}: no upload ${ref.uploadId} (never uploaded, or imported already)`,
        );
      }
      uploadIds.push(ref.uploadId);
    }
  }
  if (new Set(uploadIds).size !== uploadIds.length) {
    throw new ServiceError('BAD_REQUEST', 'files: the same upload is named twice');
  }
  const byPath = filesAtPaths(paths);
  const uploaded: UploadedFile[] = [];
  const toImport = refs.map((ref): ImportFile => {
    if ('path' in ref) return byPath.shift()!;
    const upload = env.uploads!.claim(ref.uploadId)!;
    uploaded.push(upload);
    return { name: upload.name, path: upload.path };
  });
  return { toImport, uploaded };
}

/** The share of a demo load's progress bar for loading; queue indexing takes the rest. */
const DEMO_LOAD_SHARE = 0.9;

/**
 * Maps each contract channel to its service call. Creating the handlers also starts the
 * re-index jobs a large store's queues still need (new default queues, a re-index cut short).
 */
export function createHandlers(ws: Workspace, env: HandlerEnvironment): Handlers {
  const { store, jobs, user } = ws;
  const { mode, notify } = env;
  const changed = <T>(result: T): T => {
    notify('case');
    notify('alert');
    return result;
  };
  // Queue counts live beside the case table: when an index is ready the table refreshes too.
  const queuesChanged = () => notify('case');
  resumeQueueIndexing(ws, queuesChanged);
  // Big views read their position lists (deep pages, jumps) in a worker thread.
  enableBackgroundPositions(store, positionsWorkerBeside(env.importWorker));
  return {
    'app.getInfo': () => ({
      version: APP_VERSION,
      storePath: store.file,
      mode,
      caseCount: countCases(store),
      alertCount: (store.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n,
      user: { id: user.id, login: user.login, displayName: user.displayName },
      preferences: getUiPreferences(store, user.id),
    }),
    'preferences.update': (patch) =>
      setUiPreferences(store, user.login, user.id, user.tenantId, patch),
    'cases.list': (q) => listCases(store, q),
    'cases.get': ({ id }) => getCase(store, id),
    'demo.load': ({ alerts, seed }) => {
      const { id } = jobs.start(
        'demo',
        `Load demo data (${alerts.toLocaleString('en')} alerts)`,
        async (job) => {
          const result = await loadDemoData(
            store,
            { alerts, seed, endAt: defaultDemoEnd() },
            (p) => {
              job.progress(
                (p.alerts / p.total) * DEMO_LOAD_SHARE,
                `${p.alerts.toLocaleString('en')} alerts, ${p.cases.toLocaleString('en')} cases`,
              );
            },
          );
          // Demo cases are bulk-inserted around refreshQueueMembership: rebuild the indexes, in
          // the rest of the progress bar (it never goes back).
          const pending = markAllQueuesPending(store);
          for (const [i, queueId] of pending.entries()) {
            await reindexQueue(store, queueId, (p) =>
              job.progress(
                DEMO_LOAD_SHARE + ((1 - DEMO_LOAD_SHARE) * (i + p.fraction)) / pending.length,
                `Indexing queues: ${p.message}`,
              ),
            );
          }
          notify('case');
          notify('alert');
          return result;
        },
        (r) =>
          `Loaded ${r.alerts.toLocaleString('en')} alerts in ${r.cases.toLocaleString('en')} cases`,
      );
      return { jobId: id };
    },
    'alerts.list': (q) => listAlertPage(store, q),
    'alerts.get': ({ id, allCases }) => getAlertDetail(store, id, allCases),
    'alerts.import': ({ id }) => changed(importAlertAsCase(store, user.login, id)),
    'alerts.newCase': ({ ids }) => changed(newCaseFromAlerts(store, user.login, ids)),
    'alerts.mergeIntoCase': ({ ids, caseNumber, confirmClosed }) =>
      changed(mergeAlertsIntoCase(store, user.login, ids, caseNumber, confirmClosed)),
    'cases.alerts': ({ id }) => listAlertsOfCase(store, id),
    'cases.getByNumber': ({ number }) => getCaseByNumber(store, number),
    'alerts.importFiles': ({ files }) => {
      const { toImport, uploaded } = importFilesOf(files, env);
      return {
        jobId: startImportJob(ws, env.importWorker, env.migrationsFolder, toImport, () => {
          for (const upload of uploaded) env.uploads?.discard(upload);
          notify('case');
          notify('alert');
        }),
      };
    },
    'queues.list': () => listQueues(store, user.id),
    'queues.validate': (draft) => checkQueueDraft(store, parseQueueDraft(draft)),
    'queues.save': (draft) => {
      const { queue, needsReindex } = saveQueue(store, user, draft);
      const jobId = needsReindex
        ? startReindexJob(ws, queue.id, queuesChanged)
        : startCountJob(ws, queue.id);
      return { queue: getQueueDto(store, user.id, queue.id), jobId };
    },
    'queues.remove': ({ id }) => {
      removeQueue(store, user, id);
      return { ok: true as const };
    },
    'queues.pin': ({ id, pinned }) => {
      setQueuePinned(store, user, id, pinned);
      return { ok: true as const };
    },
    'cases.bulkUpdate': ({ selection, ...change }) =>
      startBulkUpdateJob(ws, user.login, selection, change, () => {
        notify('case');
        notify('alert');
      }),
    'cases.exportCsv': ({ view, columns, bom }) => {
      const { jobId, path, matching } = startCsvExportJob(
        ws,
        env.exportWorker ?? exportWorkerBeside(env.importWorker),
        { view, columns, bom },
      );
      return { jobId, path, matching };
    },
    'users.list': () => listUsers(store),
    'tags.list': () => listCaseTags(store),
    'layout.get': ({ key }) => getLayout(store, user.id, key),
    'layout.save': ({ key, value }) => {
      saveLayout(store, user, key, value);
      return { ok: true as const };
    },
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
