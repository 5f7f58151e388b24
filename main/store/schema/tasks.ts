import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { cases } from './cases';

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    group: text('group_name').notNull().default('default'),
    description: text('description').notNull().default(''),
    /** Waiting | In Progress | Completed | Cancelled */
    status: text('status').notNull().default('Waiting'),
    assignee: text('assignee'),
    dueAt: integer('due_at'),
    order: integer('sort_order').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [
    index('tasks_case_idx').on(t.caseId, t.order),
    index('tasks_status_assignee_idx').on(t.status, t.assignee),
  ],
);

export const taskLogs = sqliteTable(
  'task_logs',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    author: text('author').notNull(),
    /** markdown */
    body: text('body').notNull(),
    attachmentSha256: text('attachment_sha256'),
    attachmentName: text('attachment_name'),
    createdAt: integer('created_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [index('task_logs_task_idx').on(t.taskId, t.createdAt)],
);
