import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session } from 'electron';
import { pathToFileURL } from 'node:url';
import { openWorkspace, type Workspace } from '../app/workspace';
import { startStoreMaintenance } from '../store/maintenance';
import { createRouter } from '../ipc/router';
import { createHandlers } from '../ipc/handlers';
import { CHANNELS } from '../../shared/ipc/contract';
import { contentSecurityPolicy } from '../web/server';
import { APP_ORIGIN, isTrustedSender, lockDownContents } from './security';
import { buildAppMenu } from './menu';
import { countCases } from '../features/cases/cases';
import { defaultDemoEnd, loadDemoData } from '../features/demo/demo';
import { markAllQueuesPending, reindexQueueNow } from '../features/queues/queues';

/**
 * The thin Electron shell (rule 2): one window, a locked-down renderer served from the app://
 * scheme with a strict CSP, and IPC handlers that forward to the same router as browser mode.
 */

const isDev = !app.isPackaged;
const rendererDir = path.join(__dirname, '..', 'renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let workspace: Workspace | null = null;
  let stopMaintenance: () => void = () => {};

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  app.on('web-contents-created', (_e, contents) => lockDownContents(contents));

  const serveRenderer = () => {
    const csp = contentSecurityPolicy("'self'");
    protocol.handle('app', async (request) => {
      const url = new URL(request.url);
      let rel: string;
      try {
        rel = decodeURIComponent(url.pathname);
      } catch {
        return new Response('bad request', { status: 400 });
      }
      if (rel === '/' || !path.extname(rel)) rel = '/index.html';
      const file = path.resolve(rendererDir, '.' + rel);
      if (!file.startsWith(rendererDir + path.sep) || !fs.existsSync(file)) {
        return new Response('not found', { status: 404 });
      }
      const res = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(res.headers);
      headers.set('content-security-policy', csp);
      headers.set('x-content-type-options', 'nosniff');
      return new Response(res.body, { status: res.status, headers });
    });
  };

  const createWindow = () => {
    mainWindow = new BrowserWindow({
      width: 1440,
      height: 900,
      minWidth: 1000,
      minHeight: 640,
      show: false,
      title: 'Watchfloor',
      backgroundColor: '#12161d',
      webPreferences: {
        preload: path.join(__dirname, '..', 'preload', 'index.cjs'),
        contextIsolation: true,
        nodeIntegration: false,
        sandbox: true,
        webSecurity: true,
        spellcheck: false,
      },
    });
    mainWindow.once('ready-to-show', () => mainWindow?.show());
    mainWindow.on('closed', () => (mainWindow = null));
    void mainWindow.loadURL(`${APP_ORIGIN}/index.html`);
  };

  void app.whenReady().then(() => {
    const storePath =
      process.env.WATCHFLOOR_DB ?? path.join(app.getPath('userData'), 'watchfloor.db');
    try {
      workspace = openWorkspace(storePath, {
        create: true,
        migrationsFolder: path.join(__dirname, 'migrations'),
        persistJobs: true, // a job cut short by the app ending shows as Interrupted next time
      });
    } catch (err) {
      dialog.showErrorBox('Watchfloor cannot open its store', (err as Error).message);
      app.exit(1);
      return;
    }
    const ws = workspace;
    stopMaintenance = startStoreMaintenance(ws.store);
    // `npm start -- --demo N`: an empty store gets N alerts' worth of demo data (as a job).
    const demoArg = process.argv.indexOf('--demo');
    const demo = demoArg > 0 ? Number(process.argv[demoArg + 1]) : NaN;
    if (Number.isInteger(demo) && demo > 0 && countCases(ws.store) === 0) {
      void loadDemoData(ws.store, { alerts: demo, seed: 1, endAt: defaultDemoEnd() }).then(() => {
        // demo cases bypass refreshQueueMembership: rebuild the queue indexes
        for (const id of markAllQueuesPending(ws.store)) reindexQueueNow(ws.store, id);
        send('data.changed', { entity: 'case' });
      });
    }
    const send = (event: string, payload: unknown) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(event, payload);
    };
    const router = createRouter(
      createHandlers(ws, {
        mode: 'electron',
        migrationsFolder: path.join(__dirname, 'migrations'),
        importWorker: { path: path.join(__dirname, 'import-worker.cjs'), execArgv: [] },
        exportWorker: { path: path.join(__dirname, 'export-worker.cjs'), execArgv: [] },
        notify: (entity) => send('data.changed', { entity }),
      }),
      (m) => console.error(m),
    );
    ws.jobs.onChange((job) => send('jobs.changed', job));
    for (const channel of CHANNELS) {
      ipcMain.handle(channel, (event, payload: unknown) => {
        if (!isTrustedSender(event.senderFrame, mainWindow?.webContents ?? null)) {
          return {
            ok: false,
            error: { code: 'FORBIDDEN', message: 'IPC from an untrusted frame' },
          };
        }
        return router.invoke(channel, payload);
      });
    }
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
      callback(false),
    );
    serveRenderer();
    Menu.setApplicationMenu(buildAppMenu(isDev));
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    stopMaintenance();
    workspace?.close();
  });
}
