import { sqliteTable, text, integer, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const tenants = sqliteTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [uniqueIndex('tenants_name_uq').on(t.name)],
);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id')
      .notNull()
      .references(() => tenants.id),
    login: text('login').notNull(),
    displayName: text('display_name').notNull(),
    email: text('email'),
    /** root | partner | tenant */
    scope: text('scope').notNull(),
    /** JSON array of tenant ids a partner user reaches */
    scopeTenants: text('scope_tenants', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** JSON array of permissions */
    profile: text('profile', { mode: 'json' }).$type<string[]>().notNull().default([]),
    locked: integer('locked', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** row revision (rule 5): 1 on insert, +1 on each patch; a mutation's baseRev is this */
    rev: integer('rev').notNull().default(0),
  },
  (t) => [uniqueIndex('users_login_uq').on(t.login)],
);
