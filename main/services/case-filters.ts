import type { Store } from '../store/open';
import { immediateTransaction } from '../store/lock';
import { writeTransaction } from '../store/write';
import type { NormalizedAlert } from '../../shared/domain/alert-format';
import {
  evaluateCondition,
  formatConditionIssue,
  validateCondition,
  type ConditionNode,
} from '../../shared/domain/conditions';
import { ALERT_FIELD_CATALOGUE, type AlertFieldRow } from '../../shared/domain/fields';
import { newId } from './ids';
import { ServiceError } from '../ipc/errors';

/** Case filters (COR-5): alerts matching one create no case; they are kept and marked suppressed. */
export interface CaseFilter {
  id: string;
  name: string;
  condition: ConditionNode;
  enabled: boolean;
  suppressedCount: number;
  createdAt: number;
}

export function listCaseFilters(store: Store): CaseFilter[] {
  const rows = store.db
    .prepare(
      'SELECT id, name, condition, enabled, suppressed_count AS suppressedCount, created_at AS createdAt FROM case_filters ORDER BY created_at',
    )
    .all() as {
    id: string;
    name: string;
    condition: string;
    enabled: number;
    suppressedCount: number;
    createdAt: number;
  }[];
  return rows.map((r) => ({
    ...r,
    enabled: r.enabled === 1,
    condition: JSON.parse(r.condition) as ConditionNode,
  }));
}

export function addCaseFilter(
  store: Store,
  actor: string,
  tenantId: string,
  name: string,
  condition: unknown,
): CaseFilter {
  if (!name.trim()) throw new ServiceError('BAD_REQUEST', 'a case filter needs a name');
  const checked = validateCondition(condition, ALERT_FIELD_CATALOGUE);
  if (!checked.ok) {
    throw new ServiceError(
      'BAD_REQUEST',
      `invalid condition: ${checked.issues.map(formatConditionIssue).join('; ')}`,
    );
  }
  const filter: CaseFilter = {
    id: newId(),
    name: name.trim(),
    condition: checked.condition,
    enabled: true,
    suppressedCount: 0,
    createdAt: Date.now(),
  };
  writeTransaction(store, actor, (w) => {
    w.db
      .prepare(
        'INSERT INTO case_filters (id, tenant_id, name, condition, enabled, created_at) VALUES (?, NULL, ?, ?, 1, ?)',
      )
      .run(filter.id, filter.name, JSON.stringify(filter.condition), filter.createdAt);
    w.created(tenantId, 'case_filter', filter.id, filter);
  });
  return filter;
}

export function removeCaseFilter(store: Store, actor: string, tenantId: string, id: string): void {
  const existing = listCaseFilters(store).find((f) => f.id === id);
  if (!existing) throw new ServiceError('NOT_FOUND', `no case filter with id ${id}`);
  writeTransaction(store, actor, (w) => {
    w.db.prepare('DELETE FROM case_filters WHERE id = ?').run(id);
    w.deleted(tenantId, 'case_filter', id, existing);
  });
}

/** A predicate over incoming alerts from the enabled filters; it counts which filter matched. */
export function caseFilterPredicate(store: Store): {
  matches: (alert: NormalizedAlert, tenantName: string) => boolean;
  hits: Map<string, number>;
} | null {
  const filters = listCaseFilters(store).filter((f) => f.enabled);
  if (filters.length === 0) return null;
  const hits = new Map<string, number>();
  return {
    hits,
    matches: (alert, tenantName) => {
      const row: AlertFieldRow = {
        tenantName,
        source: alert.source,
        sourceRef: alert.sourceRef,
        type: alert.type,
        title: alert.title,
        description: alert.description,
        timestamp: alert.timestamp,
        score: alert.score,
        tactic: alert.tactic,
        technique: alert.technique,
        tags: alert.tags,
        tlp: alert.tlp,
        status: 'New',
      };
      for (const f of filters) {
        if (evaluateCondition(f.condition, row, ALERT_FIELD_CATALOGUE)) {
          hits.set(f.id, (hits.get(f.id) ?? 0) + 1);
          return true;
        }
      }
      return false;
    },
  };
}

/** Adds the batch's suppression counts to the filters (COR-5: suppressed alerts are counted). */
export function recordCaseFilterHits(store: Store, hits: Map<string, number>): void {
  if (hits.size === 0) return;
  const stmt = store.db.prepare(
    'UPDATE case_filters SET suppressed_count = suppressed_count + ? WHERE id = ?',
  );
  immediateTransaction(store.db, () => {
    for (const [id, n] of hits) stmt.run(n, id);
  });
}
