import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openStore,
  StoreOpenError,
  WATCHFLOOR_APPLICATION_ID,
  type Store,
} from '../../main/store/open';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { setWriteLockWaitListener, writeTransaction } from '../../main/store/write';
import { filesBeside, FOREIGN_DATABASES, sha256 } from '../helpers/store-fixtures';

const migrationsFolder = sourceMigrationsFolder();
const PAGE = 4096;

let dir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-store-'));
});

afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function newStore(name = 'w.db'): Store {
  const store = openStore(path.join(dir, name), { create: true, migrationsFolder });
  open.push(store);
  return store;
}

function count(store: Store, table: string): number {
  return (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Catches the StoreOpenError thrown by `fn` (and fails the test when nothing is thrown). */
function openError(fn: () => unknown): StoreOpenError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreOpenError);
    return err as StoreOpenError;
  }
  throw new Error('expected a StoreOpenError, nothing was thrown');
}

function insertTenant(store: Store, id: string, name: string): void {
  writeTransaction(store, 'test', (w) => w.insert('tenant', { id, name, createdAt: w.now }));
}

interface TestCase {
  id: string;
  number: number;
  name: string;
  description?: string;
}

const INSERT_CASE = `INSERT INTO cases (id, tenant_id, number, name, description, severity, severity_rank, creator, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, 'Low', 1, 'test', ?, ?)`;

function caseValues(tenantId: string, c: TestCase, now: number) {
  return {
    id: c.id,
    tenantId,
    number: c.number,
    name: c.name,
    description: c.description ?? '',
    severity: 'Low',
    severityRank: 1,
    creator: 'test',
    createdAt: now,
    updatedAt: now,
  };
}

function insertCase(store: Store, tenantId: string, c: TestCase): void {
  writeTransaction(store, 'test', (w) => w.insert('case', caseValues(tenantId, c, w.now)));
}

function ftsIds(store: Store, query: string): string[] {
  return (
    store.db
      .prepare(
        'SELECT c.id FROM cases_fts f JOIN cases c ON c.rowid = f.rowid WHERE cases_fts MATCH ? ORDER BY c.id',
      )
      .all(query) as { id: string }[]
  ).map((r) => r.id);
}

/** A real store of ~80 pages, closed (WAL checkpointed into the main file). */
function realStoreFile(): string {
  const store = newStore('source.db');
  insertTenant(store, 't1', 'Tenant one');
  writeTransaction(store, 'test', (w) => {
    const insert = w.derivedDb.prepare(INSERT_CASE);
    for (let i = 1; i <= 2000; i++) {
      insert.run(`case-${i}`, 't1', i, `Case ${i} lateral movement`, 'x'.repeat(100), i, i);
    }
  });
  store.close();
  return store.file;
}

function listSiblings(file: string): string[] {
  const base = path.basename(file);
  return fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith(base));
}

describe('openStore', () => {
  it('creates the store and runs every migration', () => {
    const store = newStore();
    const names = (
      store.db
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        .all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'tenants',
        'users',
        'cases',
        'alerts',
        'case_alerts',
        'case_entities',
        'activity',
        'outbox',
        'settings',
        'jobs',
        'cases_fts',
        'cases_fts_ai',
        'cases_fts_au',
        'cases_fts_ad',
        '__drizzle_migrations',
      ]),
    );
    const journal = JSON.parse(
      fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
    ) as { entries: unknown[] };
    expect(count(store, '__drizzle_migrations')).toBe(journal.entries.length);
  });

  it('sets WAL, foreign keys and a busy timeout', () => {
    const store = newStore();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    // foreign keys are enforced, not just switched on: a case needs its tenant
    expect(() => insertCase(store, 'no-such-tenant', { id: 'c1', number: 1, name: 'x' })).toThrow(
      /FOREIGN KEY/,
    );
  });

  it('reopens an existing store without re-running migrations', () => {
    const first = newStore();
    insertTenant(first, 't1', 'Tenant one');
    first.close();
    const again = openStore(first.file, { create: false, migrationsFolder });
    open.push(again);
    expect(count(again, 'tenants')).toBe(1);
    const migrations = count(again, '__drizzle_migrations');
    again.close();
    const third = openStore(first.file, { create: false, migrationsFolder });
    open.push(third);
    expect(count(third, '__drizzle_migrations')).toBe(migrations);
  });

  it('reports a missing file as STORE_MISSING and creates nothing', () => {
    const file = path.join(dir, 'nested', 'missing.db');
    const err = openError(() => openStore(file, { create: false, migrationsFolder }));
    expect(err.code).toBe('STORE_MISSING');
    expect(err.message).toContain(file);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('refuses a text file as STORE_CORRUPT and leaves its bytes unchanged', () => {
    const file = path.join(dir, 'notes.db');
    fs.writeFileSync(file, 'these are my notes, not a database\n'.repeat(200));
    const before = fs.readFileSync(file);
    const err = openError(() => openStore(file, { create: false, migrationsFolder }));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toMatch(/not a Watchfloor store/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(listSiblings(file)).toEqual(['notes.db']); // no -wal / -shm left behind
  });

  it('refuses a text file even with create: true', () => {
    const file = path.join(dir, 'notes.db');
    fs.writeFileSync(file, 'short');
    const before = fs.readFileSync(file);
    expect(openError(() => openStore(file, { create: true, migrationsFolder })).code).toBe(
      'STORE_CORRUPT',
    );
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a store garbled in the middle and leaves its bytes unchanged', () => {
    const source = realStoreFile();
    const bytes = fs.readFileSync(source);
    expect(bytes.length).toBeGreaterThan(20 * PAGE);
    const file = path.join(dir, 'garbled.db');
    const middle = Math.floor(bytes.length / 2 / PAGE) * PAGE;
    for (let i = 0; i < 2 * PAGE; i++) bytes[middle + i] = (i * 131 + 7) & 0xff;
    fs.writeFileSync(file, bytes);
    const err = openError(() => openStore(file, { create: false, migrationsFolder }));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it("refuses another application's SQLite database and leaves its bytes unchanged", () => {
    const file = path.join(dir, 'other-app.db');
    const other = new Database(file);
    other.pragma('journal_mode = DELETE');
    other.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')");
    other.close();
    const before = fs.readFileSync(file);
    const err = openError(() => openStore(file, { create: true, migrationsFolder }));
    expect(err.code).toBe('STORE_FOREIGN');
    expect(err.message).toMatch(/not a Watchfloor store/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a truncated store and leaves its bytes unchanged', () => {
    const bytes = fs.readFileSync(realStoreFile());
    const file = path.join(dir, 'truncated.db');
    const truncated = bytes.subarray(0, Math.floor(bytes.length / 2) + 123);
    fs.writeFileSync(file, truncated);
    const err = openError(() => openStore(file, { create: false, migrationsFolder }));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(fs.readFileSync(file).equals(truncated)).toBe(true);
  });
});

describe('writeTransaction', () => {
  it('appends one activity and one outbox mutation per change', () => {
    const store = newStore();
    insertTenant(store, 't1', 'Tenant one');
    expect(count(store, 'activity')).toBe(1);
    expect(count(store, 'outbox')).toBe(1);

    const now = 1_700_000_000_000;
    writeTransaction(
      store,
      'alice',
      (w) => {
        expect(w.now).toBe(now);
        w.insert('case', caseValues('t1', { id: 'c1', number: 1, name: 'First' }, w.now));
        w.insert('case', caseValues('t1', { id: 'c2', number: 2, name: 'Second' }, w.now));
        w.patch('case', 'c1', { name: 'First renamed' }, { action: 'rename' });
        w.delete('case', 'c2');
      },
      { now },
    );

    const activity = store.db
      .prepare(
        "SELECT entity_id AS entityId, action, actor, at, before, after FROM activity WHERE entity_type = 'case' ORDER BY id",
      )
      .all() as {
      entityId: string;
      action: string;
      actor: string;
      at: number;
      before: string | null;
      after: string | null;
    }[];
    expect(activity.map((a) => [a.entityId, a.action, a.actor, a.at])).toEqual([
      ['c1', 'create', 'alice', now],
      ['c2', 'create', 'alice', now],
      ['c1', 'rename', 'alice', now],
      ['c2', 'delete', 'alice', now],
    ]);
    expect(JSON.parse(activity[0]!.after!)).toMatchObject({ id: 'c1', name: 'First' });
    expect(activity[2]).toMatchObject({
      before: '{"name":"First"}',
      after: '{"name":"First renamed"}',
    });
    expect(JSON.parse(activity[3]!.before!)).toMatchObject({ id: 'c2', name: 'Second' });
    const outbox = store.db
      .prepare(
        "SELECT tenant_id AS tenantId, entity_id AS entityId, op, base_rev AS baseRev, payload, created_at AS at, pushed_at AS pushedAt FROM outbox WHERE entity_type = 'case' ORDER BY seq",
      )
      .all() as {
      tenantId: string;
      entityId: string;
      op: string;
      baseRev: number;
      payload: string;
      at: number;
      pushedAt: number | null;
    }[];
    expect(outbox.map((o) => [o.tenantId, o.entityId, o.op, o.baseRev, o.at, o.pushedAt])).toEqual([
      ['t1', 'c1', 'insert', 0, now, null],
      ['t1', 'c2', 'insert', 0, now, null],
      ['t1', 'c1', 'patch', 1, now, null],
      ['t1', 'c2', 'delete', 1, now, null],
    ]);
    expect(JSON.parse(outbox[2]!.payload)).toEqual({
      changes: {
        name: { before: 'First', after: 'First renamed' },
        updatedAt: { before: now, after: now },
      },
    });
    expect(count(store, 'activity')).toBe(5);
    expect(count(store, 'outbox')).toBe(5);
    expect(count(store, 'tombstones')).toBe(1);
  });

  it('returns the callback result', () => {
    const store = newStore();
    expect(writeTransaction(store, 'test', () => 42)).toBe(42);
  });

  it('rolls back rows, activity and outbox when the callback throws', () => {
    const store = newStore();
    insertTenant(store, 't1', 'Tenant one');
    insertCase(store, 't1', { id: 'c0', number: 1, name: 'Kept' });
    const before = {
      cases: count(store, 'cases'),
      activity: count(store, 'activity'),
      outbox: count(store, 'outbox'),
      fts: count(store, 'cases_fts'),
    };
    expect(() =>
      writeTransaction(store, 'test', (w) => {
        w.insert('case', caseValues('t1', { id: 'c1', number: 2, name: 'Doomed' }, w.now));
        w.patch('case', 'c0', { name: 'Changed' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect({
      cases: count(store, 'cases'),
      activity: count(store, 'activity'),
      outbox: count(store, 'outbox'),
      fts: count(store, 'cases_fts'),
    }).toEqual(before);
    expect(store.db.prepare('SELECT name FROM cases WHERE id = ?').get('c0')).toEqual({
      name: 'Kept',
    });
    expect(ftsIds(store, 'doomed')).toEqual([]);
    expect(ftsIds(store, 'kept')).toEqual(['c0']);
  });

  it('rolls back when a statement fails part-way (constraint violation)', () => {
    const store = newStore();
    insertTenant(store, 't1', 'Tenant one');
    insertCase(store, 't1', { id: 'c0', number: 1, name: 'Kept' });
    const activity = count(store, 'activity');
    expect(() =>
      writeTransaction(store, 'test', (w) => {
        w.insert('case', caseValues('t1', { id: 'c1', number: 2, name: 'New' }, w.now));
        w.insert(
          'case',
          caseValues('t1', { id: 'c2', number: 1, name: 'Duplicate number' }, w.now),
        );
      }),
    ).toThrow(/UNIQUE/);
    expect(count(store, 'cases')).toBe(1);
    expect(count(store, 'activity')).toBe(activity);
    expect(count(store, 'outbox')).toBe(activity);
  });
});

describe('case search index (cases_fts, queued by triggers, indexed per write transaction)', () => {
  it('index inserted cases', () => {
    const store = newStore();
    insertTenant(store, 't1', 'Tenant one');
    insertCase(store, 't1', { id: 'c1', number: 1, name: 'Mimikatz on WS-FIN-0042' });
    insertCase(store, 't1', {
      id: 'c2',
      number: 2,
      name: 'Phishing wave',
      description: 'Credential harvesting via mimikatz-like lure',
    });
    expect(ftsIds(store, 'mimikatz')).toEqual(['c1', 'c2']);
    expect(ftsIds(store, 'phishing')).toEqual(['c2']);
    expect(ftsIds(store, 'name:harvesting')).toEqual([]);
    expect(ftsIds(store, 'description:harvesting')).toEqual(['c2']);
  });

  it('follow updates of indexed columns and deletes', () => {
    const store = newStore();
    insertTenant(store, 't1', 'Tenant one');
    insertCase(store, 't1', { id: 'c1', number: 1, name: 'Beacon to dyn-ns domain' });
    writeTransaction(store, 'test', (w) =>
      w.patch('case', 'c1', {
        name: 'Ransomware staging',
        who: 'john.smith',
        tags: ['ransomware'],
      }),
    );
    expect(ftsIds(store, 'beacon')).toEqual([]);
    expect(ftsIds(store, 'staging')).toEqual(['c1']);
    expect(ftsIds(store, 'who:john')).toEqual(['c1']);
    expect(ftsIds(store, 'tags:ransomware')).toEqual(['c1']);

    // an update of a column outside the index keeps the entry as it was
    store.db.prepare('UPDATE cases SET score = 90 WHERE id = ?').run('c1');
    expect(ftsIds(store, 'staging')).toEqual(['c1']);

    writeTransaction(store, 'test', (w) => w.delete('case', 'c1'));
    expect(ftsIds(store, 'staging')).toEqual([]);
    // the entry itself is gone, not just unmatched by the join, and nothing waits in the queue
    expect(
      store.db.prepare("SELECT count(*) AS n FROM cases_fts WHERE cases_fts MATCH 'staging'").get(),
    ).toEqual({ n: 0 });
    expect(count(store, 'cases_fts_pending')).toBe(0);
    expect(() =>
      store.db.prepare("INSERT INTO cases_fts(cases_fts) VALUES ('integrity-check')").run(),
    ).not.toThrow();
  });
});

describe('what counts as a Watchfloor store (issue 11)', () => {
  const modes = [
    { mode: 'read', create: false },
    { mode: 'write', create: false },
    { mode: 'write', create: true },
  ] as const;

  it('marks a new store with PRAGMA application_id', () => {
    const store = newStore();
    expect(store.db.pragma('application_id', { simple: true })).toBe(WATCHFLOOR_APPLICATION_ID);
  });

  for (const [name, write] of Object.entries(FOREIGN_DATABASES)) {
    it(`refuses ${name}, in every mode, and leaves it byte-identical`, () => {
      const file = path.join(dir, 'foreign.db');
      write(file);
      const before = sha256(file);
      expect(filesBeside(file)).toEqual(['foreign.db']);
      for (const options of modes) {
        const err = openError(() => openStore(file, { ...options, migrationsFolder }));
        expect(err.code, options.mode).toBe('STORE_FOREIGN');
        expect(err.message).toMatch(/not a Watchfloor store/);
        expect(err.message).toContain(file);
        expect(sha256(file)).toBe(before);
        expect(filesBeside(file)).toEqual(['foreign.db']);
      }
    });
  }

  it('recognises a store of an earlier version (no mark) by its schema; marks it on the next write open', () => {
    const first = newStore();
    insertTenant(first, 't1', 'Tenant one');
    first.close();
    const raw = new Database(first.file);
    raw.pragma('application_id = 0'); // what every store written before the mark looks like
    raw.close();

    const read = openStore(first.file, { create: false, migrationsFolder, mode: 'read' });
    open.push(read);
    expect(count(read, 'tenants')).toBe(1);
    expect(read.db.pragma('application_id', { simple: true })).toBe(0);
    read.close();

    const write = openStore(first.file, { create: false, migrationsFolder });
    open.push(write);
    expect(write.db.pragma('application_id', { simple: true })).toBe(WATCHFLOOR_APPLICATION_ID);
  });

  it('refuses a store written by a newer version (a migration it does not know)', () => {
    const first = newStore();
    first.db
      .prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
      .run('f'.repeat(64), 4_102_444_800_000);
    first.close();
    const before = sha256(first.file);
    for (const options of modes) {
      const err = openError(() => openStore(first.file, { ...options, migrationsFolder }));
      expect(err.code).toBe('STORE_NEWER');
      expect(err.message).toMatch(/newer version of Watchfloor/);
    }
    expect(sha256(first.file)).toBe(before);
  });

  it('opens for reading without writing: writes are refused and no -wal or -shm is left', () => {
    const first = newStore();
    insertTenant(first, 't1', 'Tenant one');
    first.close();
    expect(filesBeside(first.file)).toEqual(['w.db']);
    const read = openStore(first.file, { create: false, migrationsFolder, mode: 'read' });
    open.push(read);
    expect(count(read, 'tenants')).toBe(1);
    expect(() => read.db.prepare('DELETE FROM tenants').run()).toThrow(/readonly|read-only/);
    read.close();
    expect(filesBeside(first.file)).toEqual(['w.db']);
    expect(count(openStore(first.file, { create: false, migrationsFolder }), 'tenants')).toBe(1);
  });

  it('a read never creates a store, nor its folder', () => {
    const file = path.join(dir, 'nested', 'missing.db');
    expect(
      openError(() => openStore(file, { create: true, migrationsFolder, mode: 'read' })).code,
    ).toBe('STORE_MISSING');
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });
});

/** Runs tests/helpers/hold-write-lock.mjs; resolves once it holds the lock. */
function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, '..', 'helpers', 'hold-write-lock.mjs'), file, String(ms)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const released = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      if (text.includes('locked')) resolve({ released });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}) before locking`)));
  });
}

describe('write transactions take the lock first and wait their turn (issue 11)', () => {
  afterEach(() => setWriteLockWaitListener(null));

  it('hold the write lock from the start (BEGIN IMMEDIATE), whatever the callback reads first', () => {
    const store = newStore();
    const other = new Database(store.file, { timeout: 0 });
    try {
      writeTransaction(store, 'test', () => {
        expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/database is locked/);
      });
      other.exec('BEGIN IMMEDIATE'); // free again after the commit
      other.exec('COMMIT');
    } finally {
      other.close();
    }
  });

  it('wait for another process holding the lock for seconds, say so once, then write', async () => {
    const store = newStore();
    insertTenant(store, 't1', 'Tenant one');
    let notices = 0;
    setWriteLockWaitListener(() => notices++);
    const holder = await holdWriteLock(store.file, 3_500);
    // Reads first, then writes: the shape of `settings set`, which failed at once before.
    writeTransaction(store, 'test', (w) => {
      const n = (w.read.prepare('SELECT count(*) AS n FROM tenants').get() as { n: number }).n;
      w.insert('tenant', { id: 't2', name: `T${n}`, createdAt: 1 });
    });
    expect(await holder.released).toBe(0);
    expect(count(store, 'tenants')).toBe(2);
    expect(notices).toBe(1);
  });
});
