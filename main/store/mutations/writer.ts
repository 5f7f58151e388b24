import type Database from 'better-sqlite3';
import { newId } from '../ids';
import type { JsonValue, MutationOp, SyncedEntity } from '../../../shared/sync/mutation';
import {
  ENTITIES,
  RELATIONS,
  type SET_FIELDS,
  decodeValue,
  encodeValue,
  jsonText,
  keyValuesOf,
  rowIdOf,
  type EntityDef,
  type FieldDef,
  type InsertValues,
  type PatchFields,
  type RelationDef,
  type RelationOf,
  type SetFieldOf,
} from './registry';
import { readOnlyDb, type ReadDb } from './read-db';

/**
 * The store's mutation API (ARCHITECTURE rule 5): the only code that writes synced tables. Each
 * call issues the SQL itself, reads `before` of exactly the fields it changes, bumps the row's
 * `rev`, and appends in the same transaction one activity entry and one outbox mutation
 * (shared/sync/mutation.ts). Services get a MutationWriter inside `writeTransaction` and no
 * handle that writes; they read with SQL through `read`.
 */

export interface MutationOptions {
  /** what activity calls the change (default: create / update / link / …) */
  action?: string;
  /** the tenant of a row that has none of its own (settings, global queues): default admin */
  tenantId?: string;
}

export interface StoreIdentity {
  /** this install (store_meta client_id) */
  clientId: string;
  /** the admin organisation (ADM-1): the tenant of platform rows */
  adminTenantId: string;
}

interface Statements {
  outbox: Database.Statement;
  activity: Database.Statement;
  tombstone: Database.Statement;
  byKey: Map<string, Database.Statement>;
}

const statementCache = new WeakMap<Database.Database, Statements>();

function statementsFor(db: Database.Database): Statements {
  let s = statementCache.get(db);
  if (!s) {
    s = {
      outbox: db.prepare(
        `INSERT INTO outbox (mutation_id, tenant_id, entity_type, entity_id, op, base_rev, payload, action, actor, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      activity: db.prepare(
        `INSERT INTO activity (tenant_id, entity_type, entity_id, action, actor, at, before, after, mutation_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      tombstone: db.prepare(
        `INSERT OR REPLACE INTO tombstones (entity_type, entity_id, tenant_id, deleted_at, actor) VALUES (?, ?, ?, ?, ?)`,
      ),
      byKey: new Map(),
    };
    statementCache.set(db, s);
  }
  return s;
}

const keyWhere = (def: EntityDef) =>
  def.keyFields.map((k) => `${def.fields.get(k)!.column} = ?`).join(' AND ');

export class MutationError extends Error {
  constructor(
    message: string,
    readonly code: 'NOT_FOUND' | 'BAD_REQUEST' | 'CONFLICT',
  ) {
    super(message);
    this.name = 'MutationError';
  }
}

export class MutationWriter {
  readonly read: ReadDb;
  private readonly s: Statements;

  constructor(
    /** the connection, for main/store/ code that keeps derived tables (never services) */
    readonly derivedDb: Database.Database,
    readonly actor: string,
    readonly now: number,
    readonly identity: StoreIdentity,
  ) {
    this.read = readOnlyDb(derivedDb);
    this.s = statementsFor(derivedDb);
  }

  private statement(key: string, sql: () => string): Database.Statement {
    let stmt = this.s.byKey.get(key);
    if (!stmt) {
      stmt = this.derivedDb.prepare(sql());
      this.s.byKey.set(key, stmt);
    }
    return stmt;
  }

  private tenantOf(def: EntityDef, row: Readonly<Record<string, unknown>>, o?: MutationOptions) {
    if (def.entity === 'tenant') return String(row.id); // a tenant's own rows
    const own = def.tenantField ? row[def.tenantField] : null;
    return typeof own === 'string' ? own : (o?.tenantId ?? this.identity.adminTenantId);
  }

  private record(
    entity: SyncedEntity,
    id: string,
    tenantId: string,
    op: MutationOp,
    baseRev: number,
    payload: string,
    action: string,
    auditBefore: string | null,
    auditAfter: string | null,
  ): void {
    const mutationId = newId();
    this.s.outbox.run(
      mutationId,
      tenantId,
      entity,
      id,
      op,
      baseRev,
      payload,
      action,
      this.actor,
      this.now,
    );
    this.s.activity.run(
      tenantId,
      entity,
      id,
      action,
      this.actor,
      this.now,
      auditBefore,
      auditAfter,
      mutationId,
    );
  }

  /** Inserts a row (rev 1). */
  insert<E extends SyncedEntity>(
    entity: E,
    values: InsertValues<E>,
    options?: MutationOptions,
  ): void {
    const def = ENTITIES[entity];
    const given = values as Record<string, unknown>;
    const fields: FieldDef[] = [];
    const params: (string | number | null)[] = [];
    let payload = '{"values":{';
    let audit = '{';
    for (const key in given) {
      const value = given[key];
      if (value === undefined) continue;
      const field = def.fields.get(key);
      if (!field) throw new MutationError(`${entity} has no field ${key}`, 'BAD_REQUEST');
      const stored = encodeValue(field, value);
      const text = field.codec === 'json' && typeof stored === 'string' ? stored : jsonText(value);
      if (fields.length > 0) payload += ',';
      payload += `${JSON.stringify(key)}:${text}`;
      if (!def.auditOmit.has(key))
        audit += `${audit.length > 1 ? ',' : ''}${JSON.stringify(key)}:${text}`;
      fields.push(field);
      params.push(stored);
    }
    payload += '}}';
    audit += '}';
    const signature = fields.map((f) => f.key).join(',');
    this.statement(
      `insert:${entity}:${signature}`,
      () =>
        `INSERT INTO ${def.table} (${fields.map((f) => f.column).join(', ')}, rev) VALUES (${fields.map(() => '?').join(', ')}, 1)`,
    ).run(...params);
    this.record(
      entity,
      rowIdOf(def, given),
      this.tenantOf(def, given, options),
      'insert',
      0,
      payload,
      options?.action ?? 'create',
      null,
      audit,
    );
  }

  /** The current values of some fields of a row and its rev, or undefined. */
  private readFields(
    def: EntityDef,
    id: string,
    fields: readonly FieldDef[],
  ): { rev: number; values: JsonValue[]; tenant: Record<string, unknown> } | undefined {
    const tenantColumn = def.tenantField ? def.fields.get(def.tenantField)!.column : null;
    const cols = [...fields.map((f) => f.column), 'rev', ...(tenantColumn ? [tenantColumn] : [])];
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
      tenant: def.tenantField ? { id, [def.tenantField]: row[fields.length + 1] } : { id },
    };
  }

  private fieldsOf(def: EntityDef, keys: readonly string[]): FieldDef[] {
    return keys.map((key) => {
      const field = def.fields.get(key);
      if (!field) throw new MutationError(`${def.entity} has no field ${key}`, 'BAD_REQUEST');
      if (def.immutable.has(key))
        throw new MutationError(`${def.entity}.${key} cannot be changed`, 'BAD_REQUEST');
      return field;
    });
  }

  private update(def: EntityDef, id: string, fields: readonly FieldDef[], params: unknown[]) {
    this.statement(
      `update:${def.entity}:${fields.map((f) => f.key).join(',')}`,
      () =>
        `UPDATE ${def.table} SET ${fields.map((f) => `${f.column} = ?`).join(', ')}, rev = rev + 1 WHERE ${keyWhere(def)}`,
    ).run(...(params as (string | number | null)[]), ...keyValuesOf(def, id));
  }

  /**
   * Changes named fields of a row. Only fields whose value differs are written and recorded;
   * `updatedAt` follows (now) when anything changed, unless given. Returns the changed fields
   * (empty: nothing written, no mutation).
   */
  patch<E extends SyncedEntity>(
    entity: E,
    id: string,
    changes: PatchFields<E>,
    options?: MutationOptions,
  ): string[] {
    const def = ENTITIES[entity];
    const wanted = Object.entries(changes as Record<string, unknown>).filter(
      ([k, v]) => v !== undefined && k !== 'updatedAt',
    );
    if (wanted.length === 0) return [];
    const fields = this.fieldsOf(
      def,
      wanted.map(([k]) => k),
    );
    const stampField = def.hasUpdatedAt ? def.fields.get('updatedAt')! : null;
    const current = this.readFields(def, id, stampField ? [...fields, stampField] : fields);
    if (!current) throw new MutationError(`no ${entity} with id ${id}`, 'NOT_FOUND');
    const changed: { field: FieldDef; before: JsonValue; after: unknown }[] = [];
    fields.forEach((field, i) => {
      const after = wanted[i]![1];
      const before = current.values[i]!;
      const same =
        field.codec === 'json' ? jsonText(after) === JSON.stringify(before) : before === after;
      if (!same) changed.push({ field, before, after });
    });
    if (changed.length === 0) return [];
    const explicitUpdatedAt = (changes as { updatedAt?: number }).updatedAt;
    const stamp = stampField
      ? {
          field: stampField,
          before: current.values[fields.length]!,
          after: explicitUpdatedAt ?? this.now,
        }
      : null;
    const written = stamp
      ? [...changed.map((c) => c.field), stamp.field]
      : changed.map((c) => c.field);
    this.update(def, id, written, [
      ...changed.map((c) => encodeValue(c.field, c.after)),
      ...(stamp ? [stamp.after] : []),
    ]);
    let payload = '{"changes":{';
    let before = '{';
    let after = '{';
    changed.forEach((c, i) => {
      const key = JSON.stringify(c.field.key);
      const b = JSON.stringify(c.before);
      const a = jsonText(c.after);
      payload += `${i ? ',' : ''}${key}:{"before":${b},"after":${a}}`;
      before += `${i ? ',' : ''}${key}:${b}`;
      after += `${i ? ',' : ''}${key}:${a}`;
    });
    if (stamp)
      payload += `,"updatedAt":{"before":${JSON.stringify(stamp.before)},"after":${stamp.after}}`;
    payload += '}}';
    this.record(
      entity,
      id,
      this.tenantOf(def, current.tenant, options),
      'patch',
      current.rev,
      payload,
      options?.action ?? 'update',
      `${before}}`,
      `${after}}`,
    );
    return changed.map((c) => c.field.key);
  }

  private relation(entity: SyncedEntity, name: string): RelationDef {
    const rel = (RELATIONS as Partial<Record<SyncedEntity, Record<string, RelationDef>>>)[entity]?.[
      name
    ];
    if (!rel) throw new MutationError(`${entity} has no relation ${name}`, 'BAD_REQUEST');
    return rel;
  }

  private ownerState(def: EntityDef, id: string) {
    const owner = this.readFields(def, id, []);
    if (!owner) throw new MutationError(`no ${def.entity} with id ${id}`, 'NOT_FOUND');
    return owner;
  }

  /** Adds rows of a relation (a case's alerts, a user's pinned queues); returns those added. */
  link<E extends keyof typeof RELATIONS>(
    entity: E,
    id: string,
    relation: RelationOf<E>,
    targets: readonly string[],
    options?: MutationOptions,
  ): string[] {
    return this.changeRelation('link', entity, id, relation as string, targets, options);
  }

  /** Removes rows of a relation; returns those removed. */
  unlink<E extends keyof typeof RELATIONS>(
    entity: E,
    id: string,
    relation: RelationOf<E>,
    targets: readonly string[],
    options?: MutationOptions,
  ): string[] {
    return this.changeRelation('unlink', entity, id, relation as string, targets, options);
  }

  private changeRelation(
    op: 'link' | 'unlink',
    entity: SyncedEntity,
    id: string,
    name: string,
    targets: readonly string[],
    options: MutationOptions | undefined,
  ): string[] {
    if (targets.length === 0) return [];
    const def = ENTITIES[entity];
    const rel = this.relation(entity, name);
    const owner = this.ownerState(def, id);
    const tenant = this.tenantOf(def, owner.tenant, options);
    let stmt: Database.Statement;
    if (op === 'link') {
      const cols = [rel.ownerColumn, rel.targetColumn];
      if (rel.tenantColumn) cols.push(rel.tenantColumn);
      if (rel.timeColumn) cols.push(rel.timeColumn);
      stmt = this.statement(
        `link:${rel.table}`,
        () =>
          `INSERT OR IGNORE INTO ${rel.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      );
    } else {
      stmt = this.statement(
        `unlink:${rel.table}`,
        () => `DELETE FROM ${rel.table} WHERE ${rel.ownerColumn} = ? AND ${rel.targetColumn} = ?`,
      );
    }
    const done: string[] = [];
    for (const target of new Set(targets)) {
      const params: (string | number)[] = [id, target];
      if (op === 'link') {
        if (rel.tenantColumn) params.push(tenant);
        if (rel.timeColumn) params.push(this.now);
      }
      if (stmt.run(...params).changes > 0) done.push(target);
    }
    if (done.length === 0) return [];
    const targetsJson = JSON.stringify(done);
    this.record(
      entity,
      id,
      tenant,
      op,
      owner.rev,
      `{"relation":${JSON.stringify(name)},"targets":${targetsJson}}`,
      options?.action ?? op,
      op === 'unlink' ? `{${JSON.stringify(name)}:${targetsJson}}` : null,
      op === 'link' ? `{${JSON.stringify(name)}:${targetsJson}}` : null,
    );
    return done;
  }

  /** Adds values to a set field (tags), keeping its order; returns those added. */
  addToSet<E extends keyof typeof SET_FIELDS>(
    entity: E,
    id: string,
    field: SetFieldOf<E>,
    values: readonly string[],
    options?: MutationOptions,
  ): string[] {
    return this.changeSet('addToSet', entity, id, field as string, values, options);
  }

  /** Removes values from a set field; returns those removed. */
  removeFromSet<E extends keyof typeof SET_FIELDS>(
    entity: E,
    id: string,
    field: SetFieldOf<E>,
    values: readonly string[],
    options?: MutationOptions,
  ): string[] {
    return this.changeSet('removeFromSet', entity, id, field as string, values, options);
  }

  private changeSet(
    op: 'addToSet' | 'removeFromSet',
    entity: SyncedEntity,
    id: string,
    key: string,
    values: readonly string[],
    options: MutationOptions | undefined,
  ): string[] {
    const def = ENTITIES[entity];
    if (!def.setFields.has(key))
      throw new MutationError(`${entity}.${key} is not a set`, 'BAD_REQUEST');
    const field = def.fields.get(key)!;
    const current = this.readFields(def, id, [field]);
    if (!current) throw new MutationError(`no ${entity} with id ${id}`, 'NOT_FOUND');
    const have = (current.values[0] as string[] | null) ?? [];
    const present = new Set(have);
    let next: string[];
    let done: string[];
    if (op === 'addToSet') {
      done = [...new Set(values)].filter((v) => !present.has(v));
      next = [...have, ...done];
    } else {
      const gone = new Set(values);
      done = [...new Set(values)].filter((v) => present.has(v));
      next = have.filter((v) => !gone.has(v));
    }
    if (done.length === 0) return [];
    const written = def.hasUpdatedAt ? [field, def.fields.get('updatedAt')!] : [field];
    this.update(def, id, written, [JSON.stringify(next), ...(def.hasUpdatedAt ? [this.now] : [])]);
    const valuesJson = JSON.stringify(done);
    this.record(
      entity,
      id,
      this.tenantOf(def, current.tenant, options),
      op,
      current.rev,
      `{"field":${JSON.stringify(key)},"values":${valuesJson}}`,
      options?.action ?? (op === 'addToSet' ? 'add' : 'remove'),
      `{${JSON.stringify(key)}:${JSON.stringify(have)}}`,
      `{${JSON.stringify(key)}:${JSON.stringify(next)}}`,
    );
    return done;
  }

  /** Deletes a row and leaves a tombstone: later changes to it are dropped (SYN-3). */
  delete<E extends SyncedEntity>(entity: E, id: string, options?: MutationOptions): void {
    const def = ENTITIES[entity];
    const fields = [...def.fields.values()];
    const current = this.readFields(def, id, fields);
    if (!current) throw new MutationError(`no ${entity} with id ${id}`, 'NOT_FOUND');
    this.statement(`delete:${entity}`, () => `DELETE FROM ${def.table} WHERE ${keyWhere(def)}`).run(
      ...keyValuesOf(def, id),
    );
    const before: Record<string, JsonValue> = {};
    fields.forEach((f, i) => (before[f.key] = current.values[i]!));
    const tenant = this.tenantOf(def, before, options);
    this.s.tombstone.run(entity, id, tenant, this.now, this.actor);
    const beforeJson = JSON.stringify(before);
    this.record(
      entity,
      id,
      tenant,
      'delete',
      current.rev,
      `{"before":${beforeJson}}`,
      options?.action ?? 'delete',
      beforeJson,
      null,
    );
  }
}
