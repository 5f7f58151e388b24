import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { cases } from './cases';

export const observables = sqliteTable(
  'observables',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    dataType: text('data_type').notNull(),
    value: text('value').notNull(),
    tlp: text('tlp').notNull().default('AMBER'),
    pap: text('pap').notNull().default('AMBER'),
    isIoc: integer('is_ioc', { mode: 'boolean' }).notNull().default(false),
    sighted: integer('sighted', { mode: 'boolean' }).notNull().default(false),
    ignoreSimilarity: integer('ignore_similarity', { mode: 'boolean' }).notNull().default(false),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default([]),
    description: text('description').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [
    index('observables_case_idx').on(t.caseId),
    index('observables_value_idx').on(t.tenantId, t.dataType, t.value),
  ],
);
