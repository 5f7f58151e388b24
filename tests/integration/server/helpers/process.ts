import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ADMIN_PASSWORD } from './constants';

/** Real `watchfloor-server` processes for the multi-instance tests. */

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const MAIN = join(REPO_ROOT, 'server', 'main.ts');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: string[];
  /** Resolves with the first output line matching, or rejects when the process ends first. */
  waitForLine(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export async function startServerProcess(
  databaseUrl: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--port',
      '0',
      '--database-url',
      databaseUrl,
      '--log-level',
      'info',
      ...extraArgs,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, WATCHFLOOR_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const waiters: {
    pattern: RegExp;
    resolve: (line: string) => void;
    reject: (error: Error) => void;
  }[] = [];
  let ended = false;
  const onLine = (line: string) => {
    output.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        onLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      ended = true;
      for (const waiter of waiters.splice(0)) {
        waiter.reject(
          new Error(
            `server exited (${code}) before printing ${waiter.pattern}:\n${output.join('\n')}`,
          ),
        );
      }
      resolve(code);
    });
  });
  const waitForLine = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = output.find((line) => pattern.test(line));
      if (seen) return resolve(seen);
      if (ended) return reject(new Error(`server has exited:\n${output.join('\n')}`));
      waiters.push({ pattern, resolve, reject });
    });
  const listening = await waitForLine(/listening on (\S+)/);
  const url = /listening on (\S+)/.exec(listening)?.[1] as string;
  return { url, child, output, waitForLine, exited, kill: (signal) => child.kill(signal) };
}

/** Runs the operator CLI once; returns its exit code and output. */
export function runServerCli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, WATCHFLOOR_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env },
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export async function http(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: response.status, json };
}
