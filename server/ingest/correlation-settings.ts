import { z } from 'zod';
import {
  formatConditionIssue,
  validateCondition,
  type ConditionNode,
} from '../../shared/domain/conditions';
import {
  alertsPerCaseSchema,
  correlationSettingsSchema,
  correlationTimeoutMinutesSchema,
  type CorrelationSettings,
} from '../../shared/domain/correlation';
import { ALERT_FIELD_CATALOGUE } from '../../shared/domain/fields';
import { ADMIN_TENANT_NAME } from '../../shared/domain/types';
import { requirePermission, type Principal } from '../auth/principal';
import { badRequest, conflict, notFound } from '../errors';
import { TenantLocks } from '../store/change-log';
import type { Database, Queryable } from '../store/database';
import { newId } from '../store/ids';

/**
 * Correlation settings (COR-2, COR-3) and case filters (COR-5) per organisation: ingestion
 * reads them for each tenant it correlates (ingest.ts), with the shared schemas and evaluator.
 */

export const correlationSettingsPatchSchema = z
  .object({
    timeoutMinutes: correlationTimeoutMinutesSchema.optional(),
    alertsPerCase: alertsPerCaseSchema.optional(),
    autoCreateCases: z.boolean().optional(),
  })
  .strict();

export const newCaseFilterSchema = z.object({
  name: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
  condition: z.unknown(),
  enabled: z.boolean().default(true),
});

export interface CaseFilterView {
  id: string;
  name: string;
  condition: ConditionNode;
  enabled: boolean;
  suppressedCount: number;
  createdAt: number;
}

/** A tenant in the caller's scope, by name; the admin organisation correlates nothing (ADM-1). */
async function tenantIdOf(db: Queryable, principal: Principal, name: string): Promise<string> {
  if (name === ADMIN_TENANT_NAME) {
    throw badRequest(`'${ADMIN_TENANT_NAME}' holds no alerts: it has no correlation settings`);
  }
  const [row] = await db.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM tenants WHERE name = $1',
    [name],
  );
  if (!row || (principal.tenants !== 'all' && !principal.tenants.includes(row.tenant_id))) {
    throw notFound(`no tenant named '${name}'`);
  }
  return row.tenant_id;
}

export async function getCorrelationSettings(
  db: Queryable,
  principal: Principal,
  tenant: string,
): Promise<CorrelationSettings> {
  const tenantId = await tenantIdOf(db, principal, tenant);
  const [row] = await db.query<{ correlation: unknown }>(
    'SELECT correlation FROM tenant_settings WHERE tenant_id = $1',
    [tenantId],
  );
  return correlationSettingsSchema.parse(row?.correlation ?? {});
}

export async function updateCorrelationSettings(
  db: Database,
  principal: Principal,
  tenant: string,
  patch: z.output<typeof correlationSettingsPatchSchema>,
): Promise<CorrelationSettings> {
  requirePermission(principal, 'manageSettings');
  return db.transaction(async (tx) => {
    const tenantId = await tenantIdOf(tx, principal, tenant);
    const locks = await TenantLocks.lock(tx, [tenantId]);
    const [row] = await tx.query<{ correlation: Record<string, unknown> }>(
      'SELECT correlation FROM tenant_settings WHERE tenant_id = $1',
      [tenantId],
    );
    const next = correlationSettingsSchema.parse({ ...(row?.correlation ?? {}), ...patch });
    const now = Date.now();
    const [updated] = await tx.query<{ rev: number }>(
      `UPDATE tenant_settings SET correlation = $2::jsonb, rev = rev + 1, updated_at = $3
       WHERE tenant_id = $1 RETURNING rev`,
      [tenantId, JSON.stringify(next), now],
    );
    locks.changed({
      tenantId,
      entity: 'tenant_settings',
      entityId: tenantId,
      rev: updated?.rev ?? 0,
      op: 'upsert',
    });
    await locks.flush(principal.login, now);
    return next;
  });
}

export async function listCaseFilters(
  db: Queryable,
  principal: Principal,
  tenant: string,
): Promise<CaseFilterView[]> {
  const tenantId = await tenantIdOf(db, principal, tenant);
  const rows = await db.query<{
    id: string;
    name: string;
    condition: ConditionNode;
    enabled: boolean;
    suppressed_count: number;
    created_at: number;
  }>(
    `SELECT id, name, condition, enabled, suppressed_count, created_at FROM case_filters
     WHERE tenant_id = $1 ORDER BY created_at, id`,
    [tenantId],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    condition: row.condition,
    enabled: row.enabled,
    suppressedCount: row.suppressed_count,
    createdAt: row.created_at,
  }));
}

export async function addCaseFilter(
  db: Database,
  principal: Principal,
  tenant: string,
  input: z.output<typeof newCaseFilterSchema>,
): Promise<CaseFilterView> {
  requirePermission(principal, 'manageSettings');
  const checked = validateCondition(input.condition, ALERT_FIELD_CATALOGUE);
  if (!checked.ok) {
    throw badRequest(`condition: ${checked.issues.map(formatConditionIssue).join('; ')}`);
  }
  return db.transaction(async (tx) => {
    const tenantId = await tenantIdOf(tx, principal, tenant);
    const locks = await TenantLocks.lock(tx, [tenantId]);
    const [taken] = await tx.query(
      'SELECT 1 FROM case_filters WHERE tenant_id = $1 AND name = $2',
      [tenantId, input.name],
    );
    if (taken) throw conflict(`a case filter named '${input.name}' exists in '${tenant}'`);
    const id = newId();
    const now = Date.now();
    await tx.query(
      `INSERT INTO case_filters (tenant_id, id, name, condition, enabled, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $6)`,
      [tenantId, id, input.name, JSON.stringify(checked.condition), input.enabled, now],
    );
    locks.changed({ tenantId, entity: 'case_filter', entityId: id, rev: 1, op: 'upsert' });
    await locks.flush(principal.login, now);
    return {
      id,
      name: input.name,
      condition: checked.condition,
      enabled: input.enabled,
      suppressedCount: 0,
      createdAt: now,
    };
  });
}

export async function removeCaseFilter(
  db: Database,
  principal: Principal,
  tenant: string,
  id: string,
): Promise<void> {
  requirePermission(principal, 'manageSettings');
  await db.transaction(async (tx) => {
    const tenantId = await tenantIdOf(tx, principal, tenant);
    const locks = await TenantLocks.lock(tx, [tenantId]);
    const [row] = await tx.query<{ rev: number }>(
      'DELETE FROM case_filters WHERE tenant_id = $1 AND id = $2 RETURNING rev',
      [tenantId, id],
    );
    if (!row) throw notFound(`no case filter ${id} in '${tenant}'`);
    locks.changed({
      tenantId,
      entity: 'case_filter',
      entityId: id,
      rev: row.rev + 1,
      op: 'delete',
    });
    await locks.flush(principal.login, Date.now());
  });
}
