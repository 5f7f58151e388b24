import type Database from 'better-sqlite3';

/**
 * A connection that only reads: `prepare` refuses a statement that writes (rule 5: services
 * read with SQL and write through the mutation API only).
 */
export interface ReadDb {
  prepare(sql: string): Database.Statement;
  pragma(source: string, options?: Database.PragmaOptions): unknown;
}

const RETURNING = /\breturning\b/i;

export function readOnlyDb(db: Database.Database): ReadDb {
  return {
    prepare(sql) {
      const stmt = db.prepare(sql);
      if (!stmt.reader || RETURNING.test(sql)) {
        throw new Error(`writes go through the mutation API, not SQL: ${sql.slice(0, 80)}`);
      }
      return stmt;
    },
    pragma: (source, options) => {
      if (source.includes('=')) throw new Error(`a read may not set pragma ${source}`);
      return db.pragma(source, options);
    },
  };
}
