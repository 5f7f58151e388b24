import type { HandlerContext, HandlerMap } from '../../ipc/handler-context';
import { getCase, getCaseByNumber, listCases } from './cases';
import { startBulkUpdateJob } from './bulk-update';
import { exportWorkerBeside, startCsvExportJob } from './export-csv';
import { enableBackgroundPositions, positionsWorkerBeside } from './case-positions';

export function caseHandlers({
  ws,
  env,
  changed,
}: HandlerContext): HandlerMap<
  'cases.list' | 'cases.get' | 'cases.getByNumber' | 'cases.bulkUpdate' | 'cases.exportCsv'
> {
  const { store, user } = ws;
  // Big views read their position lists (deep pages, jumps) in a worker thread.
  enableBackgroundPositions(store, positionsWorkerBeside(env.importWorker));
  return {
    'cases.list': (q) => listCases(store, q),
    'cases.get': ({ id }) => getCase(store, id),
    'cases.getByNumber': ({ number }) => getCaseByNumber(store, number),
    'cases.bulkUpdate': ({ selection, ...change }) =>
      startBulkUpdateJob(ws, user.login, selection, change, () => changed(null)),
    'cases.exportCsv': ({ view, columns, bom }) => {
      const { jobId, path, matching } = startCsvExportJob(
        ws,
        env.exportWorker ?? exportWorkerBeside(env.importWorker),
        { view, columns, bom },
      );
      return { jobId, path, matching };
    },
  };
}
