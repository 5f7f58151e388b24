import path from 'node:path';

/** Where the import worker's script is: a .ts file under tsx, or the bundled .cjs in Electron. */
export interface WorkerScript {
  path: string;
  execArgv: string[];
}

/**
 * Another worker next to the import worker: all live side by side, as .ts files run through tsx
 * from source (CLI, browser mode, tests) and as bundled .cjs files in Electron.
 */
export function workerBeside(importWorker: WorkerScript, name: string): WorkerScript {
  const extension = path.extname(importWorker.path);
  return {
    path: path.join(path.dirname(importWorker.path), `${name}${extension}`),
    execArgv: importWorker.execArgv,
  };
}
