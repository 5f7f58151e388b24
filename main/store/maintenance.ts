import type { Store } from './open';
import { tryImmediateTransaction } from './lock';

/**
 * Store upkeep for a long-running app (Electron or browser mode), kept out of the commit path so
 * one write never pays for the work of thousands (a single alert correlated and committed in a
 * couple of milliseconds, issue 3):
 * - WAL checkpoints: automatic checkpoints are off on this connection and a PASSIVE checkpoint
 *   (it never waits for readers or writers) runs every `intervalMs`;
 * - case search (FTS5) merges: automerge is off (migration 0010); each tick merges up to
 *   `mergePages` pages where a level holds several segments.
 * One-shot processes (CLI, import worker) keep SQLite's automatic checkpoints.
 * Returns a stop function that also runs one last checkpoint.
 */
export function startStoreMaintenance(
  store: Store,
  options: { intervalMs?: number; mergePages?: number } = {},
): () => void {
  const db = store.db;
  db.pragma('wal_autocheckpoint = 0');
  const merge = db.prepare("INSERT INTO cases_fts (cases_fts, rank) VALUES ('merge', ?)");
  const tick = (): void => {
    if (!db.open) return;
    // Never waits for the write lock (this is the app's main thread): while another connection
    // writes, the merge waits for the next tick; a PASSIVE checkpoint never waits either.
    tryImmediateTransaction(db, () => merge.run(options.mergePages ?? 64));
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      // Busy (another connection checkpointing) is fine: the next tick tries again.
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? 2_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (db.open) db.pragma('wal_checkpoint(PASSIVE)');
  };
}
