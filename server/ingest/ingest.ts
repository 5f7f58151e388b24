import { RESERVED_TENANT_ERROR, type NormalizedAlert } from '../../shared/domain/alert-format';
import { evaluateCondition, type ConditionNode } from '../../shared/domain/conditions';
import {
  correlateAlerts,
  correlationSettingsSchema,
  InMemoryCorrelationIndex,
  type CaseState,
  type CorrelatableAlert,
  type CorrelationOutcome,
  type CorrelationSettings,
} from '../../shared/domain/correlation';
import { compareEntities, entityKey } from '../../shared/domain/entities';
import { ALERT_FIELD_CATALOGUE, type AlertFieldRow } from '../../shared/domain/fields';
import type { LeadAlertFacts } from '../../shared/domain/scoring';
import { severityRank } from '../../shared/domain/severity';
import {
  ADMIN_TENANT_NAME,
  DEFAULT_TENANT_NAME,
  SYSTEM_CREATOR,
  type CaseSeverity,
  type CaseStatus,
  type EntityRef,
  type Tlp,
} from '../../shared/domain/types';
import type { Principal } from '../auth/principal';
import { TenantLocks, withCtes } from '../store/change-log';
import type { Database, Queryable, SqlValue } from '../store/database';
import { newId } from '../store/ids';
import { caseSearchText } from '../store/search-text';
import type { RecordItem } from './records';

/**
 * Server-side ingestion (SYN-7, ALR-6) with correlation (COR-1..9): the same pure engine as the
 * desktop (shared/domain/correlation.ts) over the cases in PostgreSQL. One request is one
 * transaction: every accepted alert of it is stored with its cases, links and change-log
 * entries, or none is (a failure rolls all back and the client resends the whole request).
 *
 * Per tenant, ingestion is serialized by the tenant's counter row (store/change-log.ts): the
 * duplicate check, the correlation and the case numbering of a request see everything the
 * previous request of that tenant committed, so concurrent resends of one alert store it once
 * and two instances never create two cases where one would do.
 */

export type IngestStatus = 'accepted' | 'duplicate' | 'skipped' | 'error';

export interface IngestRecordResult {
  index: number;
  line?: number;
  status: IngestStatus;
  tenant?: string;
  alertId?: string;
  caseId?: string | null;
  caseNumber?: number | null;
  outcome?: CorrelationOutcome;
  /** For errors: a stable code (UNKNOWN_TENANT, TENANT_OUT_OF_SCOPE, …) and what was wrong. */
  code?: string;
  message?: string;
}

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  skipped: number;
  errors: number;
  casesCreated: number;
  casesUpdated: number;
  results: IngestRecordResult[];
}

interface TenantRef {
  id: string;
  name: string;
}

interface FreshAlert extends CorrelatableAlert {
  input: NormalizedAlert;
  item: RecordItem & { kind: 'alert' };
  tenantName: string;
}

interface CaseFilterRow {
  id: string;
  condition: ConditionNode;
}

interface CaseExtras {
  description: string;
  tags: string[];
  rev: number;
}

interface CaseDbRow {
  rev: number;
  id: string;
  number: number;
  status: string;
  creator: string;
  alert_count: number;
  first_alert_at: number | null;
  last_alert_at: number | null;
  tactics: string[];
  lead_alert: LeadAlertFacts | null;
  name: string;
  name_is_manual: boolean;
  score: number;
  severity: string;
  severity_is_manual: boolean;
  what: string | null;
  who: string | null;
  tlp: string;
  description: string;
  tags: string[];
}

/** PostgreSQL text cannot hold U+0000; such a record is refused, not truncated. */
function hasNul(alert: NormalizedAlert): boolean {
  const texts = [
    alert.source,
    alert.sourceRef,
    alert.type,
    alert.title,
    alert.description,
    alert.tenant ?? '',
    alert.tacticName ?? '',
    alert.techniqueName ?? '',
    ...alert.tags,
    ...alert.entities.map((entity) => entity.value),
  ];
  return (
    texts.some((text) => text.includes('\u0000')) ||
    JSON.stringify(alert.raw ?? null).includes('\\u0000')
  );
}

async function tenantsOf(db: Queryable, principal: Principal): Promise<TenantRef[]> {
  if (principal.tenants === 'all') return [];
  const rows = await db.query<{ tenant_id: string; name: string }>(
    'SELECT tenant_id, name FROM tenants WHERE tenant_id = ANY($1::uuid[]) ORDER BY name COLLATE "C"',
    [[...principal.tenants]],
  );
  return rows.map((row) => ({ id: row.tenant_id, name: row.name }));
}

/**
 * Ingests the records of one request for a principal with manageAlert. Returns one result per
 * record, in request order.
 */
export async function ingestRecords(
  db: Database,
  principal: Principal,
  items: readonly RecordItem[],
): Promise<IngestSummary> {
  const results: IngestRecordResult[] = items.map((item) => ({
    index: item.index,
    ...(item.line !== undefined ? { line: item.line } : {}),
    status: item.kind === 'alert' ? 'accepted' : item.kind === 'skipped' ? 'skipped' : 'error',
    ...(item.kind === 'error'
      ? {
          // ADM-1: the parser refuses the admin organisation; the answer names it as such
          code: item.message.includes(RESERVED_TENANT_ERROR) ? 'RESERVED_TENANT' : 'INVALID_RECORD',
          message: item.message,
        }
      : {}),
    ...(item.kind === 'skipped' ? { message: item.reason } : {}),
  }));
  const fail = (index: number, code: string, message: string): void => {
    const result = results[index] as IngestRecordResult;
    result.status = 'error';
    result.code = code;
    result.message = message;
  };

  // Tenants: the alert's own, else the caller's only tenant, else `default` for root users.
  const reachable = await tenantsOf(db, principal);
  const named = new Set<string>();
  for (const item of items)
    if (item.kind === 'alert' && item.alert.tenant) named.add(item.alert.tenant);
  const byName = new Map<string, string>();
  if (named.size > 0 || principal.tenants === 'all') {
    const rows = await db.query<{ tenant_id: string; name: string }>(
      'SELECT tenant_id, name FROM tenants WHERE name = ANY($1::text[])',
      [[...named, DEFAULT_TENANT_NAME]],
    );
    for (const row of rows) byName.set(row.name, row.tenant_id);
  }
  const alertsByTenant = new Map<string, FreshAlert[]>();
  const tenantNames = new Map<string, string>();
  for (const item of items) {
    if (item.kind !== 'alert') continue;
    const alert = item.alert;
    if (hasNul(alert)) {
      fail(
        item.index,
        'INVALID_RECORD',
        'record holds a NUL character (\\u0000), which cannot be stored',
      );
      continue;
    }
    let name = alert.tenant;
    if (name === null) {
      if (principal.tenants === 'all') name = DEFAULT_TENANT_NAME;
      else if (reachable.length === 1) name = (reachable[0] as TenantRef).name;
      else {
        fail(
          item.index,
          'TENANT_REQUIRED',
          `the record names no tenant and '${principal.login}' reaches several (${reachable.map((t) => t.name).join(', ')}): set "tenant"`,
        );
        continue;
      }
    }
    if (name === ADMIN_TENANT_NAME) {
      // ADM-1: the admin organisation holds no cases or alerts.
      fail(
        item.index,
        'RESERVED_TENANT',
        `'${ADMIN_TENANT_NAME}' is the platform organisation and holds no alerts`,
      );
      continue;
    }
    const tenantId =
      byName.get(name) ?? reachable.find((tenant) => tenant.name === name)?.id ?? null;
    if (
      tenantId === null ||
      (principal.tenants !== 'all' && !principal.tenants.includes(tenantId))
    ) {
      // A tenant outside the scope reads as unknown: its existence is not disclosed.
      fail(
        item.index,
        'UNKNOWN_TENANT',
        `no tenant named '${name}' in the scope of '${principal.login}'`,
      );
      continue;
    }
    tenantNames.set(tenantId, name);
    let group = alertsByTenant.get(tenantId);
    if (!group) {
      group = [];
      alertsByTenant.set(tenantId, group);
    }
    group.push({
      ...alert,
      id: newId(),
      tenant: tenantId,
      input: alert,
      item,
      tenantName: name,
    });
  }

  const summary: IngestSummary = {
    accepted: 0,
    duplicates: 0,
    skipped: 0,
    errors: 0,
    casesCreated: 0,
    casesUpdated: 0,
    results,
  };
  if (alertsByTenant.size > 0) {
    await db.transaction(async (tx) => {
      // Round trips are what a request costs: lock, settings, duplicates, candidates per
      // tenant, then every write in one statement.
      const tenantIds = [...alertsByTenant.keys()].sort();
      const locks = await TenantLocks.lock(tx, tenantIds);
      const setups = await correlationSetups(tx, tenantIds);
      const stored = await storedAlerts(tx, alertsByTenant);
      const now = Date.now();
      const writer = new BatchWriter(now, principal.login);
      for (const tenantId of tenantIds) {
        await correlateTenant(
          tx,
          locks,
          writer,
          tenantId,
          alertsByTenant.get(tenantId) ?? [],
          results,
          setups.get(tenantId) ?? { settings: correlationSettingsSchema.parse({}), filters: [] },
          stored,
        );
      }
      const params: SqlValue[] = [];
      const ctes = writer.statements(locks, params);
      const flush = locks.flushStatement(principal.login, now, params);
      await tx.query(withCtes([...ctes, ...flush.ctes], flush.select), params);
      summary.casesCreated = writer.createdCount;
      summary.casesUpdated = writer.updatedCount;
    });
  }
  for (const result of results) {
    if (result.status === 'accepted') summary.accepted += 1;
    else if (result.status === 'duplicate') summary.duplicates += 1;
    else if (result.status === 'skipped') summary.skipped += 1;
    else summary.errors += 1;
    if (result.tenant === undefined && result.status !== 'error' && result.status !== 'skipped') {
      result.tenant = DEFAULT_TENANT_NAME;
    }
  }
  return summary;
}

function toCaseState(tenantId: string, row: CaseDbRow, entities: EntityRef[]): CaseState {
  return {
    id: row.id,
    number: row.number,
    tenant: tenantId,
    status: row.status as CaseStatus,
    creator: row.creator,
    alertCount: row.alert_count,
    firstAlertAt: row.first_alert_at,
    lastAlertAt: row.last_alert_at,
    entities: entities.sort(compareEntities),
    tactics: row.tactics,
    lead: row.lead_alert,
    name: row.name,
    nameIsManual: row.name_is_manual,
    score: row.score,
    severity: row.severity as CaseSeverity,
    severityIsManual: row.severity_is_manual,
    what: row.what,
    who: row.who,
    tlp: row.tlp as Tlp,
  };
}

interface CorrelationSetup {
  settings: CorrelationSettings;
  filters: CaseFilterRow[];
}

/** Settings and enabled case filters of every tenant of a request, in one query. */
async function correlationSetups(
  tx: Queryable,
  tenantIds: readonly string[],
): Promise<Map<string, CorrelationSetup>> {
  const rows = await tx.query<{
    tenant_id: string;
    correlation: unknown;
    filters: CaseFilterRow[] | null;
  }>(
    `SELECT s.tenant_id, s.correlation,
            (SELECT json_agg(json_build_object('id', f.id, 'condition', f.condition) ORDER BY f.created_at, f.id)
             FROM case_filters f WHERE f.tenant_id = s.tenant_id AND f.enabled) AS filters
     FROM tenant_settings s WHERE s.tenant_id = ANY($1::uuid[])`,
    [tenantIds],
  );
  return new Map(
    rows.map((row) => [
      row.tenant_id,
      {
        settings: correlationSettingsSchema.parse(row.correlation ?? {}),
        filters: row.filters ?? [],
      },
    ]),
  );
}

interface StoredAlertRef {
  id: string;
  case_id: string | null;
  number: number | null;
}

/** ALR-6: the alerts of a request already stored, by tenant, source and sourceRef. */
async function storedAlerts(
  tx: Queryable,
  alertsByTenant: ReadonlyMap<string, readonly FreshAlert[]>,
): Promise<Map<string, StoredAlertRef>> {
  const tenants: string[] = [];
  const sources: string[] = [];
  const refs: string[] = [];
  for (const [tenantId, alerts] of alertsByTenant) {
    for (const alert of alerts) {
      tenants.push(tenantId);
      sources.push(alert.source);
      refs.push(alert.sourceRef);
    }
  }
  const rows = await tx.query<
    StoredAlertRef & { tenant_id: string; source: string; source_ref: string }
  >(
    `SELECT a.tenant_id, a.source, a.source_ref, a.id, a.case_id, c.number
     FROM unnest($1::uuid[], $2::text[], $3::text[]) AS q(tenant_id, source, source_ref)
     JOIN alerts a ON a.tenant_id = q.tenant_id AND a.source = q.source AND a.source_ref = q.source_ref
     LEFT JOIN cases c ON c.tenant_id = a.tenant_id AND c.id = a.case_id`,
    [tenants, sources, refs],
  );
  return new Map(
    rows.map((row) => [`${row.tenant_id}\u0000${row.source}\u0000${row.source_ref}`, row]),
  );
}

async function correlateTenant(
  tx: Queryable,
  locks: TenantLocks,
  writer: BatchWriter,
  tenantId: string,
  alerts: FreshAlert[],
  results: IngestRecordResult[],
  setup: CorrelationSetup,
  stored: ReadonlyMap<string, StoredAlertRef>,
): Promise<void> {
  const fresh: FreshAlert[] = [];
  const firstOfIdentity = new Map<string, FreshAlert>();
  const laterDuplicates: [FreshAlert, FreshAlert][] = [];
  for (const alert of alerts) {
    const identity = `${alert.source}\u0000${alert.sourceRef}`;
    const result = results[alert.item.index] as IngestRecordResult;
    result.tenant = alert.tenantName;
    // ALR-6: idempotent on (source, sourceRef): what is stored answers with the stored alert.
    const row = stored.get(`${tenantId}\u0000${identity}`);
    if (row) {
      result.status = 'duplicate';
      result.alertId = row.id;
      result.caseId = row.case_id;
      result.caseNumber = row.number;
      continue;
    }
    const first = firstOfIdentity.get(identity);
    if (first) {
      laterDuplicates.push([alert, first]);
      continue;
    }
    firstOfIdentity.set(identity, alert);
    fresh.push(alert);
  }
  if (fresh.length === 0) return;

  const { settings, filters } = setup;
  const timeoutMs = settings.timeoutMinutes * 60_000;
  let minTs = Infinity;
  let maxTs = -Infinity;
  const kinds: string[] = [];
  const values: string[] = [];
  const seenKeys = new Set<string>();
  for (const alert of fresh) {
    minTs = Math.min(minTs, alert.timestamp);
    maxTs = Math.max(maxTs, alert.timestamp);
    for (const entity of alert.entities) {
      const key = entityKey(entity);
      if (seenKeys.has(key)) continue;
      seenKeys.add(key);
      kinds.push(entity.kind);
      values.push(entity.value);
    }
  }

  // Open cases sharing an entity whose window, widened by the timeout, may hold the batch (COR-1).
  const index = new InMemoryCorrelationIndex();
  const caseExtras = new Map<string, CaseExtras>();
  if (kinds.length > 0) {
    const candidates = await tx.query<
      CaseDbRow & { entity_list: [EntityRef['kind'], string][] | null }
    >(
      `SELECT c.id, c.number, c.status, c.creator, c.alert_count, c.first_alert_at, c.last_alert_at,
              c.tactics, c.lead_alert, c.name, c.name_is_manual, c.score, c.severity,
              c.severity_is_manual, c.what, c.who, c.tlp, c.description, c.tags, c.rev,
              (SELECT json_agg(json_build_array(e2.kind, e2.value)) FROM case_entities e2
               WHERE e2.tenant_id = c.tenant_id AND e2.case_id = c.id) AS entity_list
       FROM cases c
       WHERE c.tenant_id = $1 AND c.id IN (
         SELECT e.case_id FROM unnest($2::text[], $3::text[]) AS q(kind, value)
         JOIN case_entities e ON e.tenant_id = $1 AND e.kind = q.kind AND e.value = q.value)
         AND c.status IN ('New', 'In Progress', 'Escalated')
         AND c.last_alert_at >= $4 AND c.first_alert_at <= $5`,
      [tenantId, kinds, values, minTs - timeoutMs, maxTs + timeoutMs],
    );
    for (const row of candidates) {
      const entities = (row.entity_list ?? []).map(([kind, value]) => ({ kind, value }));
      index.upsertCase(toCaseState(tenantId, row, entities));
      caseExtras.set(row.id, { description: row.description, tags: row.tags, rev: row.rev });
    }
  }

  const hits = new Map<string, number>();
  const result = correlateAlerts(fresh, {
    index,
    settings,
    allocateCase: () => ({ id: newId(), number: locks.nextCaseNumber(tenantId) }),
    isSuppressed:
      filters.length === 0
        ? undefined
        : (alert) => {
            const row: AlertFieldRow = {
              tenantName: alert.tenantName,
              source: alert.source,
              sourceRef: alert.sourceRef,
              type: alert.input.type,
              title: alert.title,
              description: alert.input.description,
              timestamp: alert.timestamp,
              score: alert.score,
              tactic: alert.tactic,
              technique: alert.technique,
              tags: alert.input.tags,
              tlp: alert.tlp,
              status: 'New',
            };
            for (const filter of filters) {
              if (evaluateCondition(filter.condition, row, ALERT_FIELD_CATALOGUE)) {
                hits.set(filter.id, (hits.get(filter.id) ?? 0) + 1);
                return true;
              }
            }
            return false;
          },
  });

  const numberOf = new Map<string, number>();
  for (const state of result.createdCases) numberOf.set(state.id, state.number);
  for (const state of result.updatedCases) numberOf.set(state.id, state.number);
  const byId = new Map(fresh.map((alert) => [alert.id, alert]));
  for (const correlation of result.alerts) {
    const alert = byId.get(correlation.alertId) as FreshAlert;
    const entry = results[alert.item.index] as IngestRecordResult;
    entry.status = 'accepted';
    entry.alertId = alert.id;
    entry.caseId = correlation.caseId;
    entry.caseNumber = correlation.caseId ? (numberOf.get(correlation.caseId) ?? null) : null;
    entry.outcome = correlation.outcome;
    writer.addAlert(tenantId, alert, correlation.caseId, correlation.outcome === 'suppressed');
  }
  for (const [alert, first] of laterDuplicates) {
    const entry = results[alert.item.index] as IngestRecordResult;
    const firstEntry = results[first.item.index] as IngestRecordResult;
    entry.status = 'duplicate';
    entry.alertId = firstEntry.alertId;
    entry.caseId = firstEntry.caseId ?? null;
    entry.caseNumber = firstEntry.caseNumber ?? null;
  }
  for (const state of result.createdCases) writer.addCreatedCase(state);
  for (const state of result.updatedCases) {
    writer.addUpdatedCase(state, index.getCase(state.id), caseExtras.get(state.id));
  }
  for (const [filterId, count] of hits) writer.addFilterHits(tenantId, filterId, count);
}

/** Collects the rows of a request; `statements` writes them all as the CTEs of one statement. */
class BatchWriter {
  createdCount = 0;
  updatedCount = 0;
  private readonly alerts: {
    tenantId: string;
    alert: FreshAlert;
    caseId: string | null;
    suppressed: boolean;
  }[] = [];
  private readonly created: CaseState[] = [];
  private readonly updated: { state: CaseState; extras: CaseExtras }[] = [];
  private readonly newEntities: { tenantId: string; caseId: string; entity: EntityRef }[] = [];
  private readonly filterHits: { tenantId: string; filterId: string; count: number }[] = [];

  constructor(
    private readonly now: number,
    private readonly createdBy: string,
  ) {}

  addAlert(tenantId: string, alert: FreshAlert, caseId: string | null, suppressed: boolean): void {
    this.alerts.push({ tenantId, alert, caseId, suppressed });
  }

  addCreatedCase(state: CaseState): void {
    this.created.push(state);
    for (const entity of state.entities) {
      this.newEntities.push({ tenantId: state.tenant, caseId: state.id, entity });
    }
  }

  addUpdatedCase(
    state: CaseState,
    before: CaseState | undefined,
    extras: CaseExtras | undefined,
  ): void {
    this.updated.push({ state, extras: extras ?? { description: '', tags: [], rev: 0 } });
    const known = new Set((before?.entities ?? []).map(entityKey));
    for (const entity of state.entities) {
      if (!known.has(entityKey(entity))) {
        this.newEntities.push({ tenantId: state.tenant, caseId: state.id, entity });
      }
    }
  }

  addFilterHits(tenantId: string, filterId: string, count: number): void {
    this.filterHits.push({ tenantId, filterId, count });
  }

  /**
   * The request's writes as data-modifying CTEs (parameters appended to `params`), and their
   * change-log entries recorded on `locks`. The cases' new revisions are known without asking:
   * the tenant lock keeps every other writer of these cases out until commit.
   */
  statements(locks: TenantLocks, params: SqlValue[]): string[] {
    const p = (value: SqlValue, type: string) => {
      params.push(value);
      return `$${params.length}::${type}`;
    };
    const ctes: string[] = [];
    const now = this.now;
    if (this.created.length > 0) {
      const c = this.created;
      ctes.push(
        `INSERT INTO cases (tenant_id, id, number, name, score, severity, severity_rank, status, creator,
           tlp, what, who, alert_count, created_at, updated_at, first_alert_at, last_alert_at, tactics,
           lead_alert, search_text)
         SELECT t, i, n, nm, sc, sv, sr, 'New', ${p(SYSTEM_CREATOR, 'text')}, tl, wh, wo, ac, ${p(now, 'bigint')},
                ${p(now, 'bigint')}, fa, la, ta::jsonb, le::jsonb, st
         FROM unnest(${p(
           c.map((s) => s.tenant),
           'uuid[]',
         )}, ${p(
           c.map((s) => s.id),
           'uuid[]',
         )},
                     ${p(
                       c.map((s) => s.number),
                       'bigint[]',
                     )}, ${p(
                       c.map((s) => s.name),
                       'text[]',
                     )},
                     ${p(
                       c.map((s) => s.score),
                       'int[]',
                     )}, ${p(
                       c.map((s) => s.severity),
                       'text[]',
                     )},
                     ${p(
                       c.map((s) => severityRank(s.severity)),
                       'int[]',
                     )}, ${p(
                       c.map((s) => s.tlp),
                       'text[]',
                     )},
                     ${p(
                       c.map((s) => s.what),
                       'text[]',
                     )}, ${p(
                       c.map((s) => s.who),
                       'text[]',
                     )},
                     ${p(
                       c.map((s) => s.alertCount),
                       'int[]',
                     )}, ${p(
                       c.map((s) => s.firstAlertAt),
                       'bigint[]',
                     )},
                     ${p(
                       c.map((s) => s.lastAlertAt),
                       'bigint[]',
                     )}, ${p(
                       c.map((s) => JSON.stringify(s.tactics)),
                       'text[]',
                     )},
                     ${p(
                       c.map((s) => (s.lead ? JSON.stringify(s.lead) : null)),
                       'text[]',
                     )},
                     ${p(
                       c.map((s) =>
                         caseSearchText({
                           name: s.name,
                           description: '',
                           what: s.what,
                           who: s.who,
                           tags: [],
                         }),
                       ),
                       'text[]',
                     )})
           AS u(t, i, n, nm, sc, sv, sr, tl, wh, wo, ac, fa, la, ta, le, st)`,
      );
      for (const state of c) {
        locks.changed({
          tenantId: state.tenant,
          entity: 'case',
          entityId: state.id,
          rev: 1,
          op: 'upsert',
        });
      }
      this.createdCount += c.length;
    }
    if (this.updated.length > 0) {
      const u = this.updated;
      ctes.push(
        `UPDATE cases c SET name = u.nm, score = u.sc, severity = u.sv, severity_rank = u.sr, tlp = u.tl,
           what = u.wh, who = u.wo, alert_count = u.ac, first_alert_at = u.fa, last_alert_at = u.la,
           tactics = u.ta::jsonb, lead_alert = u.le::jsonb, search_text = u.st, updated_at = ${p(now, 'bigint')},
           rev = c.rev + 1
         FROM unnest(${p(
           u.map(({ state }) => state.tenant),
           'uuid[]',
         )}, ${p(
           u.map(({ state }) => state.id),
           'uuid[]',
         )},
                     ${p(
                       u.map(({ state }) => state.name),
                       'text[]',
                     )}, ${p(
                       u.map(({ state }) => state.score),
                       'int[]',
                     )},
                     ${p(
                       u.map(({ state }) => state.severity),
                       'text[]',
                     )},
                     ${p(
                       u.map(({ state }) => severityRank(state.severity)),
                       'int[]',
                     )},
                     ${p(
                       u.map(({ state }) => state.tlp),
                       'text[]',
                     )}, ${p(
                       u.map(({ state }) => state.what),
                       'text[]',
                     )},
                     ${p(
                       u.map(({ state }) => state.who),
                       'text[]',
                     )}, ${p(
                       u.map(({ state }) => state.alertCount),
                       'int[]',
                     )},
                     ${p(
                       u.map(({ state }) => state.firstAlertAt),
                       'bigint[]',
                     )},
                     ${p(
                       u.map(({ state }) => state.lastAlertAt),
                       'bigint[]',
                     )},
                     ${p(
                       u.map(({ state }) => JSON.stringify(state.tactics)),
                       'text[]',
                     )},
                     ${p(
                       u.map(({ state }) => (state.lead ? JSON.stringify(state.lead) : null)),
                       'text[]',
                     )},
                     ${p(
                       u.map(({ state, extras }) =>
                         caseSearchText({
                           name: state.name,
                           description: extras.description,
                           what: state.what,
                           who: state.who,
                           tags: extras.tags,
                         }),
                       ),
                       'text[]',
                     )})
           AS u(t, i, nm, sc, sv, sr, tl, wh, wo, ac, fa, la, ta, le, st)
         WHERE c.tenant_id = u.t AND c.id = u.i`,
      );
      for (const { state, extras } of u) {
        locks.changed({
          tenantId: state.tenant,
          entity: 'case',
          entityId: state.id,
          rev: extras.rev + 1,
          op: 'upsert',
        });
      }
      this.updatedCount += u.length;
    }
    if (this.newEntities.length > 0) {
      const e = this.newEntities;
      ctes.push(
        `INSERT INTO case_entities (tenant_id, kind, value, case_id)
         SELECT * FROM unnest(${p(
           e.map((x) => x.tenantId),
           'uuid[]',
         )}, ${p(
           e.map((x) => x.entity.kind),
           'text[]',
         )},
                              ${p(
                                e.map((x) => x.entity.value),
                                'text[]',
                              )}, ${p(
                                e.map((x) => x.caseId),
                                'uuid[]',
                              )})
         ON CONFLICT DO NOTHING`,
      );
    }
    if (this.alerts.length > 0) {
      const a = this.alerts;
      ctes.push(
        `INSERT INTO alerts (tenant_id, id, source, source_ref, type, title, description, timestamp, score,
           tactic, tactic_name, technique, technique_name, tags, tlp, raw, entities, status, case_id,
           suppressed, created_by, created_at, updated_at)
         SELECT t, i, so, sr, ty, ti, de, ts, sc, ta, tn, te, tq,
                ARRAY(SELECT jsonb_array_elements_text(tg::jsonb)), tl, rw::json, en::jsonb,
                CASE WHEN ca IS NULL THEN 'New' ELSE 'Imported' END, ca, su, ${p(this.createdBy, 'text')},
                ${p(now, 'bigint')}, ${p(now, 'bigint')}
         FROM unnest(${p(
           a.map((x) => x.tenantId),
           'uuid[]',
         )}, ${p(
           a.map((x) => x.alert.id),
           'uuid[]',
         )},
                     ${p(
                       a.map((x) => x.alert.source),
                       'text[]',
                     )}, ${p(
                       a.map((x) => x.alert.sourceRef),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => x.alert.input.type),
                       'text[]',
                     )}, ${p(
                       a.map((x) => x.alert.title),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => x.alert.input.description),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => x.alert.timestamp),
                       'bigint[]',
                     )}, ${p(
                       a.map((x) => x.alert.score),
                       'int[]',
                     )},
                     ${p(
                       a.map((x) => x.alert.tactic),
                       'text[]',
                     )}, ${p(
                       a.map((x) => x.alert.tacticName),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => x.alert.technique),
                       'text[]',
                     )}, ${p(
                       a.map((x) => x.alert.techniqueName),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => JSON.stringify(x.alert.input.tags)),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => x.alert.tlp),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => JSON.stringify(x.alert.input.raw ?? null)),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => JSON.stringify(x.alert.entities)),
                       'text[]',
                     )},
                     ${p(
                       a.map((x) => x.caseId),
                       'uuid[]',
                     )}, ${p(
                       a.map((x) => x.suppressed),
                       'boolean[]',
                     )})
           AS u(t, i, so, sr, ty, ti, de, ts, sc, ta, tn, te, tq, tg, tl, rw, en, ca, su)`,
      );
      const linked = a.filter((x) => x.caseId !== null);
      if (linked.length > 0) {
        ctes.push(
          `INSERT INTO case_alerts (tenant_id, id, case_id, alert_id, added_at)
           SELECT t, i, c, a, ${p(now, 'bigint')}
           FROM unnest(${p(
             linked.map((x) => x.tenantId),
             'uuid[]',
           )}, ${p(
             linked.map(() => newId()),
             'uuid[]',
           )},
                       ${p(
                         linked.map((x) => x.caseId),
                         'uuid[]',
                       )}, ${p(
                         linked.map((x) => x.alert.id),
                         'uuid[]',
                       )})
             AS u(t, i, c, a)`,
        );
      }
      for (const x of a) {
        locks.changed({
          tenantId: x.tenantId,
          entity: 'alert',
          entityId: x.alert.id,
          rev: 1,
          op: 'upsert',
        });
      }
    }
    if (this.filterHits.length > 0) {
      const h = this.filterHits;
      // COR-5: suppressed alerts are counted per filter.
      ctes.push(
        `UPDATE case_filters f SET suppressed_count = f.suppressed_count + u.n
         FROM unnest(${p(
           h.map((x) => x.tenantId),
           'uuid[]',
         )}, ${p(
           h.map((x) => x.filterId),
           'uuid[]',
         )},
                     ${p(
                       h.map((x) => x.count),
                       'bigint[]',
                     )}) AS u(t, i, n)
         WHERE f.tenant_id = u.t AND f.id = u.i`,
      );
    }
    return ctes;
  }
}
