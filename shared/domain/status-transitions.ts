import type { CaseStatus, TaskStatus } from './types';

/**
 * The case and task state machines. A closed case (Resolved, Cancelled) only goes back to In
 * Progress, by Reopen Case (CAS-4); a finished task only back to Waiting or In Progress. Sync and
 * outbox replay use them to decide a status conflict (an illegal transition is rejected and
 * recorded, never applied).
 */
const CASE_TRANSITIONS: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  New: ['In Progress', 'Escalated', 'Resolved', 'Cancelled'],
  'In Progress': ['New', 'Escalated', 'Resolved', 'Cancelled'],
  Escalated: ['In Progress', 'Resolved', 'Cancelled'],
  Resolved: ['In Progress'],
  Cancelled: ['In Progress'],
};

const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  Waiting: ['In Progress', 'Completed', 'Cancelled'],
  'In Progress': ['Waiting', 'Completed', 'Cancelled'],
  Completed: ['Waiting', 'In Progress'],
  Cancelled: ['Waiting', 'In Progress'],
};

export function canTransitionCase(from: CaseStatus, to: CaseStatus): boolean {
  return from === to || (CASE_TRANSITIONS[from]?.includes(to) ?? false);
}

export function canTransitionTask(from: TaskStatus, to: TaskStatus): boolean {
  return from === to || (TASK_TRANSITIONS[from]?.includes(to) ?? false);
}
