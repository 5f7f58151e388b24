import type { NormalizedAlert } from '../../shared/domain/alert-format';
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
import { TenantLocks } from '../store/change-log';
import type { Database, Queryable } from '../store/database';
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

interface CaseDbRow {
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
    ...(item.kind === 'error' ? { code: 'INVALID_RECORD', message: item.message } : {}),
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
      const locks = await TenantLocks.lock(tx, alertsByTenant.keys());
      const now = Date.now();
      const writer = new BatchWriter(now, principal.login);
      for (const tenantId of [...alertsByTenant.keys()].sort()) {
        await correlateTenant(
          tx,
          locks,
          writer,
          tenantId,
          alertsByTenant.get(tenantId) ?? [],
          results,
        );
      }
      await writer.write(tx, locks);
      await locks.flush(principal.login, now);
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

async function tenantCorrelationSetup(
  tx: Queryable,
  tenantId: string,
): Promise<{ settings: CorrelationSettings; filters: CaseFilterRow[] }> {
  const [settingsRow] = await tx.query<{ correlation: unknown }>(
    'SELECT correlation FROM tenant_settings WHERE tenant_id = $1',
    [tenantId],
  );
  const settings = correlationSettingsSchema.parse(settingsRow?.correlation ?? {});
  const filters = await tx.query<CaseFilterRow>(
    'SELECT id, condition FROM case_filters WHERE tenant_id = $1 AND enabled ORDER BY created_at, id',
    [tenantId],
  );
  return { settings, filters };
}

async function correlateTenant(
  tx: Queryable,
  locks: TenantLocks,
  writer: BatchWriter,
  tenantId: string,
  alerts: FreshAlert[],
  results: IngestRecordResult[],
): Promise<void> {
  // ALR-6: idempotent on (source, sourceRef): what is stored answers with the stored alert.
  const existing = await tx.query<{
    source: string;
    source_ref: string;
    id: string;
    case_id: string | null;
    number: number | null;
  }>(
    `SELECT a.source, a.source_ref, a.id, a.case_id, c.number
     FROM unnest($2::text[], $3::text[]) AS q(source, source_ref)
     JOIN alerts a ON a.tenant_id = $1 AND a.source = q.source AND a.source_ref = q.source_ref
     LEFT JOIN cases c ON c.tenant_id = a.tenant_id AND c.id = a.case_id`,
    [tenantId, alerts.map((a) => a.source), alerts.map((a) => a.sourceRef)],
  );
  const stored = new Map(existing.map((row) => [`${row.source}\u0000${row.source_ref}`, row]));
  const fresh: FreshAlert[] = [];
  const firstOfIdentity = new Map<string, FreshAlert>();
  const laterDuplicates: [FreshAlert, FreshAlert][] = [];
  for (const alert of alerts) {
    const identity = `${alert.source}\u0000${alert.sourceRef}`;
    const result = results[alert.item.index] as IngestRecordResult;
    result.tenant = alert.tenantName;
    const row = stored.get(identity);
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

  const { settings, filters } = await tenantCorrelationSetup(tx, tenantId);
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
  const caseExtras = new Map<string, { description: string; tags: string[] }>();
  if (kinds.length > 0) {
    const candidates = await tx.query<CaseDbRow>(
      `SELECT c.id, c.number, c.status, c.creator, c.alert_count, c.first_alert_at, c.last_alert_at,
              c.tactics, c.lead_alert, c.name, c.name_is_manual, c.score, c.severity,
              c.severity_is_manual, c.what, c.who, c.tlp, c.description, c.tags
       FROM cases c
       WHERE c.tenant_id = $1 AND c.id IN (
         SELECT e.case_id FROM unnest($2::text[], $3::text[]) AS q(kind, value)
         JOIN case_entities e ON e.tenant_id = $1 AND e.kind = q.kind AND e.value = q.value)
         AND c.status IN ('New', 'In Progress', 'Escalated')
         AND c.last_alert_at >= $4 AND c.first_alert_at <= $5`,
      [tenantId, kinds, values, minTs - timeoutMs, maxTs + timeoutMs],
    );
    if (candidates.length > 0) {
      const entityRows = await tx.query<{
        case_id: string;
        kind: EntityRef['kind'];
        value: string;
      }>(
        'SELECT case_id, kind, value FROM case_entities WHERE tenant_id = $1 AND case_id = ANY($2::uuid[])',
        [tenantId, candidates.map((c) => c.id)],
      );
      const entitiesOf = new Map<string, EntityRef[]>();
      for (const row of entityRows) {
        let list = entitiesOf.get(row.case_id);
        if (!list) {
          list = [];
          entitiesOf.set(row.case_id, list);
        }
        list.push({ kind: row.kind, value: row.value });
      }
      for (const row of candidates) {
        const state = toCaseState(tenantId, row, entitiesOf.get(row.id) ?? []);
        index.upsertCase(state);
        caseExtras.set(row.id, { description: row.description, tags: row.tags });
      }
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

/** Collects the rows of a request and writes them with one multi-row statement per table. */
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
  private readonly updated: {
    state: CaseState;
    extras: { description: string; tags: string[] };
  }[] = [];
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
    extras: { description: string; tags: string[] } | undefined,
  ): void {
    this.updated.push({ state, extras: extras ?? { description: '', tags: [] } });
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

  async write(tx: Queryable, locks: TenantLocks): Promise<void> {
    const now = this.now;
    if (this.created.length > 0) {
      const c = this.created;
      await tx.query(
        `INSERT INTO cases (tenant_id, id, number, name, score, severity, severity_rank, status, creator,
           tlp, what, who, alert_count, created_at, updated_at, first_alert_at, last_alert_at, tactics,
           lead_alert, search_text)
         SELECT t, i, n, nm, sc, sv, sr, 'New', $13, tl, wh, wo, ac, $14, $14, fa, la, ta::jsonb, le::jsonb, st
         FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::int[], $6::text[], $7::int[],
                     $8::text[], $9::text[], $10::text[], $11::int[], $12::bigint[], $15::bigint[],
                     $16::text[], $17::text[], $18::text[])
           AS u(t, i, n, nm, sc, sv, sr, tl, wh, wo, ac, fa, la, ta, le, st)`,
        [
          c.map((s) => s.tenant),
          c.map((s) => s.id),
          c.map((s) => s.number),
          c.map((s) => s.name),
          c.map((s) => s.score),
          c.map((s) => s.severity),
          c.map((s) => severityRank(s.severity)),
          c.map((s) => s.tlp),
          c.map((s) => s.what),
          c.map((s) => s.who),
          c.map((s) => s.alertCount),
          c.map((s) => s.firstAlertAt),
          SYSTEM_CREATOR,
          now,
          c.map((s) => s.lastAlertAt),
          c.map((s) => JSON.stringify(s.tactics)),
          c.map((s) => (s.lead ? JSON.stringify(s.lead) : null)),
          c.map((s) =>
            caseSearchText({ name: s.name, description: '', what: s.what, who: s.who, tags: [] }),
          ),
        ],
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
      const revs = await tx.query<{ tenant_id: string; id: string; rev: number }>(
        `UPDATE cases c SET name = u.nm, score = u.sc, severity = u.sv, severity_rank = u.sr, tlp = u.tl,
           what = u.wh, who = u.wo, alert_count = u.ac, first_alert_at = u.fa, last_alert_at = u.la,
           tactics = u.ta::jsonb, lead_alert = u.le::jsonb, search_text = u.st, updated_at = $16,
           rev = c.rev + 1
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[],
                     $8::text[], $9::text[], $10::int[], $11::bigint[], $12::bigint[], $13::text[],
                     $14::text[], $15::text[])
           AS u(t, i, nm, sc, sv, sr, tl, wh, wo, ac, fa, la, ta, le, st)
         WHERE c.tenant_id = u.t AND c.id = u.i
         RETURNING c.tenant_id, c.id, c.rev`,
        [
          u.map(({ state }) => state.tenant),
          u.map(({ state }) => state.id),
          u.map(({ state }) => state.name),
          u.map(({ state }) => state.score),
          u.map(({ state }) => state.severity),
          u.map(({ state }) => severityRank(state.severity)),
          u.map(({ state }) => state.tlp),
          u.map(({ state }) => state.what),
          u.map(({ state }) => state.who),
          u.map(({ state }) => state.alertCount),
          u.map(({ state }) => state.firstAlertAt),
          u.map(({ state }) => state.lastAlertAt),
          u.map(({ state }) => JSON.stringify(state.tactics)),
          u.map(({ state }) => (state.lead ? JSON.stringify(state.lead) : null)),
          u.map(({ state, extras }) =>
            caseSearchText({
              name: state.name,
              description: extras.description,
              what: state.what,
              who: state.who,
              tags: extras.tags,
            }),
          ),
          now,
        ],
      );
      for (const row of revs) {
        locks.changed({
          tenantId: row.tenant_id,
          entity: 'case',
          entityId: row.id,
          rev: row.rev,
          op: 'upsert',
        });
      }
      this.updatedCount += u.length;
    }
    if (this.newEntities.length > 0) {
      const e = this.newEntities;
      await tx.query(
        `INSERT INTO case_entities (tenant_id, kind, value, case_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[])
         ON CONFLICT DO NOTHING`,
        [
          e.map((x) => x.tenantId),
          e.map((x) => x.entity.kind),
          e.map((x) => x.entity.value),
          e.map((x) => x.caseId),
        ],
      );
    }
    if (this.alerts.length > 0) {
      const a = this.alerts;
      await tx.query(
        `INSERT INTO alerts (tenant_id, id, source, source_ref, type, title, description, timestamp, score,
           tactic, tactic_name, technique, technique_name, tags, tlp, raw, entities, status, case_id,
           suppressed, created_by, created_at, updated_at)
         SELECT t, i, so, sr, ty, ti, de, ts, sc, ta, tn, te, tq,
                ARRAY(SELECT jsonb_array_elements_text(tg::jsonb)), tl, rw::json, en::jsonb,
                CASE WHEN ca IS NULL THEN 'New' ELSE 'Imported' END, ca, su, $20, $21, $21
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::bigint[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[],
                     $14::text[], $15::text[], $16::text[], $17::text[], $18::uuid[], $19::boolean[])
           AS u(t, i, so, sr, ty, ti, de, ts, sc, ta, tn, te, tq, tg, tl, rw, en, ca, su)`,
        [
          a.map((x) => x.tenantId),
          a.map((x) => x.alert.id),
          a.map((x) => x.alert.source),
          a.map((x) => x.alert.sourceRef),
          a.map((x) => x.alert.input.type),
          a.map((x) => x.alert.title),
          a.map((x) => x.alert.input.description),
          a.map((x) => x.alert.timestamp),
          a.map((x) => x.alert.score),
          a.map((x) => x.alert.tactic),
          a.map((x) => x.alert.tacticName),
          a.map((x) => x.alert.technique),
          a.map((x) => x.alert.techniqueName),
          a.map((x) => JSON.stringify(x.alert.input.tags)),
          a.map((x) => x.alert.tlp),
          a.map((x) => JSON.stringify(x.alert.input.raw ?? null)),
          a.map((x) => JSON.stringify(x.alert.entities)),
          a.map((x) => x.caseId),
          a.map((x) => x.suppressed),
          this.createdBy,
          now,
        ],
      );
      const linked = a.filter((x) => x.caseId !== null);
      if (linked.length > 0) {
        await tx.query(
          `INSERT INTO case_alerts (tenant_id, id, case_id, alert_id, added_at)
           SELECT t, i, c, a, $5 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[]) AS u(t, i, c, a)`,
          [
            linked.map((x) => x.tenantId),
            linked.map(() => newId()),
            linked.map((x) => x.caseId),
            linked.map((x) => x.alert.id),
            now,
          ],
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
    for (const hit of this.filterHits) {
      // COR-5: suppressed alerts are counted per filter.
      await tx.query(
        `UPDATE case_filters SET suppressed_count = suppressed_count + $3
         WHERE tenant_id = $1 AND id = $2`,
        [hit.tenantId, hit.filterId, hit.count],
      );
    }
  }
}
