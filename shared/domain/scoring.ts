import { compareEntities, entityKey } from './entities';
import { severityForScore } from './severity';
import type { CaseSeverity, EntityRef } from './types';

export interface CaseScoreInput {
  /** Highest score (1-100) among the case's alerts; 0 when it has none. */
  maxAlertScore: number;
  /** Number of distinct alerts in the case. */
  alertCount: number;
  /** Number of distinct ATT&CK tactics among its alerts. */
  distinctTactics: number;
  /** Number of distinct entities (kind + normalized value) among its alerts. */
  distinctEntities: number;
}

/** Largest raise each signal can add to the highest alert score. */
export const CASE_SCORE_RAISE_LIMITS = { alerts: 10, tactics: 15, entities: 10 } as const;

/**
 * Case score (COR-7), an integer 0-100:
 *
 *   score = min(100, maxAlertScore + alertRaise + tacticRaise + entityRaise)
 *   alertRaise  = min(10, alertCount - 1)                  +1 per alert beyond the first
 *   tacticRaise = min(15, 5 × (distinctTactics - 1))       +5 per tactic beyond the first
 *   entityRaise = min(10, floor((distinctEntities - 1) / 2)) +1 per 2 entities beyond the first
 *
 * (each raise is 0 when its count is 0 or 1). The highest alert sets the floor; repetition,
 * progression through the kill chain (several tactics, weighted most) and breadth (many hosts,
 * users, IPs) raise it. Integer arithmetic only, so every machine computes the same score (COR-9).
 */
export function caseScore(input: CaseScoreInput): number {
  const base = Math.min(100, Math.max(0, Math.round(input.maxAlertScore)));
  if (input.alertCount <= 0) return base;
  const beyondFirst = (count: number): number => Math.max(0, Math.floor(count) - 1);
  const alertRaise = Math.min(CASE_SCORE_RAISE_LIMITS.alerts, beyondFirst(input.alertCount));
  const tacticRaise = Math.min(
    CASE_SCORE_RAISE_LIMITS.tactics,
    5 * beyondFirst(input.distinctTactics),
  );
  const entityRaise = Math.min(
    CASE_SCORE_RAISE_LIMITS.entities,
    Math.floor(beyondFirst(input.distinctEntities) / 2),
  );
  return Math.min(100, base + alertRaise + tacticRaise + entityRaise);
}

/** The alert fields that decide which alert leads a case (names it, gives its What). */
export interface LeadAlertFacts {
  title: string;
  score: number;
  timestamp: number;
  source: string;
  sourceRef: string;
  tactic: string | null;
  technique: string | null;
  tacticName: string | null;
  techniqueName: string | null;
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/**
 * Order of alerts for leading a case (COR-6): highest score first ("highest severity", with the
 * score as the finer measure), then earliest timestamp, then source, then sourceRef (code-unit
 * order, not locale order, COR-9). Negative when `a` leads.
 */
export function compareLeadAlerts(a: LeadAlertFacts, b: LeadAlertFacts): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  return compareText(a.source, b.source) || compareText(a.sourceRef, b.sourceRef);
}

/** The alert that leads a case, or null for none. */
export function pickLeadAlert<Alert extends LeadAlertFacts>(
  alerts: readonly Alert[],
): Alert | null {
  let lead: Alert | null = null;
  for (const alert of alerts) {
    if (lead === null || compareLeadAlerts(alert, lead) < 0) lead = alert;
  }
  return lead;
}

/** Automatic case name (COR-6): `Title`, `Title and 1 other`, `Title and N others`. */
export function caseName(leadTitle: string, alertCount: number): string {
  const others = Math.max(0, alertCount - 1);
  if (others === 0) return leadTitle;
  return `${leadTitle} and ${others} ${others === 1 ? 'other' : 'others'}`;
}

/**
 * What (§1): the technique of the leading alert, else its tactic, as `id name`
 * (`T1059.001 PowerShell`) or the id alone when no name is known; null when it has neither.
 */
export function caseWhat(lead: LeadAlertFacts | null): string | null {
  if (!lead) return null;
  const label = (id: string, name: string | null): string => (name ? `${id} ${name}` : id);
  if (lead.technique) return label(lead.technique, lead.techniqueName);
  if (lead.tactic) return label(lead.tactic, lead.tacticName);
  return null;
}

/** How many names Who lists before `+N`. */
export const WHO_LIMIT = 5;

/**
 * Who (§1): the users, then the hosts, of a case, each sorted, comma-joined; at most `limit`
 * names, then `+N` for the rest (`alice, bob, ws-01 +3`). Null when there are none.
 */
export function caseWho(entities: readonly EntityRef[], limit: number = WHO_LIMIT): string | null {
  const users = entities.filter((entity) => entity.kind === 'user').sort(compareEntities);
  const hosts = entities.filter((entity) => entity.kind === 'host').sort(compareEntities);
  const names = [...users, ...hosts].map((entity) => entity.value);
  if (names.length === 0) return null;
  const shown = names.slice(0, limit).join(', ');
  return names.length > limit ? `${shown} +${names.length - limit}` : shown;
}

/** An alert as the case summary needs it. */
export interface CaseAlertFacts extends LeadAlertFacts {
  entities: readonly EntityRef[];
}

export interface CaseSummary {
  score: number;
  /** Severity that follows the score (COR-8); the caller keeps a manual one. */
  severity: CaseSeverity;
  /** Automatic name (COR-6); the caller keeps a manual one. Empty when the case has no alerts. */
  name: string;
  what: string | null;
  who: string | null;
  lead: LeadAlertFacts | null;
}

/**
 * Recomputes a case's derived fields from all its alerts, for when alerts or entities are removed
 * (COR-7) or a case is rebuilt; the correlation engine updates them incrementally the same way.
 */
export function summarizeCase(alerts: readonly CaseAlertFacts[]): CaseSummary {
  const lead = pickLeadAlert(alerts);
  const tactics = new Set<string>();
  const entityKeys = new Set<string>();
  const entities: EntityRef[] = [];
  for (const alert of alerts) {
    if (alert.tactic) tactics.add(alert.tactic);
    for (const entity of alert.entities) {
      const key = entityKey(entity);
      if (!entityKeys.has(key)) {
        entityKeys.add(key);
        entities.push(entity);
      }
    }
  }
  const score = caseScore({
    maxAlertScore: lead?.score ?? 0,
    alertCount: alerts.length,
    distinctTactics: tactics.size,
    distinctEntities: entityKeys.size,
  });
  return {
    score,
    severity: severityForScore(score),
    name: lead ? caseName(lead.title, alerts.length) : '',
    what: caseWhat(lead),
    who: caseWho(entities),
    lead,
  };
}
