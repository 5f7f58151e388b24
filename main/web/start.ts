import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bootApp } from '../app/boot';
import { defaultStorePath, sourceImportWorker, sourceMigrationsFolder } from '../store/paths';
import { startWebServer } from './server';
import { DEFAULT_MAX_UPLOAD_MB, UploadFolder } from './uploads';

/**
 * `npm run web -- [--db FILE] [--port N] [--demo N] [--max-upload-mb N] [--renderer DIR]`:
 * browser mode; prints the URL to open on stdout. --demo N loads N alerts' worth of demo data
 * into an empty store as a job (a worker thread; the Task List shows it); --max-upload-mb is
 * the largest alert file the page may upload (default 200; bigger ones go through the CLI);
 * --renderer serves another renderer build than out/renderer (tests serve a stub). The store,
 * its start-up jobs and the router come from main/app/boot.ts; this only wires the WebSocket.
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
  const uploads = UploadFolder.create({ maxBytes: Math.floor(maxUploadMb * 1024 * 1024) });
  let broadcast: (entity: 'case' | 'alert') => void = () => {};
  const log = (m: string) => process.stderr.write(m + '\n');
  const boot = () => {
    try {
      return bootApp({
        storePath: values.db ?? defaultStorePath(),
        environment: {
          mode: 'web',
          migrationsFolder: sourceMigrationsFolder(),
          importWorker: sourceImportWorker(),
          notify: (entity) => broadcast(entity),
          uploads,
        },
        demo: demo === null ? null : { alerts: demo },
        log,
      });
    } catch (err) {
      uploads.dispose();
      throw err;
    }
  };
  const booted = boot();
  const { ws, router } = booted;
  booted.demoLoad?.done.then(
    (r) => log(`loaded ${r.alerts} demo alerts in ${r.cases} cases`),
    (err: unknown) => log(`demo load: ${(err as Error).message}`),
  );
  const rendererDir =
    values.renderer ?? fileURLToPath(new URL('../../out/renderer', import.meta.url));
  const server = await startWebServer({
    router,
    rendererDir,
    port,
    uploads,
    log,
  }).catch((err: unknown) => {
    booted.close();
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
      booted.close();
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
