import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';

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
    /** the mutation that made the change (outbox or applied), null for older entries */
    mutationId: text('mutation_id'),
  },
  (t) => [index('activity_entity_idx').on(t.entityType, t.entityId, t.at)],
);

/**
 * Sync outbox (SYN-2): one mutation per write (shared/sync/mutation.ts), in `seq` order. Export
 * and push read it; replaying it into an empty store rebuilds the store (rule 5).
 */
export const outbox = sqliteTable(
  'outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** UUIDv7, the idempotency key */
    mutationId: text('mutation_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    /** insert | patch | link | unlink | delete | addToSet | removeFromSet */
    op: text('op').notNull(),
    baseRev: integer('base_rev').notNull(),
    /** JSON of the op's own part: {values} | {changes} | {relation, targets} | {field, values} | {before} */
    payload: text('payload').notNull(),
    action: text('action').notNull(),
    actor: text('actor').notNull(),
    /** the mutation's time (epoch ms, the writer's clock) */
    at: integer('created_at').notNull(),
    pushedAt: integer('pushed_at'),
  },
  (t) => [index('outbox_pending_idx').on(t.pushedAt, t.seq)],
);

/** Mutations of other stores applied here (outbox apply, later sync pull): never twice. */
export const appliedMutations = sqliteTable('applied_mutations', {
  mutationId: text('mutation_id').primaryKey(),
  clientId: text('client_id').notNull(),
  seq: integer('seq').notNull(),
  appliedAt: integer('applied_at').notNull(),
  /** applied | partial (some fields rejected) | dropped (row deleted) */
  outcome: text('outcome').notNull(),
});

/** Deleted rows (rule 5: deletes are tombstones): a later change to one is dropped. */
export const tombstones = sqliteTable(
  'tombstones',
  {
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    deletedAt: integer('deleted_at').notNull(),
    actor: text('actor').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityType, t.entityId] })],
);

/** Facts about this store itself: `client_id` (this install, in every mutation it makes). */
export const storeMeta = sqliteTable('store_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
