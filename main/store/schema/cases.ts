import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { tenants } from './tenants';

export const cases = sqliteTable(
  'cases',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    /** human number (SYN-6): local and sequential with no server */
    number: integer('number').notNull(),
    numberIsProvisional: integer('number_is_provisional', { mode: 'boolean' })
      .notNull()
      .default(false),
    name: text('name').notNull(),
    nameIsManual: integer('name_is_manual', { mode: 'boolean' }).notNull().default(false),
    description: text('description').notNull().default(''),
    score: integer('score').notNull().default(0),
    severity: text('severity').notNull(),
    /** Critical 4 .. Low 1, so severity sorts by an index */
    severityRank: integer('severity_rank').notNull(),
    severityIsManual: integer('severity_is_manual', { mode: 'boolean' }).notNull().default(false),
    status: text('status').notNull().default('New'),
    outcome: text('outcome'),
    summary: text('summary'),
    creator: text('creator').notNull(),
    assignee: text('assignee'),
    assigneeName: text('assignee_name'),
    /** JSON array of strings */
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default([]),
    tlp: text('tlp').notNull().default('AMBER'),
    pap: text('pap').notNull().default('AMBER'),
    what: text('what'),
    who: text('who'),
    alertCount: integer('alert_count').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
    firstAlertAt: integer('first_alert_at'),
    lastAlertAt: integer('last_alert_at'),
    /** Correlation state (COR-6, COR-7): JSON array of distinct ATT&CK tactic ids */
    tactics: text('tactics', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** Correlation state: JSON facts of the alert that names the case, null without alerts */
    leadAlert: text('lead_alert', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [
    uniqueIndex('cases_number_uq').on(t.number),
    // Case table sorts (TBL-2): each sortable column has an index with id for stable paging,
    // then created_at: a queue's membership test (queue, case created_at, case) is answered from
    // the index entry, without reading the case row (migration 0015).
    index('cases_score_idx').on(t.score, t.id, t.createdAt),
    index('cases_updated_idx').on(t.updatedAt, t.id, t.createdAt),
    index('cases_created_idx').on(t.createdAt, t.id),
    index('cases_severity_id_idx').on(t.severityRank, t.id, t.createdAt),
    index('cases_status_id_idx').on(t.status, t.id, t.createdAt),
    index('cases_assignee_id_idx').on(t.assigneeName, t.id, t.createdAt),
    index('cases_alert_count_id_idx').on(t.alertCount, t.id, t.createdAt),
    index('cases_name_id_idx').on(t.name, t.id, t.createdAt),
    index('cases_creator_id_idx').on(t.creator, t.id, t.createdAt),
    index('cases_what_id_idx').on(t.what, t.id, t.createdAt),
    index('cases_tenant_idx').on(t.tenantId, t.updatedAt),
    // Top cases by score within one severity (`severity:High AND phishing`, TBL-4; queues by
    // severity): the walk follows this index and stops after a page instead of sorting every
    // match (660 ms -> 47 ms on 1,000,000 cases).
    index('cases_severity_score_idx').on(t.severity, t.score, t.id),
    // No index on the alert window: correlation finds cases through case_entities (migration
    // 0009 dropped two that every alert joining a case had to update).
  ],
);

export const comments = sqliteTable(
  'comments',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    author: text('author').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [index('comments_case_idx').on(t.caseId, t.createdAt)],
);

export const evidence = sqliteTable(
  'evidence',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    /** file | link */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** sha256 of the stored file (content-addressed on disk), null for links */
    sha256: text('sha256'),
    size: integer('size'),
    mimeType: text('mime_type'),
    url: text('url'),
    description: text('description').notNull().default(''),
    addedBy: text('added_by').notNull(),
    createdAt: integer('created_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [index('evidence_case_idx').on(t.caseId)],
);
