import type Database from 'better-sqlite3';
import type { Store } from '../../store/open';
import { writeTransaction, type MutationWriter } from '../../store/write';
import { SerializedJson } from '../../store/mutations/registry';
import { addCaseEntities } from '../../store/derived/case-entities';
import { allocateCaseNumber } from '../../store/case-numbers';
import type { NormalizedAlert } from '../../../shared/domain/alert-format';
import {
  correlateAlerts,
  type CandidateQuery,
  type CaseState,
  type CorrelatableAlert,
  type CorrelationIndex,
  type CorrelationSettings,
} from '../../../shared/domain/correlation';
import { compareEntities, entityKey, isCorrelatingEntity } from '../../../shared/domain/entities';
import type { LeadAlertFacts } from '../../../shared/domain/scoring';
import { severityRank } from '../../../shared/domain/severity';
import {
  DEFAULT_TENANT_NAME,
  SYSTEM_CREATOR,
  type CaseSeverity,
  type CaseStatus,
  type EntityRef,
  type Tlp,
} from '../../../shared/domain/types';
import { newId } from '../../store/ids';
import { resolveTenant, type TenantRow } from '../directory/tenants';
import { tenantNameKey } from '../../../shared/domain/alert-format';
import { refreshQueueMembership } from '../../store/derived/queue-membership';

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
  /** more writes of the batch, in its transaction (case filter counts) */
  onWrite?: (w: MutationWriter) => void;
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

/**
 * The store as a CorrelationIndex across the batches of one import (an IngestSession).
 *
 * Invariant: for every cached (tenant, entity key), `byKey` holds every open case of the store
 * with that key whose last alert is at or after `coveredFrom` (a superset is fine: the engine
 * checks every rule again). Each key is read from SQL once per session; cases the session writes
 * are added to the lists after each batch. Cases that end before a batch's window can take
 * nothing more from a time-ordered import and are dropped (memory stays bounded), which raises
 * `coveredFrom`; a batch reaching further back resets the cache. So does any write by another
 * connection (`PRAGMA data_version`) or by other code on this one (`total_changes()`), checked
 * at the start of each batch under the write lock.
 */
class SessionCorrelationIndex implements CorrelationIndex {
  private readonly states = new Map<string, CaseState>();
  private readonly byKey = new Map<string, Set<string>>();
  private coveredFrom = -Infinity;

  constructor(private readonly s: IngestStatements) {}

  /** Forgets everything: the next lookups read the store. */
  reset(from: number): void {
    this.states.clear();
    this.byKey.clear();
    this.coveredFrom = from;
  }

  /** Prepares for a batch whose candidate window starts at `from`. */
  beginBatch(from: number): void {
    // An empty cache covers any window: start at this batch's, so the first lookups read only
    // the open cases that can still take its alerts (a one-shot ingest of one alert, say), not
    // every open case that ever shared a host with it.
    if (from < this.coveredFrom || (this.states.size === 0 && this.byKey.size === 0)) {
      this.reset(from);
      return;
    }
    // Cases that ended before the window cannot take alerts of this batch or of later ones that
    // start no earlier; drop them once enough have piled up.
    if (this.states.size > 2_000) {
      const gone = new Set<string>();
      for (const [id, st] of this.states) {
        if (st.lastAlertAt !== null && st.lastAlertAt < from) gone.add(id);
      }
      for (const id of gone) this.states.delete(id);
      // Keys whose cases are all gone are read again if an alert needs them; keeping them would
      // grow with every distinct entity of the import.
      for (const [slot, ids] of this.byKey) {
        for (const id of ids) if (gone.has(id)) ids.delete(id);
        if (ids.size === 0) this.byKey.delete(slot);
      }
      this.coveredFrom = from;
    }
  }

  /** The stored state of a case as this session knows it (before the current batch). */
  stateOf(id: string): CaseState | undefined {
    return this.states.get(id);
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
      out.push(state); // the engine never mutates a stored state
    }
    return out;
  }

  /** After a batch commits: the session's own writes join the cache. */
  remember(written: readonly CaseState[]): void {
    for (const c of written) {
      this.states.set(c.id, c);
      for (const e of c.entities) {
        const ids = this.byKey.get(`${c.tenant}\u0000${entityKey(e)}`);
        if (ids) ids.add(c.id); // keys not cached yet are read from the store when needed
      }
    }
  }

  /**
   * Reads the cases of every (tenant, entity key) of a batch that is not cached yet, in one
   * statement: one call instead of one per key (most keys of an import are new and match nothing).
   */
  prefetch(alerts: readonly { tenant: string; entities: readonly EntityRef[] }[]): void {
    const wanted = new Map<string, [string, string, string]>();
    for (const a of alerts) {
      for (const e of a.entities) {
        if (!isCorrelatingEntity(e)) continue; // never a candidate key (COR-1)
        const slot = `${a.tenant}\u0000${entityKey(e)}`;
        if (!this.byKey.has(slot) && !wanted.has(slot))
          wanted.set(slot, [a.tenant, e.kind, e.value]);
      }
    }
    if (wanted.size === 0) return;
    const slots = [...wanted.keys()];
    for (const slot of slots) this.byKey.set(slot, new Set());
    const from = this.lookupFrom();
    const rows = this.s.candidatesByEntities.all(
      JSON.stringify([...wanted.values()]),
      from,
      from,
    ) as { i: number; id: string }[];
    for (const r of rows) this.byKey.get(slots[r.i]!)!.add(r.id);
  }

  /** The earliest last alert time the store lookups need (SQL has no -Infinity). */
  private lookupFrom(): number {
    return this.coveredFrom === -Infinity ? Number.MIN_SAFE_INTEGER : this.coveredFrom;
  }

  private casesOfKey(tenant: string, key: string): Set<string> {
    const slot = `${tenant}\u0000${key}`;
    let ids = this.byKey.get(slot);
    if (!ids) {
      const sep = key.indexOf(':');
      const from = this.lookupFrom();
      ids = new Set(
        (
          this.s.candidatesByEntity.all(
            tenant,
            key.slice(0, sep),
            key.slice(sep + 1),
            from,
            from,
          ) as { id: string }[]
        ).map((r) => r.id),
      );
      this.byKey.set(slot, ids);
    }
    return ids;
  }

  private load(id: string): CaseState {
    const cached = this.states.get(id);
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
      entities: (this.s.caseEntities.all(id) as EntityRef[])
        .map((e) => ({ kind: e.kind, value: e.value }))
        .sort(compareEntities),
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
    this.states.set(id, state);
    return state;
  }
}

interface IngestStatements {
  candidatesByEntity: Database.Statement;
  candidatesByEntities: Database.Statement;
  caseById: Database.Statement;
  caseEntities: Database.Statement;
  exists: Database.Statement;
  dataVersion: Database.Statement;
  totalChanges: Database.Statement;
}

const statementCache = new WeakMap<Database.Database, IngestStatements>();

/** Statements are prepared once per connection: a single alert must not pay for preparing. */
function prepare(db: Database.Database): IngestStatements {
  const cached = statementCache.get(db);
  if (cached) return cached;
  const s: IngestStatements = {
    // Open cases of a tenant holding an entity whose last alert is at or after a time (COR-1,
    // COR-4): one range of open_case_entities' key (migrations 0012, 0017), which holds the
    // entities of open cases only, with each case's last alert time rounded up to the end of its
    // day, kept by triggers. The rounding lets in cases up to a day older; the case's exact last
    // alert time (one primary-key lookup) drops them before correlation loads them.
    candidatesByEntity: db.prepare(
      `SELECT o.case_id AS id FROM open_case_entities o CROSS JOIN cases c ON c.id = o.case_id
       WHERE o.tenant_id = ? AND o.kind = ? AND o.value = ? AND o.last_alert_bound >= ?
         AND c.last_alert_at >= ?`,
    ),
    // The same for a JSON array of [tenant, kind, value]; `i` is the position in that array.
    candidatesByEntities: db.prepare(
      `SELECT j.key AS i, o.case_id AS id
       FROM json_each(?) j CROSS JOIN open_case_entities o CROSS JOIN cases c ON c.id = o.case_id
       WHERE o.tenant_id = j.value ->> 0 AND o.kind = j.value ->> 1 AND o.value = j.value ->> 2
         AND o.last_alert_bound >= ? AND c.last_alert_at >= ?`,
    ),
    caseById: db.prepare('SELECT * FROM cases WHERE id = ?'),
    caseEntities: db.prepare('SELECT kind, value FROM case_entities WHERE case_id = ?'),
    exists: db.prepare('SELECT 1 FROM alerts WHERE source = ? AND source_ref = ?'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    totalChanges: db.prepare('SELECT total_changes()').pluck(),
  };
  statementCache.set(db, s);
  return s;
}

/** The fields of a case that correlation maintains (COR-6..8). */
function correlatedFields(c: CaseState) {
  return {
    name: c.name,
    score: c.score,
    severity: c.severity,
    severityRank: severityRank(c.severity),
    tlp: c.tlp,
    what: c.what,
    who: c.who,
    alertCount: c.alertCount,
    firstAlertAt: c.firstAlertAt,
    lastAlertAt: c.lastAlertAt,
    tactics: c.tactics,
    leadAlert: c.lead ? (c.lead as unknown as Record<string, unknown>) : null,
  };
}

/**
 * Ingests batches of normalized alerts on one connection, keeping what it learnt of the store's
 * cases between batches (see SessionCorrelationIndex). Each batch is one transaction: new alerts,
 * new and updated cases, their entities, links, queue membership, activity and outbox; a failure
 * leaves the store as it was before that batch.
 */
export class IngestSession {
  private readonly s: IngestStatements;
  private readonly index: SessionCorrelationIndex;
  /** The tenants of the session's alerts, by tenantNameKey (names compare case-insensitively). */
  private readonly tenants = new Map<string, TenantRow>();
  private lastDataVersion: number | null = null;
  private lastTotalChanges: number | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: IngestOptions,
  ) {
    this.s = prepare(store.db);
    this.index = new SessionCorrelationIndex(this.s);
  }

  /** `serializedRaw`: alerts whose `raw` arrived serialized (AlertBatch.rawJson). */
  ingest(
    alerts: readonly NormalizedAlert[],
    serializedRaw?: ReadonlyMap<NormalizedAlert, string>,
  ): IngestCounts {
    const { store, options, s, index } = this;
    const counts: IngestCounts = {
      read: alerts.length,
      imported: 0,
      duplicates: 0,
      suppressed: 0,
      casesCreated: 0,
      casesUpdated: 0,
    };
    if (alerts.length === 0) return counts;
    const run = () =>
      writeTransaction(store, options.actor, (w) => {
        // Under the write lock: did anyone else write since our last batch?
        const version = s.dataVersion.get() as number;
        const changes = s.totalChanges.get() as number;
        if (version !== this.lastDataVersion || changes !== this.lastTotalChanges)
          index.reset(-Infinity);
        // Tenants first, in this transaction (a new one is a recorded write of its own and goes
        // if the batch fails); 'admin' holds no alerts (ADM-1).
        for (const a of alerts) {
          const name = a.tenant ?? DEFAULT_TENANT_NAME;
          const key = tenantNameKey(name);
          if (!this.tenants.has(key))
            this.tenants.set(key, resolveTenant(store, name, options.actor));
        }
        const result = this.write(w, alerts, counts, serializedRaw);
        options.onWrite?.(w);
        this.lastDataVersion = version;
        return result;
      });
    let written: CaseState[];
    try {
      written = run();
    } catch (err) {
      index.reset(-Infinity); // the batch rolled back: what it cached is not in the store
      this.tenants.clear();
      this.lastDataVersion = null;
      throw err;
    }
    // Read after the commit: FTS5 writes its pending terms when the transaction commits.
    this.lastTotalChanges = s.totalChanges.get() as number;
    index.remember(written);
    return counts;
  }

  /** Writes one batch; returns the final states of the cases it created or changed. */
  private write(
    w: MutationWriter,
    alerts: readonly NormalizedAlert[],
    counts: IngestCounts,
    serializedRaw: ReadonlyMap<NormalizedAlert, string> | undefined,
  ): CaseState[] {
    const { s, index, options } = this;
    const seen = new Set<string>();
    const fresh: (CorrelatableAlert & { input: NormalizedAlert; tenantName: string })[] = [];
    for (const a of alerts) {
      const key = `${a.source}\u0000${a.sourceRef}`;
      if (seen.has(key) || s.exists.get(a.source, a.sourceRef)) {
        counts.duplicates++;
        continue;
      }
      seen.add(key);
      const tenant = this.tenants.get(tenantNameKey(a.tenant ?? DEFAULT_TENANT_NAME))!;
      fresh.push({
        ...a,
        id: newId(),
        tenant: tenant.id,
        input: a,
        tenantName: tenant.name,
      });
    }
    if (fresh.length === 0) return [];
    const timeoutMs = options.settings.timeoutMinutes * 60_000;
    let minTs = Infinity;
    for (const a of fresh) if (a.timestamp < minTs) minTs = a.timestamp;
    index.beginBatch(minTs - timeoutMs);
    index.prefetch(fresh);
    const result = correlateAlerts(fresh, {
      index,
      settings: options.settings,
      allocateCase: () => ({ id: newId(), number: allocateCaseNumber(w).number }),
      isSuppressed: options.isSuppressed
        ? (alert) => options.isSuppressed!(alert.input, alert.tenantName)
        : undefined,
    });
    const byId = new Map(fresh.map((a) => [a.id, a]));
    for (const c of result.createdCases) writeNewCase(w, c);
    for (const c of result.updatedCases) writeUpdatedCase(w, c, index.stateOf(c.id));
    const linked = new Map<string, string[]>();
    for (const r of result.alerts) {
      const a = byId.get(r.alertId)!;
      const suppressed = r.outcome === 'suppressed';
      const raw = serializedRaw?.get(a.input);
      w.insert('alert', {
        id: a.id,
        tenantId: a.tenant,
        source: a.source,
        sourceRef: a.sourceRef,
        type: a.input.type,
        title: a.title,
        description: a.input.description,
        timestamp: a.timestamp,
        score: a.score,
        tactic: a.tactic,
        tacticName: a.tacticName,
        technique: a.technique,
        techniqueName: a.techniqueName,
        tags: a.input.tags,
        tlp: a.tlp,
        raw: raw === undefined ? (a.input.raw ?? null) : (new SerializedJson(raw) as unknown),
        entities: a.entities as EntityRef[],
        status: r.caseId ? 'Imported' : 'New',
        caseId: r.caseId,
        suppressed,
        createdAt: w.now,
        updatedAt: w.now,
      });
      if (r.caseId) {
        const ids = linked.get(r.caseId);
        if (ids) ids.push(a.id);
        else linked.set(r.caseId, [a.id]);
      }
      counts.imported++;
      if (suppressed) counts.suppressed++;
    }
    for (const [caseId, alertIds] of linked) {
      w.link('case', caseId, 'alerts', alertIds, { action: 'correlate' });
    }
    counts.casesCreated = result.createdCases.length;
    counts.casesUpdated = result.updatedCases.length;
    const changed = [...result.createdCases, ...result.updatedCases];
    // QUE-5: a new alert re-evaluates its case's queue membership in the same transaction.
    refreshQueueMembership(
      w,
      changed.map((c) => c.id),
    );
    return changed;
  }
}

/**
 * Imports one batch of normalized alerts (a single arriving alert, a triage action, a test). The
 * whole batch is one transaction: a failure leaves the store as it was.
 */
export function ingestAlerts(
  store: Store,
  alerts: readonly NormalizedAlert[],
  options: IngestOptions,
): IngestCounts {
  return new IngestSession(store, options).ingest(alerts);
}

function writeNewCase(w: MutationWriter, c: CaseState): void {
  w.insert(
    'case',
    {
      id: c.id,
      tenantId: c.tenant,
      number: c.number,
      numberIsProvisional: false,
      creator: SYSTEM_CREATOR,
      status: 'New',
      createdAt: w.now,
      updatedAt: w.now,
      ...correlatedFields(c),
    },
    { action: 'correlate' },
  );
  addCaseEntities(w.derivedDb, c.tenant, c.id, c.entities);
}

function writeUpdatedCase(w: MutationWriter, c: CaseState, before: CaseState | undefined): void {
  w.patch('case', c.id, correlatedFields(c), { action: 'correlate' });
  const known = new Set((before?.entities ?? []).map(entityKey));
  addCaseEntities(
    w.derivedDb,
    c.tenant,
    c.id,
    c.entities.filter((e) => !known.has(entityKey(e))),
  );
}
