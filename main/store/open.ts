import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import * as schema from './schema';
import { BUSY_TIMEOUT_MS, immediateTransaction, WriteLockTimeoutError } from './lock';

export type Orm = BetterSQLite3Database<typeof schema>;

/**
 * 'write': may migrate, and with `create` make a new store (and its folder); 'read': never
 * writes — a read-only connection, or one with PRAGMA query_only where SQLite must be able to
 * tidy the -wal and -shm files away when it closes.
 */
export type StoreMode = 'read' | 'write';

export interface Store {
  readonly file: string;
  readonly db: Database.Database;
  readonly orm: Orm;
  readonly mode: StoreMode;
  close(): void;
}

export type StoreOpenErrorCode =
  | 'STORE_MISSING'
  | 'STORE_CORRUPT'
  | 'STORE_FOREIGN'
  | 'STORE_NEWER'
  | 'STORE_UNWRITABLE'
  | 'STORE_BUSY';

export class StoreOpenError extends Error {
  constructor(
    message: string,
    readonly code: StoreOpenErrorCode,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

export interface OpenStoreOptions {
  /** Create the file (and its folder) when it does not exist; write mode only. */
  create: boolean;
  migrationsFolder: string;
  /** default 'write' */
  mode?: StoreMode;
  /** told before migrations run, with how many (the CLI says it is upgrading the store) */
  onUpgrade?: (pendingMigrations: number) => void;
}

/**
 * The mark of a Watchfloor store, set when it is created ("WFLR"). Stores of versions before the
 * mark have none: they are recognised by their migration history and marked on the next write.
 */
export const WATCHFLOOR_APPLICATION_ID = 0x57464c52;

/** Tables every store has had since its first migration: part of recognising an unmarked one. */
const CORE_TABLES = ['tenants', 'users', 'cases', 'alerts', 'settings', 'activity', 'outbox'];

const QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

const readConnections = new WeakSet<Database.Database>();

/** Whether this connection was opened for reading only (services must not try to write on it). */
export function isReadConnection(db: Database.Database): boolean {
  return db.readonly || readConnections.has(db);
}

const untouched = 'it was left untouched';

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

function canWrite(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first 100 bytes (the database header), or fewer for a short file. */
function readHeader(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    return header.subarray(0, fs.readSync(fd, header, 0, header.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function unwritableFolder(file: string, why: string): StoreOpenError {
  return new StoreOpenError(
    `cannot write in folder ${path.dirname(file)} (permission denied): ${why}`,
    'STORE_UNWRITABLE',
  );
}

/**
 * Opens a connection to an existing SQLite file that leaves it as it was, whatever the file
 * turns out to be. A file in WAL mode whose -wal does not exist would get a -wal and a -shm
 * from a read-only connection that no one removes afterwards, so where file and folder can be
 * written it gets a read-write connection with query_only instead (SQLite, as the last
 * connection, removes both when it closes); otherwise a read-only one, and `leftovers` names
 * the files it created so that `close` can remove them.
 */
function openWithoutWriting(
  file: string,
  header: Buffer,
): { db: Database.Database; leftovers: string[] } {
  const walMode = header[18] === 2 && header[19] === 2;
  const wal = `${file}-wal`;
  const shm = `${file}-shm`;
  if (walMode && !fs.existsSync(wal)) {
    if (canWrite(file) && canWrite(path.dirname(file))) {
      const db = new Database(file, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
      db.pragma('query_only = ON');
      return { db, leftovers: [] };
    }
    if (!canWrite(path.dirname(file))) {
      throw unwritableFolder(
        file,
        `SQLite needs to create ${path.basename(wal)} and ${path.basename(shm)} there to read a store in WAL mode; make the folder writable or copy the store to one that is`,
      );
    }
    const hadShm = fs.existsSync(shm);
    const db = new Database(file, {
      readonly: true,
      fileMustExist: true,
      timeout: BUSY_TIMEOUT_MS,
    });
    return { db, leftovers: hadShm ? [wal] : [wal, shm] };
  }
  return {
    db: new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }),
    leftovers: [],
  };
}

/**
 * After a read-only connection to a store no one else could write (its file is read-only):
 * removes the empty -wal (and the -shm) that connection had to create.
 */
function removeLeftovers(leftovers: readonly string[]): void {
  const wal = leftovers.find((f) => f.endsWith('-wal'));
  if (!wal || fs.existsSync(wal) === false || statOrNull(wal)?.size !== 0) return;
  for (const file of leftovers) fs.rmSync(file, { force: true });
}

function checkIntegrity(db: Database.Database, file: string, size: number): void {
  // A full quick_check reads every page: worth it on small stores, seconds on a million cases,
  // where opening relies on SQLite's own checks as pages are read.
  const check =
    size <= QUICK_CHECK_MAX_BYTES
      ? db.pragma('quick_check', { simple: true })
      : db.pragma('schema_version', { simple: true }) !== undefined
        ? 'ok'
        : 'unreadable schema';
  if (check !== 'ok') {
    throw new StoreOpenError(
      `${file} is damaged (${String(check)}); ${untouched}`,
      'STORE_CORRUPT',
    );
  }
}

interface Recognised {
  /** set on stores created since the mark exists */
  marked: boolean;
  /** how many of this version's migrations the store has */
  applied: number;
}

/**
 * Decides whether an SQLite database is a Watchfloor store (issue 11): its mark and a migration
 * history that is this version's (a prefix of it: older stores are upgraded), or, without the
 * mark, that history plus the core tables. Anything else is refused before anything is written.
 */
function recognise(
  db: Database.Database,
  file: string,
  migrations: readonly MigrationMeta[],
): Recognised {
  const foreign = (what: string) =>
    new StoreOpenError(`${file} is ${what}, not a Watchfloor store; ${untouched}`, 'STORE_FOREIGN');
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const marked = applicationId === WATCHFLOOR_APPLICATION_ID;
  if (applicationId !== 0 && !marked) {
    throw foreign(
      `an SQLite database of another application (application_id 0x${(applicationId >>> 0).toString(16)})`,
    );
  }
  const objects = db
    .prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
    .all() as { type: string; name: string }[];
  if (objects.length === 0) {
    // A store that was marked and then stopped before its first migration committed.
    if (marked) return { marked, applied: 0 };
    throw foreign('an SQLite database with nothing in it that Watchfloor did not create');
  }
  const tables = new Set(objects.filter((o) => o.type === 'table').map((o) => o.name));
  const damaged = (what: string) =>
    new StoreOpenError(
      `${file} is marked as a Watchfloor store but ${what}; it may be damaged; ${untouched}`,
      'STORE_CORRUPT',
    );
  if (!tables.has('__drizzle_migrations')) {
    if (marked) throw damaged('has no migration history');
    throw foreign('an SQLite database of another application');
  }
  let hashes: unknown[];
  try {
    // drizzle's `id SERIAL` is no rowid alias (always NULL): the order is created_at, then rowid.
    hashes = db
      .prepare('SELECT hash FROM __drizzle_migrations ORDER BY created_at, rowid')
      .pluck()
      .all();
  } catch {
    throw marked
      ? damaged('its migration history is unreadable')
      : foreign('an SQLite database of another application');
  }
  const known = migrations.map((m) => m.hash);
  const agree = hashes.every((h, i) => i >= known.length || h === known[i]);
  if (!agree) {
    if (marked) throw damaged("its migration history is not this version's");
    throw foreign('an SQLite database of another application (its own __drizzle_migrations)');
  }
  if (!marked && (hashes.length === 0 || CORE_TABLES.some((t) => !tables.has(t)))) {
    throw foreign('an SQLite database of another application');
  }
  if (hashes.length > known.length) {
    throw new StoreOpenError(
      `${file} was written by a newer version of Watchfloor (${hashes.length} migrations; this version knows ${known.length}); update Watchfloor to open it; ${untouched}`,
      'STORE_NEWER',
    );
  }
  return { marked, applied: hashes.length };
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
  id SERIAL PRIMARY KEY,
  hash text NOT NULL,
  created_at numeric
)`;

/**
 * Brings the store to this version in one transaction that holds the write lock from its start:
 * the pending migrations (recorded as drizzle's migrator records them, so every version reads
 * the same history) and the mark. Re-reads the history under the lock, since another process
 * may have migrated meanwhile.
 */
function migrateStore(
  db: Database.Database,
  file: string,
  migrations: readonly MigrationMeta[],
  found: Recognised,
  onUpgrade: OpenStoreOptions['onUpgrade'],
): void {
  if (found.marked && found.applied === migrations.length) return;
  if (found.applied < migrations.length && found.applied > 0) {
    onUpgrade?.(migrations.length - found.applied);
  }
  try {
    immediateTransaction(db, () => {
      db.exec(MIGRATIONS_TABLE);
      const applied = db
        .prepare('SELECT count(*) FROM __drizzle_migrations')
        .pluck()
        .get() as number;
      const record = db.prepare(
        'INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)',
      );
      for (const migration of migrations.slice(applied)) {
        for (const statement of migration.sql) if (statement.trim() !== '') db.exec(statement);
        record.run(migration.hash, migration.folderMillis);
      }
      if (!found.marked) db.pragma(`application_id = ${WATCHFLOOR_APPLICATION_ID}`);
    });
  } catch (err) {
    if (err instanceof WriteLockTimeoutError) throw err;
    throw new StoreOpenError(`cannot migrate ${file}: ${(err as Error).message}`, 'STORE_CORRUPT');
  }
}

function configure(db: Database.Database, mode: StoreMode): void {
  if (mode === 'write') {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('cache_size = -65536'); // 64 MiB page cache: the case table sorts live in indexes
  db.pragma('temp_store = MEMORY');
}

/** Says what went wrong in SQLite's terms: locked, permission, or else damaged. */
function describeOpenFailure(err: unknown, file: string): StoreOpenError {
  if (err instanceof StoreOpenError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const message = (err as Error).message;
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_CANTOPEN') {
    return new StoreOpenError(`cannot open ${file}: ${message}`, 'STORE_UNWRITABLE');
  }
  if (code.startsWith('SQLITE_BUSY') || err instanceof WriteLockTimeoutError) {
    return new StoreOpenError(
      `cannot open ${file}: another process holds it locked (${message})`,
      'STORE_BUSY',
    );
  }
  return new StoreOpenError(
    `${file} is damaged or not a Watchfloor store (${message}); ${untouched}`,
    'STORE_CORRUPT',
  );
}

function storeOf(file: string, db: Database.Database, mode: StoreMode, leftovers: string[]): Store {
  if (mode === 'read') readConnections.add(db);
  return {
    file,
    db,
    orm: drizzle(db, { schema }),
    mode,
    close: () => {
      if (!db.open) return;
      db.close();
      removeLeftovers(leftovers);
    },
  };
}

/** A new store: its folder, the file, the mark first (so a crash leaves an empty file or a marked store), WAL, migrations. */
function createStore(
  file: string,
  options: OpenStoreOptions,
  migrations: readonly MigrationMeta[],
  exists: boolean,
): Store {
  const folder = path.dirname(file);
  try {
    fs.mkdirSync(folder, { recursive: true });
  } catch (err) {
    throw new StoreOpenError(
      `cannot create folder ${folder} for the store (${(err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (err as Error).message})`,
      'STORE_UNWRITABLE',
    );
  }
  if (!canWrite(folder))
    throw unwritableFolder(file, 'the store and its -wal and -shm files go there');
  if (exists && !canWrite(file)) {
    throw new StoreOpenError(`cannot write ${file} (permission denied)`, 'STORE_UNWRITABLE');
  }
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: exists, timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw describeOpenFailure(err, file);
  }
  try {
    if ((db.pragma('application_id', { simple: true }) as number) === 0) {
      db.pragma(`application_id = ${WATCHFLOOR_APPLICATION_ID}`);
    }
    configure(db, 'write');
    // Another process may have created it at the same moment: recognise what is there now.
    migrateStore(db, file, migrations, recognise(db, file, migrations), options.onUpgrade);
  } catch (err) {
    db.close();
    throw describeOpenFailure(err, file);
  }
  return storeOf(file, db, 'write', []);
}

/**
 * Opens a Watchfloor store, refusing anything else and leaving it byte-identical (issue 11). A
 * read (mode 'read') never creates, migrates or writes — except that a store of ours from an
 * older version is first upgraded by a write open, as the app would on its next start.
 */
export function openStore(file: string, options: OpenStoreOptions): Store {
  const mode = options.mode ?? 'write';
  const resolved = path.resolve(file);
  const migrations = readMigrationFiles({ migrationsFolder: options.migrationsFolder });
  const stat = statOrNull(resolved);
  if (!stat) {
    if (mode === 'read' || !options.create) {
      throw new StoreOpenError(`no Watchfloor store at ${resolved}`, 'STORE_MISSING');
    }
    return createStore(resolved, options, migrations, false);
  }
  if (stat.isDirectory()) {
    throw new StoreOpenError(`${resolved} is a folder, not a Watchfloor store`, 'STORE_FOREIGN');
  }
  if (stat.size === 0) {
    // What SQLite itself leaves when it creates a file: a write command makes it a store.
    if (mode === 'write' && options.create) return createStore(resolved, options, migrations, true);
    throw new StoreOpenError(
      `${resolved} is an empty file, not yet a Watchfloor store (a command that writes, such as import, makes it one)`,
      mode === 'read' ? 'STORE_MISSING' : 'STORE_FOREIGN',
    );
  }
  const header = readHeader(resolved);
  if (
    header.length < SQLITE_HEADER.length ||
    !header.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)
  ) {
    throw new StoreOpenError(
      `${resolved} is not a Watchfloor store (not an SQLite database); ${untouched}`,
      'STORE_CORRUPT',
    );
  }
  if (mode === 'write') {
    if (!canWrite(resolved)) {
      throw new StoreOpenError(`cannot write ${resolved} (permission denied)`, 'STORE_UNWRITABLE');
    }
    if (!canWrite(path.dirname(resolved))) {
      throw unwritableFolder(resolved, `SQLite keeps the store's -wal and -shm files beside it`);
    }
  }

  let opened: { db: Database.Database; leftovers: string[] };
  try {
    opened = openWithoutWriting(resolved, header);
  } catch (err) {
    throw describeOpenFailure(err, resolved);
  }
  let { db } = opened;
  const closeInspection = () => {
    if (db.open) db.close();
    removeLeftovers(opened.leftovers);
  };
  let found: Recognised;
  try {
    checkIntegrity(db, resolved, stat.size);
    found = recognise(db, resolved, migrations);
  } catch (err) {
    closeInspection();
    throw describeOpenFailure(err, resolved);
  }

  if (mode === 'read') {
    if (found.applied < migrations.length) {
      closeInspection();
      openStore(resolved, { ...options, mode: 'write', create: false }).close();
      return openStore(resolved, options);
    }
    try {
      configure(db, 'read');
    } catch (err) {
      closeInspection();
      throw describeOpenFailure(err, resolved);
    }
    return storeOf(resolved, db, 'read', opened.leftovers);
  }

  // Recognised as ours: from here on this connection may write.
  try {
    if (db.readonly) {
      closeInspection();
      db = new Database(resolved, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    } else {
      db.pragma('query_only = OFF');
    }
    configure(db, 'write');
    migrateStore(db, resolved, migrations, found, options.onUpgrade);
  } catch (err) {
    if (db.open) db.close();
    throw describeOpenFailure(err, resolved);
  }
  return storeOf(resolved, db, 'write', []);
}
