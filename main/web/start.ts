import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openWorkspace } from '../app/workspace';
import { startStoreMaintenance } from '../store/maintenance';
import { defaultStorePath, sourceImportWorker, sourceMigrationsFolder } from '../store/paths';
import { createRouter } from '../ipc/router';
import { createHandlers } from '../ipc/handlers';
import { startWebServer } from './server';
import { DEFAULT_MAX_UPLOAD_MB, UploadFolder } from './uploads';
import { countCases } from '../features/cases/cases';
import { defaultDemoEnd, loadDemoData } from '../features/demo/demo';
import { markAllQueuesPending } from '../features/queues/queues';

/**
 * `npm run web -- [--db FILE] [--port N] [--demo N] [--max-upload-mb N] [--renderer DIR]`:
 * browser mode; prints the URL to open on stdout. --demo N loads N alerts' worth of demo data
 * into an empty store first; --max-upload-mb is the largest alert file the page may upload
 * (default 200; bigger ones go through the CLI); --renderer serves another renderer build than
 * out/renderer (tests serve a stub).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      port: { type: 'string', default: '0' },
      demo: { type: 'string' },
      renderer: { type: 'string' },
      'max-upload-mb': { type: 'string', default: String(DEFAULT_MAX_UPLOAD_MB) },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, got "${values.port}"`);
  }
  const demo = values.demo === undefined ? null : Number(values.demo);
  if (demo !== null && (!Number.isInteger(demo) || demo < 1 || demo > 10_000_000)) {
    throw new Error(`--demo must be a number of alerts from 1 to 10000000, got "${values.demo}"`);
  }
  const maxUploadMb = Number(values['max-upload-mb']);
  if (!Number.isFinite(maxUploadMb) || maxUploadMb <= 0 || maxUploadMb > 1_000_000) {
    throw new Error(
      `--max-upload-mb must be a number of megabytes above 0, got "${values['max-upload-mb']}"`,
    );
  }
  const ws = openWorkspace(values.db ?? defaultStorePath(), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
    persistJobs: true,
  });
  const uploads = UploadFolder.create({ maxBytes: Math.floor(maxUploadMb * 1024 * 1024) });
  // --demo N: an empty store gets N alerts' worth of demo data before the UI opens.
  if (demo !== null && countCases(ws.store) === 0) {
    const r = await loadDemoData(ws.store, { alerts: demo, seed: 1, endAt: defaultDemoEnd() });
    process.stderr.write(`loaded ${r.alerts} demo alerts in ${r.cases} cases\n`);
    // demo cases bypass refreshQueueMembership: the handlers re-index pending queues as jobs
    markAllQueuesPending(ws.store);
  }
  const stopMaintenance = startStoreMaintenance(ws.store);
  let broadcast: (entity: 'case' | 'alert') => void = () => {};
  const router = createRouter(
    createHandlers(ws, {
      mode: 'web',
      migrationsFolder: sourceMigrationsFolder(),
      importWorker: sourceImportWorker(),
      notify: (entity) => broadcast(entity),
      uploads,
    }),
    (m) => process.stderr.write(m + '\n'),
  );
  const rendererDir =
    values.renderer ?? fileURLToPath(new URL('../../out/renderer', import.meta.url));
  const server = await startWebServer({
    router,
    rendererDir,
    port,
    uploads,
    log: (m) => process.stderr.write(m + '\n'),
  }).catch((err: unknown) => {
    uploads.dispose();
    throw err;
  });
  broadcast = (entity) => server.broadcast('data.changed', { entity });
  ws.jobs.onChange((job) => server.broadcast('jobs.changed', job));
  process.stdout.write(
    `Watchfloor (browser mode) on ${path.basename(ws.store.file)}: open ${server.url}\n`,
  );
  const stop = () => {
    void server.close().then(() => {
      stopMaintenance();
      ws.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`watchfloor web: ${(err as Error).message}\n`);
  process.exit(1);
});
