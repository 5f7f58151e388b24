import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session } from 'electron';
import { pathToFileURL } from 'node:url';
import { bootApp, type BootedApp } from '../app/boot';
import { defaultDataDir, defaultStorePath } from '../store/data-dir';
import { CHANNELS } from '../../shared/ipc/contract';
import { contentSecurityPolicy } from '../web/server';
import { APP_ORIGIN, isTrustedSender, lockDownContents } from './security';
import { buildAppMenu } from './menu';

/**
 * The thin Electron shell (rule 2): one window, a locked-down renderer served from the app://
 * scheme with a strict CSP, and IPC handlers that forward to the router main/app/boot.ts builds,
 * the same as browser mode's.
 */

const isDev = !app.isPackaged;
const rendererDir = path.join(__dirname, '..', 'renderer');

// One store folder for the app and the CLI (issue 12.7): Electron would derive its own from
// package.json; set before anything (the single-instance lock included) reads it.
app.setPath('userData', defaultDataDir());

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let mainWindow: BrowserWindow | null = null;
  let booted: BootedApp | null = null;

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
    const send = (event: string, payload: unknown) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(event, payload);
    };
    // `npm start -- --demo N`: an empty store gets N alerts' worth of demo data (as a job).
    const demoArg = process.argv.indexOf('--demo');
    const demo = demoArg > 0 ? Number(process.argv[demoArg + 1]) : NaN;
    try {
      booted = bootApp({
        storePath: process.env.WATCHFLOOR_DB ?? defaultStorePath(),
        environment: {
          mode: 'electron',
          migrationsFolder: path.join(__dirname, 'migrations'),
          importWorker: { path: path.join(__dirname, 'import-worker.cjs'), execArgv: [] },
          exportWorker: { path: path.join(__dirname, 'export-worker.cjs'), execArgv: [] },
          notify: (entity) => send('data.changed', { entity }),
        },
        demo: Number.isInteger(demo) && demo > 0 ? { alerts: demo } : null,
        log: (m) => console.error(m),
      });
    } catch (err) {
      dialog.showErrorBox('Watchfloor cannot open its store', (err as Error).message);
      app.exit(1);
      return;
    }
    const { ws, router } = booted;
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
  app.on('will-quit', () => booted?.close());
}
