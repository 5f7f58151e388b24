import { z } from 'zod';
import {
  createConditionSchema,
  defaultQueueCondition,
  formatConditionIssue,
  validateCondition,
  type ConditionNode,
} from '../../shared/domain/conditions';
import { CASE_FIELD_CATALOGUE } from '../../shared/domain/fields';
import { ADMIN_TENANT_NAME } from '../../shared/domain/types';
import { requirePermission, tenantScopeSql, type Principal } from '../auth/principal';
import { badRequest, conflict, forbidden, notFound } from '../errors';
import { TenantLocks } from '../store/change-log';
import type { Database, Queryable, SqlValue } from '../store/database';
import { newId } from '../store/ids';
import { compileCondition } from '../store/sql/compile';
import { postgresDialect, SERVER_CASE_COLUMNS } from '../store/sql/postgres-dialect';

/**
 * Queues (QUE-1, QUE-2) on the server: the two default queues that always exist, and the
 * queues of each tenant (those of the admin organisation span every tenant in the viewer's
 * scope). Membership is the queue's condition compiled for PostgreSQL.
 */

export const DEFAULT_QUEUES = [
  {
    id: 'all-open',
    name: 'All Open Cases',
    condition: defaultQueueCondition(),
  },
  {
    id: 'all-closed',
    name: 'All Closed Cases',
    condition: {
      type: 'group',
      op: 'OR',
      children: [
        { type: 'condition', field: 'status', operator: 'is', value: 'Resolved' },
        { type: 'condition', field: 'status', operator: 'is', value: 'Cancelled' },
      ],
    } satisfies ConditionNode,
  },
] as const;

const YEAR_MS = 365 * 86_400_000;

export const MAX_QUEUES_PER_TENANT = 20; // QUE-3

export const newQueueSchema = z.object({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
  description: z.string().max(2000).default(''),
  tenant: z.string().optional(),
  condition: createConditionSchema(CASE_FIELD_CATALOGUE).default(defaultQueueCondition()),
});

export interface QueueView {
  id: string;
  name: string;
  description: string;
  tenant: string | null;
  isDefault: boolean;
  condition: ConditionNode;
  count: number;
}

interface QueueRow {
  tenant_id: string;
  tenant_name: string;
  id: string;
  name: string;
  description: string;
  condition: ConditionNode;
}

async function countCases(
  db: Queryable,
  principal: Principal,
  condition: ConditionNode,
  tenantId: string | null,
  createdFrom: number | null,
): Promise<number> {
  const params: SqlValue[] = [];
  const where = [tenantScopeSql(principal, 'cases.tenant_id', params)];
  where.push(
    compileCondition(postgresDialect, CASE_FIELD_CATALOGUE, SERVER_CASE_COLUMNS, condition, params)
      .sql,
  );
  if (tenantId) {
    params.push(tenantId);
    where.push(`cases.tenant_id = $${params.length}::uuid`);
  }
  if (createdFrom !== null) {
    params.push(createdFrom);
    where.push(`cases.created_at >= $${params.length}::bigint`);
  }
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM cases JOIN tenants t ON t.tenant_id = cases.tenant_id
     WHERE ${where.join(' AND ')}`,
    params,
  );
  return row?.n ?? 0;
}

async function storedQueues(db: Queryable, principal: Principal): Promise<QueueRow[]> {
  const params: SqlValue[] = [ADMIN_TENANT_NAME];
  const scope = tenantScopeSql(principal, 'q.tenant_id', params);
  return db.query<QueueRow>(
    `SELECT q.tenant_id, t.name AS tenant_name, q.id, q.name, q.description, q.condition
     FROM queues q JOIN tenants t ON t.tenant_id = q.tenant_id
     WHERE (t.name = $1 OR ${scope}) ORDER BY q.name COLLATE "C", q.id`,
    params,
  );
}

export async function listQueues(db: Queryable, principal: Principal): Promise<QueueView[]> {
  const now = Date.now();
  const views: QueueView[] = [];
  for (const queue of DEFAULT_QUEUES) {
    views.push({
      id: queue.id,
      name: queue.name,
      description: '',
      tenant: null,
      isDefault: true,
      condition: queue.condition,
      count: await countCases(db, principal, queue.condition, null, now - YEAR_MS),
    });
  }
  for (const row of await storedQueues(db, principal)) {
    const spans = row.tenant_name === ADMIN_TENANT_NAME;
    views.push({
      id: row.id,
      name: row.name,
      description: row.description,
      tenant: spans ? null : row.tenant_name,
      isDefault: false,
      condition: row.condition,
      count: await countCases(db, principal, row.condition, spans ? null : row.tenant_id, null),
    });
  }
  return views;
}

/** A queue's membership for the case list: by id or name, default or stored, in scope. */
export async function queueCondition(
  db: Queryable,
  principal: Principal,
  idOrName: string,
): Promise<{ condition: ConditionNode; tenantId: string | null; createdFrom: number | null }> {
  const builtIn = DEFAULT_QUEUES.find((q) => q.id === idOrName || q.name === idOrName);
  if (builtIn) {
    return { condition: builtIn.condition, tenantId: null, createdFrom: Date.now() - YEAR_MS };
  }
  const found = (await storedQueues(db, principal)).filter(
    (q) => q.id === idOrName || q.name === idOrName,
  );
  if (found.length === 0) throw notFound(`no queue '${idOrName}'`);
  if (found.length > 1) throw conflict(`several queues are named '${idOrName}': use its id`);
  const queue = found[0] as QueueRow;
  return {
    condition: queue.condition,
    tenantId: queue.tenant_name === ADMIN_TENANT_NAME ? null : queue.tenant_id,
    createdFrom: null,
  };
}

export async function createQueue(
  db: Database,
  principal: Principal,
  input: z.output<typeof newQueueSchema>,
): Promise<QueueView> {
  requirePermission(principal, 'manageQueue');
  const checked = validateCondition(input.condition, CASE_FIELD_CATALOGUE);
  if (!checked.ok) {
    throw badRequest(`condition: ${checked.issues.map(formatConditionIssue).join('; ')}`);
  }
  return db.transaction(async (tx) => {
    const tenantName = input.tenant ?? (principal.tenants === 'all' ? ADMIN_TENANT_NAME : null);
    if (tenantName === null) {
      throw badRequest('tenant: name the tenant the queue belongs to ("tenant": "…")');
    }
    const [tenant] = await tx.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM tenants WHERE name = $1',
      [tenantName],
    );
    if (!tenant) throw notFound(`no tenant named '${tenantName}'`);
    if (tenantName === ADMIN_TENANT_NAME && principal.tenants !== 'all') {
      throw forbidden('queues across every tenant are for root users');
    }
    if (principal.tenants !== 'all' && !principal.tenants.includes(tenant.tenant_id)) {
      throw notFound(`no tenant named '${tenantName}'`);
    }
    const locks = await TenantLocks.lock(tx, [tenant.tenant_id]);
    const [count] = await tx.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM queues WHERE tenant_id = $1',
      [tenant.tenant_id],
    );
    if ((count?.n ?? 0) >= MAX_QUEUES_PER_TENANT) {
      throw conflict(
        `at most ${MAX_QUEUES_PER_TENANT} queues per tenant (QUE-3); delete one first`,
      );
    }
    const [taken] = await tx.query('SELECT 1 FROM queues WHERE tenant_id = $1 AND name = $2', [
      tenant.tenant_id,
      input.name,
    ]);
    if (taken) throw conflict(`a queue named '${input.name}' exists in '${tenantName}'`);
    const id = newId();
    const now = Date.now();
    await tx.query(
      `INSERT INTO queues (tenant_id, id, name, description, condition, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6)`,
      [tenant.tenant_id, id, input.name, input.description, JSON.stringify(checked.condition), now],
    );
    locks.changed({
      tenantId: tenant.tenant_id,
      entity: 'queue',
      entityId: id,
      rev: 1,
      op: 'upsert',
    });
    await locks.flush(principal.login, now);
    const spans = tenantName === ADMIN_TENANT_NAME;
    return {
      id,
      name: input.name,
      description: input.description,
      tenant: spans ? null : tenantName,
      isDefault: false,
      condition: checked.condition,
      count: await countCases(
        tx,
        principal,
        checked.condition,
        spans ? null : tenant.tenant_id,
        null,
      ),
    };
  });
}
