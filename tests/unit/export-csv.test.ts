import { webHandlerEnvironment } from '../helpers/handler-env';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter, type Router } from '../../main/ipc/router';
import { loadDemoData } from '../../main/features/demo/demo';
import { listCases } from '../../main/features/cases/cases';
import {
  checkExportTarget,
  exportFilePath,
  planCsvExport,
  writeCasesCsv,
} from '../../main/features/cases/export-csv';
import { DAY_MS, markAllQueuesPending, reindexQueueNow } from '../../main/features/queues/queues';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import {
  CASE_COLUMN_LABELS,
  DEFAULT_QUEUE_IDS,
  type CaseColumn,
  type Job,
} from '../../shared/ipc/contract';
import type { CaseRow } from '../../shared/domain/types';

const migrationsFolder = sourceMigrationsFolder();
const END_AT = Date.now() - (Date.now() % DAY_MS);

let dir: string;
let ws: Workspace;
let router: Router;

/**
 * A strict RFC 4180 reader: CRLF record ends, quoted fields with doubled quotes, and quotes only
 * at the start of a field. Throws on anything else, so a loose writer fails the test.
 */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n')
          throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.slice(i, i + 2) !== '\r\n') throw new Error(`expected CRLF at ${i}`);
    i += 2;
    records.push(record);
    record = [];
    if (i === text.length) return records;
  }
}

function finished(jobId: string): Promise<Job> {
  return new Promise((resolve) => {
    const settle = (job: Job | undefined) => {
      if (job && job.id === jobId && job.status !== 'In Progress' && job.status !== 'Waiting') {
        off();
        resolve(job);
      }
    };
    const off = ws.jobs.onChange(settle);
    settle(ws.jobs.get(jobId));
  });
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

function expectedCell(row: CaseRow, column: CaseColumn): string {
  const value = row[column as keyof CaseRow];
  if (column === 'tags') return neutralised(row.tags.join(', '));
  if (column === 'createdAt' || column === 'updatedAt' || column === 'closedAt') {
    return iso(value as number | null);
  }
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? neutralised(value) : String(value);
}

function neutralised(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const TRICKY_NAMES = [
  '=HYPERLINK("http://evil.example","click")',
  '+1+2',
  '-2+3',
  '@SUM(A1:A9)',
  '\tTabbed',
  '\rCarriage',
  'Comma, "quoted" and\nnewline',
  'Ünïcödé ✓ 🛡️',
];

let trickyNumbers: number[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-export-'));
  ws = openWorkspace(path.join(dir, 'store', 'e.db'), { create: true, migrationsFolder });
  await loadDemoData(ws.store, { alerts: 1500, seed: 4, endAt: END_AT });
  trickyNumbers = ws.store.db
    .prepare('SELECT number FROM cases ORDER BY number LIMIT ?')
    .pluck()
    .all(TRICKY_NAMES.length) as number[];
  const rename = ws.store.db.prepare('UPDATE cases SET name = ?, tags = ? WHERE number = ?');
  TRICKY_NAMES.forEach((name, i) =>
    rename.run(name, JSON.stringify(['=cmd|calc', 'a,b', 'say "hi"']), trickyNumbers[i]),
  );
  for (const id of markAllQueuesPending(ws.store)) reindexQueueNow(ws.store, id);
  router = createRouter(createHandlers(ws, webHandlerEnvironment()));
});

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('CSV export of the current view (TBL-7)', () => {
  const columns: CaseColumn[] = [
    'tenantName',
    'number',
    'name',
    'score',
    'severity',
    'assigneeName',
    'status',
    'tags',
    'createdAt',
    'closedAt',
    'alertCount',
    'tlp',
  ];

  it('writes the view in its order, with the table labels, in a worker job; reads back exactly', async () => {
    const view = {
      queueId: DEFAULT_QUEUE_IDS.allClosed,
      query: 'score:>=30',
      sort: 'score' as const,
      direction: 'desc' as const,
    };
    const result = await router.invoke('cases.exportCsv', { view, columns });
    if (!result.ok) throw new Error(result.error.message);
    const {
      jobId,
      path: file,
      matching,
    } = result.data as { jobId: string; path: string; matching: number };
    expect(path.dirname(file)).toBe(path.join(dir, 'store', 'exports'));
    expect(path.basename(file)).toMatch(/^cases-\d{8}-\d{6}(-\d+)?\.csv$/);
    const job = await finished(jobId);
    expect(job.status).toBe('Success');
    expect(job.kind).toBe('cases.exportCsv');
    expect(job.message).toBe(`Exported ${matching.toLocaleString('en')} cases to ${file}`);
    expect(fs.existsSync(`${file}.part`)).toBe(false);

    const expected = listCases(ws.store, { ...view, offset: 0, limit: 1000, withTotal: true });
    expect(matching).toBe(expected.total);
    expect(matching).toBeGreaterThan(10);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(false);
    const [header, ...records] = readCsv(text);
    expect(header).toEqual(columns.map((c) => CASE_COLUMN_LABELS[c]));
    expect(records).toEqual(expected.rows.map((row) => columns.map((c) => expectedCell(row, c))));
  });

  it('neutralises formulas and quotes commas, quotes and line breaks (RFC 4180)', async () => {
    const query = `number:[${Math.min(...trickyNumbers)} TO ${Math.max(...trickyNumbers)}]`;
    const result = await router.invoke('cases.exportCsv', {
      view: { query, sort: 'number', direction: 'asc' },
      columns: ['number', 'name', 'tags', 'score'],
      bom: true,
    });
    if (!result.ok) throw new Error(result.error.message);
    const { jobId, path: file } = result.data as { jobId: string; path: string };
    await finished(jobId);
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
    const records = readCsv(bytes.toString('utf8').slice(1)).slice(1);
    expect(records.map((r) => r[1])).toEqual([
      `'=HYPERLINK("http://evil.example","click")`,
      `'+1+2`,
      `'-2+3`,
      `'@SUM(A1:A9)`,
      `'\tTabbed`,
      `'\rCarriage`,
      'Comma, "quoted" and\nnewline',
      'Ünïcödé ✓ 🛡️',
    ]);
    // the tags cell is one text cell starting with '=': neutralised as a whole
    expect(records.every((r) => r[2] === `'=cmd|calc, a,b, say "hi"`)).toBe(true);
    // numbers stay numbers
    expect(records.every((r) => /^\d+$/.test(r[3]!))).toBe(true);
    // and no raw formula starts any cell
    expect(records.flat().some((cell) => /^[=+\-@]/.test(cell))).toBe(false);
  });

  it('stops at the row limit and says how many matched', () => {
    const file = path.join(dir, 'limited.csv');
    const { plan, matching } = planCsvExport(
      ws.store,
      { view: {}, columns: ['number'], limit: 25 },
      file,
    );
    const written = writeCasesCsv(ws.store.db, plan);
    expect(written.rows).toBe(25);
    expect(matching).toBeGreaterThan(25);
    expect(readCsv(fs.readFileSync(file, 'utf8'))).toHaveLength(26);
    expect(written.bytes).toBe(fs.statSync(file).size);
  });

  it('an invalid query is refused before any file is written', async () => {
    const exportsDir = path.join(dir, 'store', 'exports');
    const before = fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).sort() : [];
    const result = await router.invoke('cases.exportCsv', {
      view: { query: 'score:[10 TO' },
      columns: ['number'],
    });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', position: { offset: expect.any(Number) } },
    });
    const after = fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).sort() : [];
    expect(after).toEqual(before);
  });

  it('names files by local time and never reuses an existing name', () => {
    const when = new Date(2026, 10, 23, 9, 5, 7);
    const first = exportFilePath(path.join(dir, 'x', 'store.db'), when);
    expect(path.basename(first)).toBe('cases-20261123-090507.csv');
    fs.mkdirSync(path.dirname(first), { recursive: true });
    fs.writeFileSync(first, '');
    expect(path.basename(exportFilePath(path.join(dir, 'x', 'store.db'), when))).toBe(
      'cases-20261123-090507-2.csv',
    );
  });
});

const sha256 = (file: string) =>
  crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error, nothing was thrown');
}

describe('CSV export never writes over a database (issue 11)', () => {
  const exportTo = (file: string, overwrite = false) => {
    const { plan } = planCsvExport(ws.store, { view: {}, columns: ['number'], overwrite }, file);
    return writeCasesCsv(ws.store.db, plan);
  };
  const storeFiles = () => [ws.store.file, `${ws.store.file}-wal`, `${ws.store.file}-shm`];

  it('refuses the open store, its -wal and -shm, by path, symlink and hard link, even with overwrite', () => {
    const before = storeFiles().map((f) => (fs.existsSync(f) ? sha256(f) : null));
    const link = path.join(dir, 'link-to-store.csv');
    fs.symlinkSync(ws.store.file, link);
    const hard = path.join(dir, 'hard-link-to-store.csv');
    fs.linkSync(ws.store.file, hard);
    const dotted = path.join(path.dirname(ws.store.file), '.', path.basename(ws.store.file));
    for (const target of [...storeFiles(), link, hard, dotted]) {
      for (const overwrite of [false, true]) {
        const err = thrown(() => exportTo(target, overwrite));
        expect(err.message, target).toMatch(/Watchfloor store|SQLite database/);
        expect(err.message).toContain(target);
      }
    }
    expect(storeFiles().map((f) => (fs.existsSync(f) ? sha256(f) : null))).toEqual(before);
    expect(fs.readdirSync(path.dirname(ws.store.file)).filter((n) => n.endsWith('.part'))).toEqual(
      [],
    );
  });

  it('refuses the companions beside the real file of a store opened through a symlink', () => {
    const alias = path.join(dir, 'alias.db');
    fs.symlinkSync(ws.store.file, alias);
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      const err = thrown(() => checkExportTarget(`${ws.store.file}${suffix}`, alias, true));
      expect(err.message).toMatch(/Watchfloor store this command has open/);
    }
  });

  it('refuses any other SQLite database, even with overwrite', () => {
    const other = path.join(dir, 'other-app.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    const before = sha256(other);
    const err = thrown(() => exportTo(other, true));
    expect(err.message).toMatch(/is an SQLite database/);
    expect(sha256(other)).toBe(before);
  });

  it('refuses an existing file unless asked to overwrite it', () => {
    const notes = path.join(dir, 'notes.csv');
    fs.writeFileSync(notes, 'keep me\n');
    const err = thrown(() => exportTo(notes));
    expect(err.message).toMatch(/already exists/);
    expect(fs.readFileSync(notes, 'utf8')).toBe('keep me\n');
    const written = exportTo(notes, true);
    expect(written.rows).toBeGreaterThan(0);
    expect(fs.readFileSync(notes, 'utf8')).toMatch(/^Case ID\r\n/);
  });

  it('never truncates a file that sits where the partial file would go', () => {
    const target = path.join(dir, 'fresh.csv');
    const squatter = `${target}.part`;
    fs.writeFileSync(squatter, 'not mine\n');
    exportTo(target);
    expect(fs.readFileSync(squatter, 'utf8')).toBe('not mine\n');
    expect(fs.readFileSync(target, 'utf8')).toMatch(/^Case ID\r\n/);
  });
});
