import { z } from 'zod';
import { mostRestrictiveTlp } from './alert-format';
import { compareEntities, entityKey, isCorrelatingEntity, normalizeEntity } from './entities';
import {
  caseName,
  caseScore,
  caseWhat,
  caseWho,
  compareLeadAlerts,
  type LeadAlertFacts,
} from './scoring';
import { severityForScore } from './severity';
import {
  OPEN_CASE_STATUSES,
  SYSTEM_CREATOR,
  type CaseSeverity,
  type CaseStatus,
  type EntityRef,
  type Tlp,
} from './types';

/**
 * Correlation engine (COR-1..9). Pure: it reads existing cases through a CorrelationIndex and
 * returns what to write (new cases, updated cases, alert links), which the caller stores in one
 * transaction. The desktop backs the index with SQLite, the server with Postgres, bulk import
 * and tests with InMemoryCorrelationIndex; all give the same cases for the same alerts (COR-9)
 * because every rule is decided here, not in the index.
 */

// ---------------------------------------------------------------------------------------------
// Settings (COR-2, COR-3)

export const CORRELATION_TIMEOUT_MINUTES = { default: 180, min: 1, max: 1440 } as const;
export const ALERTS_PER_CASE = { default: 5000, min: 1, max: 5000 } as const;

export const correlationTimeoutMinutesSchema = z
  .number()
  .int()
  .min(CORRELATION_TIMEOUT_MINUTES.min)
  .max(CORRELATION_TIMEOUT_MINUTES.max);
export const alertsPerCaseSchema = z
  .number()
  .int()
  .min(ALERTS_PER_CASE.min)
  .max(ALERTS_PER_CASE.max);

export const correlationSettingsSchema = z.object({
  /** COR-2: default 3 hours, at most 24 hours. */
  timeoutMinutes: correlationTimeoutMinutesSchema.default(CORRELATION_TIMEOUT_MINUTES.default),
  /** COR-3: default 5,000, range 1-5,000. */
  alertsPerCase: alertsPerCaseSchema.default(ALERTS_PER_CASE.default),
  /** Off: alerts that join no case stay unlinked for manual triage. */
  autoCreateCases: z.boolean().default(true),
});
export type CorrelationSettings = z.output<typeof correlationSettingsSchema>;
export const DEFAULT_CORRELATION_SETTINGS: CorrelationSettings = correlationSettingsSchema.parse(
  {},
);

// ---------------------------------------------------------------------------------------------
// Data the engine works on

/** An alert to correlate: a NormalizedAlert with its stored id and resolved tenant. */
export interface CorrelatableAlert extends LeadAlertFacts {
  id: string;
  /** Tenant id (or name; the engine only compares it). */
  tenant: string;
  entities: readonly EntityRef[];
  tlp: Tlp;
}

/** What correlation knows and maintains about a case. */
export interface CaseState {
  id: string;
  number: number;
  tenant: string;
  status: CaseStatus;
  creator: string;
  alertCount: number;
  /** Time of the earliest and latest alert (epoch ms); null while the case has no alerts. */
  firstAlertAt: number | null;
  lastAlertAt: number | null;
  /** Distinct entities of its alerts, normalized, sorted by kind then value. */
  entities: EntityRef[];
  /** Distinct ATT&CK tactic ids of its alerts, sorted. */
  tactics: string[];
  /** The alert that names the case (COR-6). */
  lead: LeadAlertFacts | null;
  name: string;
  nameIsManual: boolean;
  score: number;
  severity: CaseSeverity;
  severityIsManual: boolean;
  what: string | null;
  who: string | null;
  /** Most restrictive TLP of its alerts (or as set by a user); only ever raised here. */
  tlp: Tlp;
}

/** A question to the index: cases that may take an alert. */
export interface CandidateQuery {
  tenant: string;
  /** The alert's entity keys (`ip:10.0.0.1`). */
  entityKeys: readonly string[];
  timestamp: number;
  timeoutMs: number;
}

/**
 * Finds existing cases that may take an alert. It may return more than the rules allow (the
 * engine checks every rule again) but must not miss a case of the tenant that shares an entity
 * key and whose window `[firstAlertAt - timeoutMs, lastAlertAt + timeoutMs]` holds the timestamp.
 */
export interface CorrelationIndex {
  findCandidates(query: CandidateQuery): readonly CaseState[];
}

/** Gives a new case its id and number (SYN-6); the caller owns UUIDs and numbering. */
export type CaseAllocator = (tenant: string) => { id: string; number: number };

export type CorrelationOutcome =
  /** Joined an existing case. */
  | 'joined'
  /** Started a new case. */
  | 'created'
  /** Matched no case and a case filter (COR-5): kept unlinked, marked suppressed. */
  | 'suppressed'
  /** Matched no case while automatic case creation is off: kept unlinked for triage. */
  | 'unlinked';

export interface AlertCorrelation {
  alertId: string;
  caseId: string | null;
  outcome: CorrelationOutcome;
}

export interface CorrelationResult {
  /** One entry per correlated alert, in processing order. */
  alerts: AlertCorrelation[];
  /** Cases created by this batch, in their final state, in creation order. */
  createdCases: CaseState[];
  /** Existing cases that received alerts, in their final state, in order of first change. */
  updatedCases: CaseState[];
  /** Alerts not processed because an earlier alert of the batch has the same source and sourceRef. */
  duplicateAlertIds: string[];
}

export interface CorrelationOptions<Alert extends CorrelatableAlert> {
  index: CorrelationIndex;
  allocateCase: CaseAllocator;
  settings?: Partial<CorrelationSettings>;
  /** COR-5 case filters, decoupled from the condition module: true suppresses case creation. */
  isSuppressed?: (alert: Alert) => boolean;
}

// ---------------------------------------------------------------------------------------------
// Rules

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Processing order of a batch (COR-9): timestamp, then source, then sourceRef, then id. */
export function compareAlertsForCorrelation(a: CorrelatableAlert, b: CorrelatableAlert): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  return (
    compareText(a.source, b.source) ||
    compareText(a.sourceRef, b.sourceRef) ||
    compareText(a.id, b.id)
  );
}

/** Normalized, deduplicated entities of an alert by key (entities compare as in entities.ts). */
export function alertEntitiesByKey(
  alert: Pick<CorrelatableAlert, 'entities'>,
): Map<string, EntityRef> {
  const byKey = new Map<string, EntityRef>();
  for (const entity of alert.entities) {
    const normalized = normalizeEntity(entity);
    if (normalized) byKey.set(entityKey(normalized), normalized);
  }
  return byKey;
}

/**
 * The keys an alert correlates on (COR-1): its entities but those that name nothing in
 * particular (loopback, broadcast and multicast addresses, the empty file's hashes; see
 * isCorrelatingEntity). Those stay on the alert and its case, but no case is found through them.
 */
export function correlationKeys(entities: ReadonlyMap<string, EntityRef>): string[] {
  const keys: string[] = [];
  for (const [key, entity] of entities) if (isCorrelatingEntity(entity)) keys.push(key);
  return keys;
}

/** The facts about a case that decide whether it may take an alert. */
interface CandidateView {
  id: string;
  number: number;
  tenant: string;
  status: CaseStatus;
  alertCount: number;
  firstAlertAt: number | null;
  lastAlertAt: number | null;
  hasEntityKey(key: string): boolean;
}

/**
 * COR-1, COR-3, COR-4: an open case of the same tenant, sharing an entity, whose window widened
 * by the timeout holds the alert's time (both edges inclusive), and that is not full.
 */
function mayTakeAlert(
  view: CandidateView,
  alert: CorrelatableAlert,
  keys: readonly string[],
  settings: CorrelationSettings,
): boolean {
  if (view.tenant !== alert.tenant) return false;
  if (!OPEN_CASE_STATUSES.includes(view.status)) return false;
  if (view.alertCount >= settings.alertsPerCase) return false;
  if (view.firstAlertAt === null || view.lastAlertAt === null) return false;
  const timeoutMs = settings.timeoutMinutes * 60_000;
  if (alert.timestamp < view.firstAlertAt - timeoutMs) return false;
  if (alert.timestamp > view.lastAlertAt + timeoutMs) return false;
  return keys.some((key) => view.hasEntityKey(key));
}

/** Candidate preference: latest last alert first, then the lowest case number, then id. */
function compareCandidates(a: CandidateView, b: CandidateView): number {
  const lastA = a.lastAlertAt ?? Number.NEGATIVE_INFINITY;
  const lastB = b.lastAlertAt ?? Number.NEGATIVE_INFINITY;
  if (lastA !== lastB) return lastB - lastA;
  if (a.number !== b.number) return a.number - b.number;
  return compareText(a.id, b.id);
}

// ---------------------------------------------------------------------------------------------
// Working copies of the cases a batch touches

const NO_KEYS: ReadonlySet<string> = new Set<string>();
const stateEntityKeyCache = new WeakMap<CaseState, Set<string>>();

/** Entity keys of a stored case state, computed once per state object. */
function entityKeysOfState(state: CaseState): Set<string> {
  let keys = stateEntityKeyCache.get(state);
  if (!keys) {
    keys = new Set(state.entities.map(entityKey));
    stateEntityKeyCache.set(state, keys);
  }
  return keys;
}

function viewOfState(state: CaseState): CandidateView {
  const keys = entityKeysOfState(state);
  return { ...state, hasEntityKey: (key) => keys.has(key) };
}

/** Merges two entity lists sorted by compareEntities (a case's entities grow a little per batch). */
function mergeSortedEntities(base: readonly EntityRef[], added: readonly EntityRef[]): EntityRef[] {
  if (added.length === 0) return [...base];
  const merged: EntityRef[] = [];
  let left = 0;
  let right = 0;
  while (left < base.length && right < added.length) {
    const fromBase = base[left] as EntityRef;
    const fromAdded = added[right] as EntityRef;
    if (compareEntities(fromBase, fromAdded) <= 0) {
      merged.push(fromBase);
      left += 1;
    } else {
      merged.push(fromAdded);
      right += 1;
    }
  }
  for (; left < base.length; left += 1) merged.push(base[left] as EntityRef);
  for (; right < added.length; right += 1) merged.push(added[right] as EntityRef);
  return merged;
}

class WorkingCase implements CandidateView {
  readonly id: string;
  readonly number: number;
  readonly tenant: string;
  readonly status: CaseStatus;
  readonly creator: string;
  alertCount: number;
  firstAlertAt: number | null;
  lastAlertAt: number | null;
  /** Entities the case had before the batch (sorted) and their keys, shared with the stored state. */
  private readonly baseEntities: readonly EntityRef[];
  readonly baseEntityKeys: ReadonlySet<string>;
  /** Entities added in this batch, by key. */
  private readonly addedEntities = new Map<string, EntityRef>();
  readonly tactics: Set<string>;
  lead: LeadAlertFacts | null;
  readonly nameIsManual: boolean;
  readonly manualName: string;
  readonly severityIsManual: boolean;
  readonly manualSeverity: CaseSeverity;
  tlp: Tlp;

  constructor(state: CaseState) {
    this.id = state.id;
    this.number = state.number;
    this.tenant = state.tenant;
    this.status = state.status;
    this.creator = state.creator;
    this.alertCount = state.alertCount;
    this.firstAlertAt = state.firstAlertAt;
    this.lastAlertAt = state.lastAlertAt;
    this.baseEntities = state.entities;
    this.baseEntityKeys = state.entities.length === 0 ? NO_KEYS : entityKeysOfState(state);
    this.tactics = new Set(state.tactics);
    this.lead = state.lead;
    this.nameIsManual = state.nameIsManual;
    this.manualName = state.name;
    this.severityIsManual = state.severityIsManual;
    this.manualSeverity = state.severity;
    this.tlp = state.tlp;
  }

  hasEntityKey(key: string): boolean {
    return this.baseEntityKeys.has(key) || this.addedEntities.has(key);
  }

  /** Adds an alert with its normalized entities; returns the entity keys that are new to the case. */
  addAlert(alert: CorrelatableAlert, entities: ReadonlyMap<string, EntityRef>): string[] {
    this.alertCount += 1;
    this.firstAlertAt =
      this.firstAlertAt === null ? alert.timestamp : Math.min(this.firstAlertAt, alert.timestamp);
    this.lastAlertAt =
      this.lastAlertAt === null ? alert.timestamp : Math.max(this.lastAlertAt, alert.timestamp);
    const added: string[] = [];
    for (const [key, entity] of entities) {
      if (!this.hasEntityKey(key)) {
        this.addedEntities.set(key, entity);
        added.push(key);
      }
    }
    if (alert.tactic) this.tactics.add(alert.tactic);
    if (this.lead === null || compareLeadAlerts(alert, this.lead) < 0) {
      this.lead = {
        title: alert.title,
        score: alert.score,
        timestamp: alert.timestamp,
        source: alert.source,
        sourceRef: alert.sourceRef,
        tactic: alert.tactic,
        technique: alert.technique,
        tacticName: alert.tacticName,
        techniqueName: alert.techniqueName,
      };
    }
    this.tlp = mostRestrictiveTlp(this.tlp, alert.tlp);
    return added;
  }

  /** The case state with its derived fields (COR-6, COR-7, COR-8, What, Who) recomputed. */
  toState(): CaseState {
    const entities = mergeSortedEntities(
      this.baseEntities,
      [...this.addedEntities.values()].sort(compareEntities),
    );
    const score = caseScore({
      maxAlertScore: this.lead?.score ?? 0,
      alertCount: this.alertCount,
      distinctTactics: this.tactics.size,
      distinctEntities: entities.length,
    });
    return {
      id: this.id,
      number: this.number,
      tenant: this.tenant,
      status: this.status,
      creator: this.creator,
      alertCount: this.alertCount,
      firstAlertAt: this.firstAlertAt,
      lastAlertAt: this.lastAlertAt,
      entities,
      tactics: [...this.tactics].sort(),
      lead: this.lead,
      name:
        this.nameIsManual || this.lead === null
          ? this.manualName
          : caseName(this.lead.title, this.alertCount),
      nameIsManual: this.nameIsManual,
      score,
      severity: this.severityIsManual ? this.manualSeverity : severityForScore(score),
      severityIsManual: this.severityIsManual,
      what: caseWhat(this.lead),
      who: caseWho(entities),
      tlp: this.tlp,
    };
  }
}

function emptyCaseState(id: string, number: number, tenant: string, tlp: Tlp): CaseState {
  return {
    id,
    number,
    tenant,
    status: 'New',
    creator: SYSTEM_CREATOR, // COR-1
    alertCount: 0,
    firstAlertAt: null,
    lastAlertAt: null,
    entities: [],
    tactics: [],
    lead: null,
    name: '',
    nameIsManual: false,
    score: 0,
    severity: 'Low',
    severityIsManual: false,
    what: null,
    who: null,
    tlp,
  };
}

// ---------------------------------------------------------------------------------------------
// The engine

/**
 * Correlates a batch of alerts (COR-1..9). The batch is processed in ascending timestamp (ties:
 * source, then sourceRef), so the input order does not matter. Each alert joins the best
 * candidate case (latest last alert, then lowest number), or starts a new case created by
 * `System`, or — with no candidate — is suppressed by a case filter (COR-5) or left unlinked
 * when automatic case creation is off. Cases created or changed earlier in the batch are
 * candidates for later alerts of the same batch.
 */
export function correlateAlerts<Alert extends CorrelatableAlert>(
  alerts: readonly Alert[],
  options: CorrelationOptions<Alert>,
): CorrelationResult {
  const settings = correlationSettingsSchema.parse(options.settings ?? {});
  const timeoutMs = settings.timeoutMinutes * 60_000;
  const ordered = [...alerts].sort(compareAlertsForCorrelation);

  const working = new Map<string, WorkingCase>();
  const createdOrder: string[] = [];
  const updatedOrder: string[] = [];
  /** Entity keys of every case this batch touched, since the index only knows stored states. */
  const touchedByKey = new Map<string, string[]>();
  const registerKeys = (tenant: string, caseId: string, keys: Iterable<string>): void => {
    for (const key of keys) {
      const slot = `${tenant}\u0000${key}`;
      // A case registers its stored keys once when first touched and later only new keys,
      // so a list needs no de-duplication.
      const ids = touchedByKey.get(slot);
      if (ids) ids.push(caseId);
      else touchedByKey.set(slot, [caseId]);
    }
  };

  const result: CorrelationResult = {
    alerts: [],
    createdCases: [],
    updatedCases: [],
    duplicateAlertIds: [],
  };
  const seenIdentities = new Set<string>();

  for (const alert of ordered) {
    const identity = `${alert.source}\u0000${alert.sourceRef}`;
    if (seenIdentities.has(identity)) {
      result.duplicateAlertIds.push(alert.id); // ALR-6: idempotent on (source, sourceRef)
      continue;
    }
    seenIdentities.add(identity);

    const alertEntities = alertEntitiesByKey(alert);
    const keys = correlationKeys(alertEntities);
    let best: { view: CandidateView; stored: CaseState | null } | null = null;
    if (keys.length > 0) {
      const candidates: { view: CandidateView; stored: CaseState | null }[] = [];
      const considered = new Set<string>();
      for (const state of options.index.findCandidates({
        tenant: alert.tenant,
        entityKeys: keys,
        timestamp: alert.timestamp,
        timeoutMs,
      })) {
        if (considered.has(state.id)) continue;
        considered.add(state.id);
        const touched = working.get(state.id);
        candidates.push(
          touched ? { view: touched, stored: null } : { view: viewOfState(state), stored: state },
        );
      }
      for (const key of keys) {
        for (const caseId of touchedByKey.get(`${alert.tenant}\u0000${key}`) ?? []) {
          const touched = working.get(caseId);
          if (considered.has(caseId) || !touched) continue;
          considered.add(caseId);
          candidates.push({ view: touched, stored: null });
        }
      }
      for (const candidate of candidates) {
        if (!mayTakeAlert(candidate.view, alert, keys, settings)) continue;
        if (best === null || compareCandidates(candidate.view, best.view) < 0) best = candidate;
      }
    }

    if (best !== null) {
      let target = working.get(best.view.id);
      if (!target && best.stored) {
        target = new WorkingCase(best.stored);
        working.set(target.id, target);
        updatedOrder.push(target.id);
        registerKeys(target.tenant, target.id, target.baseEntityKeys);
      }
      if (target) {
        registerKeys(target.tenant, target.id, target.addAlert(alert, alertEntities));
        result.alerts.push({ alertId: alert.id, caseId: target.id, outcome: 'joined' });
        continue;
      }
    }

    if (!settings.autoCreateCases) {
      // No case would be created anyway, so nothing is suppressed: the alert waits for triage.
      result.alerts.push({ alertId: alert.id, caseId: null, outcome: 'unlinked' });
      continue;
    }
    if (options.isSuppressed?.(alert)) {
      result.alerts.push({ alertId: alert.id, caseId: null, outcome: 'suppressed' }); // COR-5
      continue;
    }
    const allocated = options.allocateCase(alert.tenant);
    const created = new WorkingCase(
      emptyCaseState(allocated.id, allocated.number, alert.tenant, alert.tlp),
    );
    working.set(created.id, created);
    createdOrder.push(created.id);
    registerKeys(created.tenant, created.id, created.addAlert(alert, alertEntities));
    result.alerts.push({ alertId: alert.id, caseId: created.id, outcome: 'created' });
  }

  for (const id of createdOrder) {
    const state = working.get(id);
    if (state) result.createdCases.push(state.toState());
  }
  for (const id of updatedOrder) {
    const state = working.get(id);
    if (state) result.updatedCases.push(state.toState());
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// In-memory index

/** Case ids sharing one (tenant, entity key), sorted by last alert time for range queries. */
interface PostingList {
  lastAlertAt: number[];
  caseIds: string[];
}

/** First position whose value is >= `value` (or > when `strict`). */
function searchSorted(values: readonly number[], value: number, strict: boolean): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const current = values[middle] ?? 0;
    if (current < value || (strict && current === value)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A CorrelationIndex over Maps, for tests and bulk import. Each (tenant, entity key) keeps its
 * cases sorted by last alert time, so a query reads only cases whose last alert is within the
 * timeout before the alert, never all cases: with alerts arriving roughly in time order that is
 * a handful per entity, which keeps 1,000,000 alerts fast.
 */
export class InMemoryCorrelationIndex implements CorrelationIndex {
  private readonly cases = new Map<string, CaseState>();
  private readonly postings = new Map<string, PostingList>();

  get size(): number {
    return this.cases.size;
  }

  getCase(id: string): CaseState | undefined {
    return this.cases.get(id);
  }

  /** All cases, by number. */
  listCases(): CaseState[] {
    return [...this.cases.values()].sort((a, b) => a.number - b.number);
  }

  /** Stores the results of a batch. */
  apply(result: Pick<CorrelationResult, 'createdCases' | 'updatedCases'>): void {
    for (const state of result.createdCases) this.upsertCase(state);
    for (const state of result.updatedCases) this.upsertCase(state);
  }

  /** Adds or replaces a case (also after a user changes its status, name or severity). */
  upsertCase(state: CaseState): void {
    const previous = this.cases.get(state.id);
    this.cases.set(state.id, state);
    if (!previous || previous.tenant !== state.tenant || previous.lastAlertAt === null) {
      if (previous) this.unindex(previous);
      this.index(state);
      return;
    }
    const before = entityKeysOfState(previous);
    const after = entityKeysOfState(state);
    for (const key of before) {
      if (!after.has(key)) this.removePosting(previous, key);
      else if (previous.lastAlertAt !== state.lastAlertAt) this.movePosting(previous, state, key);
    }
    for (const key of after) if (!before.has(key)) this.addPosting(state, key);
  }

  removeCase(id: string): void {
    const previous = this.cases.get(id);
    if (!previous) return;
    this.unindex(previous);
    this.cases.delete(id);
  }

  findCandidates(query: CandidateQuery): CaseState[] {
    const found = new Map<string, CaseState>();
    for (const key of query.entityKeys) {
      const list = this.postings.get(`${query.tenant}\u0000${key}`);
      if (!list) continue;
      const from = searchSorted(list.lastAlertAt, query.timestamp - query.timeoutMs, false);
      for (let position = from; position < list.caseIds.length; position += 1) {
        const id = list.caseIds[position] ?? '';
        if (found.has(id)) continue;
        const state = this.cases.get(id);
        if (!state || state.firstAlertAt === null) continue;
        if (state.firstAlertAt - query.timeoutMs > query.timestamp) continue;
        if (!OPEN_CASE_STATUSES.includes(state.status)) continue;
        found.set(id, state);
      }
    }
    return [...found.values()];
  }

  private index(state: CaseState): void {
    for (const entity of state.entities) this.addPosting(state, entityKey(entity));
  }

  private unindex(state: CaseState): void {
    for (const entity of state.entities) this.removePosting(state, entityKey(entity));
  }

  /**
   * Moves a case to its new last-alert time in one posting list. The case that is receiving
   * alerts is usually already last, so the value is updated in place without shifting.
   */
  private movePosting(previous: CaseState, state: CaseState, key: string): void {
    const list = this.postings.get(`${state.tenant}\u0000${key}`);
    const last = state.lastAlertAt;
    if (!list || previous.lastAlertAt === null || last === null) {
      this.removePosting(previous, key);
      this.addPosting(state, key);
      return;
    }
    let at = searchSorted(list.lastAlertAt, previous.lastAlertAt, false);
    while (at < list.caseIds.length && list.caseIds[at] !== state.id) at += 1;
    const before = list.lastAlertAt[at - 1];
    const after = list.lastAlertAt[at + 1];
    const staysInOrder =
      at < list.caseIds.length &&
      (before === undefined || before <= last) &&
      (after === undefined || after > last);
    if (staysInOrder) {
      list.lastAlertAt[at] = last;
      return;
    }
    this.removePosting(previous, key);
    this.addPosting(state, key);
  }

  private addPosting(state: CaseState, key: string): void {
    if (state.lastAlertAt === null) return;
    const slot = `${state.tenant}\u0000${key}`;
    let list = this.postings.get(slot);
    if (!list) {
      list = { lastAlertAt: [], caseIds: [] };
      this.postings.set(slot, list);
    }
    const at = searchSorted(list.lastAlertAt, state.lastAlertAt, true);
    list.lastAlertAt.splice(at, 0, state.lastAlertAt);
    list.caseIds.splice(at, 0, state.id);
  }

  private removePosting(state: CaseState, key: string): void {
    if (state.lastAlertAt === null) return;
    const slot = `${state.tenant}\u0000${key}`;
    const list = this.postings.get(slot);
    if (!list) return;
    let at = searchSorted(list.lastAlertAt, state.lastAlertAt, false);
    while (at < list.caseIds.length && list.caseIds[at] !== state.id) at += 1;
    if (at >= list.caseIds.length) return;
    list.lastAlertAt.splice(at, 1);
    list.caseIds.splice(at, 1);
    if (list.caseIds.length === 0) this.postings.delete(slot);
  }
}
