import { sqliteTable, text, integer, real, index } from 'drizzle-orm/sqlite-core';

/**
 * Long work (rule 7): import, re-index, export, bulk edits. Local state of this machine (never
 * synced or audited, like queue_index), kept so that a job cut short by the app's process ending
 * is shown as Interrupted on the next start instead of being forgotten (issue 11.3).
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    /** Waiting | In Progress | Success | Failure | Cancelled | Interrupted */
    status: text('status').notNull(),
    /** 0..1, or null when the total is unknown */
    progress: real('progress'),
    message: text('message'),
    /** the process that ran it: a job left In Progress by a process that is gone was interrupted */
    ownerPid: integer('owner_pid'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('jobs_created_idx').on(t.createdAt)],
);
