import { z } from 'zod';

/**
 * The store's unit of change (ARCHITECTURE rule 5, SYN-2): every write of a synced table is one
 * mutation, appended to the outbox in the same transaction as the write and its activity entry.
 * The outbox replayed into an empty store rebuilds that store; a sync push carries the same
 * records. One schema, used by the desktop's outbox file, its apply path, and (later) the
 * server's push endpoint.
 *
 * Field values are the domain values (camelCase field names of the drizzle schema, JSON arrays
 * and objects as JSON, booleans as booleans), never SQLite's storage form.
 */

export const MUTATION_VERSION = 1;

/** Entities whose rows are synced (and so carry `rev`, activity and outbox entries). */
export const SYNCED_ENTITIES = [
  'tenant',
  'user',
  'alert',
  'case',
  'task',
  'task_log',
  'observable',
  'comment',
  'evidence',
  'setting',
  'queue',
  'case_filter',
] as const;
export type SyncedEntity = (typeof SYNCED_ENTITIES)[number];
export const syncedEntitySchema = z.enum(SYNCED_ENTITIES);

export const MUTATION_OPS = [
  'insert',
  'patch',
  'link',
  'unlink',
  'delete',
  'addToSet',
  'removeFromSet',
] as const;
export type MutationOp = (typeof MUTATION_OPS)[number];

export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

const jsonValue = z.json() as unknown as z.ZodType<JsonValue>;

/** A field name of an entity: camelCase, as in the drizzle schema. */
const fieldName = z
  .string()
  .regex(/^[a-z][A-Za-z0-9]{0,63}$/, 'a field name is camelCase letters and digits');

const base = {
  v: z.literal(MUTATION_VERSION),
  /** UUIDv7: the idempotency key; applying a mutation twice changes nothing */
  mutationId: z.uuid(),
  /** the install that made it (store_meta client_id) */
  clientId: z.uuid(),
  /** its position in that install's outbox (1, 2, …) */
  seq: z.number().int().positive(),
  entity: syncedEntitySchema,
  /** the row's id (settings: `${userId}:${key}`) */
  id: z.string().min(1).max(300),
  tenantId: z.string().min(1).max(64),
  /** the row's `rev` the writer saw (0 for an insert) */
  baseRev: z.number().int().nonnegative(),
  /** epoch ms, the writer's clock */
  at: z.number().int().nonnegative(),
  /** login of the user (or `System`) who made the change */
  actor: z.string().min(1).max(200),
  /** what the activity log calls it: create, update, correlate, bulk-update, … */
  action: z.string().min(1).max(64),
};

export const fieldChangeSchema = z.object({ before: jsonValue, after: jsonValue }).strict();
export type FieldChange = z.infer<typeof fieldChangeSchema>;

const insertMutation = z
  .object({ ...base, op: z.literal('insert'), values: z.record(fieldName, jsonValue) })
  .strict();
const patchMutation = z
  .object({
    ...base,
    op: z.literal('patch'),
    changes: z
      .record(fieldName, fieldChangeSchema)
      .refine((c) => Object.keys(c).length > 0, 'a patch changes at least one field'),
  })
  .strict();
const linkMutation = z
  .object({
    ...base,
    op: z.enum(['link', 'unlink']),
    relation: fieldName,
    targets: z.array(z.string().min(1).max(300)).min(1),
  })
  .strict();
const setMutation = z
  .object({
    ...base,
    op: z.enum(['addToSet', 'removeFromSet']),
    field: fieldName,
    values: z.array(z.string().max(1000)).min(1),
  })
  .strict();
const deleteMutation = z
  .object({ ...base, op: z.literal('delete'), before: z.record(fieldName, jsonValue) })
  .strict();

export const mutationSchema = z.union([
  insertMutation,
  patchMutation,
  linkMutation,
  setMutation,
  deleteMutation,
]);
export type Mutation = z.infer<typeof mutationSchema>;
export type InsertMutation = z.infer<typeof insertMutation>;
export type PatchMutation = z.infer<typeof patchMutation>;
export type LinkMutation = z.infer<typeof linkMutation>;
export type SetMutation = z.infer<typeof setMutation>;
export type DeleteMutation = z.infer<typeof deleteMutation>;

/** The op-specific part of a mutation, as the outbox stores it (`payload`). */
export type MutationBody =
  | Pick<InsertMutation, 'op' | 'values'>
  | Pick<PatchMutation, 'op' | 'changes'>
  | Pick<LinkMutation, 'op' | 'relation' | 'targets'>
  | Pick<SetMutation, 'op' | 'field' | 'values'>
  | Pick<DeleteMutation, 'op' | 'before'>;

/**
 * JSON with object keys sorted at every level: the form a mutation's digest is taken over, so the
 * same mutation has the same digest whatever produced it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Two field values are the same (JSON equality: key order of objects does not matter). */
export function sameJsonValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return canonicalJson(a) === canonicalJson(b);
}
