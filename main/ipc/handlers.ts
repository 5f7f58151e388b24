import type { Handlers } from './router';
import type { Workspace } from '../services/workspace';
import { countCases, getCase, getCaseByNumber, listCases } from '../services/cases';
import { defaultDemoEnd, loadDemoData } from '../services/demo';
import { getUiPreferences, setUiPreferences } from '../services/settings';
import { APP_VERSION } from '../version';
import { getAlertDetail, listAlertPage } from '../services/alerts';
import { importAlertAsCase, mergeAlertsIntoCase, newCaseFromAlerts } from '../services/triage';
import { startImportJob, type WorkerScript } from '../services/import-job';

export interface HandlerEnvironment {
  mode: AppMode;
  migrationsFolder: string;
  importWorker: WorkerScript;
  notify: (entity: 'case' | 'alert') => void;
}

export type AppMode = 'electron' | 'web';

/** Maps each contract channel to its service call. */
export function createHandlers(ws: Workspace, env: HandlerEnvironment): Handlers {
  const { store, jobs, user } = ws;
  const { mode, notify } = env;
  const changed = <T>(result: T): T => {
    notify('case');
    notify('alert');
    return result;
  };
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
                p.alerts / p.total,
                `${p.alerts.toLocaleString('en')} alerts, ${p.cases.toLocaleString('en')} cases`,
              );
            },
          );
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
    'cases.getByNumber': ({ number }) => getCaseByNumber(store, number),
    'alerts.importFiles': ({ files }) => ({
      jobId: startImportJob(ws, env.importWorker, env.migrationsFolder, files, () => {
        notify('case');
        notify('alert');
      }),
    }),
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
