import type Database from 'better-sqlite3';

/**
 * Taking the store's write lock (issue 11). Every write transaction begins with BEGIN IMMEDIATE,
 * so it holds the lock before it reads anything: a deferred transaction that reads first and then
 * writes fails at once with "database is locked" when another connection writes meanwhile
 * (SQLite cannot upgrade its snapshot, and its busy handler is not even called).
 *
 * The wait is ours rather than SQLite's busy timeout: SQLite's busy handler sleeps up to 100 ms
 * between tries, and an import releases the lock only for the moment between two batches, so
 * such a waiter could miss every gap of a long import. Here the writer tries again every
 * couple of milliseconds and so gets in after the batch that holds the lock, tells a listener
 * once when the wait passes a second (the CLI prints "waiting for another import…"), and gives
 * up only after WRITE_LOCK_TIMEOUT_MS.
 */

/** How long a writer waits for another connection's write transaction before giving up. */
export const WRITE_LOCK_TIMEOUT_MS = 120_000;
/** After waiting this long, the wait listener hears about it (once per transaction). */
export const WRITE_LOCK_NOTICE_MS = 1_000;
/** SQLite's own busy timeout, for what readers may briefly wait on (WAL recovery, checkpoints). */
export const BUSY_TIMEOUT_MS = 5_000;
const POLL_MS = 2;

let waitListener: (() => void) | null = null;

/** Called once a write has waited WRITE_LOCK_NOTICE_MS for the lock (null: nobody listens). */
export function setWriteLockWaitListener(listener: (() => void) | null): void {
  waitListener = listener;
}

export class WriteLockTimeoutError extends Error {
  constructor(waitedMs: number) {
    super(
      `the store stayed locked by another writer for ${Math.round(waitedMs / 1000)} s; nothing was changed, try again when it is done`,
    );
    this.name = 'WriteLockTimeoutError';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
}

interface BusyStatements {
  read: Database.Statement;
  none: Database.Statement;
}
const busyStatements = new WeakMap<Database.Database, BusyStatements>();

function busyStatementsFor(db: Database.Database): BusyStatements {
  let s = busyStatements.get(db);
  if (!s) {
    s = {
      read: db.prepare('PRAGMA busy_timeout').pluck(),
      none: db.prepare('PRAGMA busy_timeout = 0'),
    };
    busyStatements.set(db, s);
  }
  return s;
}

/**
 * Runs `fn` in one transaction that takes the write lock first (BEGIN IMMEDIATE), waiting for it
 * as described above. Inside another transaction it is a savepoint of that one (whose lock is
 * held already).
 */
export function immediateTransaction<T>(db: Database.Database, fn: () => T): T {
  if (db.inTransaction) return db.transaction(fn)();
  const s = busyStatementsFor(db);
  const busyTimeout = s.read.get() as number;
  const restore = () => db.pragma(`busy_timeout = ${busyTimeout}`);
  let entered = false;
  const tx = db.transaction(() => {
    entered = true;
    restore();
    return fn();
  });
  const started = Date.now();
  let told = false;
  s.none.get();
  try {
    for (;;) {
      try {
        return tx.immediate();
      } catch (err) {
        // Only BEGIN IMMEDIATE itself is retried; an error from `fn` is the caller's.
        if (entered || !isBusy(err)) throw err;
      }
      const waited = Date.now() - started;
      if (waited >= WRITE_LOCK_TIMEOUT_MS) throw new WriteLockTimeoutError(waited);
      if (!told && waited >= WRITE_LOCK_NOTICE_MS) {
        told = true;
        waitListener?.();
      }
      Atomics.wait(sleeper, 0, 0, POLL_MS);
    }
  } finally {
    if (!entered && db.open) restore();
  }
}

/**
 * Runs `fn` in a write transaction only if the lock is free at once; returns false, having done
 * nothing, when another connection holds it (upkeep that can wait for the next tick must not
 * stall its thread behind an import).
 */
export function tryImmediateTransaction(db: Database.Database, fn: () => void): boolean {
  const s = busyStatementsFor(db);
  const busyTimeout = s.read.get() as number;
  s.none.get();
  try {
    db.transaction(fn).immediate();
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw err;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}
