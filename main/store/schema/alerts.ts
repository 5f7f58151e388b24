import {
  sqliteTable,
  text,
  integer,
  index,
  uniqueIndex,
  primaryKey,
} from 'drizzle-orm/sqlite-core';
import { tenants } from './tenants';
import { cases } from './cases';
import type { EntityRef } from '../../../shared/domain/types';

export const alerts = sqliteTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    source: text('source').notNull(),
    sourceRef: text('source_ref').notNull(),
    type: text('type').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** event time, epoch ms */
    timestamp: integer('timestamp').notNull(),
    /** 1-100 */
    score: integer('score').notNull(),
    tactic: text('tactic'),
    tacticName: text('tactic_name'),
    technique: text('technique'),
    techniqueName: text('technique_name'),
    /** JSON array of strings */
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default([]),
    tlp: text('tlp').notNull().default('AMBER'),
    /** original record as received, JSON */
    raw: text('raw', { mode: 'json' }).$type<unknown>().notNull().default(null),
    /**
     * JSON array of the alert's normalized entities `[{kind, value}]` (ING-1). Kept on the row, not
     * as rows of their own: correlation matches alerts to cases through `case_entities`, and one
     * row per alert entity cost more than the alert itself on import.
     */
    entities: text('entities', { mode: 'json' }).$type<EntityRef[]>().notNull().default([]),
    /** New | Imported | Ignored | Closed */
    status: text('status').notNull().default('New'),
    /** the case it was imported into (ALR-3); merges can add more cases via case_alerts */
    caseId: text('case_id').references(() => cases.id),
    suppressed: integer('suppressed', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [
    uniqueIndex('alerts_source_ref_uq').on(t.source, t.sourceRef),
    index('alerts_timestamp_idx').on(t.timestamp),
    index('alerts_case_idx').on(t.caseId),
    index('alerts_status_timestamp_idx').on(t.status, t.timestamp),
    index('alerts_score_idx').on(t.score, t.id),
  ],
);

/** Alerts grouped into a case; an alert can sit in several cases after merges (ALR-2). */
export const caseAlerts = sqliteTable(
  'case_alerts',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    alertId: text('alert_id')
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    tenantId: text('tenant_id').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.alertId] }),
    index('case_alerts_alert_idx').on(t.alertId),
  ],
);

/**
 * Entities (host, user, ip, domain, hash, email, url) of a case, normalized: the distinct entities
 * of its alerts. The primary key (tenant, kind, value, case) is the correlation lookup (COR-1);
 * the table is WITHOUT ROWID (migration 0006), so the key is the row and costs one b-tree.
 */
export const caseEntities = sqliteTable(
  'case_entities',
  {
    tenantId: text('tenant_id').notNull(),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.kind, t.value, t.caseId] }),
    index('case_entities_case_idx').on(t.caseId),
  ],
);
