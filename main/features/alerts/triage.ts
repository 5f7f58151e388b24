import type { Store } from '../../store/open';
import { writeTransaction, type MutationWriter } from '../../store/write';
import { addCaseEntities } from '../../store/derived/case-entities';
import { allocateCaseNumber } from '../../store/case-numbers';
import { summarizeCase, type CaseAlertFacts } from '../../../shared/domain/scoring';
import { severityRank } from '../../../shared/domain/severity';
import { entityKey } from '../../../shared/domain/entities';
import {
  CLOSED_CASE_STATUSES,
  type AlertStatus,
  type CaseStatus,
  type EntityRef,
} from '../../../shared/domain/types';
import { mostRestrictiveTlp } from '../../../shared/domain/alert-format';
import type { Tlp } from '../../../shared/domain/types';
import { ServiceError } from '../../service-error';
import { newId } from '../../store/ids';
import { refreshQueueMembership } from '../../store/derived/queue-membership';
import { parseAlertEntities } from './alerts';

/**
 * Manual alert triage (ALR-3..5): import one alert as a case, one case from a selection, merge a
 * selection into an existing case. Each is one transaction with its activity and outbox
 * entries; the case's score, severity, name, What and Who are recomputed from all its alerts
 * (manual name and severity are kept, COR-6/COR-8).
 */

interface AlertFactsRow {
  id: string;
  tenant_id: string;
  title: string;
  score: number;
  timestamp: number;
  source: string;
  source_ref: string;
  tactic: string | null;
  technique: string | null;
  tactic_name: string | null;
  technique_name: string | null;
  tlp: string;
  status: AlertStatus;
  case_id: string | null;
  entities: string;
}

function loadAlerts(w: MutationWriter, ids: readonly string[]): AlertFactsRow[] {
  const stmt = w.read.prepare('SELECT * FROM alerts WHERE id = ?');
  return ids.map((id) => {
    const row = stmt.get(id) as AlertFactsRow | undefined;
    if (!row) throw new ServiceError('NOT_FOUND', `no alert with id ${id}`);
    return row;
  });
}

/** Recomputes a case's derived fields from all its alerts and adds their entities to it. */
function recomputeCase(w: MutationWriter, caseId: string): void {
  const c = w.read.prepare('SELECT * FROM cases WHERE id = ?').get(caseId) as {
    tenant_id: string;
    name: string;
    name_is_manual: number;
    score: number;
    severity: string;
    severity_is_manual: number;
    what: string | null;
    who: string | null;
    alert_count: number;
    tlp: string;
  };
  const alerts = w.read
    .prepare(
      'SELECT a.* FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id WHERE ca.case_id = ?',
    )
    .all(caseId) as AlertFactsRow[];
  const facts: CaseAlertFacts[] = alerts.map((a) => ({
    title: a.title,
    score: a.score,
    timestamp: a.timestamp,
    source: a.source,
    sourceRef: a.source_ref,
    tactic: a.tactic,
    technique: a.technique,
    tacticName: a.tactic_name,
    techniqueName: a.technique_name,
    entities: parseAlertEntities(a.entities),
  }));
  const summary = summarizeCase(facts);
  const name = c.name_is_manual ? c.name : summary.name;
  const severity = c.severity_is_manual ? c.severity : summary.severity;
  const tlp = alerts.reduce<Tlp>((t, a) => mostRestrictiveTlp(t, a.tlp as Tlp), c.tlp as Tlp);
  const times = alerts.map((a) => a.timestamp);
  const tactics = [...new Set(alerts.map((a) => a.tactic).filter((t): t is string => !!t))].sort();
  w.patch(
    'case',
    caseId,
    {
      name,
      score: summary.score,
      severity,
      severityRank: severityRank(severity as Parameters<typeof severityRank>[0]),
      what: summary.what,
      who: summary.who,
      alertCount: alerts.length,
      tlp,
      firstAlertAt: times.length ? Math.min(...times) : null,
      lastAlertAt: times.length ? Math.max(...times) : null,
      tactics,
      leadAlert: summary.lead ? (summary.lead as unknown as Record<string, unknown>) : null,
    },
    { action: 'recompute' },
  );
  const known = new Set(
    (
      w.read
        .prepare('SELECT kind, value FROM case_entities WHERE case_id = ?')
        .all(caseId) as EntityRef[]
    ).map(entityKey),
  );
  const added: EntityRef[] = [];
  for (const f of facts) {
    for (const e of f.entities) {
      const key = entityKey(e);
      if (!known.has(key)) {
        known.add(key);
        added.push(e);
      }
    }
  }
  addCaseEntities(w.derivedDb, c.tenant_id, caseId, added);
  refreshQueueMembership(w, [caseId]); // QUE-5
}

function linkAlerts(w: MutationWriter, caseId: string, alerts: readonly AlertFactsRow[]): number {
  const linked = w.link(
    'case',
    caseId,
    'alerts',
    alerts.map((a) => a.id),
    { action: 'import' },
  ).length;
  for (const a of alerts) {
    w.patch(
      'alert',
      a.id,
      { status: 'Imported', caseId: a.case_id ?? caseId },
      { action: 'import' },
    );
  }
  return linked;
}

function createEmptyCase(
  w: MutationWriter,
  tenantId: string,
  creator: string,
): { id: string; number: number } {
  const id = newId();
  const { number, numberIsProvisional } = allocateCaseNumber(w);
  w.insert('case', {
    id,
    tenantId,
    number,
    numberIsProvisional,
    name: '',
    score: 0,
    severity: 'Low',
    severityRank: 1,
    status: 'New',
    creator,
    createdAt: w.now,
    updatedAt: w.now,
  });
  return { id, number };
}

export interface CaseRef {
  caseId: string;
  number: number;
}

/** ALR-3: "Import" creates a new case from one alert; an imported alert is refused. */
export function importAlertAsCase(store: Store, actor: string, alertId: string): CaseRef {
  return writeTransaction(store, actor, (w) => {
    const [alert] = loadAlerts(w, [alertId]);
    if (alert!.status === 'Imported' || alert!.case_id) {
      const number = alert!.case_id
        ? (
            w.read.prepare('SELECT number FROM cases WHERE id = ?').get(alert!.case_id) as
              { number: number } | undefined
          )?.number
        : undefined;
      throw new ServiceError(
        'CONFLICT',
        `alert "${alert!.title}" is already imported${number ? ` into case #${number}` : ''}; it cannot be imported again`,
      );
    }
    const c = createEmptyCase(w, alert!.tenant_id, actor);
    linkAlerts(w, c.id, [alert!]);
    recomputeCase(w, c.id);
    return { caseId: c.id, number: c.number };
  });
}

function assertOneTenant(alerts: readonly AlertFactsRow[]): string {
  const tenants = new Set(alerts.map((a) => a.tenant_id));
  if (tenants.size !== 1) {
    throw new ServiceError(
      'BAD_REQUEST',
      'the selected alerts belong to different tenants; a case holds one tenant only',
    );
  }
  return alerts[0]!.tenant_id;
}

/** ALR-5: one new case from all selected alerts. */
export function newCaseFromAlerts(
  store: Store,
  actor: string,
  alertIds: readonly string[],
): CaseRef {
  if (alertIds.length === 0) throw new ServiceError('BAD_REQUEST', 'select at least one alert');
  return writeTransaction(store, actor, (w) => {
    const alerts = loadAlerts(w, [...new Set(alertIds)]);
    const tenantId = assertOneTenant(alerts);
    const c = createEmptyCase(w, tenantId, actor);
    linkAlerts(w, c.id, alerts);
    recomputeCase(w, c.id);
    return { caseId: c.id, number: c.number };
  });
}

/**
 * ALR-4: selected alerts join an existing case given by its number; a closed case needs
 * `confirmClosed` (the UI asks first), and then keeps its status.
 */
export function mergeAlertsIntoCase(
  store: Store,
  actor: string,
  alertIds: readonly string[],
  caseNumber: number,
  confirmClosed: boolean,
): CaseRef & { added: number } {
  if (alertIds.length === 0) throw new ServiceError('BAD_REQUEST', 'select at least one alert');
  return writeTransaction(store, actor, (w) => {
    const c = w.read
      .prepare('SELECT id, tenant_id, status FROM cases WHERE number = ?')
      .get(caseNumber) as { id: string; tenant_id: string; status: CaseStatus } | undefined;
    if (!c) throw new ServiceError('NOT_FOUND', `no case #${caseNumber}`);
    if (CLOSED_CASE_STATUSES.includes(c.status) && !confirmClosed) {
      throw new ServiceError(
        'CONFLICT',
        `case #${caseNumber} is ${c.status}; confirm to merge alerts into a closed case`,
      );
    }
    const alerts = loadAlerts(w, [...new Set(alertIds)]);
    const other = alerts.find((a) => a.tenant_id !== c.tenant_id);
    if (other) {
      throw new ServiceError(
        'BAD_REQUEST',
        `alert "${other.title}" belongs to another tenant than case #${caseNumber}`,
      );
    }
    const added = linkAlerts(w, c.id, alerts);
    recomputeCase(w, c.id);
    return { caseId: c.id, number: caseNumber, added };
  });
}
