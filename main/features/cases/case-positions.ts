import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { SqlParam } from '../../store/sql/dialect';
import type { Store } from '../../store/open';
import {
  CASE_SORT_COLUMNS,
  caseViewRowidSql,
  caseViewWhere,
  drivesFromMembers,
  type CompiledCaseView,
} from './case-view';
import { workerBeside, type WorkerScript } from '../../jobs/worker-script';

/**
 * Position lists: where the case table's page at offset N of a big view starts (issue 4).
 *
 * SQLite cannot skip to an offset: the page at offset 500,000 of a queue sorted by name walks the
 * name index until 500,000 members have passed (0.4-1 s on a million cases). A position list is
 * the view's rowids in its order, held in memory (8 bytes a case), so any page is a slice of it
 * and a fetch of 100 rows by rowid. Lists exist for views without filters or search (a queue,
 * or every case) sorted by any column, one per (view, sort column): a descending page is read
 * from the end.
 *
 * - Views of more than BACKGROUND_LIST_MIN cases have their list read in a worker thread on its
 *   own read connection, started by the view's first page request (about 1-3 s per million
 *   cases); until it arrives pages are served the usual way, except that a jump deep into a view
 *   of up to SORTED_MEMBERS_MAX cases that would walk far builds the list on the spot instead.
 * - Writes do not drop a list. Triggers log every case insert, update and delete in
 *   `case_changes` (migration 0016); before serving a page the list re-places only the cases
 *   logged since it was read: each is taken out, and put back by binary search (comparisons in
 *   SQL, so collation and NULL order are SQLite's own) if it is still in the view. A list that
 *   is behind by more than CATCH_UP_MAX cases, older than the log, or whose queue was re-indexed
 *   since (a new generation) is rebuilt. Cases that aged out of a queue's relative range (its
 *   range start moved) are taken out like changed cases.
 * - A page served from a list checks that its rows are still in the view; if not, the list is
 *   dropped and the page is served the usual way.
 */

/** Views of at most this many cases may build their position list at once, in main. */
export const SORTED_MEMBERS_MAX = 50_000;
/**
 * Views of more cases than this get their list read in the background when they open: deeper
 * pages of a sparse queue walk far (a queue of 3.6% of the cases walks 55,000 index entries to
 * offset 2,000), so even modest queues gain from a list.
 */
export const BACKGROUND_LIST_MIN = 1_000;
/** Entries kept in case_changes (the trim trigger of migration 0016). */
export const CASE_CHANGES_KEPT = 100_000;
/** Up to this many changed cases are found in a list one native scan each, not in one pass. */
const FEW_CHANGES = 4;
/** A list behind by more changed cases than this is rebuilt rather than caught up. */
export const CATCH_UP_MAX = 1_000;
/** After a background build fails, the next one waits this long (ms). */
const BACKGROUND_RETRY_MS = 30_000;
/** Rowids held in all lists of one store at most (8 bytes each: 64 MB). */
const MAX_LISTED_ROWIDS = 8_000_000;

export interface PositionListRead {
  /** the last case_changes entry the list reflects */
  seq: number;
  /** the queue's index generation when read ('' without a queue) */
  version: string;
  /** the start of the queue's range when read: members created before it were pruned */
  rangeFrom: number | null;
  /** the view's rowids in ascending order of (sort column, id) */
  rowids: Float64Array;
}

export interface PositionListRequest {
  sql: string;
  params: SqlParam[];
  queueId: string | null;
}

interface PositionList extends PositionListRead {
  key: string;
  /** the storage `rowids` is the start of, with room for inserts (absent: `rowids` itself) */
  buffer?: Float64Array;
}

interface Registry {
  lists: Map<string, PositionList>;
  building: Map<string, Promise<void>>;
  builder: BackgroundBuilder | null;
  /** views of more cases than this are listed in the background */
  backgroundAbove: number;
  /** no background builds before this time (ms) after one failed */
  pausedUntil: number;
  /** the last background failure, for diagnostics */
  lastError: string | null;
  /** reads the worker has answered (lists and rowid queries) */
  backgroundReads: number;
}

const registries = new WeakMap<Database.Database, Registry>();

function registryOf(db: Database.Database): Registry {
  let registry = registries.get(db);
  if (!registry) {
    registry = {
      lists: new Map(),
      building: new Map(),
      builder: null,
      backgroundAbove: BACKGROUND_LIST_MIN,
      pausedUntil: 0,
      lastError: null,
      backgroundReads: 0,
    };
    registries.set(db, registry);
  }
  return registry;
}

/** The list's key: the view without its direction (a descending list is read backwards). */
export function positionKey(view: CompiledCaseView): string {
  return JSON.stringify([view.indexedQueue?.id ?? null, view.filter, view.filterParams, view.sort]);
}

/**
 * What a queue's membership is, apart from case changes: its re-index generation, and the start
 * of its range (pruneAgedQueueMembers moves it as cases age out of a relative range).
 */
export function membershipVersion(
  db: Database.Database,
  queueId: string | null,
): { version: string; rangeFrom: number | null } {
  if (queueId === null) return { version: '', rangeFrom: null };
  const row = db
    .prepare('SELECT generation, range_from AS rangeFrom FROM queue_index WHERE queue_id = ?')
    .get(queueId) as { generation: number; rangeFrom: number | null } | undefined;
  return row
    ? { version: String(row.generation), rangeFrom: row.rangeFrom }
    : { version: 'none', rangeFrom: null };
}

function lastChange(db: Database.Database): number {
  return (
    (db.prepare('SELECT max(seq) AS s FROM case_changes').get() as { s: number | null }).s ?? 0
  );
}

/** The ascending rowid query of a view, for building its list (here or in the worker). */
export function positionListRequest(
  view: CompiledCaseView,
  caseCountEstimate: number,
): PositionListRequest {
  const ascending: CompiledCaseView = { ...view, direction: 'asc' };
  const members = view.indexedQueue?.memberCount ?? caseCountEstimate;
  const query = caseViewRowidSql(
    ascending,
    drivesFromMembers(ascending, caseCountEstimate, members, 0),
  );
  return {
    sql: query.sql,
    params: [...query.params, -1, 0],
    queueId: view.indexedQueue?.id ?? null,
  };
}

/**
 * Reads a view's list in one read transaction, so the rowids, the log position and the
 * membership version are of the same snapshot.
 */
export function readPositionList(
  db: Database.Database,
  request: PositionListRequest,
): PositionListRead {
  return db.transaction(() => {
    const seq = lastChange(db);
    const { version, rangeFrom } = membershipVersion(db, request.queueId);
    // all() rather than iterate(): a million rows come back in 0.1-0.25 s instead of 0.6-0.8 s
    const rowids = Float64Array.from(
      db
        .prepare(request.sql)
        .pluck()
        .all(...request.params) as number[],
    );
    return { seq, version, rangeFrom, rowids };
  })();
}

/**
 * The view's position list, caught up with the store, or null when there is none yet. Builds it
 * at once when `buildNow`, else asks the background builder (if the store has one) for it.
 */
export function casePositions(
  store: Pick<Store, 'db'>,
  view: CompiledCaseView,
  options: { caseCountEstimate: number; buildNow: boolean },
): Float64Array | null {
  if (view.filter !== '1') return null;
  const db = store.db;
  const registry = registryOf(db);
  const key = positionKey(view);
  const list = registry.lists.get(key);
  if (list) {
    let current: PositionList | null;
    try {
      current = catchUp(db, view, list);
    } catch (err) {
      registry.lists.delete(key); // it may be half compacted
      throw err;
    }
    if (current) {
      registry.lists.delete(key); // most recently used last
      registry.lists.set(key, current);
      return current.rowids;
    }
    registry.lists.delete(key);
  }
  const request = positionListRequest(view, options.caseCountEstimate);
  if (options.buildNow) {
    const read = readPositionList(db, request);
    keep(registry, { key, ...read });
    return read.rowids;
  }
  const rows = view.indexedQueue?.memberCount ?? options.caseCountEstimate;
  if (
    registry.builder &&
    rows > registry.backgroundAbove &&
    !registry.building.has(key) &&
    Date.now() >= registry.pausedUntil
  ) {
    const done = registry.builder
      .build(request)
      .then((read) => {
        // A list that has fallen behind since is caught up (or rebuilt) on its next use.
        registry.backgroundReads += 1;
        keep(registry, { key, ...read });
      })
      .catch((err: unknown) => {
        // Pages keep being served without a list; builds pause for a while (a worker that
        // cannot start is not restarted on every page).
        registry.lastError = err instanceof Error ? err.message : String(err);
        registry.pausedUntil = Date.now() + BACKGROUND_RETRY_MS;
      })
      .finally(() => registry.building.delete(key));
    registry.building.set(key, done);
  }
  return null;
}

/** The keys of the views that have a position list now (tests). */
export function listedViews(store: Pick<Store, 'db'>): string[] {
  return [...registryOf(store.db).lists.keys()];
}

/** The last background build failure, if any. */
export function lastPositionsError(store: Pick<Store, 'db'>): string | null {
  return registryOf(store.db).lastError;
}

/** Reads the worker has answered so far (tests). */
export function backgroundReadCount(store: Pick<Store, 'db'>): number {
  return registryOf(store.db).backgroundReads;
}

/** Lists being read in the background now. */
export function pendingPositionBuilds(store: Pick<Store, 'db'>): number {
  return registryOf(store.db).building.size;
}

/**
 * Reads rowids with a query on the background builder's worker thread (a re-index listing a
 * queue's cases), or null when the store has no builder or it fails: the caller reads them
 * itself then.
 */
export async function readRowidsInBackground(
  store: Pick<Store, 'db'>,
  query: { sql: string; params: SqlParam[] },
): Promise<Float64Array | null> {
  const registry = registryOf(store.db);
  if (!registry.builder || Date.now() < registry.pausedUntil) return null;
  try {
    const read = await registry.builder.build({ ...query, queueId: null });
    registry.backgroundReads += 1;
    return read.rowids;
  } catch (err) {
    registry.lastError = err instanceof Error ? err.message : String(err);
    return null;
  }
}

/** Drops every list of the store (tests and benchmarks measuring a cold start). */
export function forgetCasePositions(store: Pick<Store, 'db'>): void {
  registryOf(store.db).lists.clear();
}

/** Drops a list found inconsistent with the store (a page's rows no longer in the view). */
export function dropCasePositions(store: Pick<Store, 'db'>, view: CompiledCaseView): void {
  registryOf(store.db).lists.delete(positionKey(view));
}

/** Settles when no list is being built (benchmarks and tests wait for the background). */
export async function casePositionsSettled(store: Pick<Store, 'db'>): Promise<void> {
  const registry = registryOf(store.db);
  while (registry.building.size > 0) await Promise.all(registry.building.values());
}

function keep(registry: Registry, list: PositionList): void {
  registry.lists.delete(list.key);
  registry.lists.set(list.key, list);
  let total = 0;
  for (const l of registry.lists.values()) total += l.rowids.length;
  for (const [key, l] of registry.lists) {
    if (total <= MAX_LISTED_ROWIDS || key === list.key) break;
    registry.lists.delete(key);
    total -= l.rowids.length;
  }
}

/**
 * The list brought up to the log's last entry, or null when it must be rebuilt. Changed cases
 * (and cases that aged out of the queue's range since) leave the list in one pass over it, in
 * place (a bitmap over rowids marks them); those still in the view go back at the position a
 * binary search finds, all merged in a second pass.
 */
function catchUp(
  db: Database.Database,
  view: CompiledCaseView,
  list: PositionList,
): PositionList | null {
  const queueId = view.indexedQueue?.id ?? null;
  const membership = membershipVersion(db, queueId);
  if (membership.version !== list.version) return null;
  const { lo, hi } = db
    .prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM case_changes')
    .get() as { lo: number | null; hi: number | null };
  const seq = hi ?? 0;
  const aged = membership.rangeFrom !== list.rangeFrom;
  if (seq === list.seq && !aged) return list;
  if (seq < list.seq || (seq > list.seq && (lo === null || lo > list.seq + 1))) return null;
  const changed = db
    .prepare('SELECT DISTINCT case_rowid FROM case_changes WHERE seq > ? LIMIT ?')
    .pluck()
    .all(list.seq, CATCH_UP_MAX + 1) as number[];
  if (aged) {
    // Members created before the new range start were pruned without a case change.
    if (list.rangeFrom === null || membership.rangeFrom === null) return null;
    if (membership.rangeFrom < list.rangeFrom) return null;
    changed.push(
      ...(db
        .prepare('SELECT rowid FROM cases WHERE created_at >= ? AND created_at < ? LIMIT ?')
        .pluck()
        .all(list.rangeFrom, membership.rangeFrom, CATCH_UP_MAX + 1) as number[]),
    );
  }
  if (changed.length > CATCH_UP_MAX) return null;

  const where = caseViewWhere(view);
  const present = db
    .prepare(
      `SELECT cases.rowid FROM cases WHERE cases.rowid IN (SELECT value FROM json_each(?)) AND ${where.sql}`,
    )
    .pluck()
    .all(JSON.stringify(changed), ...where.params) as number[];

  // The list is this registry's own: it is changed in place, in a buffer with room to grow.
  let buffer = list.buffer ?? list.rowids;
  let n = list.rowids.length;
  if (changed.length <= FEW_CHANGES) {
    // A few cases (one status change): find each with a native scan and close the gap.
    for (const r of changed) {
      const at = buffer.subarray(0, n).indexOf(r);
      if (at < 0) continue;
      buffer.copyWithin(at, at + 1, n);
      n--;
    }
  } else {
    let maxRowid = 0;
    for (const r of changed) if (r > maxRowid) maxRowid = r;
    const out = new Uint8Array(maxRowid + 1);
    for (const r of changed) out[r] = 1;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const r = buffer[i]!;
      if (r > maxRowid || out[r] === 0) buffer[kept++] = r;
    }
    n = kept;
  }
  const kept = buffer;

  const column = CASE_SORT_COLUMNS[view.sort];
  const before = db
    .prepare(
      `SELECT CASE WHEN a.${column} IS b.${column} THEN a.id < b.id WHEN a.${column} IS NULL THEN 1
              WHEN b.${column} IS NULL THEN 0 ELSE a.${column} < b.${column} END
       FROM cases a, cases b WHERE a.rowid = ? AND b.rowid = ?`,
    )
    .pluck();
  const precedes = (a: number, b: number) => before.get(a, b) === 1;
  const placed = present.map((rowid) => {
    let low = 0;
    let high = n;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (precedes(kept[mid]!, rowid)) low = mid + 1;
      else high = mid;
    }
    return { rowid, at: low };
  });
  placed.sort((x, y) => x.at - y.at || (precedes(x.rowid, y.rowid) ? -1 : 1));

  if (n + placed.length > buffer.length) {
    // No room left: a new buffer with some to spare, so the next inserts do not allocate.
    const grown = new Float64Array(Math.ceil((n + placed.length) * 1.01) + 1024);
    grown.set(buffer.subarray(0, n));
    buffer = grown;
  }
  // Insert from the last position back, each segment moved once by the inserts after it.
  let end = n;
  for (let i = placed.length - 1; i >= 0; i--) {
    const p = placed[i]!;
    buffer.copyWithin(p.at + i + 1, p.at, end);
    buffer[p.at + i] = p.rowid;
    end = p.at;
  }
  n += placed.length;
  return {
    key: list.key,
    version: list.version,
    rangeFrom: membership.rangeFrom,
    seq,
    rowids: buffer.subarray(0, n),
    buffer,
  };
}

// ---------------------------------------------------------------------------------------------
// The background builder: one worker thread per store, reading lists one at a time.

const workerReply = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('list'),
    id: z.number(),
    seq: z.number(),
    version: z.string(),
    rangeFrom: z.number().nullable(),
    rowids: z.instanceof(Float64Array),
  }),
  z.object({ type: z.literal('error'), id: z.number(), message: z.string() }),
]);

interface BackgroundBuilder {
  build(request: PositionListRequest): Promise<PositionListRead>;
}

/** The position-list worker next to the import worker (.ts under tsx, .cjs in Electron). */
export function positionsWorkerBeside(importWorker: WorkerScript): WorkerScript {
  return workerBeside(importWorker, 'positions-worker');
}

/**
 * Lets big views build their position lists in a worker thread on a read connection to the
 * store's file (WAL: the app keeps writing meanwhile). The worker starts with the first list
 * and does not keep the process alive while idle. Views of more than `above` cases (default
 * BACKGROUND_LIST_MIN) are listed there. In-memory stores have no file: nothing is built for them.
 */
export function enableBackgroundPositions(
  store: Pick<Store, 'db' | 'file'>,
  script: WorkerScript,
  options: { above?: number } = {},
): void {
  if (store.file === ':memory:' || store.file === '') return;
  const registry = registryOf(store.db);
  registry.backgroundAbove = options.above ?? BACKGROUND_LIST_MIN;
  if (registry.builder) return;
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<
    number,
    { resolve: (r: PositionListRead) => void; reject: (e: Error) => void }
  >();
  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
    worker = null;
  };
  const start = (): Worker => {
    const w = new Worker(script.path, {
      execArgv: script.execArgv,
      workerData: { dbPath: store.file },
    });
    w.unref();
    w.on('message', (raw: unknown) => {
      const msg = workerReply.parse(raw);
      const entry = waiting.get(msg.id);
      if (!entry) return;
      waiting.delete(msg.id);
      if (msg.type === 'list') entry.resolve(msg);
      else entry.reject(new Error(msg.message));
    });
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`position worker stopped (exit code ${code})`)));
    return w;
  };
  registry.builder = {
    build(request) {
      worker ??= start();
      const id = nextId++;
      const running = worker;
      running.ref(); // a pending list keeps the process alive; an idle worker does not
      return new Promise<PositionListRead>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        running.postMessage({ id, request });
      }).finally(() => {
        if (waiting.size === 0) running.unref();
      });
    },
  };
}
