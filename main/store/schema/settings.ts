import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core';

/** Key/value settings; value is JSON. user_id '' means global. */
export const settings = sqliteTable(
  'settings',
  {
    userId: text('user_id').notNull().default(''),
    key: text('key').notNull(),
    value: text('value', { mode: 'json' }).$type<unknown>().notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

export const queues = sqliteTable(
  'queues',
  {
    id: text('id').primaryKey(),
    /** null = all tenants in the user's scope */
    tenantId: text('tenant_id'),
    ownerId: text('owner_id'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** JSON condition tree (shared/domain/conditions.ts) */
    condition: text('condition', { mode: 'json' }).$type<unknown>().notNull(),
    /** JSON: { kind: 'relative', days } | { kind: 'absolute', from, to } */
    range: text('range', { mode: 'json' }).$type<unknown>().notNull(),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [index('queues_order_idx').on(t.sortOrder)],
);

/**
 * Queue membership index (QUE-5): counts and pages come from here, not from scans. A row says
 * the case satisfies the queue's condition, tenant scope and date range. `case_created_at`
 * (the range applies to the case's creation time) lets members that a relative range has left
 * behind be dropped by an index range delete, so the index stays exact as time passes.
 * Membership is looked up by (queue, case created_at, case): the key; a case's rows in all
 * queues are reached through it queue by queue, so no separate index has to be written on
 * re-index.
 */
export const queueMembers = sqliteTable(
  'queue_members',
  {
    queueId: text('queue_id')
      .notNull()
      .references(() => queues.id, { onDelete: 'cascade' }),
    caseId: text('case_id').notNull(),
    caseCreatedAt: integer('case_created_at').notNull().default(0),
  },
  // One b-tree (migration 0014, WITHOUT ROWID): a case's membership is looked up by (queue, its
  // created_at, id), and a queue's members in created_at order are a range of the key.
  (t) => [primaryKey({ columns: [t.queueId, t.caseCreatedAt, t.caseId] })],
);

/**
 * State of each queue's membership index (derived, local data: never synced or audited).
 * `state` is 'pending' from a save until its re-index finishes; `generation` grows with every
 * save so an older re-index still running stops; `member_count` is kept exact by re-index,
 * refreshQueueMembership and pruning, so counts never scan (QUE-6).
 */
export const queueIndex = sqliteTable('queue_index', {
  queueId: text('queue_id')
    .primaryKey()
    .references(() => queues.id, { onDelete: 'cascade' }),
  state: text('state').notNull().default('pending'),
  generation: integer('generation').notNull().default(0),
  memberCount: integer('member_count').notNull().default(0),
  /** lower bound of created_at the members satisfy (relative ranges move it forward) */
  rangeFrom: integer('range_from'),
  indexedAt: integer('indexed_at'),
});

export const pins = sqliteTable(
  'pins',
  {
    userId: text('user_id').notNull(),
    queueId: text('queue_id')
      .notNull()
      .references(() => queues.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.queueId] })],
);

/** Case filters (COR-5): alerts matching the condition do not create cases. */
export const caseFilters = sqliteTable('case_filters', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id'),
  name: text('name').notNull(),
  condition: text('condition', { mode: 'json' }).$type<unknown>().notNull(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  suppressedCount: integer('suppressed_count').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  rev: integer('rev').notNull().default(0),
});
