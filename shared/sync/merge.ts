import { canTransitionCase, canTransitionTask } from '../domain/status-transitions';
import { CASE_STATUSES, TASK_STATUSES, type CaseStatus, type TaskStatus } from '../domain/types';
import { sameJsonValue, type JsonValue, type SyncedEntity } from './mutation';

/**
 * Conflict rules (SYN-3), the same on every machine. A patch names, per field, the value the
 * writer saw (`before`) and the one it wrote (`after`). When the row's current value still equals
 * `before`, nobody else changed that field and the patch applies. Otherwise the field is in
 * conflict and its class decides:
 *
 * - plain fields: last writer wins, in the order mutations are applied (the server's order for a
 *   sync, the file's order for an outbox apply); the overwritten value is recorded in activity;
 * - status: the change applies only if the case (task) state machine allows going from the
 *   current status to `after`; otherwise it is rejected and recorded;
 * - assignee (and its display name): compare-and-set on what the writer saw — a conflicting
 *   assignment is rejected and recorded ("the loser is told");
 * - sets (tags, a case's alerts, pins) never conflict: they travel as add/remove operations;
 * - deletes are tombstones: a change to a deleted row is dropped and recorded.
 */

export type FieldClass = 'plain' | 'case-status' | 'task-status' | 'compare-and-set';

export function fieldClass(entity: SyncedEntity, field: string): FieldClass {
  if (field === 'status' && entity === 'case') return 'case-status';
  if (field === 'status' && entity === 'task') return 'task-status';
  if (
    (entity === 'case' || entity === 'task') &&
    (field === 'assignee' || field === 'assigneeName')
  )
    return 'compare-and-set';
  return 'plain';
}

export type FieldResolution =
  | { kind: 'apply' }
  | { kind: 'unchanged' }
  /** applied over another writer's value (last writer wins); `overwritten` is what was there */
  | { kind: 'overwrite'; overwritten: JsonValue }
  /** not applied; `reason` says why, `current` is the value kept */
  | { kind: 'reject'; reason: string; current: JsonValue };

const isCaseStatus = (v: unknown): v is CaseStatus =>
  typeof v === 'string' && (CASE_STATUSES as readonly string[]).includes(v);
const isTaskStatus = (v: unknown): v is TaskStatus =>
  typeof v === 'string' && (TASK_STATUSES as readonly string[]).includes(v);

/** Decides one field of a patch against the row's current value. */
export function resolveFieldChange(
  entity: SyncedEntity,
  field: string,
  current: JsonValue,
  change: { before: JsonValue; after: JsonValue },
): FieldResolution {
  if (sameJsonValue(current, change.after)) return { kind: 'unchanged' };
  if (sameJsonValue(current, change.before)) return { kind: 'apply' };
  switch (fieldClass(entity, field)) {
    case 'plain':
      return { kind: 'overwrite', overwritten: current };
    case 'case-status':
      return isCaseStatus(current) &&
        isCaseStatus(change.after) &&
        canTransitionCase(current, change.after)
        ? { kind: 'overwrite', overwritten: current }
        : {
            kind: 'reject',
            current,
            reason: `status ${String(current)} cannot become ${String(change.after)}`,
          };
    case 'task-status':
      return isTaskStatus(current) &&
        isTaskStatus(change.after) &&
        canTransitionTask(current, change.after)
        ? { kind: 'overwrite', overwritten: current }
        : {
            kind: 'reject',
            current,
            reason: `status ${String(current)} cannot become ${String(change.after)}`,
          };
    case 'compare-and-set':
      return {
        kind: 'reject',
        current,
        reason: `${field} was changed to ${JSON.stringify(current)} by someone else first`,
      };
  }
}
