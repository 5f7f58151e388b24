import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Orm = BetterSQLite3Database<typeof schema>;

export interface Store {
  readonly file: string;
  readonly db: Database.Database;
  readonly orm: Orm;
  close(): void;
}

export class StoreOpenError extends Error {
  constructor(
    message: string,
    readonly code: 'STORE_MISSING' | 'STORE_CORRUPT' | 'STORE_UNWRITABLE',
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

export interface OpenStoreOptions {
  /** Create the file when it does not exist (false: a missing file is an error). */
  create: boolean;
  migrationsFolder: string;
  readonly?: boolean;
}

const QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Checks an existing file before SQLite touches it, so a file that is not a Watchfloor store is
 * reported and never overwritten (bad input changes nothing).
 */
function assertLooksLikeSqlite(file: string): void {
  const size = fs.statSync(file).size;
  if (size === 0) return; // an empty file is what SQLite itself creates; it becomes a new store
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = fs.readSync(fd, header, 0, 16, 0);
    if (read < 16 || !header.equals(SQLITE_HEADER)) {
      throw new StoreOpenError(
        `${file} is not a Watchfloor store (not an SQLite database); it was left untouched`,
        'STORE_CORRUPT',
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function openStore(file: string, options: OpenStoreOptions): Store {
  const resolved = path.resolve(file);
  const exists = fs.existsSync(resolved);
  if (!exists && !options.create) {
    throw new StoreOpenError(`no Watchfloor store at ${resolved}`, 'STORE_MISSING');
  }
  if (exists) assertLooksLikeSqlite(resolved);
  else fs.mkdirSync(path.dirname(resolved), { recursive: true });

  let db: Database.Database;
  try {
    db = new Database(resolved, { readonly: options.readonly ?? false, fileMustExist: exists });
  } catch (err) {
    throw new StoreOpenError(
      `cannot open ${resolved}: ${(err as Error).message}`,
      'STORE_UNWRITABLE',
    );
  }
  try {
    // A full quick_check reads every page: worth it on small stores, seconds on a million cases,
    // where opening relies on SQLite's own checks as pages are read.
    const check =
      exists && fs.statSync(resolved).size <= QUICK_CHECK_MAX_BYTES
        ? db.pragma('quick_check', { simple: true })
        : db.pragma('schema_version', { simple: true }) !== undefined
          ? 'ok'
          : 'unreadable schema';
    if (check !== 'ok') {
      throw new StoreOpenError(
        `${resolved} is damaged (${String(check)}); it was left untouched`,
        'STORE_CORRUPT',
      );
    }
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[];
    if (tables.length > 0 && !tables.some((t) => t.name === '__drizzle_migrations')) {
      throw new StoreOpenError(
        `${resolved} is an SQLite database but not a Watchfloor store; it was left untouched`,
        'STORE_CORRUPT',
      );
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536'); // 64 MiB page cache: the case table sorts live in indexes
    db.pragma('temp_store = MEMORY');
  } catch (err) {
    db.close();
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(
      `${resolved} is damaged or not a Watchfloor store (${(err as Error).message}); it was left untouched`,
      'STORE_CORRUPT',
    );
  }
  const orm = drizzle(db, { schema });
  if (!options.readonly) {
    try {
      migrate(orm, { migrationsFolder: options.migrationsFolder });
    } catch (err) {
      db.close();
      throw new StoreOpenError(
        `cannot migrate ${resolved}: ${(err as Error).message}`,
        'STORE_CORRUPT',
      );
    }
  }
  return {
    file: resolved,
    db,
    orm,
    close: () => db.close(),
  };
}
