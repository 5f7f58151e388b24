import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../schema';
import type { JsonValue, SyncedEntity } from '../../../shared/sync/mutation';

/**
 * What the mutation API knows of each synced entity, read from the drizzle schema (one source):
 * its table, key, fields with their SQL columns and how a value is stored, the fields that are
 * sets (JSON arrays changed by add/remove), and its relations (join tables changed by
 * link/unlink).
 */

export const ENTITY_TABLES = {
  tenant: schema.tenants,
  user: schema.users,
  alert: schema.alerts,
  case: schema.cases,
  task: schema.tasks,
  task_log: schema.taskLogs,
  observable: schema.observables,
  comment: schema.comments,
  evidence: schema.evidence,
  setting: schema.settings,
  queue: schema.queues,
  case_filter: schema.caseFilters,
} as const satisfies Record<SyncedEntity, SQLiteTable>;

type TableOf<E extends SyncedEntity> = (typeof ENTITY_TABLES)[E];

/** A row of an entity as the API reads and writes it (domain values, camelCase). */
export type EntityRow<E extends SyncedEntity> = TableOf<E>['$inferSelect'];

/** Fields given to `insert` (rev is the API's). */
export type InsertValues<E extends SyncedEntity> = Omit<TableOf<E>['$inferInsert'], 'rev'>;

/** Fields a patch may change: not the key, the owning tenant, the creation time or rev. */
export type PatchFields<E extends SyncedEntity> = Partial<
  Omit<
    EntityRow<E>,
    'rev' | 'id' | 'createdAt' | 'userId' | 'key' | (E extends ScopedEntity ? never : 'tenantId')
  >
>;

/** Entities whose tenantId is a scope (null: every tenant) that may change, not an owner. */
type ScopedEntity = 'queue' | 'case_filter';

/** Set-valued fields (JSON arrays of strings) changed by addToSet / removeFromSet. */
export const SET_FIELDS = {
  alert: ['tags'],
  case: ['tags'],
  observable: ['tags'],
} as const satisfies Partial<Record<SyncedEntity, readonly string[]>>;
export type SetFieldOf<E extends SyncedEntity> = E extends keyof typeof SET_FIELDS
  ? (typeof SET_FIELDS)[E][number]
  : never;

export interface RelationDef {
  /** the join table */
  table: string;
  ownerColumn: string;
  targetColumn: string;
  /** the entity the targets are rows of */
  targetEntity: SyncedEntity;
  /** columns written with each link: the owner's tenant and/or the link time */
  tenantColumn?: string;
  timeColumn?: string;
}

/** Join tables changed by link / unlink, as relations of their owner. */
export const RELATIONS = {
  case: {
    /** the alerts of a case (ALR-3..5, COR-1): case_alerts */
    alerts: {
      table: 'case_alerts',
      ownerColumn: 'case_id',
      targetColumn: 'alert_id',
      targetEntity: 'alert',
      tenantColumn: 'tenant_id',
      timeColumn: 'added_at',
    },
  },
  user: {
    /** queues a user pinned (QUE-6): pins */
    pinnedQueues: {
      table: 'pins',
      ownerColumn: 'user_id',
      targetColumn: 'queue_id',
      targetEntity: 'queue',
      timeColumn: 'created_at',
    },
  },
} as const satisfies Partial<Record<SyncedEntity, Record<string, RelationDef>>>;
export type RelationOf<E extends SyncedEntity> = E extends keyof typeof RELATIONS
  ? keyof (typeof RELATIONS)[E]
  : never;

/** How a field's value is kept in its SQLite column. */
export type FieldCodec = 'plain' | 'boolean' | 'json';

export interface FieldDef {
  key: string;
  column: string;
  codec: FieldCodec;
  /** the SQLite column type: what a value must be to be stored */
  type: 'string' | 'number' | 'boolean' | 'json';
  notNull: boolean;
  hasDefault: boolean;
}

export interface EntityDef {
  entity: SyncedEntity;
  table: string;
  fields: ReadonlyMap<string, FieldDef>;
  /** the key fields: ['id'], or ['userId', 'key'] for settings */
  keyFields: readonly string[];
  /** the field holding the row's tenant, null when rows have none (settings) */
  tenantField: string | null;
  /** fields no patch may change */
  immutable: ReadonlySet<string>;
  setFields: ReadonlySet<string>;
  relations: Readonly<Record<string, RelationDef>>;
  /** fields left out of the activity entry of an insert (bulky; the outbox keeps them) */
  auditOmit: ReadonlySet<string>;
  hasUpdatedAt: boolean;
}

function fieldDef(key: string, column: SQLiteColumn): FieldDef {
  const dataType = column.dataType as string;
  const type =
    dataType === 'json'
      ? 'json'
      : dataType === 'boolean'
        ? 'boolean'
        : dataType === 'number'
          ? 'number'
          : 'string';
  return {
    key,
    column: column.name,
    codec: type === 'json' ? 'json' : type === 'boolean' ? 'boolean' : 'plain',
    type,
    notNull: column.notNull,
    hasDefault: column.hasDefault,
  };
}

function defineEntity(entity: SyncedEntity): EntityDef {
  const table = ENTITY_TABLES[entity];
  const fields = new Map<string, FieldDef>();
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (key === 'rev') continue;
    fields.set(key, fieldDef(key, column as SQLiteColumn));
  }
  const keyFields = entity === 'setting' ? ['userId', 'key'] : ['id'];
  // A queue's or case filter's tenant_id is its scope (null: every tenant), a field like any
  // other; such rows belong to the writer's tenant.
  const scoped = entity === 'queue' || entity === 'case_filter';
  const tenantField = fields.has('tenantId') && !scoped ? 'tenantId' : null;
  const immutable = new Set([...keyFields, 'createdAt', ...(tenantField ? [tenantField] : [])]);
  return {
    entity,
    table: getTableName(table),
    fields,
    keyFields,
    tenantField,
    immutable,
    setFields: new Set((SET_FIELDS as Partial<Record<SyncedEntity, readonly string[]>>)[entity]),
    relations:
      (RELATIONS as Partial<Record<SyncedEntity, Record<string, RelationDef>>>)[entity] ?? {},
    auditOmit: new Set(entity === 'alert' ? ['raw'] : []),
    hasUpdatedAt: fields.has('updatedAt'),
  };
}

export const ENTITIES: Readonly<Record<SyncedEntity, EntityDef>> = Object.fromEntries(
  (Object.keys(ENTITY_TABLES) as SyncedEntity[]).map((e) => [e, defineEntity(e)]),
) as Record<SyncedEntity, EntityDef>;

/** The mutation id of a row: its `id`, or `${userId}:${key}` for a setting. */
export function rowIdOf(def: EntityDef, values: Readonly<Record<string, unknown>>): string {
  if (def.keyFields.length === 1) return String(values[def.keyFields[0]!]);
  return def.keyFields.map((k) => String(values[k])).join(':');
}

/** The key values of a mutation id (the inverse of rowIdOf). */
export function keyValuesOf(def: EntityDef, id: string): string[] {
  if (def.keyFields.length === 1) return [id];
  const at = id.indexOf(':'); // user ids (UUIDs, or '' for global settings) hold no ':'
  if (at < 0) throw new Error(`"${id}" is not a ${def.entity} id (userId:key)`);
  return [id.slice(0, at), id.slice(at + 1)];
}

/**
 * A JSON value given already serialized (an imported alert's raw record arrives as text from the
 * parse thread): stored and logged as it is, never parsed and serialized again.
 */
export class SerializedJson {
  constructor(readonly json: string) {}
}

/** A value as its column stores it. */
export function encodeValue(field: FieldDef, value: unknown): string | number | null {
  // a JSON column that may not be NULL holds JSON's null (an alert's raw record: 'null')
  if (value === null || value === undefined)
    return field.codec === 'json' && field.notNull ? 'null' : null;
  if (value instanceof SerializedJson) {
    if (field.codec !== 'json') throw new Error(`${field.key} is not a JSON field`);
    return value.json;
  }
  switch (field.codec) {
    case 'json':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 1 : 0;
    case 'plain':
      return value as string | number;
  }
}

/** A column's stored value as the domain value. */
export function decodeValue(field: FieldDef, stored: unknown): JsonValue {
  if (stored === null || stored === undefined) return null;
  switch (field.codec) {
    case 'json':
      return JSON.parse(stored as string) as JsonValue;
    case 'boolean':
      return stored === 1 || stored === true;
    case 'plain':
      return stored as JsonValue;
  }
}

/** The JSON text of a domain value (SerializedJson as given). */
export function jsonText(value: unknown): string {
  if (value instanceof SerializedJson) return value.json;
  return JSON.stringify(value) ?? 'null';
}

/** Checks a domain value fits its field; returns the problem, or null. */
export function checkFieldValue(field: FieldDef, value: unknown): string | null {
  if (value === null)
    return field.notNull && field.type !== 'json' ? `${field.key} may not be null` : null;
  switch (field.type) {
    case 'string':
      return typeof value === 'string' ? null : `${field.key} must be text`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? null
        : `${field.key} must be a number`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${field.key} must be true or false`;
    case 'json':
      return null;
  }
}
