import { fileURLToPath } from 'node:url';

// The store folder lives in a module of its own so that Electron's CommonJS bundle takes it
// without the source-mode paths below (import.meta has no meaning there).
export { APP_NAME, defaultDataDir, defaultStorePath } from './data-dir';

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
