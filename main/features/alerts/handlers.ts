import type { HandlerContext, HandlerEnvironment, HandlerMap } from '../../ipc/handler-context';
import { getAlertDetail, listAlertPage, listAlertsOfCase } from './alerts';
import { importAlertAsCase, mergeAlertsIntoCase, newCaseFromAlerts } from './triage';
import { filesAtPaths, startImportJob, type ImportFile } from './import-job';
import type { UploadedFile } from '../../web/uploads';
import { ServiceError } from '../../service-error';
import type { ImportFileRef } from '../../../shared/ipc/contract';

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

export function alertHandlers({
  ws,
  env,
  changed,
}: HandlerContext): HandlerMap<
  | 'alerts.list'
  | 'alerts.get'
  | 'alerts.import'
  | 'alerts.newCase'
  | 'alerts.mergeIntoCase'
  | 'alerts.importFiles'
  | 'cases.alerts'
> {
  const { store, user } = ws;
  return {
    'alerts.list': (q) => listAlertPage(store, q),
    'alerts.get': ({ id, allCases }) => getAlertDetail(store, id, allCases),
    'alerts.import': ({ id }) => changed(importAlertAsCase(store, user.login, id)),
    'alerts.newCase': ({ ids }) => changed(newCaseFromAlerts(store, user.login, ids)),
    'alerts.mergeIntoCase': ({ ids, caseNumber, confirmClosed }) =>
      changed(mergeAlertsIntoCase(store, user.login, ids, caseNumber, confirmClosed)),
    'cases.alerts': ({ id }) => listAlertsOfCase(store, id),
    'alerts.importFiles': ({ files }) => {
      const { toImport, uploaded } = importFilesOf(files, env);
      return {
        jobId: startImportJob(ws, env.importWorker, env.migrationsFolder, toImport, () => {
          for (const upload of uploaded) env.uploads?.discard(upload);
          changed(null);
        }),
      };
    },
  };
}
