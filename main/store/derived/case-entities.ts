import type Database from 'better-sqlite3';
import { entityKey, normalizeEntity } from '../../../shared/domain/entities';
import type { EntityRef } from '../../../shared/domain/types';

/**
 * case_entities (derived): the distinct normalized entities of a case's alerts, the correlation
 * lookup (COR-1). Correlation and triage add rows as alerts join; this rebuilds a case's rows from
 * its alerts (outbox apply, sync, the derived-tables check). open_case_entities follows by
 * triggers (migrations 0012, 0017).
 */

interface Statements {
  alertEntities: Database.Statement;
  current: Database.Statement;
  insert: Database.Statement;
  remove: Database.Statement;
}

const cache = new WeakMap<Database.Database, Statements>();

function statementsFor(db: Database.Database): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      alertEntities: db.prepare(
        `SELECT c.tenant_id AS tenantId, a.entities AS entities
         FROM cases c JOIN case_alerts ca ON ca.case_id = c.id JOIN alerts a ON a.id = ca.alert_id
         WHERE c.id = ?`,
      ),
      current: db.prepare('SELECT kind, value FROM case_entities WHERE case_id = ?'),
      insert: db.prepare(
        'INSERT OR IGNORE INTO case_entities (tenant_id, kind, value, case_id) VALUES (?, ?, ?, ?)',
      ),
      remove: db.prepare('DELETE FROM case_entities WHERE case_id = ? AND kind = ? AND value = ?'),
    };
    cache.set(db, s);
  }
  return s;
}

/** The entities a case should have, from its alerts. */
export function caseEntitiesFromAlerts(
  db: Database.Database,
  caseId: string,
): { tenantId: string | null; entities: Map<string, EntityRef> } {
  const s = statementsFor(db);
  const entities = new Map<string, EntityRef>();
  let tenantId: string | null = null;
  for (const row of s.alertEntities.iterate(caseId) as IterableIterator<{
    tenantId: string;
    entities: string;
  }>) {
    tenantId = row.tenantId;
    for (const ref of JSON.parse(row.entities) as EntityRef[]) {
      const e = normalizeEntity(ref);
      if (e) entities.set(entityKey(e), e);
    }
  }
  return { tenantId, entities };
}

/** Brings one case's rows in line with its alerts, writing only the difference. */
export function rebuildCaseEntitiesOf(db: Database.Database, caseId: string): void {
  const s = statementsFor(db);
  const { tenantId, entities } = caseEntitiesFromAlerts(db, caseId);
  const have = new Set<string>();
  for (const row of s.current.all(caseId) as EntityRef[]) {
    const key = entityKey(row);
    if (entities.has(key)) have.add(key);
    else s.remove.run(caseId, row.kind, row.value);
  }
  if (tenantId === null) return;
  for (const [key, e] of entities)
    if (!have.has(key)) s.insert.run(tenantId, e.kind, e.value, caseId);
}

/** Adds entities to a case (correlation, triage): rows already there are kept. */
export function addCaseEntities(
  db: Database.Database,
  tenantId: string,
  caseId: string,
  entities: Iterable<EntityRef>,
): void {
  const s = statementsFor(db);
  for (const e of entities) s.insert.run(tenantId, e.kind, e.value, caseId);
}
