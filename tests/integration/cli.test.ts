import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesBeside, FOREIGN_DATABASES, sha256 } from '../helpers/store-fixtures';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The project's own Node 22 (the system node may be older; bin/watchfloor.mjs refuses those).
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const BIN = path.join(ROOT, 'bin', 'watchfloor.mjs');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function watchfloor(...args: string[]): Run {
  const r = spawnSync(NODE, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function caseCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

let dir: string;
let db: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-cli-'));
  db = path.join(dir, 'store.db');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('watchfloor CLI', () => {
  let demoCases = 0;

  it('demo --alerts 500 --seed 3 loads the data and prints a JSON summary', () => {
    const r = watchfloor('--db', db, 'demo', '--alerts', '500', '--seed', '3');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(['alerts', 'cases', 'seconds']);
    expect(summary.alerts).toBe(500);
    expect(typeof summary.cases).toBe('number');
    expect(summary.cases).toBeGreaterThan(0);
    expect(summary.cases).toBeLessThanOrEqual(500);
    expect(typeof summary.seconds).toBe('number');
    demoCases = summary.cases as number;
    expect(caseCount(db)).toBe(demoCases);
  });

  it('cases --json --limit 5 prints five cases with the documented keys', () => {
    const r = watchfloor('--db', db, 'cases', '--json', '--limit', '5');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cases = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(Array.isArray(cases)).toBe(true);
    expect(cases).toHaveLength(5);
    for (const c of cases) {
      expect(Object.keys(c).sort()).toEqual(
        [
          'alertCount',
          'assignee',
          'createdAt',
          'id',
          'name',
          'number',
          'score',
          'severity',
          'status',
          'updatedAt',
        ].sort(),
      );
      expect(c.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isInteger(c.number)).toBe(true);
      expect(c.severity).toMatch(/^(Critical|High|Medium|Low)$/);
      expect(new Date(c.updatedAt as string).toISOString()).toBe(c.updatedAt);
      expect(new Date(c.createdAt as string).toISOString()).toBe(c.createdAt);
    }
    const updated = cases.map((c) => c.updatedAt as string);
    expect(updated).toEqual([...updated].sort().reverse()); // most recently updated first
  });

  it('cases --json without --limit prints at most 100 cases', () => {
    const r = watchfloor('--db', db, 'cases', '--json');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(Math.min(100, demoCases));
  });

  it('refuses an unknown command: non-zero exit, message on stderr, nothing on stdout', () => {
    const r = watchfloor('--db', db, 'frobnicate');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('cases --json on a missing store fails clearly and does not create the file', () => {
    const missing = path.join(dir, 'nowhere', 'missing.db');
    const r = watchfloor('--db', missing, 'cases', '--json');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`no Watchfloor store at ${missing}`);
    expect(fs.existsSync(missing)).toBe(false);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
  });

  it('cases --json on a text file fails clearly and leaves the file unchanged', () => {
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'shopping list\n- eggs\n- milk\n'.repeat(100));
    const before = fs.readFileSync(text);
    const r = watchfloor('--db', text, 'cases', '--json');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not a Watchfloor store/);
    expect(fs.readFileSync(text).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('notes.txt'))).toEqual(['notes.txt']);
  });

  it('demo on a text file fails and leaves the file unchanged', () => {
    const text = path.join(dir, 'notes2.txt');
    fs.writeFileSync(text, 'not sqlite');
    const r = watchfloor('--db', text, 'demo', '--alerts', '10');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/not a Watchfloor store/);
    expect(fs.readFileSync(text, 'utf8')).toBe('not sqlite');
  });

  it.each([
    ['abc', /--alerts must be a whole number, got "abc"/],
    ['0', /--alerts must be between 1 and/],
    ['-5', /--alerts must be a whole number, got "-5"/],
    ['1.5', /--alerts must be a whole number/],
  ])('demo --alerts %s fails with a clear message and creates no store', (value, message) => {
    const fresh = path.join(dir, `bad-alerts-${value}.db`);
    const r = watchfloor('--db', fresh, 'demo', '--alerts', value);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(fresh)).toBe(false);
  });

  it('refuses to load the same seed twice and keeps the case count', () => {
    const before = caseCount(db);
    expect(before).toBe(demoCases);
    const r = watchfloor('--db', db, 'demo', '--alerts', '500', '--seed', '3');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/seed 3 is already in/);
    expect(caseCount(db)).toBe(before);
  });

  it('loads another seed into the same store', () => {
    const r = watchfloor('--db', db, 'demo', '--alerts', '200', '--seed', '13');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { alerts: number }).alerts).toBe(200);
    expect(caseCount(db)).toBeGreaterThan(demoCases);
  });
});

describe('watchfloor never writes over a database (issue 11)', () => {
  let store: string;
  beforeAll(() => {
    store = path.join(dir, 'guarded.db');
    const r = watchfloor('--db', store, 'demo', '--alerts', '200', '--seed', '5');
    expect(r.status).toBe(0);
  });

  it('export cases --csv refuses the open store itself, its -wal and -shm, links to it, and other databases', () => {
    const before = sha256(store);
    const symlink = path.join(dir, 'store-link.csv');
    fs.symlinkSync(store, symlink);
    const other = path.join(dir, 'other-app.sqlite');
    const otherDb = new Database(other);
    otherDb.exec('CREATE TABLE notes (body TEXT)');
    otherDb.close();
    const otherBefore = sha256(other);
    for (const target of [store, `${store}-wal`, `${store}-shm`, symlink, other]) {
      for (const force of [[], ['--force']]) {
        const r = watchfloor('--db', store, 'export', 'cases', '--csv', target, ...force);
        expect(r.status, `${target} ${force.join(' ')}`).not.toBe(0);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/Watchfloor store|SQLite database/);
      }
    }
    expect(sha256(store)).toBe(before);
    expect(sha256(other)).toBe(otherBefore);
    expect(filesBeside(store)).toEqual(['guarded.db']);
    expect(caseCount(store)).toBeGreaterThan(0);
  });

  it('export cases --csv refuses an existing file without --force, and replaces it with it', () => {
    const target = path.join(dir, 'cases.csv');
    fs.writeFileSync(target, 'my own notes\n');
    const refused = watchfloor('--db', store, 'export', 'cases', '--csv', target);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(fs.readFileSync(target, 'utf8')).toBe('my own notes\n');
    const forced = watchfloor('--db', store, 'export', 'cases', '--csv', target, '--force');
    expect(forced.stderr).toBe('');
    expect(forced.status).toBe(0);
    expect(fs.readFileSync(target, 'utf8')).toMatch(/^Tenant,Case ID,/);
  });

  for (const [i, [name, write]] of Object.entries(FOREIGN_DATABASES).entries()) {
    it(`cases --json and import refuse ${name} and leave it byte-identical`, () => {
      const file = path.join(dir, `foreign-${i}.db`);
      write(file);
      const before = sha256(file);
      for (const args of [
        ['cases', '--json'],
        ['settings', 'get', 'correlation.timeoutMinutes'],
      ]) {
        const r = watchfloor('--db', file, ...args);
        expect(r.status, args.join(' ')).not.toBe(0);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/not a Watchfloor store/);
      }
      const alerts = path.join(dir, 'one-alert.ndjson');
      fs.writeFileSync(
        alerts,
        JSON.stringify({
          source: 's',
          sourceRef: '1',
          title: 't',
          timestamp: '2026-05-01T10:00:00Z',
          severity: 'low',
        }) + '\n',
      );
      const imported = watchfloor('--db', file, 'import', alerts);
      expect(imported.status).not.toBe(0);
      expect(imported.stderr).toMatch(/not a Watchfloor store/);
      expect(sha256(file)).toBe(before);
      expect(filesBeside(file)).toEqual([path.basename(file)]);
    });
  }
});

describe('watchfloor from another folder', () => {
  it('import reads and parses in its worker thread whatever the current folder', () => {
    const alerts = path.join(dir, 'elsewhere.ndjson');
    fs.writeFileSync(
      alerts,
      JSON.stringify({
        source: 's',
        sourceRef: 'elsewhere-1',
        title: 't',
        timestamp: '2026-05-01T10:00:00Z',
      }) + '\n',
    );
    const r = spawnSync(NODE, [BIN, '--db', 'elsewhere.db', 'import', alerts], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ imported: 1, failed: 0 });
    expect(caseCount(path.join(dir, 'elsewhere.db'))).toBe(1);
  });
});

describe('watchfloor --help', () => {
  it('says which commands create a missing store (and its folder) and which never do', () => {
    const help = watchfloor('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/create a missing store \(and its folder\)/);
    expect(help.stdout).toMatch(/Read commands .*never create/s);
    const importHelp = watchfloor('import', '--help');
    expect(importHelp.stdout).toMatch(/creates the store \(and its folder\) when it is missing/i);
  });
});
