import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** Audit trail: every write appends one entry (who, when, what changed: before/after). */
export const activity = sqliteTable(
  'activity',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    action: text('action').notNull(),
    actor: text('actor').notNull(),
    at: integer('at').notNull(),
    /** JSON of the changed fields before, null on create */
    before: text('before'),
    /** JSON of the changed fields after, null on delete */
    after: text('after'),
  },
  (t) => [index('activity_entity_idx').on(t.entityType, t.entityId, t.at)],
);

/** Sync outbox (SYN-2): one entry per write, pushed in seq order when a server is configured. */
export const outbox = sqliteTable(
  'outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    tenantId: text('tenant_id').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** create | update | delete */
    op: text('op').notNull(),
    /** JSON of the fields written */
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull(),
    pushedAt: integer('pushed_at'),
  },
  (t) => [index('outbox_pending_idx').on(t.pushedAt, t.seq)],
);
