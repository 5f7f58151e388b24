import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * SQLite databases of other applications (issue 11): Watchfloor must refuse each one and leave
 * it byte-identical, with no -wal, -shm or -journal created beside it.
 */
export const FOREIGN_DATABASES: Record<string, (file: string) => void> = {
  'another drizzle app (its own __drizzle_migrations)': (file) =>
    writeDatabase(file, 'DELETE', [
      'CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
      "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('9c1185a5c5e9fc54612808977ee8f548b2258d31', 1700000000000), ('b6589fc6ab0c91f3c2b0a3c71e2e0c0c0a4b7f1e', 1700000100000)",
      'CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT)',
      "INSERT INTO accounts (email) VALUES ('ada@example.org')",
    ]),
  'the same drizzle app in WAL mode': (file) =>
    writeDatabase(file, 'WAL', [
      'CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
      "INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('9c1185a5', 1700000000000)",
      'CREATE TABLE notes (body TEXT)',
    ]),
  'a database holding only a view': (file) =>
    writeDatabase(file, 'DELETE', ['CREATE VIEW answer AS SELECT 42 AS value']),
  'an empty schema with another application id': (file) =>
    writeDatabase(file, 'DELETE', ['PRAGMA application_id = 305419896', 'PRAGMA user_version = 3']),
  'an empty schema whose tables were dropped': (file) =>
    writeDatabase(file, 'DELETE', ['CREATE TABLE t (x)', 'DROP TABLE t']),
};

function writeDatabase(file: string, journal: 'DELETE' | 'WAL', statements: string[]): void {
  const db = new Database(file);
  db.pragma(`journal_mode = ${journal}`);
  for (const sql of statements) db.exec(sql);
  db.close();
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The file and whatever SQLite put beside it (-wal, -shm, -journal). */
export function filesBeside(file: string): string[] {
  const base = path.basename(file);
  return fs
    .readdirSync(path.dirname(file))
    .filter((n) => n.startsWith(base))
    .sort();
}
