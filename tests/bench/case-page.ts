import { webHandlerEnvironment } from '../helpers/handler-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { CaseSortField, SortDirection } from '../../shared/domain/types';
import { buildCaseStore } from './case-store';
import { CASE_ROW_SELECT } from '../../main/features/cases/cases';
import { openWorkspace } from '../../main/app/workspace';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter } from '../../main/ipc/router';
import { casePositionsSettled } from '../../main/features/cases/case-positions';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { SeededRandom } from '../../shared/domain/random';

/**
 * Case table paging on a large store: `cases.list` through the router (validation, SQL, row
 * mapping) against the physical floor, the same SELECT on a prepared statement.
 */

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface CasePageRow {
  sort: CaseSortField;
  direction: SortDirection;
  region: 'shallow' | 'deep';
  router: Percentiles;
  floor: Percentiles;
  /** the same page through a covering-index subquery (a candidate fix for deep offsets) */
  deferred: Percentiles;
}

export interface CasePageResult {
  cases: number;
  buildSeconds: number;
  storeBytes: number;
  reopenSeconds: number;
  firstPageWithTotal: Percentiles;
  rows: CasePageRow[];
  plans: Record<string, string[]>;
}

const SORT_COLUMN: Partial<Record<CaseSortField, string>> = {
  score: 'c.score',
  updatedAt: 'c.updated_at',
};

const LIMIT = 100;

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

function pageSql(column: string, dir: 'ASC' | 'DESC'): { plain: string; deferred: string } {
  const order = `ORDER BY ${column} ${dir}, c.id ${dir}`;
  return {
    // The physical floor: the page's row ids straight from the covering sort index.
    plain: `SELECT c.rowid FROM cases c ${order} LIMIT ? OFFSET ?`,
    // Page the covering sort index first (the OFFSET walks index entries only), then fetch the
    // 100 rows; CROSS JOIN pins the join order so planner statistics cannot turn it around.
    deferred:
      CASE_ROW_SELECT.replace(
        'FROM cases c JOIN tenants t',
        `FROM (SELECT c.rowid AS rid FROM cases c ${order} LIMIT ? OFFSET ?) p CROSS JOIN cases c ON c.rowid = p.rid CROSS JOIN tenants t`,
      ) + ` ${order}`,
  };
}

function plan(db: Database.Database, sql: string): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(LIMIT, 0) as { detail: string }[]).map(
    (r) => r.detail,
  );
}

export async function benchCasePage(
  count: number,
  log: (line: string) => void,
): Promise<CasePageResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-bench-cases-'));
  const file = path.join(dir, 'cases.db');
  try {
    const t0 = process.hrtime.bigint();
    let ws = buildCaseStore(file, { cases: count, endAt: Date.UTC(2026, 0, 1), log });
    const buildSeconds = ms(t0) / 1000;
    const total = (ws.store.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
    ws.close();
    const storeBytes = fs.statSync(file).size;
    log(
      `  store: ${total.toLocaleString('en')} cases, ${(storeBytes / 1e6).toFixed(0)} MB, built in ${buildSeconds.toFixed(1)} s`,
    );

    // what every app start and CLI command pays on this store: quick_check + migrations
    const tOpen = process.hrtime.bigint();
    ws = openWorkspace(file, { create: false, migrationsFolder: sourceMigrationsFolder() });
    const reopenSeconds = ms(tOpen) / 1000;
    log(`  reopen (openWorkspace): ${reopenSeconds.toFixed(2)} s`);

    const db = ws.store.db;
    const router = createRouter(createHandlers(ws, webHandlerEnvironment()));
    const rng = new SeededRandom(2024);
    const rows: CasePageRow[] = [];
    const plans: Record<string, string[]> = {};

    const firstPage: number[] = [];
    for (let i = 0; i < 20; i++) {
      const start = process.hrtime.bigint();
      const r = await router.invoke('cases.list', { offset: 0, limit: LIMIT, withTotal: true });
      firstPage.push(ms(start));
      if (!r.ok) throw new Error(r.error.message);
    }

    for (const sort of ['score', 'updatedAt'] as const) {
      for (const direction of ['desc', 'asc'] as const) {
        const column = SORT_COLUMN[sort]!;
        const dirSql = direction === 'asc' ? 'ASC' : 'DESC';
        const sql = pageSql(column, dirSql);
        const floorStmt = db.prepare(sql.plain);
        const deferredStmt = db.prepare(sql.deferred);
        if (sort === 'score' && direction === 'desc') {
          plans['cases.list (as is)'] = plan(db, sql.plain);
          plans['deferred join'] = plan(db, sql.deferred);
        }
        for (const region of ['shallow', 'deep'] as const) {
          const base = region === 'shallow' ? 0 : Math.max(0, Math.floor(total / 2) - 5000);
          const span = Math.min(10_000, Math.max(1, total - base - LIMIT));
          const maxSamples = region === 'shallow' ? 300 : 100;
          // per-cell time budget (at least 3 samples): a slow plan still ends in bounded time
          const budgetMs = region === 'shallow' ? 12_000 : 15_000;
          const router_: number[] = [];
          const floor: number[] = [];
          const deferred: number[] = [];
          const runRouter = async (offset: number) => {
            const start = process.hrtime.bigint();
            const r = await router.invoke('cases.list', { offset, limit: LIMIT, sort, direction });
            router_.push(ms(start));
            if (
              !r.ok ||
              (r.data as { rows: unknown[] }).rows.length !== Math.min(LIMIT, total - offset)
            ) {
              throw new Error(`cases.list failed at offset ${offset}`);
            }
          };
          const runFloor = (offset: number) => {
            const start = process.hrtime.bigint();
            floorStmt.all(LIMIT, offset);
            floor.push(ms(start));
          };
          const runDeferred = (offset: number) => {
            const start = process.hrtime.bigint();
            deferredStmt.all(LIMIT, offset);
            deferred.push(ms(start));
          };
          // warm-up, not recorded; the view's position list (case-positions.ts) is read first
          await router.invoke('cases.list', { offset: 0, limit: LIMIT, sort, direction });
          await casePositionsSettled(ws.store);
          const warm = base + rng.int(0, span);
          floorStmt.all(LIMIT, warm);
          deferredStmt.all(LIMIT, warm);
          const cellStart = process.hrtime.bigint();
          for (let i = 0; i < maxSamples && (i < 3 || ms(cellStart) < budgetMs); i++) {
            const offset = base + rng.int(0, span);
            // rotate the order so no variant always runs on a cache its neighbour warmed
            const order = i % 3;
            if (order === 0) {
              await runRouter(offset);
              runFloor(offset);
              runDeferred(offset);
            } else if (order === 1) {
              runFloor(offset);
              runDeferred(offset);
              await runRouter(offset);
            } else {
              runDeferred(offset);
              await runRouter(offset);
              runFloor(offset);
            }
          }
          const row: CasePageRow = {
            sort,
            direction,
            region,
            router: percentiles(router_),
            floor: percentiles(floor),
            deferred: percentiles(deferred),
          };
          rows.push(row);
          log(
            `  ${sort} ${direction} ${region}: router p50 ${row.router.p50.toFixed(2)} ms, floor p50 ${row.floor.p50.toFixed(2)} ms, deferred p50 ${row.deferred.p50.toFixed(2)} ms (n=${row.router.n})`,
          );
        }
      }
    }
    ws.close();
    return {
      cases: total,
      buildSeconds,
      storeBytes,
      reopenSeconds,
      firstPageWithTotal: percentiles(firstPage),
      rows,
      plans,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
