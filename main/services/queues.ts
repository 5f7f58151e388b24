import type Database from 'better-sqlite3';
import { isReadConnection, type Store } from '../store/open';
import { readRowidsInBackground } from './case-positions';
import { writeTransaction, type Writer } from '../store/write';
import { immediateTransaction } from '../store/lock';
import {
  compileConditionToSql,
  defaultQueueCondition,
  validateCondition,
  type ConditionNode,
  type SqlFragment,
  type SqlParam,
} from '../../shared/domain/conditions';
import { CASE_FIELD_CATALOGUE, findField } from '../../shared/domain/fields';
import { ADMIN_TENANT_NAME } from '../../shared/domain/types';
import {
  DEFAULT_QUEUE_IDS,
  MAX_CUSTOM_QUEUES,
  queueDraftSchema,
  queueRangeSchema,
  type QueueDraft,
  type QueueDto,
  type QueueRange,
} from '../../shared/ipc/contract';
import { ServiceError } from '../ipc/errors';
import { newId } from './ids';
import type { JobRunner } from './jobs';

/**
 * Case queues (QUE-1..7): saved filters of cases with a tenant scope, a date range and a
 * condition tree, and their membership index (`queue_members`, QUE-5/6).
 *
 * Choices where the spec is silent:
 * - A queue's date range applies to the case's creation time (`created_at`): "cases created in
 *   the past year". A relative range (`{ kind: 'relative', days }`) means created at or after
 *   now − days, with no upper bound; an absolute one means from ≤ created_at ≤ to.
 * - The index holds exactly the cases that satisfy condition, tenant scope and range. A relative
 *   range moves forward with time, so members can only ever age out of it (a case's creation
 *   time never changes); `pruneAgedQueueMembers` drops those with one index range delete before
 *   counts are read or a queue is paged, so counts stay exact without any scan.
 * - Counts are kept in `queue_index.member_count`, adjusted in the same transaction as every
 *   membership change; counting 850,000 index entries would take ~30 ms per queue.
 * - The index is derived, local data: it is written without activity or outbox entries (the
 *   queue itself and the case changes that move memberships are audited and synced).
 * - Queue names are unique (ignoring case): the CLI and people address queues by name.
 */

export const DAY_MS = 86_400_000;
/** Cases evaluated per re-index transaction: short enough for the event loop to breathe. */
const REINDEX_CHUNK = 20_000;
/** Members deleted per transaction when a changed queue is re-indexed from scratch. */
const CLEAR_CHUNK = 50_000;
/** Stores at most this big index a new default queue at once instead of as a job. */
const INDEX_AT_OPEN_MAX_CASES = 20_000;
/** QUE-4: a range longer than this is worth a warning. */
const SLOW_RANGE_DAYS = 31;

export interface StoredQueue {
  id: string;
  name: string;
  description: string;
  tenantId: string | null;
  condition: ConditionNode;
  range: QueueRange;
  isDefault: boolean;
  sortOrder: number;
  createdAt: number;
  updatedAt: number;
}

interface QueueDbRow {
  id: string;
  tenant_id: string | null;
  name: string;
  description: string;
  condition: string;
  range: string;
  is_default: number;
  sort_order: number;
  created_at: number;
  updated_at: number;
}

export type QueueIndexState = 'pending' | 'ready';

interface QueueIndexRow {
  state: QueueIndexState;
  generation: number;
  member_count: number;
}

function toStoredQueue(row: QueueDbRow): StoredQueue {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tenantId: row.tenant_id,
    condition: JSON.parse(row.condition) as ConditionNode,
    range: queueRangeSchema.parse(JSON.parse(row.range)),
    isDefault: row.is_default === 1,
    sortOrder: row.sort_order,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const QUEUE_SELECT =
  'SELECT id, tenant_id, name, description, condition, range, is_default, sort_order, created_at, updated_at FROM queues';

export function loadQueues(db: Database.Database): StoredQueue[] {
  return (db.prepare(`${QUEUE_SELECT} ORDER BY sort_order, name`).all() as QueueDbRow[]).map(
    toStoredQueue,
  );
}

export function findQueue(db: Database.Database, id: string): StoredQueue | null {
  const row = db.prepare(`${QUEUE_SELECT} WHERE id = ?`).get(id) as QueueDbRow | undefined;
  return row ? toStoredQueue(row) : null;
}

/** A queue by id, or else by its name (ignoring case): the CLI takes either. */
export function findQueueByIdOrName(db: Database.Database, idOrName: string): StoredQueue | null {
  const byId = findQueue(db, idOrName);
  if (byId) return byId;
  const row = db.prepare(`${QUEUE_SELECT} WHERE name = ? COLLATE NOCASE`).get(idOrName.trim()) as
    QueueDbRow | undefined;
  return row ? toStoredQueue(row) : null;
}

function indexRow(db: Database.Database, queueId: string): QueueIndexRow | undefined {
  return db
    .prepare('SELECT state, generation, member_count FROM queue_index WHERE queue_id = ?')
    .get(queueId) as QueueIndexRow | undefined;
}

// ---------------------------------------------------------------------------------------------
// Ranges and the membership predicate

/** The created_at bounds of a range at `now` (inclusive; `to` null = no upper bound). */
export function rangeBounds(range: QueueRange, now: number): { from: number; to: number | null } {
  return range.kind === 'relative'
    ? { from: now - range.days * DAY_MS, to: null }
    : { from: range.from, to: range.to };
}

export function rangeDays(range: QueueRange): number {
  return range.kind === 'relative' ? range.days : (range.to - range.from) / DAY_MS;
}

/** A queue's membership test compiled once; only the range bounds depend on the time. */
export interface CompiledMembership {
  /** boolean SQL over `cases` (unaliased) and, if needsTenant, `tenants t` */
  sql: string;
  needsTenant: boolean;
  params(now: number): SqlParam[];
}

/** Compiles condition, tenant scope and range of a queue into one membership test. */
export function compileQueueMembership(queue: StoredQueue): CompiledMembership {
  const condition = compileConditionToSql(queue.condition, CASE_FIELD_CATALOGUE);
  let sql = `${condition.sql} AND cases.created_at >= ?`;
  if (queue.range.kind === 'absolute') sql += ' AND cases.created_at <= ?';
  if (queue.tenantId !== null) sql += ' AND cases.tenant_id = ?';
  return {
    sql: `(${sql})`,
    needsTenant: readsTenantName(condition.sql),
    params: (now) => {
      const { from, to } = rangeBounds(queue.range, now);
      const params: SqlParam[] = [...condition.params, from];
      if (to !== null) params.push(to);
      if (queue.tenantId !== null) params.push(queue.tenantId);
      return params;
    },
  };
}

/**
 * The SQL a case must satisfy to be in the queue at `now`: condition, tenant scope, range. Over
 * `cases` (unaliased); `needsTenant` says whether it reads `tenants t`.
 */
export function queueMembershipSql(
  queue: StoredQueue,
  now: number,
): SqlFragment & { needsTenant: boolean } {
  const compiled = compileQueueMembership(queue);
  return { sql: compiled.sql, params: compiled.params(now), needsTenant: compiled.needsTenant };
}

/** Compiled case SQL reads the tenant name only as `t.name` (shared/domain/fields.ts). */
export function readsTenantName(sql: string): boolean {
  return /\bt\./.test(sql);
}

// ---------------------------------------------------------------------------------------------
// Default queues (QUE-2)

const DEFAULT_QUEUES: readonly Omit<StoredQueue, 'createdAt' | 'updatedAt'>[] = [
  {
    id: DEFAULT_QUEUE_IDS.allOpen,
    name: 'All Open Cases',
    description: 'Cases with status New, In Progress or Escalated created in the past year',
    tenantId: null,
    condition: defaultQueueCondition(),
    range: { kind: 'relative', days: 365 },
    isDefault: true,
    sortOrder: 0,
  },
  {
    id: DEFAULT_QUEUE_IDS.allClosed,
    name: 'All Closed Cases',
    description: 'Cases with status Resolved or Cancelled created in the past year',
    tenantId: null,
    condition: {
      type: 'group',
      op: 'OR',
      children: [
        { type: 'condition', field: 'status', operator: 'is', value: 'Resolved' },
        { type: 'condition', field: 'status', operator: 'is', value: 'Cancelled' },
      ],
    },
    range: { kind: 'relative', days: 365 },
    isDefault: true,
    sortOrder: 1,
  },
];

function adminTenantId(db: Database.Database): string {
  const row = db.prepare('SELECT id FROM tenants WHERE name = ?').get(ADMIN_TENANT_NAME) as
    { id: string } | undefined;
  if (!row) throw new Error(`the '${ADMIN_TENANT_NAME}' organisation is missing`);
  return row.id;
}

function queueAuditFields(q: Omit<StoredQueue, 'createdAt' | 'updatedAt'>): object {
  return {
    id: q.id,
    name: q.name,
    description: q.description,
    tenantId: q.tenantId,
    condition: q.condition,
    range: q.range,
    isDefault: q.isDefault,
  };
}

/**
 * Creates the default queues when absent (idempotent; run at every store open). On a small
 * store their index is built at once; on a large one it stays pending for the app to build as
 * jobs (`resumeQueueIndexing`) or the CLI to build before it answers.
 */
export function ensureDefaultQueues(store: Pick<Store, 'db'>): void {
  const have = new Set(
    (
      store.db
        .prepare('SELECT id FROM queues WHERE id IN (?, ?)')
        .all(DEFAULT_QUEUE_IDS.allOpen, DEFAULT_QUEUE_IDS.allClosed) as { id: string }[]
    ).map((r) => r.id),
  );
  if (have.size < DEFAULT_QUEUES.length) {
    writeTransaction(store, 'System', (w) => {
      const tenantId = adminTenantId(w.db);
      for (const q of DEFAULT_QUEUES) {
        if (have.has(q.id)) continue;
        insertQueueRow(w, q, null);
        w.created(tenantId, 'queue', q.id, queueAuditFields(q));
      }
    });
  }
  const estimate = (
    store.db.prepare('SELECT max(rowid) AS n FROM cases').get() as {
      n: number | null;
    }
  ).n;
  if ((estimate ?? 0) <= INDEX_AT_OPEN_MAX_CASES) indexPendingQueuesNow(store);
}

function insertQueueRow(
  w: Writer,
  q: Omit<StoredQueue, 'createdAt' | 'updatedAt'>,
  ownerId: string | null,
): void {
  w.db
    .prepare(
      `INSERT INTO queues (id, tenant_id, owner_id, name, description, condition, range, is_default, sort_order, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      q.id,
      q.tenantId,
      ownerId,
      q.name,
      q.description,
      JSON.stringify(q.condition),
      JSON.stringify(q.range),
      q.isDefault ? 1 : 0,
      q.sortOrder,
      w.now,
      w.now,
    );
  markPending(w.db, q.id);
}

/** Starts a new index generation: any re-index still running for an older one stops. */
function markPending(db: Database.Database, queueId: string): void {
  db.prepare(
    `INSERT INTO queue_index (queue_id, state, generation, member_count) VALUES (?, 'pending', 1, 0)
     ON CONFLICT(queue_id) DO UPDATE SET state = 'pending', generation = generation + 1`,
  ).run(queueId);
}

// ---------------------------------------------------------------------------------------------
// Listing (QUE-6)

/**
 * Drops members that a relative range has left behind (cases created before now − days), so
 * the index and its counts match the range at `now`. Writes only when a case actually aged out.
 * A read connection (the CLI's read commands) never writes: it returns the queues whose index
 * still holds aged members, which their readers then treat as not indexed.
 */
export function pruneAgedQueueMembers(
  store: Pick<Store, 'db'>,
  now: number = Date.now(),
  onlyQueueId?: string,
): string[] {
  const db = store.db;
  const probe = db.prepare(
    'SELECT 1 FROM queue_members WHERE queue_id = ? AND case_created_at < ? LIMIT 1',
  );
  const due: { id: string; from: number }[] = [];
  const queues = onlyQueueId === undefined ? loadQueues(db) : [findQueue(db, onlyQueueId)];
  for (const q of queues) {
    if (!q || q.range.kind !== 'relative') continue;
    const { from } = rangeBounds(q.range, now);
    if (probe.get(q.id, from)) due.push({ id: q.id, from });
  }
  if (due.length === 0) return [];
  if (isReadConnection(db)) return due.map((d) => d.id);
  const remove = db.prepare('DELETE FROM queue_members WHERE queue_id = ? AND case_created_at < ?');
  const adjust = db.prepare(
    `UPDATE queue_index SET member_count = member_count - ?, range_from = ?
     WHERE queue_id = ? AND state = 'ready'`,
  );
  immediateTransaction(db, () => {
    for (const { id, from } of due) {
      const removed = remove.run(id, from).changes;
      adjust.run(removed, from, id);
    }
  });
  return [];
}

interface ListedQueueRow extends QueueDbRow {
  state: QueueIndexState | null;
  member_count: number | null;
  /** the pin's insertion order (rowid), null when not pinned */
  pinned_at: number | null;
}

/** Pinned queues first (in pin order), then the default queues, then the others by name. */
export function listQueues(store: Pick<Store, 'db'>, userId: string, now = Date.now()): QueueDto[] {
  const stale = new Set(pruneAgedQueueMembers(store, now));
  const rows = store.db
    .prepare(
      `SELECT q.id, q.tenant_id, q.name, q.description, q.condition, q.range, q.is_default, q.sort_order,
              q.created_at, q.updated_at, i.state, i.member_count, p.rowid AS pinned_at
       FROM queues q
       LEFT JOIN queue_index i ON i.queue_id = q.id
       LEFT JOIN pins p ON p.queue_id = q.id AND p.user_id = ?`,
    )
    .all(userId) as ListedQueueRow[];
  rows.sort((a, b) => {
    if ((a.pinned_at === null) !== (b.pinned_at === null)) return a.pinned_at === null ? 1 : -1;
    if (a.pinned_at !== null && b.pinned_at !== null && a.pinned_at !== b.pinned_at) {
      return a.pinned_at - b.pinned_at;
    }
    if (a.is_default !== b.is_default) return b.is_default - a.is_default;
    if (a.is_default && a.sort_order !== b.sort_order) return a.sort_order - b.sort_order;
    return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });
  });
  return rows.map((row) =>
    toQueueDto(toStoredQueue(row), stale.has(row.id) ? { ...row, state: 'pending' } : row),
  );
}

function toQueueDto(
  q: StoredQueue,
  index: { state: QueueIndexState | null; member_count: number | null; pinned_at: number | null },
): QueueDto {
  return {
    id: q.id,
    name: q.name,
    description: q.description,
    tenantId: q.tenantId,
    condition: q.condition,
    range: q.range,
    isDefault: q.isDefault,
    pinned: index.pinned_at !== null,
    count: index.state === 'ready' ? index.member_count : null,
  };
}

export function getQueueDto(
  store: Pick<Store, 'db'>,
  userId: string,
  id: string,
  now = Date.now(),
): QueueDto {
  const dto = listQueues(store, userId, now).find((q) => q.id === id);
  if (!dto) throw new ServiceError('NOT_FOUND', `No queue with id ${id}`);
  return dto;
}

/** The index's count of a ready queue (after pruning), or null while it is being indexed. */
export function indexedQueueCount(
  store: Pick<Store, 'db'>,
  queueId: string,
  now = Date.now(),
): number | null {
  if (pruneAgedQueueMembers(store, now, queueId).length > 0) return null;
  const row = indexRow(store.db, queueId);
  return row?.state === 'ready' ? row.member_count : null;
}

export function isQueueIndexReady(db: Database.Database, queueId: string): boolean {
  return indexRow(db, queueId)?.state === 'ready';
}

// ---------------------------------------------------------------------------------------------
// Validation (QUE-1, QUE-3, QUE-4, QUE-7)

export interface QueueDraftCheck {
  errors: { path: string; message: string }[];
  warnings: string[];
}

export type ParsedQueueDraft = ReturnType<typeof queueDraftSchema.parse>;

interface KnownUser {
  id: string;
  login: string;
  displayName: string;
}

function knownUsers(db: Database.Database): KnownUser[] {
  return db
    .prepare('SELECT id, login, display_name AS displayName FROM users ORDER BY display_name')
    .all() as KnownUser[];
}

/** Checks a draft without saving it: errors refuse it; warnings ask before saving. */
export function checkQueueDraft(
  store: Pick<Store, 'db'>,
  draft: ParsedQueueDraft,
): QueueDraftCheck {
  const db = store.db;
  const errors: QueueDraftCheck['errors'] = [];
  const warnings: string[] = [];
  if (draft.id !== undefined) {
    const existing = findQueue(db, draft.id);
    if (!existing) errors.push({ path: 'id', message: `No queue with id ${draft.id}` });
    else if (existing.isDefault) {
      errors.push({
        path: 'id',
        message: `${existing.name} is a default queue: it cannot be edited (QUE-2)`,
      });
    }
  } else {
    const custom = (
      db.prepare('SELECT count(*) AS n FROM queues WHERE is_default = 0').get() as { n: number }
    ).n;
    if (custom >= MAX_CUSTOM_QUEUES) {
      errors.push({
        path: '',
        message: `There are already ${custom} queues, the most allowed is ${MAX_CUSTOM_QUEUES}: delete one before adding another (QUE-3)`,
      });
    }
  }
  const clash = db
    .prepare('SELECT id FROM queues WHERE name = ? COLLATE NOCASE AND id <> ?')
    .get(draft.name, draft.id ?? '') as { id: string } | undefined;
  if (clash) {
    errors.push({ path: 'name', message: `A queue named "${draft.name}" already exists` });
  }
  if (draft.tenantId !== null) {
    const tenant = db.prepare('SELECT name FROM tenants WHERE id = ?').get(draft.tenantId) as
      { name: string } | undefined;
    if (!tenant) errors.push({ path: 'tenantId', message: `No tenant with id ${draft.tenantId}` });
    else if (tenant.name === ADMIN_TENANT_NAME) {
      errors.push({
        path: 'tenantId',
        message: `The '${ADMIN_TENANT_NAME}' organisation holds no cases (ADM-1)`,
      });
    }
  }
  if (draft.range.kind === 'absolute' && draft.range.from > draft.range.to) {
    errors.push({ path: 'range', message: 'The range starts after it ends' });
  }
  const checked = validateCondition(draft.condition, CASE_FIELD_CATALOGUE);
  if (!checked.ok) {
    for (const issue of checked.issues) {
      errors.push({
        path: issue.path === '' ? 'condition' : `condition.${issue.path}`,
        message: issue.message,
      });
    }
  } else {
    warnings.push(...assigneeWarnings(checked.condition, knownUsers(db)));
  }
  const days = rangeDays(draft.range);
  if (days > SLOW_RANGE_DAYS) {
    warnings.push(
      `The date range covers ${Math.round(days)} days, more than one month: indexing and paging this queue may be slow on a large store (QUE-4)`,
    );
  }
  return { errors, warnings };
}

const ID_OPERATORS = new Set(['is', 'is not', 'in', 'not in']);

/**
 * QUE-7: `assignee` matches the user id and `assignee_name` the display name; a value that looks
 * like the other kind is almost always a mistake that silently matches nothing.
 */
export function assigneeWarnings(tree: ConditionNode, users: readonly KnownUser[]): string[] {
  const warnings: string[] = [];
  const lower = (s: string) => s.toLowerCase();
  const visit = (node: ConditionNode): void => {
    if (node.type === 'group') {
      node.children.forEach(visit);
      return;
    }
    if (!ID_OPERATORS.has(node.operator)) return;
    const key = findField(CASE_FIELD_CATALOGUE, node.field)?.key;
    if (key !== 'assignee' && key !== 'assignee_name') return;
    const values = (Array.isArray(node.value) ? node.value : [node.value]).filter(
      (v): v is string => typeof v === 'string',
    );
    for (const value of values) {
      if (key === 'assignee') {
        if (users.some((u) => u.id === value) && !/\s/.test(value)) continue;
        const person = users.find(
          (u) => lower(u.displayName) === lower(value) || lower(u.login) === lower(value),
        );
        warnings.push(
          person
            ? `"${value}" looks like a name, but assignee matches the user id: use assignee is ${person.id} (${person.displayName}), or assignee_name for display names (QUE-7)`
            : `"${value}" is not the id of any known user: assignee matches the user id; use assignee_name to match display names (QUE-7)`,
        );
      } else {
        const person = users.find((u) => u.id === value || lower(u.login) === lower(value));
        if (person && lower(person.displayName) !== lower(value)) {
          warnings.push(
            `"${value}" looks like a user id or login, but assignee_name matches the display name: use assignee_name is "${person.displayName}", or assignee for user ids (QUE-7)`,
          );
        }
      }
    }
  };
  visit(tree);
  return warnings;
}

export function parseQueueDraft(input: QueueDraft): ParsedQueueDraft {
  const parsed = queueDraftSchema.safeParse(input);
  if (!parsed.success) {
    throw new ServiceError(
      'BAD_REQUEST',
      `Invalid queue: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(queue)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Writes

export interface QueueActor {
  id: string;
  login: string;
  tenantId: string;
}

export interface SavedQueue {
  queue: StoredQueue;
  /** membership must be rebuilt (condition, scope or range changed, or a new queue) */
  needsReindex: boolean;
}

/** Creates (no id) or updates a queue; its index becomes pending when membership may change. */
export function saveQueue(
  store: Pick<Store, 'db'>,
  actor: QueueActor,
  input: QueueDraft,
): SavedQueue {
  const draft = parseQueueDraft(input);
  if (draft.id !== undefined) {
    const existing = findQueue(store.db, draft.id);
    if (!existing) throw new ServiceError('NOT_FOUND', `No queue with id ${draft.id}`);
    if (existing.isDefault) {
      throw new ServiceError(
        'FORBIDDEN',
        `${existing.name} is a default queue: it cannot be edited (QUE-2)`,
      );
    }
  }
  const { errors } = checkQueueDraft(store, draft);
  if (errors.length > 0) {
    // The QUE-3 limit reads best on its own; other refusals list every problem with its path.
    const limit = errors.find((e) => e.path === '');
    throw new ServiceError(
      'BAD_REQUEST',
      limit
        ? limit.message
        : `Invalid queue: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  const condition = validateCondition(draft.condition, CASE_FIELD_CATALOGUE);
  if (!condition.ok) throw new Error('unreachable: condition checked above');
  return writeTransaction(store, actor.login, (w) => {
    const auditTenant = draft.tenantId ?? actor.tenantId;
    if (draft.id === undefined) {
      const queue: Omit<StoredQueue, 'createdAt' | 'updatedAt'> = {
        id: newId(),
        name: draft.name,
        description: draft.description,
        tenantId: draft.tenantId,
        condition: condition.condition,
        range: draft.range,
        isDefault: false,
        sortOrder: 100,
      };
      insertQueueRow(w, queue, actor.id);
      w.created(auditTenant, 'queue', queue.id, queueAuditFields(queue));
      return {
        queue: { ...queue, createdAt: w.now, updatedAt: w.now },
        needsReindex: true,
      };
    }
    const before = findQueue(w.db, draft.id)!;
    const after: StoredQueue = {
      ...before,
      name: draft.name,
      description: draft.description,
      tenantId: draft.tenantId,
      condition: condition.condition,
      range: draft.range,
      updatedAt: w.now,
    };
    w.db
      .prepare(
        'UPDATE queues SET name = ?, description = ?, tenant_id = ?, condition = ?, range = ?, updated_at = ? WHERE id = ?',
      )
      .run(
        after.name,
        after.description,
        after.tenantId,
        JSON.stringify(after.condition),
        JSON.stringify(after.range),
        w.now,
        after.id,
      );
    const needsReindex =
      JSON.stringify([before.condition, before.range, before.tenantId]) !==
        JSON.stringify([after.condition, after.range, after.tenantId]) ||
      !isQueueIndexReady(w.db, after.id);
    if (needsReindex) markPending(w.db, after.id);
    w.updated(auditTenant, 'queue', after.id, queueAuditFields(before), queueAuditFields(after));
    return { queue: after, needsReindex };
  });
}

export function removeQueue(store: Pick<Store, 'db'>, actor: QueueActor, id: string): void {
  const queue = findQueue(store.db, id);
  if (!queue) throw new ServiceError('NOT_FOUND', `No queue with id ${id}`);
  if (queue.isDefault) {
    throw new ServiceError(
      'FORBIDDEN',
      `${queue.name} is a default queue: it cannot be deleted (QUE-2)`,
    );
  }
  writeTransaction(store, actor.login, (w) => {
    // Members, index state and pins go with it (ON DELETE CASCADE).
    w.db.prepare('DELETE FROM queues WHERE id = ?').run(id);
    w.deleted(queue.tenantId ?? actor.tenantId, 'queue', id, queueAuditFields(queue));
  });
}

/** QUE-6: pins are per user. */
export function setQueuePinned(
  store: Pick<Store, 'db'>,
  actor: QueueActor,
  id: string,
  pinned: boolean,
): void {
  const queue = findQueue(store.db, id);
  if (!queue) throw new ServiceError('NOT_FOUND', `No queue with id ${id}`);
  writeTransaction(store, actor.login, (w) => {
    const pinId = `${actor.id}:pin:${id}`;
    if (pinned) {
      const added = w.db
        .prepare('INSERT OR IGNORE INTO pins (user_id, queue_id, created_at) VALUES (?, ?, ?)')
        .run(actor.id, id, w.now).changes;
      if (added) w.created(actor.tenantId, 'setting', pinId, { key: 'queue.pin', queueId: id });
    } else {
      const removed = w.db
        .prepare('DELETE FROM pins WHERE user_id = ? AND queue_id = ?')
        .run(actor.id, id).changes;
      if (removed) w.deleted(actor.tenantId, 'setting', pinId, { key: 'queue.pin', queueId: id });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Re-index (QUE-5)

export interface ReindexProgress {
  fraction: number;
  message: string;
  /**
   * The step wants these rowids next: a driver may read them off the main thread (the position
   * lists' worker) and pass them to next(); without them the step reads them itself.
   */
  list?: { sql: string; params: SqlParam[] };
}

export type ReindexOutcome =
  | { status: 'done'; count: number; name: string }
  | { status: 'superseded' | 'removed'; name: string };

/**
 * Rebuilds one queue's membership as a sequence of short transactions (a generator: each step
 * is one transaction, so callers decide whether to yield to the event loop between steps).
 * Old members created before the queue's range go first; then the cases in the range are
 * evaluated in SQL in chunks along the created_at index, each chunk replacing the old members in
 * its stretch of the key; then the count is taken and the index marked ready in the same
 * transaction. A newer save (another generation) or a removal stops it between steps.
 * Case changes meanwhile keep their membership current through refreshQueueMembership, so the
 * result is exact even with writes between the steps.
 */
export interface ReindexOptions {
  /** the time relative ranges are measured from (default now) */
  now?: number;
  /** cases per transaction (default 20,000) */
  chunkSize?: number;
  /** old members before the range deleted per transaction (default 50,000) */
  clearChunk?: number;
}

export function* reindexSteps(
  store: Pick<Store, 'db'>,
  queueId: string,
  options: ReindexOptions = {},
): Generator<ReindexProgress, ReindexOutcome, Float64Array | undefined> {
  const now = options.now ?? Date.now();
  const chunkSize = options.chunkSize ?? REINDEX_CHUNK;
  const clearChunk = options.clearChunk ?? CLEAR_CHUNK;
  const db = store.db;
  const queue = findQueue(db, queueId);
  if (!queue) return { status: 'removed', name: queueId };
  // Claim a generation of its own: a re-index of the same queue still running elsewhere (a job
  // from an earlier save, a second runner) sees the change and stops. The newest one wins.
  markPending(db, queueId);
  const generation = indexRow(db, queueId)!.generation;
  const current = (): 'ok' | 'superseded' | 'removed' => {
    const row = indexRow(db, queueId);
    return !row ? 'removed' : row.generation !== generation ? 'superseded' : 'ok';
  };

  const membership = queueMembershipSql(queue, now);
  const { from, to } = rangeBounds(queue.range, now);

  // The planner may find the members from an index alone (a status, severity or score queue):
  // then the old members are cleared, the matching cases listed in one query and written in
  // chunks, each case evaluated again as it is written (a case changed meanwhile is kept current
  // by refreshQueueMembership; one that matches only now is in no list but added by it).
  // Otherwise old members go where the new ones are written: those created before the range
  // first, then each chunk of the walk below replaces the members in its own stretch of the key,
  // so the pages it rewrites are the pages it just cleared.
  const candidates = indexOnlyMembersSql(db, queue, now);
  const clearBelow = candidates ? Number.POSITIVE_INFINITY : from;
  // In ranges of the primary key: a range delete walks the b-tree once.
  const clearUpTo = db
    .prepare(
      `SELECT case_created_at FROM queue_members WHERE queue_id = ? AND case_created_at < ?
       ORDER BY case_created_at LIMIT 1 OFFSET ${clearChunk - 1}`,
    )
    .pluck();
  const clearRange = db.prepare(
    'DELETE FROM queue_members WHERE queue_id = ? AND case_created_at <= ?',
  );
  const clearBefore = db.prepare(
    'DELETE FROM queue_members WHERE queue_id = ? AND case_created_at < ?',
  );
  for (;;) {
    const state = current();
    if (state !== 'ok') return { status: state, name: queue.name };
    const upTo = clearUpTo.get(queueId, clearBelow) as number | undefined;
    if (upTo === undefined) {
      immediateTransaction(db, () => clearBefore.run(queueId, clearBelow));
      break;
    }
    immediateTransaction(db, () => clearRange.run(queueId, upTo));
    yield { fraction: 0, message: `Clearing the old index of ${queue.name}` };
  }
  const inRange = to === null ? 'created_at >= ?' : 'created_at >= ? AND created_at <= ?';
  const rangeParams = to === null ? [from] : [from, to];

  if (candidates) {
    const listed = yield {
      fraction: 0,
      message: `Listing the cases of ${queue.name}`,
      list: candidates,
    };
    // rowid order is creation order: the members key (queue, created_at, case) grows at its end
    const rowids = (
      listed ??
      Float64Array.from(
        db
          .prepare(candidates.sql)
          .pluck()
          .all(...candidates.params) as number[],
      )
    ).sort();
    const insertListed = db.prepare(
      `INSERT OR IGNORE INTO queue_members (queue_id, case_id, case_created_at)
       SELECT ?, cases.id, cases.created_at FROM json_each(?) j CROSS JOIN cases ON cases.rowid = j.value
       ${membership.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : ''}
       WHERE ${membership.sql}`,
    );
    for (let at = 0; at < rowids.length; at += chunkSize) {
      const state = current();
      if (state !== 'ok') return { status: state, name: queue.name };
      const chunk = JSON.stringify(Array.from(rowids.subarray(at, at + chunkSize)));
      immediateTransaction(db, () => insertListed.run(queueId, chunk, ...membership.params));
      const written = Math.min(rowids.length, at + chunkSize);
      yield {
        fraction: Math.min(0.99, written / Math.max(1, rowids.length)),
        message: `${written.toLocaleString('en')} of ${rowids.length.toLocaleString('en')} members written`,
      };
    }
    return immediateTransaction(db, (): ReindexOutcome => {
      const state = current();
      if (state !== 'ok') return { status: state, name: queue.name };
      return markReady(db, queueId, queue.name, from);
    });
  }

  const clearChunkKeys = db.prepare(
    `DELETE FROM queue_members WHERE queue_id = ?
       AND (case_created_at, case_id) > (?, ?) AND (case_created_at, case_id) <= (?, ?)`,
  );
  const clearRestKeys = db.prepare(
    'DELETE FROM queue_members WHERE queue_id = ? AND (case_created_at, case_id) > (?, ?)',
  );
  const total = (
    db.prepare(`SELECT count(*) AS n FROM cases WHERE ${inRange}`).get(...rangeParams) as {
      n: number;
    }
  ).n;
  // Chunk ends are found on the covering (created_at, id) index; each chunk is then one
  // INSERT … SELECT evaluating the compiled condition in SQL over that stretch of the index.
  // INDEXED BY keeps it there: planner statistics would otherwise pick an index the condition
  // can use (status, say) and scan all of it once per chunk.
  const chunkEnd = db.prepare(
    `SELECT created_at AS createdAt, id FROM cases WHERE ${inRange} AND (created_at, id) > (?, ?)
     ORDER BY created_at, id LIMIT 1 OFFSET ${chunkSize - 1}`,
  );
  const tenantJoin = membership.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : '';
  const insertSql = (bounded: boolean) =>
    `INSERT OR IGNORE INTO queue_members (queue_id, case_id, case_created_at)
     SELECT ?, cases.id, cases.created_at FROM cases INDEXED BY cases_created_idx ${tenantJoin}
     WHERE (cases.created_at, cases.id) > (?, ?)${bounded ? ' AND (cases.created_at, cases.id) <= (?, ?)' : ''}
       AND ${membership.sql}`;
  const insertBounded = db.prepare(insertSql(true));
  const insertRest = db.prepare(insertSql(false));
  // (from, '') sorts before every case created at `from`: ids are never empty.
  let lowerKey: [number, string] = [from, ''];
  let done = 0;
  for (;;) {
    const state = current();
    if (state !== 'ok') return { status: state, name: queue.name };
    const upper = chunkEnd.get(...rangeParams, ...lowerKey) as
      { createdAt: number; id: string } | undefined;
    if (!upper) break;
    immediateTransaction(db, () => {
      clearChunkKeys.run(queueId, ...lowerKey, upper.createdAt, upper.id);
      insertBounded.run(queueId, ...lowerKey, upper.createdAt, upper.id, ...membership.params);
    });
    lowerKey = [upper.createdAt, upper.id];
    done += chunkSize;
    yield {
      fraction: Math.min(0.99, done / Math.max(1, total)),
      message: `${done.toLocaleString('en')} of ${total.toLocaleString('en')} cases checked`,
    };
  }
  return immediateTransaction(db, (): ReindexOutcome => {
    const state = current();
    if (state !== 'ok') return { status: state, name: queue.name };
    // The last, partial chunk (and any member past the last case), in the same transaction as
    // the count.
    clearRestKeys.run(queueId, ...lowerKey);
    insertRest.run(queueId, ...lowerKey, ...membership.params);
    return markReady(db, queueId, queue.name, from);
  });
}

/** Counts a re-indexed queue's members and marks its index ready (inside the last step). */
function markReady(
  db: Database.Database,
  queueId: string,
  name: string,
  from: number,
): ReindexOutcome {
  const count = (
    db.prepare('SELECT count(*) AS n FROM queue_members WHERE queue_id = ?').get(queueId) as {
      n: number;
    }
  ).n;
  db.prepare(
    `UPDATE queue_index SET state = 'ready', member_count = ?, range_from = ?, indexed_at = ? WHERE queue_id = ?`,
  ).run(count, from, Date.now(), queueId);
  return { status: 'done', count, name };
}

/**
 * The rowids of a queue's matching cases as one query, when SQLite answers it from indexes
 * alone (every step on cases a covering index: no case row is read), so it is quick even on a
 * million cases; else null, and the re-index walks the cases in created_at chunks instead.
 */
export function indexOnlyMembersSql(
  db: Database.Database,
  queue: StoredQueue,
  now: number,
): { sql: string; params: SqlParam[] } | null {
  const membership = queueMembershipSql(queue, now);
  if (membership.needsTenant) return null;
  const { from, to } = rangeBounds(queue.range, now);
  const query = {
    sql: `SELECT cases.rowid FROM cases WHERE cases.created_at >= ?${to === null ? '' : ' AND cases.created_at <= ?'} AND ${membership.sql}`,
    params: [from, ...(to === null ? [] : [to]), ...membership.params],
  };
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as {
    detail: string;
  }[];
  const readsRows = plan.some(
    (step) =>
      /\b(SCAN|SEARCH) cases\b/.test(step.detail) && !step.detail.includes('COVERING INDEX'),
  );
  const other = plan.some(
    (step) =>
      !/\b(SCAN|SEARCH) cases\b/.test(step.detail) &&
      !/^(MULTI-INDEX OR|INDEX \d+)$/.test(step.detail),
  );
  return readsRows || other ? null : query;
}

/** Runs a re-index to the end, yielding to the event loop between its transactions. */
export async function reindexQueue(
  store: Pick<Store, 'db'>,
  queueId: string,
  onProgress?: (p: ReindexProgress) => void,
  options?: ReindexOptions,
): Promise<ReindexOutcome> {
  const steps = reindexSteps(store, queueId, options);
  let listed: Float64Array | undefined;
  for (;;) {
    const step = steps.next(listed);
    listed = undefined;
    if (step.done) return step.value;
    onProgress?.(step.value);
    if (step.value.list)
      listed = (await readRowidsInBackground(store, step.value.list)) ?? undefined;
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Runs a re-index to the end without yielding (CLI, small stores, tests). */
export function reindexQueueNow(
  store: Pick<Store, 'db'>,
  queueId: string,
  options?: ReindexOptions,
): ReindexOutcome {
  const steps = reindexSteps(store, queueId, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export function pendingQueueIds(db: Database.Database): string[] {
  return (
    db
      .prepare(
        `SELECT q.id FROM queues q LEFT JOIN queue_index i ON i.queue_id = q.id
         WHERE i.state IS NULL OR i.state <> 'ready' ORDER BY q.sort_order, q.name`,
      )
      .all() as { id: string }[]
  ).map((r) => r.id);
}

/** Builds every queue index that is not ready, at once (CLI, small stores). */
export function indexPendingQueuesNow(store: Pick<Store, 'db'>): void {
  for (const id of pendingQueueIds(store.db)) {
    if (!indexRow(store.db, id)) markPending(store.db, id);
    reindexQueueNow(store, id);
  }
}

/** Marks every queue for re-indexing (after bulk loads that bypass refreshQueueMembership). */
export function markAllQueuesPending(store: Pick<Store, 'db'>): string[] {
  const ids = loadQueues(store.db).map((q) => q.id);
  immediateTransaction(store.db, () => {
    for (const id of ids) markPending(store.db, id);
  });
  return ids;
}

export interface QueueJobContext {
  store: Pick<Store, 'db'>;
  jobs: JobRunner;
}

/** QUE-5: a re-index as a job with progress; its message gives the count. */
export function startReindexJob(
  ctx: QueueJobContext,
  queueId: string,
  onDone?: () => void,
): string {
  const name = findQueue(ctx.store.db, queueId)?.name ?? queueId;
  const { id } = ctx.jobs.start(
    'queue.reindex',
    `Index queue ${name}`,
    async (job) => {
      try {
        return await reindexQueue(ctx.store, queueId, (p) => job.progress(p.fraction, p.message));
      } finally {
        onDone?.();
      }
    },
    (outcome) =>
      outcome.status === 'done'
        ? `${outcome.count.toLocaleString('en')} case${outcome.count === 1 ? '' : 's'} in ${outcome.name}`
        : outcome.status === 'superseded'
          ? `Replaced by a newer save of ${outcome.name}`
          : `${outcome.name} was deleted`,
  );
  return id;
}

/** A finished job for a save that changed no membership: it reports the current count. */
export function startCountJob(ctx: QueueJobContext, queueId: string): string {
  const name = findQueue(ctx.store.db, queueId)?.name ?? queueId;
  const { id } = ctx.jobs.start(
    'queue.reindex',
    `Index queue ${name}`,
    () => Promise.resolve(indexedQueueCount(ctx.store, queueId) ?? 0),
    (count) => `${count.toLocaleString('en')} case${count === 1 ? '' : 's'} in ${name}`,
  );
  return id;
}

/** Starts jobs for every index left pending (a large store's new default queues, a crash). */
export function resumeQueueIndexing(ctx: QueueJobContext, onDone?: () => void): string[] {
  return pendingQueueIds(ctx.store.db).map((id) => {
    if (!indexRow(ctx.store.db, id)) markPending(ctx.store.db, id);
    return startReindexJob(ctx, id, onDone);
  });
}

// ---------------------------------------------------------------------------------------------
// Membership of changed cases (QUE-5)

interface MembershipPlan {
  stamp: string;
  queues: { queue: StoredQueue; membership: CompiledMembership }[];
  evaluate: Database.Statement;
  insert: Database.Statement;
  remove: Database.Statement;
  /** a case that is gone has no created_at to seek with: its rows are found by a walk of the queue */
  removeGone: Database.Statement;
  adjust: Database.Statement;
}

const planCache = new WeakMap<Database.Database, MembershipPlan>();

/** Changes whenever a queue is added, removed, edited or re-indexed. */
function queuesStamp(db: Database.Database): string {
  const row = db
    .prepare(
      `SELECT count(*) AS n, group_concat(q.id || ':' || q.updated_at || ':' || coalesce(i.generation, -1), ',') AS s
       FROM queues q LEFT JOIN queue_index i ON i.queue_id = q.id`,
    )
    .get() as { n: number; s: string | null };
  return `${row.n}|${row.s ?? ''}`;
}

/**
 * One statement that evaluates every queue's membership test for a case, next to whether the
 * case is a member now, compiled once per set of queues (conditions are checked and compiled
 * when a queue changes, not on every case write).
 */
function membershipPlan(db: Database.Database): MembershipPlan {
  const stamp = queuesStamp(db);
  const cached = planCache.get(db);
  if (cached && cached.stamp === stamp) return cached;
  const queues = loadQueues(db).map((queue) => ({
    queue,
    membership: compileQueueMembership(queue),
  }));
  const columns = queues.map(
    ({ membership }, i) => `CASE WHEN ${membership.sql} THEN 1 ELSE 0 END AS m${i},
      EXISTS (SELECT 1 FROM queue_members WHERE queue_id = ? AND case_created_at = cases.created_at AND case_id = cases.id) AS h${i}`,
  );
  const needsTenant = queues.some(({ membership }) => membership.needsTenant);
  const evaluate = db.prepare(
    `SELECT cases.created_at AS createdAt${columns.length ? ', ' + columns.join(', ') : ''}
     FROM cases ${needsTenant ? 'LEFT JOIN tenants t ON t.id = cases.tenant_id' : ''}
     WHERE cases.id = ?`,
  );
  const plan: MembershipPlan = {
    stamp,
    queues,
    evaluate,
    insert: db.prepare(
      'INSERT OR IGNORE INTO queue_members (queue_id, case_id, case_created_at) VALUES (?, ?, ?)',
    ),
    remove: db.prepare(
      'DELETE FROM queue_members WHERE queue_id = ? AND case_created_at = ? AND case_id = ?',
    ),
    removeGone: db.prepare('DELETE FROM queue_members WHERE queue_id = ? AND case_id = ?'),
    adjust: db.prepare(
      `UPDATE queue_index SET member_count = member_count + ? WHERE queue_id = ? AND state = 'ready'`,
    ),
  };
  planCache.set(db, plan);
  return plan;
}

/**
 * Re-evaluates these cases against every queue in the caller's transaction (QUE-5): inserts or
 * deletes their `queue_members` rows and keeps the counts exact. A case that no longer exists
 * leaves every queue. Call it after writing the cases, inside the same writeTransaction.
 */
export function refreshQueueMembership(w: Writer, caseIds: readonly string[]): void {
  if (caseIds.length === 0) return;
  const db = w.db;
  const plan = membershipPlan(db);
  if (plan.queues.length === 0) return;
  // Relative ranges move with time: the bounds are parameters, recomputed for this write.
  const params: SqlParam[] = [];
  for (const { queue, membership } of plan.queues)
    params.push(...membership.params(w.now), queue.id);
  // Prepared once with the plan: this runs in every case write.
  const { insert, remove, removeGone, adjust } = plan;
  const delta = new Array<number>(plan.queues.length).fill(0);
  for (const caseId of new Set(caseIds)) {
    const row = plan.evaluate.get(...params, caseId) as Record<string, number> | undefined;
    plan.queues.forEach(({ queue }, i) => {
      if (row === undefined) {
        delta[i]! -= removeGone.run(queue.id, caseId).changes; // the case is gone
        return;
      }
      const wanted = row[`m${i}`] === 1;
      const has = row[`h${i}`] === 1;
      if (wanted && !has) delta[i]! += insert.run(queue.id, caseId, row.createdAt).changes;
      else if (!wanted && has) delta[i]! -= remove.run(queue.id, row.createdAt, caseId).changes;
    });
  }
  plan.queues.forEach(({ queue }, i) => {
    if (delta[i] !== 0) adjust.run(delta[i], queue.id);
  });
}
