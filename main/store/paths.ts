import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'Watchfloor';

/** The platform's user-data folder, the same one Electron's app.getPath('userData') gives. */
export function defaultDataDir(): string {
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_NAME);
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
  }
}

export function defaultStorePath(): string {
  return path.join(defaultDataDir(), 'watchfloor.db');
}

/** Migrations next to this file when run from source (CLI, browser mode, tests). */
export function sourceMigrationsFolder(): string {
  return fileURLToPath(new URL('./migrations', import.meta.url));
}

/** The import worker run from source: TypeScript through tsx (CLI, browser mode, tests). */
export function sourceImportWorker(): { path: string; execArgv: string[] } {
  return {
    path: fileURLToPath(new URL('../jobs/import-worker.ts', import.meta.url)),
    // tsx as resolved from here, so that a CLI run from any folder finds it.
    execArgv: ['--import', import.meta.resolve('tsx')],
  };
}
