import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DERIVED_TABLES, LOCAL_TABLES } from '../../main/store/derived';
import { ENTITIES, RELATIONS } from '../../main/store/mutations/registry';

/**
 * Rule 5 as a check, not a convention: a write statement to a synced table appears only in the
 * mutation API (main/store/mutations/); other store code writes only the derived and local
 * tables listed in main/store/derived/index.ts; nothing outside main/store/ writes at all (SQL or
 * drizzle's insert/update/delete).
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'migrations' || entry.name === 'node_modules') continue;
      out.push(...sourceFiles(full));
    } else if (/\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

const WRITE_SQL =
  /\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|DELETE\s+FROM|UPDATE(?:\s+OR\s+\w+)?)\s+[`"]?([A-Za-z_$][\w${}.]*)[`"]?(?:\s+SET\b|[\s(]|$)/g;
const ORM_WRITE = /\borm\s*\.\s*(?:insert|update|delete)\s*\(/;

interface Write {
  file: string;
  line: number;
  table: string;
}

function writesIn(file: string): Write[] {
  const text = fs.readFileSync(file, 'utf8');
  const writes: Write[] = [];
  for (const m of text.matchAll(WRITE_SQL)) {
    const before = text.slice(0, m.index);
    // only inside string or template literals: count the quotes before it on its line
    const lineStart = before.lastIndexOf('\n') + 1;
    const prefix = before.slice(lineStart);
    const inComment = /^\s*(\/\/|\*|\/\*)/.test(prefix);
    if (inComment) continue;
    const keyword = m[0].trim().split(/\s+/)[0]!.toUpperCase();
    // "UPDATE x" outside SQL (e.g. a word in a message) needs SET to count
    if (keyword === 'UPDATE' && !/\bSET\b/i.test(m[0])) continue;
    if (m[1]!.toUpperCase() === 'SET') continue; // an upsert's ON CONFLICT … DO UPDATE SET
    writes.push({
      file: path.relative(ROOT, file),
      line: before.split('\n').length,
      table: m[1]!,
    });
  }
  if (ORM_WRITE.test(text)) writes.push({ file: path.relative(ROOT, file), line: 0, table: 'orm' });
  return writes;
}

const synced = new Set<string>([
  ...Object.values(ENTITIES).map((d) => d.table),
  ...Object.values(RELATIONS).flatMap((r) => Object.values(r).map((rel) => rel.table)),
]);
const derivedOrLocal = new Set([...DERIVED_TABLES, ...LOCAL_TABLES].map((t) => t.table));

describe('the write path (rule 5)', () => {
  const files = sourceFiles(path.join(ROOT, 'main'));
  const all = files.flatMap(writesIn);

  it('finds the writes it checks (the scan works)', () => {
    expect(all.some((w) => w.file.startsWith('main/store/derived/'))).toBe(true);
    expect(all.some((w) => w.file.startsWith('main/store/mutations/'))).toBe(true);
  });

  it('has no write statement outside main/store/', () => {
    expect(all.filter((w) => !w.file.startsWith('main/store/'))).toEqual([]);
  });

  it('writes synced tables only in the mutation API', () => {
    const outside = all.filter(
      (w) => !w.file.startsWith('main/store/mutations/') && synced.has(w.table),
    );
    expect(outside).toEqual([]);
  });

  it('writes, outside the mutation API, only tables listed as derived or local', () => {
    const unlisted = all.filter(
      (w) =>
        !w.file.startsWith('main/store/mutations/') &&
        w.table !== 'orm' &&
        !derivedOrLocal.has(w.table),
    );
    expect(unlisted).toEqual([]);
  });

  it('lists every table of the schema as synced, derived or local', () => {
    const db = fs.readFileSync(path.join(ROOT, 'main/store/migrations/meta/_journal.json'), 'utf8');
    expect(db.length).toBeGreaterThan(0);
    const snapshots = fs
      .readdirSync(path.join(ROOT, 'main/store/migrations/meta'))
      .filter((f) => f.endsWith('_snapshot.json'))
      .sort();
    const latest = JSON.parse(
      fs.readFileSync(
        path.join(ROOT, 'main/store/migrations/meta', snapshots[snapshots.length - 1]!),
        'utf8',
      ),
    ) as { tables: Record<string, unknown> };
    const known = new Set([...synced, ...derivedOrLocal]);
    expect(Object.keys(latest.tables).filter((t) => !known.has(t))).toEqual([]);
  });
});
