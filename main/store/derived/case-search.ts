import type Database from 'better-sqlite3';

/**
 * The case search index (cases_fts, TBL-4), derived from cases. Triggers queue the rowids of
 * cases written (migration 0008) and they are indexed here once per write transaction, with set
 * statements: FTS5 work inside a trigger costs a segment per row.
 */
interface SearchStatements {
  pending: Database.Statement;
  changed: Database.Statement;
  remove: Database.Statement;
  insert: Database.Statement;
  done: Database.Statement;
}

const cache = new WeakMap<Database.Database, SearchStatements>();

function statementsFor(db: Database.Database): SearchStatements {
  let s = cache.get(db);
  if (!s) {
    s = {
      pending: db.prepare('SELECT EXISTS (SELECT 1 FROM cases_fts_pending)').pluck(),
      changed: db.prepare('SELECT case_rowid FROM cases_fts_pending WHERE is_new = 0').pluck(),
      // One rowid at a time: FTS5 serves `rowid = ?` from its index but scans for `rowid IN (…)`.
      remove: db.prepare('DELETE FROM cases_fts WHERE rowid = ?'),
      insert: db.prepare(
        `INSERT INTO cases_fts (rowid, name, description, what, who, tags)
         SELECT c.rowid, c.name, c.description, c.what, c.who, c.tags
         FROM cases_fts_pending p CROSS JOIN cases c ON c.rowid = p.case_rowid`,
      ),
      done: db.prepare('DELETE FROM cases_fts_pending'),
    };
    cache.set(db, s);
  }
  return s;
}

/** Indexes the cases this transaction queued; call inside the write transaction. */
export function indexQueuedCases(db: Database.Database): void {
  const s = statementsFor(db);
  if (s.pending.get() !== 1) return;
  for (const rowid of s.changed.all() as number[]) s.remove.run(rowid);
  s.insert.run();
  s.done.run();
}

/** Rebuilds the whole index from the cases table. */
export function rebuildCaseSearch(db: Database.Database): void {
  db.prepare('DELETE FROM cases_fts_pending').run();
  db.prepare("INSERT INTO cases_fts (cases_fts) VALUES ('delete-all')").run();
  db.prepare(
    'INSERT INTO cases_fts (rowid, name, description, what, who, tags) SELECT rowid, name, description, what, who, tags FROM cases',
  ).run();
}
