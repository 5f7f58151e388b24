import { sqliteTable, text, integer, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const tenants = sqliteTable(
  'tenants',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
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
    scopeTenants: text('scope_tenants').notNull().default('[]'),
    /** JSON array of permissions */
    profile: text('profile').notNull().default('[]'),
    locked: integer('locked', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_login_uq').on(t.login)],
);
