import type Database from 'better-sqlite3';
import type { Store } from '../store/open';
import { writeTransaction, type Writer } from '../store/write';
import type { NormalizedAlert } from '../../shared/domain/alert-format';
import {
  correlateAlerts,
  type CandidateQuery,
  type CaseState,
  type CorrelatableAlert,
  type CorrelationIndex,
  type CorrelationSettings,
} from '../../shared/domain/correlation';
import { entityKey } from '../../shared/domain/entities';
import type { LeadAlertFacts } from '../../shared/domain/scoring';
import { severityRank } from '../../shared/domain/severity';
import {
  DEFAULT_TENANT_NAME,
  OPEN_CASE_STATUSES,
  SYSTEM_CREATOR,
  type CaseSeverity,
  type CaseStatus,
  type EntityKind,
  type EntityRef,
  type Tlp,
} from '../../shared/domain/types';
import { newId } from './ids';
import { tenantIdByName } from './tenants';
import { refreshQueueMembership } from './queues';

/**
 * Alerts into the store (ALR-6, ING-1) with automatic correlation (COR-1..9): a batch is
 * de-duplicated on (source, sourceRef), correlated by the pure engine in shared/domain against
 * the store's cases, and written in one transaction with its activity and outbox entries.
 */

export interface IngestCounts {
  read: number;
  imported: number;
  duplicates: number;
  suppressed: number;
  casesCreated: number;
  casesUpdated: number;
}

export interface IngestOptions {
  actor: string;
  settings: CorrelationSettings;
  /** COR-5: true when a case filter matches the alert (it then creates no case). */
  isSuppressed?: (alert: NormalizedAlert, tenantName: string) => boolean;
}

interface CaseDbState {
  id: string;
  number: number;
  tenant_id: string;
  status: string;
  creator: string;
  alert_count: number;
  first_alert_at: number | null;
  last_alert_at: number | null;
  tactics: string;
  lead_alert: string | null;
  name: string;
  name_is_manual: number;
  score: number;
  severity: string;
  severity_is_manual: number;
  what: string | null;
  who: string | null;
  tlp: string;
}

const OPEN = OPEN_CASE_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * The store as a CorrelationIndex for one batch. Each distinct (tenant, entity) of the batch is
 * looked up once, over the window of the whole batch (earliest alert - timeout .. latest alert +
 * timeout); a query then returns the cases of its keys whose window holds the alert's time. The
 * engine re-checks every rule, so a superset is safe; cases the batch itself changes are tracked
 * by the engine.
 */
class StoreCorrelationIndex implements CorrelationIndex {
  private readonly s: IngestStatements;
  /** States read during this batch, so `before` images and updates use the same snapshot. */
  readonly loaded = new Map<string, CaseState>();
  private readonly byKey = new Map<string, string[]>();

  constructor(
    s: IngestStatements,
    private readonly windowFrom: number,
    private readonly windowTo: number,
  ) {
    this.s = s;
  }

  findCandidates(q: CandidateQuery): readonly CaseState[] {
    const ids = new Set<string>();
    for (const key of q.entityKeys) {
      for (const id of this.casesOfKey(q.tenant, key)) ids.add(id);
    }
    const out: CaseState[] = [];
    for (const id of ids) {
      const state = this.load(id);
      if (state.firstAlertAt === null || state.lastAlertAt === null) continue;
      if (
        q.timestamp < state.firstAlertAt - q.timeoutMs ||
        q.timestamp > state.lastAlertAt + q.timeoutMs
      )
        continue;
      out.push(structuredClone(state));
    }
    return out;
  }

  private casesOfKey(tenant: string, key: string): string[] {
    const slot = `${tenant}\u0000${key}`;
    let ids = this.byKey.get(slot);
    if (!ids) {
      const sep = key.indexOf(':');
      ids = (
        this.s.candidatesByEntity.all(
          tenant,
          key.slice(0, sep),
          key.slice(sep + 1),
          this.windowFrom,
          this.windowTo,
        ) as {
          id: string;
        }[]
      ).map((r) => r.id);
      this.byKey.set(slot, ids);
    }
    return ids;
  }

  private load(id: string): CaseState {
    const cached = this.loaded.get(id);
    if (cached) return cached;
    const r = this.s.caseById.get(id) as CaseDbState;
    const state: CaseState = {
      id: r.id,
      number: r.number,
      tenant: r.tenant_id,
      status: r.status as CaseStatus,
      creator: r.creator,
      alertCount: r.alert_count,
      firstAlertAt: r.first_alert_at,
      lastAlertAt: r.last_alert_at,
      entities: (this.s.caseEntities.all(id) as { kind: EntityKind; value: string }[]).map((e) => ({
        kind: e.kind,
        value: e.value,
      })),
      tactics: JSON.parse(r.tactics) as string[],
      lead: r.lead_alert ? (JSON.parse(r.lead_alert) as LeadAlertFacts) : null,
      name: r.name,
      nameIsManual: r.name_is_manual === 1,
      score: r.score,
      severity: r.severity as CaseSeverity,
      severityIsManual: r.severity_is_manual === 1,
      what: r.what,
      who: r.who,
      tlp: r.tlp as Tlp,
    };
    this.loaded.set(id, state);
    return state;
  }
}

interface IngestStatements {
  candidatesByEntity: Database.Statement;
  caseById: Database.Statement;
  caseEntities: Database.Statement;
  exists: Database.Statement;
  insertAlert: Database.Statement;
  insertEntity: Database.Statement;
  insertLink: Database.Statement;
  insertCase: Database.Statement;
  updateCase: Database.Statement;
  nextNumber: Database.Statement;
}

const statementCache = new WeakMap<Database.Database, IngestStatements>();

/** Statements are prepared once per connection: a single alert must not pay for preparing. */
function prepare(db: Database.Database): IngestStatements {
  const cached = statementCache.get(db);
  if (cached) return cached;
  const s: IngestStatements = {
    // Open cases of a tenant holding an entity, whose window meets [from, to] (COR-1, COR-4).
    candidatesByEntity: db.prepare(
      `SELECT DISTINCT e.case_id AS id FROM entities e JOIN cases c ON c.id = e.case_id
       WHERE e.tenant_id = ? AND e.kind = ? AND e.value = ? AND e.case_id IS NOT NULL
         AND c.status IN (${OPEN}) AND c.last_alert_at >= ? AND c.first_alert_at <= ?`,
    ),
    caseById: db.prepare('SELECT * FROM cases WHERE id = ?'),
    caseEntities: db.prepare(
      'SELECT kind, value FROM entities WHERE case_id = ? ORDER BY kind, value',
    ),
    exists: db.prepare('SELECT 1 FROM alerts WHERE source = ? AND source_ref = ?'),
    insertAlert: db.prepare(
      `INSERT INTO alerts (id, tenant_id, source, source_ref, type, title, description, timestamp, score, tactic, tactic_name, technique, technique_name, tags, tlp, raw, status, case_id, suppressed, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertEntity: db.prepare(
      'INSERT INTO entities (tenant_id, alert_id, case_id, kind, value) VALUES (?, ?, ?, ?, ?)',
    ),
    insertLink: db.prepare(
      'INSERT INTO case_alerts (case_id, alert_id, tenant_id, added_at) VALUES (?, ?, ?, ?)',
    ),
    insertCase: db.prepare(
      `INSERT INTO cases (id, tenant_id, number, name, description, score, severity, severity_rank, status, creator, tags, tlp, what, who, alert_count, created_at, updated_at, first_alert_at, last_alert_at, tactics, lead_alert)
       VALUES (?, ?, ?, ?, '', ?, ?, ?, 'New', ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateCase: db.prepare(
      `UPDATE cases SET name = ?, score = ?, severity = ?, severity_rank = ?, tlp = ?, what = ?, who = ?, alert_count = ?,
         first_alert_at = ?, last_alert_at = ?, tactics = ?, lead_alert = ?, updated_at = ? WHERE id = ?`,
    ),
    nextNumber: db.prepare('SELECT coalesce(max(number), 0) + 1 AS n FROM cases'),
  };
  statementCache.set(db, s);
  return s;
}

/** The fields of a case that correlation changes, for activity before/after images. */
function correlatedFields(s: CaseState) {
  return {
    name: s.name,
    score: s.score,
    severity: s.severity,
    tlp: s.tlp,
    what: s.what,
    who: s.who,
    alertCount: s.alertCount,
    firstAlertAt: s.firstAlertAt,
    lastAlertAt: s.lastAlertAt,
  };
}

/**
 * Imports one batch of normalized alerts. Everything (new alerts, new and updated cases, their
 * entities, activity and outbox) is one transaction: a failure leaves the store as it was.
 */
export function ingestAlerts(
  store: Store,
  alerts: readonly NormalizedAlert[],
  options: IngestOptions,
): IngestCounts {
  const counts: IngestCounts = {
    read: alerts.length,
    imported: 0,
    duplicates: 0,
    suppressed: 0,
    casesCreated: 0,
    casesUpdated: 0,
  };
  if (alerts.length === 0) return counts;
  // Tenants first (each creation is its own recorded write); 'admin' holds no alerts (ADM-1).
  const tenantIds = new Map<string, string>();
  for (const a of alerts) {
    const name = a.tenant ?? DEFAULT_TENANT_NAME;
    if (!tenantIds.has(name)) tenantIds.set(name, tenantIdByName(store, name, options.actor));
  }
  const s = prepare(store.db);
  return writeTransaction(store, options.actor, (w) => {
    const seen = new Set<string>();
    const fresh: (CorrelatableAlert & { input: NormalizedAlert; tenantName: string })[] = [];
    for (const a of alerts) {
      const key = `${a.source}\u0000${a.sourceRef}`;
      if (seen.has(key) || s.exists.get(a.source, a.sourceRef)) {
        counts.duplicates++;
        continue;
      }
      seen.add(key);
      const tenantName = a.tenant ?? DEFAULT_TENANT_NAME;
      fresh.push({ ...a, id: newId(), tenant: tenantIds.get(tenantName)!, input: a, tenantName });
    }
    if (fresh.length === 0) return counts;
    const timeoutMs = options.settings.timeoutMinutes * 60_000;
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (const a of fresh) {
      if (a.timestamp < minTs) minTs = a.timestamp;
      if (a.timestamp > maxTs) maxTs = a.timestamp;
    }
    const index = new StoreCorrelationIndex(s, minTs - timeoutMs, maxTs + timeoutMs);
    let nextNumber = (s.nextNumber.get() as { n: number }).n;
    const result = correlateAlerts(fresh, {
      index,
      settings: options.settings,
      allocateCase: () => ({ id: newId(), number: nextNumber++ }),
      isSuppressed: options.isSuppressed
        ? (alert) => options.isSuppressed!(alert.input, alert.tenantName)
        : undefined,
    });
    const byId = new Map(fresh.map((a) => [a.id, a]));
    for (const c of result.createdCases) writeNewCase(w, s, c);
    for (const c of result.updatedCases) writeUpdatedCase(w, s, c, index.loaded.get(c.id));
    for (const r of result.alerts) {
      const a = byId.get(r.alertId)!;
      const status = r.caseId ? 'Imported' : 'New';
      const suppressed = r.outcome === 'suppressed';
      const raw = JSON.stringify(a.input.raw ?? null);
      s.insertAlert.run(
        a.id,
        a.tenant,
        a.source,
        a.sourceRef,
        a.input.type,
        a.title,
        a.input.description,
        a.timestamp,
        a.score,
        a.tactic,
        a.tacticName,
        a.technique,
        a.techniqueName,
        JSON.stringify(a.input.tags),
        a.tlp,
        raw,
        status,
        r.caseId,
        suppressed ? 1 : 0,
        w.now,
        w.now,
      );
      for (const e of a.entities) s.insertEntity.run(a.tenant, a.id, null, e.kind, e.value);
      if (r.caseId) s.insertLink.run(r.caseId, a.id, a.tenant, w.now);
      w.created(a.tenant, 'alert', a.id, {
        id: a.id,
        source: a.source,
        sourceRef: a.sourceRef,
        title: a.title,
        timestamp: a.timestamp,
        score: a.score,
        status,
        caseId: r.caseId,
        suppressed,
      });
      counts.imported++;
      if (suppressed) counts.suppressed++;
    }
    counts.casesCreated = result.createdCases.length;
    counts.casesUpdated = result.updatedCases.length;
    // QUE-5: a new alert re-evaluates its case's queue membership in the same transaction.
    refreshQueueMembership(w, [
      ...result.createdCases.map((c) => c.id),
      ...result.updatedCases.map((c) => c.id),
    ]);
    return counts;
  });
}

function writeNewCase(w: Writer, s: IngestStatements, c: CaseState): void {
  s.insertCase.run(
    c.id,
    c.tenant,
    c.number,
    c.name,
    c.score,
    c.severity,
    severityRank(c.severity),
    SYSTEM_CREATOR,
    c.tlp,
    c.what,
    c.who,
    c.alertCount,
    w.now,
    w.now,
    c.firstAlertAt,
    c.lastAlertAt,
    JSON.stringify(c.tactics),
    c.lead ? JSON.stringify(c.lead) : null,
  );
  for (const e of c.entities) s.insertEntity.run(c.tenant, null, c.id, e.kind, e.value);
  w.created(c.tenant, 'case', c.id, {
    id: c.id,
    number: c.number,
    creator: SYSTEM_CREATOR,
    status: 'New',
    ...correlatedFields(c),
  });
}

function writeUpdatedCase(
  w: Writer,
  s: IngestStatements,
  c: CaseState,
  before: CaseState | undefined,
): void {
  s.updateCase.run(
    c.name,
    c.score,
    c.severity,
    severityRank(c.severity),
    c.tlp,
    c.what,
    c.who,
    c.alertCount,
    c.firstAlertAt,
    c.lastAlertAt,
    JSON.stringify(c.tactics),
    c.lead ? JSON.stringify(c.lead) : null,
    w.now,
    c.id,
  );
  const known = new Set((before?.entities ?? []).map(entityKey));
  const added: EntityRef[] = c.entities.filter((e) => !known.has(entityKey(e)));
  for (const e of added) s.insertEntity.run(c.tenant, null, c.id, e.kind, e.value);
  w.updated(
    c.tenant,
    'case',
    c.id,
    before ? correlatedFields(before) : {},
    correlatedFields(c),
    'correlate',
  );
}
