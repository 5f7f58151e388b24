import type Database from 'better-sqlite3';
import { resolveFieldChange } from '../../../shared/sync/merge';
import { sameJsonValue } from '../../../shared/sync/mutation';
import type {
  DeleteMutation,
  InsertMutation,
  JsonValue,
  LinkMutation,
  Mutation,
  PatchMutation,
  SetMutation,
} from '../../../shared/sync/mutation';
import { indexQueuedCases } from '../derived/case-search';
import { immediateTransaction } from '../lock';
import { rebuildCaseEntitiesOf } from '../derived/case-entities';
import { markQueuePending, refreshQueueMembershipOf } from '../derived/queue-membership';
import { clientIdOf } from './transaction';
import {
  ENTITIES,
  checkFieldValue,
  decodeValue,
  encodeValue,
  keyValuesOf,
  rowIdOf,
  type EntityDef,
  type FieldDef,
  type RelationDef,
} from './registry';

/**
 * The apply path: mutations made elsewhere (an outbox file today, a sync pull later) applied to
 * this store. Each mutation is checked in full and applied in its own savepoint, so a bad one
 * changes nothing and the rest go on:
 * - applied once: its mutationId is kept in applied_mutations, a second apply is a no-op;
 * - a mutation for a row that does not exist, of an unknown tenant or of another tenant than its
 *   row, with an unknown field or a value of the wrong type is refused with the reason;
 * - a patch whose baseRev no longer matches is resolved field by field (shared/sync/merge.ts) and
 *   every overwritten or rejected field is recorded in activity;
 * - a change to a deleted row is dropped (tombstones win) and recorded.
 * Derived tables follow: the case search index, the entities of the cases touched, and whatever
 * `afterBatch` keeps (queue membership).
 */

export type ApplyOutcome = 'applied' | 'partial' | 'dropped' | 'duplicate';

export interface ApplyReport {
  applied: number;
  duplicates: number;
  conflicts: number;
  dropped: number;
  rejected: { line: number; mutationId: string | null; message: string }[];
}

class Refusal extends Error {}

interface Statements {
  seen: Database.Statement;
  record: Database.Statement;
  tombstone: Database.Statement;
  isTombstoned: Database.Statement;
  tenantExists: Database.Statement;
  activity: Database.Statement;
  byKey: Map<string, Database.Statement>;
}

const cache = new WeakMap<Database.Database, Statements>();

function statementsFor(db: Database.Database): Statements {
  let s = cache.get(db);
  if (!s) {
    s = {
      seen: db.prepare('SELECT 1 FROM applied_mutations WHERE mutation_id = ?'),
      record: db.prepare(
        'INSERT INTO applied_mutations (mutation_id, client_id, seq, applied_at, outcome) VALUES (?, ?, ?, ?, ?)',
      ),
      tombstone: db.prepare(
        'INSERT OR REPLACE INTO tombstones (entity_type, entity_id, tenant_id, deleted_at, actor) VALUES (?, ?, ?, ?, ?)',
      ),
      isTombstoned: db.prepare('SELECT 1 FROM tombstones WHERE entity_type = ? AND entity_id = ?'),
      tenantExists: db.prepare('SELECT 1 FROM tenants WHERE id = ?'),
      activity: db.prepare(
        `INSERT INTO activity (tenant_id, entity_type, entity_id, action, actor, at, before, after, mutation_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byKey: new Map(),
    };
    cache.set(db, s);
  }
  return s;
}

const keyWhere = (def: EntityDef) =>
  def.keyFields.map((k) => `${def.fields.get(k)!.column} = ?`).join(' AND ');

export class MutationApplier {
  private readonly s: Statements;
  private readonly ownClientId: string | null;
  private readonly touchedCases = new Set<string>();
  private readonly touchedQueues = new Set<string>();

  constructor(private readonly db: Database.Database) {
    this.s = statementsFor(db);
    this.ownClientId = clientIdOf(db);
  }

  private statement(key: string, sql: () => string): Database.Statement {
    let stmt = this.s.byKey.get(key);
    if (!stmt) {
      stmt = this.db.prepare(sql());
      this.s.byKey.set(key, stmt);
    }
    return stmt;
  }

  /** Applies a batch in one transaction; each mutation in a savepoint of its own. */
  applyBatch(batch: readonly { line: number; mutation: Mutation }[], report: ApplyReport): void {
    const tx = this.db.transaction(() => {
      for (const { line, mutation } of batch) {
        try {
          const outcome = this.db.transaction(() => this.applyOne(mutation))();
          if (outcome === 'duplicate') report.duplicates++;
          else if (outcome === 'dropped') report.dropped++;
          else {
            report.applied++;
            if (outcome === 'partial') report.conflicts++;
          }
        } catch (err) {
          if (!(err instanceof Refusal) && !(err instanceof Error)) throw err;
          report.rejected.push({
            line,
            mutationId: mutation.mutationId,
            message:
              err instanceof Refusal
                ? err.message
                : `could not be applied: ${(err as Error).message}`,
          });
        }
      }
      this.finishBatch();
    });
    immediateTransaction(this.db, () => tx());
  }

  private finishBatch(): void {
    const cases = [...this.touchedCases];
    this.touchedCases.clear();
    for (const id of cases) rebuildCaseEntitiesOf(this.db, id);
    // a queue added or changed is re-indexed after the apply (indexPendingQueuesNow)
    const queueExists = this.db.prepare('SELECT 1 FROM queues WHERE id = ?');
    for (const id of this.touchedQueues) if (queueExists.get(id)) markQueuePending(this.db, id);
    this.touchedQueues.clear();
    refreshQueueMembershipOf(this.db, Date.now(), cases);
    indexQueuedCases(this.db);
  }

  private applyOne(m: Mutation): ApplyOutcome {
    if (m.clientId === this.ownClientId) return 'duplicate'; // made here: already in this store
    if (this.s.seen.get(m.mutationId)) return 'duplicate';
    const def = ENTITIES[m.entity];
    if (m.entity !== 'tenant' && !this.s.tenantExists.get(m.tenantId)) {
      throw new Refusal(`tenant ${m.tenantId} does not exist in this store`);
    }
    let outcome: ApplyOutcome;
    if (this.s.isTombstoned.get(m.entity, m.id)) {
      this.activity(m, 'dropped', null, { reason: `the ${m.entity} was deleted; ${m.op} dropped` });
      outcome = 'dropped';
    } else {
      switch (m.op) {
        case 'insert':
          outcome = this.insert(def, m);
          break;
        case 'patch':
          outcome = this.patch(def, m);
          break;
        case 'link':
        case 'unlink':
          outcome = this.relation(def, m);
          break;
        case 'addToSet':
        case 'removeFromSet':
          outcome = this.set(def, m);
          break;
        case 'delete':
          outcome = this.remove(def, m);
          break;
      }
    }
    this.s.record.run(m.mutationId, m.clientId, m.seq, Date.now(), outcome);
    if (m.entity === 'queue' && m.op !== 'delete' && outcome !== 'dropped')
      this.touchedQueues.add(m.id);
    return outcome;
  }

  private activity(
    m: Mutation,
    action: string,
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
  ): void {
    this.s.activity.run(
      m.tenantId,
      m.entity,
      m.id,
      action,
      m.actor,
      m.at,
      before ? JSON.stringify(before) : null,
      after ? JSON.stringify(after) : null,
      m.mutationId,
    );
  }

  private field(def: EntityDef, key: string, value: unknown): FieldDef {
    const field = def.fields.get(key);
    if (!field) throw new Refusal(`${def.entity} has no field "${key}"`);
    const problem = checkFieldValue(field, value);
    if (problem) throw new Refusal(`${def.entity}.${problem}`);
    return field;
  }

  /** The tenant a row belongs to, as mutations name it. */
  private tenantOfValues(def: EntityDef, m: Mutation, values: Record<string, unknown>): string {
    if (def.entity === 'tenant') return String(values.id);
    const own = def.tenantField ? values[def.tenantField] : null;
    return typeof own === 'string' ? own : m.tenantId; // rows without a tenant: the writer's
  }

  private readRow(
    def: EntityDef,
    id: string,
    fields: readonly FieldDef[],
  ): { rev: number; values: JsonValue[]; tenant: string | null } | undefined {
    const tenantCol = def.tenantField ? def.fields.get(def.tenantField)!.column : null;
    const cols = [...fields.map((f) => f.column), 'rev', tenantCol ?? 'NULL'];
    const row = this.statement(
      `read:${def.entity}:${cols.join(',')}`,
      () => `SELECT ${cols.join(', ')} FROM ${def.table} WHERE ${keyWhere(def)}`,
    )
      .raw()
      .get(...keyValuesOf(def, id)) as unknown[] | undefined;
    if (!row) return undefined;
    return {
      values: fields.map((f, i) => decodeValue(f, row[i])),
      rev: row[fields.length] as number,
      tenant: (row[fields.length + 1] as string | null) ?? null,
    };
  }

  private assertTenant(def: EntityDef, m: Mutation, rowTenant: string | null): void {
    if (def.entity === 'tenant') {
      if (m.id !== m.tenantId) throw new Refusal(`a tenant's mutation must name itself as tenant`);
      return;
    }
    if (rowTenant !== null && rowTenant !== m.tenantId) {
      throw new Refusal(
        `the ${def.entity} ${m.id} belongs to another tenant than the mutation names`,
      );
    }
  }

  private insert(def: EntityDef, m: InsertMutation): ApplyOutcome {
    const fields: FieldDef[] = [];
    const params: (string | number | null)[] = [];
    for (const [key, value] of Object.entries(m.values)) {
      const field = this.field(def, key, value);
      fields.push(field);
      params.push(encodeValue(field, value));
    }
    for (const f of def.fields.values()) {
      if (f.notNull && !f.hasDefault && !(f.key in m.values))
        throw new Refusal(`${def.entity} insert lacks ${f.key}`);
    }
    if (rowIdOf(def, m.values) !== m.id) {
      throw new Refusal(
        `the mutation names ${def.entity} ${m.id} but its values are of another row`,
      );
    }
    if (this.tenantOfValues(def, m, m.values) !== m.tenantId) {
      throw new Refusal(
        `the ${def.entity} ${m.id} belongs to another tenant than the mutation names`,
      );
    }
    const existing = this.readRow(def, m.id, fields);
    if (existing) {
      // the same row already here (a default queue every store makes): nothing to do
      const same = fields.every((f, i) => sameJsonValue(existing.values[i], m.values[f.key]));
      if (same) return 'duplicate';
      throw new Refusal(`${def.entity} ${m.id} exists already with other values`);
    }
    this.statement(
      `insert:${def.entity}:${fields.map((f) => f.key).join(',')}`,
      () =>
        `INSERT INTO ${def.table} (${fields.map((f) => f.column).join(', ')}, rev) VALUES (${fields.map(() => '?').join(', ')}, 1)`,
    ).run(...params);
    const audit = Object.fromEntries(
      Object.entries(m.values).filter(([k]) => !def.auditOmit.has(k)),
    );
    this.activity(m, m.action, null, audit);
    if (def.entity === 'case') this.touchedCases.add(m.id);
    return 'applied';
  }

  private patch(def: EntityDef, m: PatchMutation): ApplyOutcome {
    const keys = Object.keys(m.changes);
    const fields = keys.map((k) => {
      if (def.immutable.has(k)) throw new Refusal(`${def.entity}.${k} cannot be changed`);
      return this.field(def, k, m.changes[k]!.after);
    });
    const row = this.readRow(def, m.id, fields);
    if (!row) throw new Refusal(`no ${def.entity} ${m.id} in this store`);
    this.assertTenant(def, m, row.tenant);
    const write: FieldDef[] = [];
    const params: (string | number | null)[] = [];
    const before: Record<string, JsonValue> = {};
    const after: Record<string, JsonValue> = {};
    const conflicts: Record<string, unknown> = {};
    let rejected = false;
    fields.forEach((field, i) => {
      const change = m.changes[field.key]!;
      const current = row.values[i]!;
      const decision =
        row.rev === m.baseRev
          ? { kind: 'apply' as const }
          : resolveFieldChange(m.entity, field.key, current, change);
      if (decision.kind === 'unchanged') return;
      if (decision.kind === 'reject') {
        rejected = true;
        conflicts[field.key] = {
          rejected: change.after,
          kept: decision.current,
          reason: decision.reason,
        };
        return;
      }
      if (decision.kind === 'overwrite' && field.key !== 'updatedAt') {
        conflicts[field.key] = { overwritten: decision.overwritten, by: change.after };
      }
      write.push(field);
      params.push(encodeValue(field, change.after));
      if (field.key !== 'updatedAt') {
        before[field.key] = change.before;
        after[field.key] = change.after;
      }
    });
    if (write.length > 0) {
      this.statement(
        `update:${def.entity}:${write.map((f) => f.key).join(',')}`,
        () =>
          `UPDATE ${def.table} SET ${write.map((f) => `${f.column} = ?`).join(', ')}, rev = rev + 1 WHERE ${keyWhere(def)}`,
      ).run(...params, ...keyValuesOf(def, m.id));
      if (Object.keys(after).length > 0) this.activity(m, m.action, before, after);
    }
    const hadConflict = Object.keys(conflicts).length > 0;
    if (hadConflict)
      this.activity(m, rejected ? 'conflict-rejected' : 'conflict-overwritten', null, conflicts);
    if (def.entity === 'case') this.touchedCases.add(m.id);
    return hadConflict ? 'partial' : 'applied';
  }

  private relation(def: EntityDef, m: LinkMutation): ApplyOutcome {
    const rel: RelationDef | undefined = def.relations[m.relation];
    if (!rel) throw new Refusal(`${def.entity} has no relation "${m.relation}"`);
    const owner = this.readRow(def, m.id, []);
    if (!owner) throw new Refusal(`no ${def.entity} ${m.id} in this store`);
    this.assertTenant(def, m, owner.tenant);
    const target = ENTITIES[rel.targetEntity];
    if (m.op === 'link') {
      const cols = [rel.ownerColumn, rel.targetColumn];
      if (rel.tenantColumn) cols.push(rel.tenantColumn);
      if (rel.timeColumn) cols.push(rel.timeColumn);
      const insert = this.statement(
        `link:${rel.table}`,
        () =>
          `INSERT OR IGNORE INTO ${rel.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      );
      for (const t of m.targets) {
        const found = this.readRow(target, t, []);
        if (!found) throw new Refusal(`no ${rel.targetEntity} ${t} to link`);
        if (rel.tenantColumn && found.tenant !== null && found.tenant !== m.tenantId)
          throw new Refusal(`${rel.targetEntity} ${t} belongs to another tenant`);
        const params: (string | number)[] = [m.id, t];
        if (rel.tenantColumn) params.push(m.tenantId);
        if (rel.timeColumn) params.push(m.at);
        insert.run(...params);
      }
      this.activity(m, m.action, null, { [m.relation]: m.targets });
    } else {
      const remove = this.statement(
        `unlink:${rel.table}`,
        () => `DELETE FROM ${rel.table} WHERE ${rel.ownerColumn} = ? AND ${rel.targetColumn} = ?`,
      );
      for (const t of m.targets) remove.run(m.id, t);
      this.activity(m, m.action, { [m.relation]: m.targets }, null);
    }
    if (def.entity === 'case') this.touchedCases.add(m.id);
    return 'applied';
  }

  private set(def: EntityDef, m: SetMutation): ApplyOutcome {
    if (!def.setFields.has(m.field)) throw new Refusal(`${def.entity}.${m.field} is not a set`);
    const field = def.fields.get(m.field)!;
    const row = this.readRow(def, m.id, [field]);
    if (!row) throw new Refusal(`no ${def.entity} ${m.id} in this store`);
    this.assertTenant(def, m, row.tenant);
    const have = Array.isArray(row.values[0]) ? (row.values[0] as string[]) : [];
    const next =
      m.op === 'addToSet'
        ? [...have, ...m.values.filter((v, i) => !have.includes(v) && m.values.indexOf(v) === i)]
        : have.filter((v) => !m.values.includes(v));
    const stamp = def.hasUpdatedAt ? def.fields.get('updatedAt')! : null;
    this.statement(
      `set:${def.entity}:${m.field}`,
      () =>
        `UPDATE ${def.table} SET ${field.column} = ?${stamp ? `, ${stamp.column} = ?` : ''}, rev = rev + 1 WHERE ${keyWhere(def)}`,
    ).run(JSON.stringify(next), ...(stamp ? [m.at] : []), ...keyValuesOf(def, m.id));
    this.activity(m, m.action, { [m.field]: have }, { [m.field]: next });
    if (def.entity === 'case') this.touchedCases.add(m.id);
    return 'applied';
  }

  private remove(def: EntityDef, m: DeleteMutation): ApplyOutcome {
    const row = this.readRow(def, m.id, []);
    if (!row) throw new Refusal(`no ${def.entity} ${m.id} in this store`);
    this.assertTenant(def, m, row.tenant);
    this.statement(
      `delete:${def.entity}`,
      () => `DELETE FROM ${def.table} WHERE ${keyWhere(def)}`,
    ).run(...keyValuesOf(def, m.id));
    this.s.tombstone.run(m.entity, m.id, m.tenantId, m.at, m.actor);
    this.activity(m, m.action, m.before, null);
    return 'applied';
  }
}

export function emptyApplyReport(): ApplyReport {
  return { applied: 0, duplicates: 0, conflicts: 0, dropped: 0, rejected: [] };
}
