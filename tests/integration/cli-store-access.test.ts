import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filesBeside } from '../helpers/store-fixtures';

/**
 * Several processes on one store (issue 11): writers wait their turn instead of failing with
 * "database is locked", reads never fail because of a writer, and a store or folder that cannot
 * be written is reported as what it is.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const BIN = path.join(ROOT, 'bin', 'watchfloor.mjs');
const HOLD_WRITE_LOCK = path.join(ROOT, 'tests', 'helpers', 'hold-write-lock.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  done: Promise<Run>;
  stderr(): string;
}

/** Starts the CLI in its own process. */
function start(args: string[], prefix: string[] = []): Started {
  const [command, ...rest] = [...prefix, NODE, BIN, ...args] as [string, ...string[]];
  const child = spawn(command, rest, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { done, stderr: () => stderr };
}

/** Runs the CLI in its own process; resolves when it exits. */
function watchfloor(args: string[], prefix: string[] = []): Promise<Run> {
  return start(args, prefix).done;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 50));

function ok(run: Run, what: string): Run {
  expect(run.stderr.replace(/^watchfloor: waiting for another import.*\n/m, ''), what).toBe('');
  expect(run.code, `${what}: ${run.stderr}`).toBe(0);
  return run;
}

/** `count` Watchfloor v1 alerts over 200 hosts, one NDJSON line each. */
function writeAlerts(file: string, count: number, prefix: string): void {
  const t0 = Date.UTC(2026, 4, 1);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        source: 'edr',
        sourceRef: `${prefix}-${i}`,
        title: `Suspicious process ${i % 37}`,
        timestamp: new Date(t0 + i * 1000).toISOString(),
        severity: 'high',
        entities: { hosts: [`host-${i % 200}`], ips: [`10.1.${i % 200}.${i % 250}`] },
      }),
    );
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

function alertCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Runs tests/helpers/hold-write-lock.mjs until `release` is called; resolves once it holds the
 * lock. `released` settles with its exit code.
 */
function holdWriteLock(
  file: string,
): Promise<{ release(): void; released: Promise<number | null> }> {
  const child = spawn(NODE, [HOLD_WRITE_LOCK, file, 'stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const released = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (text.includes('locked')) resolve({ release: () => child.stdin.end(), released });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}) before locking`)));
  });
}

let dir: string;
let db: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-access-'));
  db = path.join(dir, 'store.db');
  ok(
    await watchfloor(['--db', db, 'settings', 'set', 'correlation.timeoutMinutes', '180']),
    'create',
  );
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('writers wait their turn, readers never wait (issue 11)', () => {
  it('settings set and cases --json from other processes succeed while an import is writing', async () => {
    const file = path.join(dir, 'big.ndjson');
    const total = 30_000;
    writeAlerts(file, total, 'big');
    let importDone = false;
    const importing = watchfloor(['--db', db, 'import', file]).then((r) => {
      importDone = true;
      return r;
    });
    // Wait until the import has committed its first batch, so the others really overlap it.
    while (!importDone && alertCount(db) === 0) await new Promise((r) => setTimeout(r, 50));
    let rounds = 0;
    for (let minutes = 121; minutes <= 123 && !importDone; minutes++) {
      const [set, cases] = await Promise.all([
        watchfloor(['--db', db, 'settings', 'set', 'correlation.timeoutMinutes', String(minutes)]),
        watchfloor(['--db', db, 'cases', '--json', '--limit', '5']),
      ]);
      ok(set, `settings set during the import (round ${minutes - 120})`);
      expect(JSON.parse(set.stdout)).toEqual({ 'correlation.timeoutMinutes': minutes });
      ok(cases, `cases --json during the import (round ${minutes - 120})`);
      expect(Array.isArray(JSON.parse(cases.stdout))).toBe(true);
      rounds++;
    }
    expect(rounds, 'the import ended before the other commands could overlap it').toBeGreaterThan(
      0,
    );
    const imported = ok(await importing, 'import');
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: total, failed: 0 });
    const get = ok(
      await watchfloor(['--db', db, 'settings', 'get', 'correlation.timeoutMinutes']),
      'settings get',
    );
    expect(JSON.parse(get.stdout)).toBe(120 + rounds);
  });

  it('import and settings set wait for a process holding the write lock, say so once, and succeed; reads go on', async () => {
    const file = path.join(dir, 'small.ndjson');
    writeAlerts(file, 50, 'small');
    const holder = await holdWriteLock(db);
    const importing = start(['--db', db, 'import', file]);
    const setting = start(['--db', db, 'settings', 'set', 'correlation.timeoutMinutes', '90']);
    // Both say they wait (after a second of waiting); meanwhile a read goes through at once.
    const waiting = (s: Started) => /waiting for another import/.test(s.stderr());
    let finished = false;
    void Promise.all([importing.done, setting.done]).then(() => (finished = true));
    while (!finished && !(waiting(importing) && waiting(setting))) await tick();
    const read = ok(
      await watchfloor(['--db', db, 'cases', '--json']),
      'cases --json during the lock',
    );
    expect(read.stderr).toBe('');
    holder.release();
    expect(await holder.released).toBe(0);
    const [imported, set] = [await importing.done, await setting.done];
    for (const [run, what] of [
      [imported, 'import'],
      [set, 'settings set'],
    ] as const) {
      ok(run, what);
      expect(run.stderr.match(/waiting for another import/g), what).toHaveLength(1);
    }
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 50, failed: 0 });
    expect(JSON.parse(set.stdout)).toEqual({ 'correlation.timeoutMinutes': 90 });
  });
});

/**
 * Root ignores file permissions, so as root these cases run the CLI as `nobody` through setpriv
 * (or skip, saying why, where that is not possible).
 */
function unprivileged(): { prefix: string[]; uid: number; gid: number } | string {
  const uid = process.getuid?.();
  if (uid === undefined) return 'no POSIX user ids on this platform';
  if (uid !== 0) return { prefix: [], uid, gid: process.getgid?.() ?? uid };
  const setpriv = spawnSync('setpriv', ['--version']);
  if (setpriv.error) return 'running as root without setpriv: file permissions cannot be tested';
  return {
    prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    uid: 65534,
    gid: 65534,
  };
}

describe('stores and folders that cannot be written (issue 11)', () => {
  const user = unprivileged();
  const skip = typeof user === 'string';
  if (skip) console.log(`skipping the permission cases: ${user}`);

  /** A folder of the unprivileged user holding a store that user created. */
  async function ownStore(): Promise<{ folder: string; store: string; prefix: string[] }> {
    if (typeof user === 'string') throw new Error(user);
    fs.chmodSync(dir, 0o755);
    const folder = path.join(dir, 'theirs');
    fs.mkdirSync(folder);
    fs.chownSync(folder, user.uid, user.gid);
    const store = path.join(folder, 'store.db');
    ok(
      await watchfloor(
        ['--db', store, 'settings', 'set', 'correlation.timeoutMinutes', '60'],
        user.prefix,
      ),
      'create as the user',
    );
    return { folder, store, prefix: user.prefix };
  }

  it.skipIf(skip)('a read-only store is read, and leaves no -wal or -shm behind', async () => {
    const { store, prefix } = await ownStore();
    fs.chmodSync(store, 0o444);
    const r = ok(await watchfloor(['--db', store, 'cases', '--json'], prefix), 'cases --json');
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(filesBeside(store)).toEqual(['store.db']);
    const write = await watchfloor(
      ['--db', store, 'settings', 'set', 'correlation.timeoutMinutes', '61'],
      prefix,
    );
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/cannot write .*store\.db.*permission denied/);
    expect(write.stderr).not.toMatch(/damaged|not a Watchfloor store/);
  });

  it.skipIf(skip)('a read-only folder is reported as such, not as a damaged store', async () => {
    const { folder, store, prefix } = await ownStore();
    fs.chmodSync(folder, 0o555);
    try {
      const write = await watchfloor(
        ['--db', store, 'settings', 'set', 'correlation.timeoutMinutes', '61'],
        prefix,
      );
      expect(write.code).not.toBe(0);
      expect(write.stderr).toContain(`cannot write in folder ${folder} (permission denied)`);
      const read = await watchfloor(['--db', store, 'cases', '--json'], prefix);
      expect(read.code).not.toBe(0);
      expect(read.stderr).toContain(`folder ${folder}`);
      expect(read.stderr).toMatch(/permission denied/);
      for (const r of [write, read]) expect(r.stderr).not.toMatch(/damaged|not a Watchfloor store/);
      expect(filesBeside(store)).toEqual(['store.db']);
    } finally {
      fs.chmodSync(folder, 0o755);
    }
  });

  it.skipIf(skip)('an import into a missing folder creates it; a read does not', async () => {
    const { folder, prefix } = await ownStore();
    const nested = path.join(folder, 'new', 'deeper', 'store.db');
    const read = await watchfloor(['--db', nested, 'cases', '--json'], prefix);
    expect(read.code).not.toBe(0);
    expect(read.stderr).toContain(`no Watchfloor store at ${nested}`);
    expect(fs.existsSync(path.join(folder, 'new'))).toBe(false);
    const file = path.join(dir, 'one.ndjson');
    writeAlerts(file, 1, 'one');
    fs.chmodSync(file, 0o644);
    ok(await watchfloor(['--db', nested, 'import', file], prefix), 'import into a new folder');
    expect(fs.existsSync(nested)).toBe(true);
  });
});
