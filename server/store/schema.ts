import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The server's PostgreSQL schema. Rules (server/README.md, "Scale-out"):
 * - every table carries `tenant_id`, every row an `id` (UUIDv7) or a natural key, and a `rev`
 *   that each update raises;
 * - on the tables that grow with the data (cases, alerts and their links, entities, the change
 *   log, queues, case filters, settings, counters) every primary and unique key starts with
 *   `tenant_id`, so they can be distributed by tenant (Citus) or hash-partitioned by it
 *   (`--partitioned`, store/partition.ts) without changing a query;
 * - the account tables (tenants, users, user_tenants, sessions, api_keys) are small and read on
 *   every request: they are Citus *reference* tables (a copy on every node), which is why a login,
 *   a tenant name and a token hash may be unique across tenants there;
 * - times are epoch milliseconds (bigint), as on the desktop; text that is sorted or compared
 *   the way SQLite's BINARY collation does it uses COLLATE "C" in its index and its ORDER BY.
 */

const epoch = (name: string) => bigint(name, { mode: 'number' });

// ---------------------------------------------------------------------------------------------
// Accounts (reference tables)

export const tenants = pgTable(
  'tenants',
  {
    tenantId: uuid('tenant_id').primaryKey(),
    name: text('name').notNull(),
    rev: integer('rev').notNull().default(1),
    createdAt: epoch('created_at').notNull(),
    updatedAt: epoch('updated_at').notNull(),
  },
  (t) => [uniqueIndex('tenants_name_uq').on(t.name)],
);

export const users = pgTable(
  'users',
  {
    /** The user's home organisation: `admin` for root users, else their (first) tenant. */
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    login: text('login').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    /** admin | org-admin | analyst | read-only (shared/domain/accounts.ts) */
    profile: text('profile').notNull(),
    /** root | partner | tenant */
    scope: text('scope').notNull(),
    /** scrypt hash (auth/passwords.ts), null for a user who signs in only with API keys */
    passwordHash: text('password_hash'),
    locked: boolean('locked').notNull().default(false),
    /** Consecutive failed logins, and until when logins are refused after too many. */
    failedLogins: integer('failed_logins').notNull().default(0),
    loginBlockedUntil: epoch('login_blocked_until'),
    rev: integer('rev').notNull().default(1),
    createdAt: epoch('created_at').notNull(),
    updatedAt: epoch('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), uniqueIndex('users_login_uq').on(t.login)],
);

/** Tenants a partner or tenant user reaches (root users reach all and have no rows here). */
export const userTenants = pgTable(
  'user_tenants',
  {
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    rev: integer('rev').notNull().default(1),
    createdAt: epoch('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    index('user_tenants_user_idx').on(t.userId),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    userId: uuid('user_id').notNull(),
    /** sha256 of the bearer token; the token itself is never stored */
    tokenHash: text('token_hash').notNull(),
    createdAt: epoch('created_at').notNull(),
    expiresAt: epoch('expires_at').notNull(),
    revokedAt: epoch('revoked_at'),
    rev: integer('rev').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('sessions_token_uq').on(t.tokenHash),
    index('sessions_user_idx').on(t.userId),
  ],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    /** sha256 of the key (256 random bits: a slow hash adds nothing); shown once, never stored */
    keyHash: text('key_hash').notNull(),
    /** The key's first characters, to tell keys apart in lists and logs. */
    prefix: text('prefix').notNull(),
    createdAt: epoch('created_at').notNull(),
    revokedAt: epoch('revoked_at'),
    rev: integer('rev').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('api_keys_hash_uq').on(t.keyHash),
    // ADM-3: one live key per user and name; Renew revokes it and creates the next.
    uniqueIndex('api_keys_live_name_uq')
      .on(t.tenantId, t.userId, t.name)
      .where(sql`revoked_at IS NULL`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Per-tenant state (distributed by tenant_id)

/**
 * One row per tenant, locked by every write transaction of that tenant before it writes: the
 * canonical case numbers (SYN-6) and the change-log sequence are taken from it, so both are
 * gap-free and, per tenant, committed in the order they were taken (store/change-log.ts).
 */
export const tenantCounters = pgTable('tenant_counters', {
  tenantId: uuid('tenant_id').primaryKey(),
  lastCaseNumber: bigint('last_case_number', { mode: 'number' }).notNull().default(0),
  lastChangeSeq: bigint('last_change_seq', { mode: 'number' }).notNull().default(0),
  rev: integer('rev').notNull().default(1),
});

/** Correlation settings per organisation (COR-2, COR-3), as shared/domain/correlation.ts reads them. */
export const tenantSettings = pgTable('tenant_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  correlation: jsonb('correlation').notNull().default({}),
  rev: integer('rev').notNull().default(1),
  updatedAt: epoch('updated_at').notNull(),
});

/** Case filters (COR-5) per organisation. */
export const caseFilters = pgTable(
  'case_filters',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    condition: jsonb('condition').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    suppressedCount: bigint('suppressed_count', { mode: 'number' }).notNull().default(0),
    rev: integer('rev').notNull().default(1),
    createdAt: epoch('created_at').notNull(),
    updatedAt: epoch('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('case_filters_name_uq').on(t.tenantId, t.name),
  ],
);

/** Case queues (QUE-1) of a tenant; queues of the admin organisation span every tenant in scope. */
export const queues = pgTable(
  'queues',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    condition: jsonb('condition').notNull(),
    rev: integer('rev').notNull().default(1),
    createdAt: epoch('created_at').notNull(),
    updatedAt: epoch('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('queues_name_uq').on(t.tenantId, t.name),
  ],
);

// ---------------------------------------------------------------------------------------------
// Cases and alerts (distributed by tenant_id; hash-partitioned with --partitioned)

export const cases = pgTable(
  'cases',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    /** canonical number (SYN-6), per tenant, from tenant_counters */
    number: bigint('number', { mode: 'number' }).notNull(),
    name: text('name').notNull(),
    nameIsManual: boolean('name_is_manual').notNull().default(false),
    description: text('description').notNull().default(''),
    summary: text('summary'),
    score: integer('score').notNull().default(0),
    severity: text('severity').notNull(),
    /** Critical 4 .. Low 1 (shared/domain/severity.ts), so severity sorts and compares by rank */
    severityRank: integer('severity_rank').notNull(),
    severityIsManual: boolean('severity_is_manual').notNull().default(false),
    status: text('status').notNull().default('New'),
    outcome: text('outcome'),
    creator: text('creator').notNull(),
    assignee: text('assignee'),
    assigneeName: text('assignee_name'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    tlp: text('tlp').notNull().default('AMBER'),
    pap: text('pap').notNull().default('AMBER'),
    what: text('what'),
    who: text('who'),
    alertCount: integer('alert_count').notNull().default(0),
    createdAt: epoch('created_at').notNull(),
    updatedAt: epoch('updated_at').notNull(),
    closedAt: epoch('closed_at'),
    firstAlertAt: epoch('first_alert_at'),
    lastAlertAt: epoch('last_alert_at'),
    /** Correlation state (COR-6, COR-7): distinct ATT&CK tactic ids, the lead alert's facts. */
    tactics: jsonb('tactics').notNull().default([]),
    leadAlert: jsonb('lead_alert'),
    /**
     * Bare-term search (TBL-4): the tokens of name, description, what, who and tags as
     * shared/domain/lucene.ts's ftsTokens makes them (SQLite FTS5's unicode61), each field as
     * ` tok tok ` between `|`, so a phrase is a LIKE that never spans two fields.
     */
    searchText: text('search_text').notNull().default(''),
    rev: integer('rev').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('cases_number_uq').on(t.tenantId, t.number),
    // Sorts of the case table (TBL-2), each ending in id for keyset paging (read/cases.ts).
    index('cases_updated_idx').on(t.updatedAt, t.id),
    index('cases_tenant_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    index('cases_created_idx').on(t.createdAt, t.id),
    index('cases_number_idx').on(t.number, t.id),
    index('cases_score_idx').on(t.score, t.id),
    index('cases_severity_idx').on(t.severityRank, t.id),
    index('cases_alert_count_idx').on(t.alertCount, t.id),
    index('cases_name_idx').on(sql`${t.name} COLLATE "C"`, t.id),
    index('cases_status_idx').on(sql`${t.status} COLLATE "C"`, t.id),
    index('cases_creator_idx').on(sql`${t.creator} COLLATE "C"`, t.id),
    index('cases_assignee_name_idx').on(sql`(coalesce(${t.assigneeName}, '')) COLLATE "C"`, t.id),
    index('cases_what_idx').on(sql`(coalesce(${t.what}, '')) COLLATE "C"`, t.id),
    index('cases_search_trgm_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
  ],
);

export const alerts = pgTable(
  'alerts',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    source: text('source').notNull(),
    sourceRef: text('source_ref').notNull(),
    type: text('type').notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    /** event time, epoch ms */
    timestamp: epoch('timestamp').notNull(),
    /** 1-100 */
    score: integer('score').notNull(),
    tactic: text('tactic'),
    tacticName: text('tactic_name'),
    technique: text('technique'),
    techniqueName: text('technique_name'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    tlp: text('tlp').notNull().default('AMBER'),
    /** the original record as received (json keeps its text: key order, duplicates) */
    raw: json('raw'),
    /** normalized entities [{kind, value}] (shared/domain/entities.ts) */
    entities: jsonb('entities').notNull().default([]),
    /** New | Imported | Ignored | Closed */
    status: text('status').notNull().default('New'),
    caseId: uuid('case_id'),
    suppressed: boolean('suppressed').notNull().default(false),
    /** Login of the user (or API key owner) that sent it. */
    createdBy: text('created_by'),
    createdAt: epoch('created_at').notNull(),
    updatedAt: epoch('updated_at').notNull(),
    rev: integer('rev').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // ALR-6: ingest is idempotent on (source, sourceRef), per tenant.
    uniqueIndex('alerts_source_ref_uq').on(t.tenantId, t.source, t.sourceRef),
    index('alerts_timestamp_idx').on(t.timestamp, t.id),
    index('alerts_tenant_timestamp_idx').on(t.tenantId, t.timestamp, t.id),
    index('alerts_case_idx').on(t.tenantId, t.caseId),
  ],
);

/** Alerts grouped into a case (an alert can sit in several cases after merges, ALR-2). */
export const caseAlerts = pgTable(
  'case_alerts',
  {
    tenantId: uuid('tenant_id').notNull(),
    id: uuid('id').notNull(),
    caseId: uuid('case_id').notNull(),
    alertId: uuid('alert_id').notNull(),
    addedAt: epoch('added_at').notNull(),
    rev: integer('rev').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.caseId, t.alertId] }),
    uniqueIndex('case_alerts_id_uq').on(t.tenantId, t.id),
    index('case_alerts_alert_idx').on(t.tenantId, t.alertId),
  ],
);

/**
 * Distinct normalized entities of each case's alerts: the correlation lookup (COR-1) is the
 * primary key's prefix (tenant, kind, value).
 */
export const caseEntities = pgTable(
  'case_entities',
  {
    tenantId: uuid('tenant_id').notNull(),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
    caseId: uuid('case_id').notNull(),
    rev: integer('rev').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.kind, t.value, t.caseId] }),
    index('case_entities_case_idx').on(t.tenantId, t.caseId),
  ],
);

/**
 * The change log that sync pulls from (store/change-log.ts): per tenant, a gap-free sequence
 * in commit order. One entry per written row: what changed (entity, id, new rev, upsert or
 * delete); pull reads the rows' current state.
 */
export const changeLog = pgTable(
  'change_log',
  {
    tenantId: uuid('tenant_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    entity: text('entity').notNull(),
    entityId: uuid('entity_id').notNull(),
    entityRev: integer('entity_rev').notNull(),
    op: text('op').notNull(),
    actor: text('actor').notNull(),
    at: epoch('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.seq] })],
);

/** Tables hash-partitioned by tenant_id with `--partitioned` (store/partition.ts). */
export const PARTITIONED_TABLES = [
  'cases',
  'alerts',
  'case_alerts',
  'case_entities',
  'change_log',
] as const;
