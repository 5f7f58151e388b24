import type Database from 'better-sqlite3';
import type { Store } from '../../store/open';
import { readRowidsInBackground } from '../cases/case-positions';
import { writeTransaction, type MutationWriter } from '../../store/write';
import {
  defaultQueueCondition,
  validateCondition,
  type ConditionNode,
} from '../../../shared/domain/conditions';
import {
  findQueue,
  indexRow,
  indexedQueueCount,
  isQueueIndexReady,
  markQueuePending,
  pendingQueueIds,
  pruneAgedQueueMembers,
  rangeDays,
  reindexSteps,
  type ReindexOptions,
  type ReindexOutcome,
  type ReindexProgress,
  type QueueDbRow,
  type QueueIndexState,
  type StoredQueue,
  toStoredQueue,
  indexPendingQueuesNow,
} from '../../store/derived/queue-membership';
import { CASE_FIELD_CATALOGUE, findField } from '../../../shared/domain/fields';
import { ADMIN_TENANT_NAME } from '../../../shared/domain/types';
import {
  DEFAULT_QUEUE_IDS,
  MAX_CUSTOM_QUEUES,
  queueDraftSchema,
  type QueueDraft,
  type QueueDto,
} from '../../../shared/ipc/contract';
import { ServiceError } from '../../service-error';
import { newId } from '../../store/ids';
import { JobCancelled, type JobRunner } from '../../jobs/runner';
import type { CancelCheck } from '../../jobs/cancel-flag';

// The membership index lives with the store's derived tables; these are re-exported for callers.
export {
  DAY_MS,
  compileQueueMembership,
  findQueue,
  findQueueByIdOrName,
  indexOnlyMembersSql,
  indexPendingQueuesNow,
  indexedQueueCount,
  isQueueIndexReady,
  loadQueues,
  markAllQueuesPending,
  pendingQueueIds,
  pruneAgedQueueMembers,
  queueMembershipSql,
  rangeBounds,
  rangeDays,
  readsTenantName,
  refreshQueueMembership,
  reindexQueueNow,
  reindexSteps,
  type CompiledMembership,
  type QueueIndexState,
  type ReindexOptions,
  type ReindexOutcome,
  type ReindexProgress,
  type StoredQueue,
} from '../../store/derived/queue-membership';

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

/** Stores at most this big index a new default queue at once instead of as a job. */
export const INDEX_AT_OPEN_MAX_CASES = 20_000;
/** QUE-4: a range longer than this is worth a warning. */
const SLOW_RANGE_DAYS = 31;

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
      for (const q of DEFAULT_QUEUES) if (!have.has(q.id)) insertQueueRow(w, q, null);
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
  w: MutationWriter,
  q: Omit<StoredQueue, 'createdAt' | 'updatedAt'>,
  ownerId: string | null,
  auditTenant?: string,
): void {
  w.insert(
    'queue',
    {
      id: q.id,
      tenantId: q.tenantId,
      ownerId,
      name: q.name,
      description: q.description,
      condition: q.condition,
      range: q.range,
      isDefault: q.isDefault,
      sortOrder: q.sortOrder,
      createdAt: w.now,
      updatedAt: w.now,
    },
    { tenantId: auditTenant },
  );
  markQueuePending(w.derivedDb, q.id);
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
      insertQueueRow(w, queue, actor.id, auditTenant);
      return {
        queue: { ...queue, createdAt: w.now, updatedAt: w.now },
        needsReindex: true,
      };
    }
    const before = findQueue(w.derivedDb, draft.id)!;
    const after: StoredQueue = {
      ...before,
      name: draft.name,
      description: draft.description,
      tenantId: draft.tenantId,
      condition: condition.condition,
      range: draft.range,
      updatedAt: w.now,
    };
    w.patch(
      'queue',
      after.id,
      {
        name: after.name,
        description: after.description,
        tenantId: after.tenantId,
        condition: after.condition,
        range: after.range,
      },
      { tenantId: auditTenant },
    );
    const needsReindex =
      JSON.stringify([before.condition, before.range, before.tenantId]) !==
        JSON.stringify([after.condition, after.range, after.tenantId]) ||
      !isQueueIndexReady(w.derivedDb, after.id);
    if (needsReindex) markQueuePending(w.derivedDb, after.id);
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
  // Members, index state and pins go with it (ON DELETE CASCADE).
  writeTransaction(store, actor.login, (w) =>
    w.delete('queue', id, { tenantId: queue.tenantId ?? actor.tenantId }),
  );
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
    if (pinned) w.link('user', actor.id, 'pinnedQueues', [id], { action: 'pin' });
    else w.unlink('user', actor.id, 'pinnedQueues', [id], { action: 'unpin' });
  });
}

/** A re-index stopped by its job's cancel (NFR-2), with how far it got. */
export interface CancelledReindex {
  status: 'cancelled';
  name: string;
  /** the last step's progress, or null when it stopped before its first step */
  last: ReindexProgress | null;
}

/**
 * Runs a re-index to the end, yielding to the event loop between its transactions. With a
 * signal it stops between two of them once aborted: the queue's index stays pending (each
 * step's transaction is whole), to be built again by the next re-index (a save, the next start).
 */
export async function reindexQueue(
  store: Pick<Store, 'db'>,
  queueId: string,
  onProgress?: (p: ReindexProgress) => void,
  options?: ReindexOptions,
  signal?: CancelCheck,
): Promise<ReindexOutcome | CancelledReindex> {
  const steps = reindexSteps(store, queueId, options);
  let listed: Float64Array | undefined;
  let last: ReindexProgress | null = null;
  for (;;) {
    if (signal?.aborted) {
      steps.return({ status: 'removed', name: queueId }); // ends the generator; nothing is written
      return { status: 'cancelled', name: findQueue(store.db, queueId)?.name ?? queueId, last };
    }
    const step = steps.next(listed);
    listed = undefined;
    if (step.done) return step.value;
    last = step.value;
    onProgress?.(step.value);
    if (step.value.list)
      listed = (await readRowidsInBackground(store, step.value.list)) ?? undefined;
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** "Cancelled (40,000 of 100,000 cases checked): Phishing stays pending …" */
export function describeCancelledReindex(c: CancelledReindex): string {
  const how = c.last?.message ? ` (${c.last.message})` : '';
  return `Cancelled${how}: the index of ${c.name} stays pending and is rebuilt when the queue is next saved or the app next starts`;
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
        const outcome = await reindexQueue(
          ctx.store,
          queueId,
          (p) => job.progress(p.fraction, p.message),
          undefined,
          job.signal,
        );
        if (outcome.status === 'cancelled')
          throw new JobCancelled(describeCancelledReindex(outcome));
        return outcome;
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
    { cancellable: true },
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
    if (!indexRow(ctx.store.db, id)) markQueuePending(ctx.store.db, id);
    return startReindexJob(ctx, id, onDone);
  });
}
