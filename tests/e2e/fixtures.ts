import { test as base, expect, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Every test gets its own data folder and its own browser-mode server (Actual Budget style). */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

export interface WebApp {
  url: string;
  dbPath: string;
  dir: string;
}

export function seedDemo(dbPath: string, alerts: number, seed = 1): void {
  const r = spawnSync(
    NODE,
    [
      'bin/watchfloor.mjs',
      '--db',
      dbPath,
      'demo',
      '--alerts',
      String(alerts),
      '--seed',
      String(seed),
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`demo load failed: ${r.stderr}`);
}

async function startWeb(
  dbPath: string,
  args: string[] = [],
): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(
    NODE,
    ['--import', 'tsx', 'main/web/start.ts', '--db', dbPath, '--port', '0', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`web server exited (${code}): ${stderr}`)));
  });
  return { url, proc };
}

export function runCli(dbPath: string, args: string[]): string {
  const r = spawnSync(NODE, ['bin/watchfloor.mjs', '--db', dbPath, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`watchfloor ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'alerts');

/** Wrapped in an object: Playwright reads a bare array option as [value, options]. */
type Fixtures = {
  seededAlerts: number;
  cliSetup: { commands: string[][] };
  /** more arguments for `npm run web` (e.g. --max-upload-mb) */
  webOptions: { args: string[] };
  webApp: WebApp;
};

export const test = base.extend<Fixtures>({
  seededAlerts: [2000, { option: true }],
  /** CLI commands (after --db) run on the store before the server starts */
  cliSetup: [{ commands: [] }, { option: true }],
  webOptions: [{ args: [] }, { option: true }],
  webApp: async ({ seededAlerts, cliSetup, webOptions }, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchfloor-e2e-'));
    const dbPath = path.join(dir, 'store.db');
    if (seededAlerts > 0) seedDemo(dbPath, seededAlerts);
    for (const args of cliSetup.commands) {
      const r = spawnSync(NODE, ['bin/watchfloor.mjs', '--db', dbPath, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      // import exits 1 when some records failed; the setup only needs the valid ones
      if (r.status !== 0 && !(args[0] === 'import' && r.status === 1)) {
        throw new Error(`setup watchfloor ${args.join(' ')} failed: ${r.stderr}`);
      }
    }
    const { url, proc } = await startWeb(dbPath, webOptions.args);
    await use({ url, dbPath, dir });
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      // a server that does not stop within 5 s is killed, so teardown never hangs
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  },
});

export { expect };

/** Saves a screenshot into the test's output folder and attaches it to the report. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const file = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await test.info().attach(name, { path: file, contentType: 'image/png' });
}

/** Score values of the rendered case rows, top to bottom. */
export async function visibleScores(page: Page): Promise<number[]> {
  const rows = page.locator('.grid-wrap [role="row"][row-index]');
  const count = await rows.count();
  const byIndex: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    const index = Number(await row.getAttribute('row-index'));
    const text = await row.locator('[col-id="score"] .score-num').textContent();
    if (text) byIndex.push([index, Number(text)]);
  }
  return byIndex.sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}
