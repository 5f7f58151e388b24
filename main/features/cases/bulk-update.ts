import type { Store } from '../../store/open';
import { writeTransaction, type MutationWriter } from '../../store/write';
import type { PatchFields } from '../../store/mutations/registry';
import {
  CLOSED_CASE_STATUSES,
  type CaseOutcome,
  type CaseStatus,
} from '../../../shared/domain/types';
import { ServiceError } from '../../service-error';
import { caseViewWhere, compileCaseView, countCaseView, type CaseViewInput } from './case-view';
import { refreshQueueMembership } from '../../store/derived/queue-membership';
import { readSetting } from '../settings/settings';
import { JobCancelled, type JobRunner } from '../../jobs/runner';
import type { CancelCheck } from '../../jobs/cancel-flag';

/**
 * Bulk actions of the case table (TBL-6): set Status, add Tags, set Assignee on selected cases
 * or on every case matching a view. Runs as a job in transactions of ~1,000 cases; each changed
 * case gets its activity entry (before/after of the changed fields) and outbox entry, and its
 * queue membership is refreshed in the same transaction (QUE-5).
 *
 * Choices where the spec is silent:
 * - Closing (Resolved, Cancelled) needs an outcome and a summary (CAS-3), and sets closed_at;
 *   a case already closed keeps its closed_at. Reopening clears closed_at, outcome and summary
 *   (the activity log keeps them). An outcome or summary without a closing status is refused.
 * - CAS-8: when a case becomes closed its alerts become Closed, unless the global setting
 *   `cases.closeRelatedAlerts` is false (default on).
 * - Tags are added in the given order after the existing ones, skipping exact duplicates.
 * - Cases whose values are already what the action sets are left untouched (no activity).
 */

export const BULK_CHUNK = 1_000;
export const CLOSE_RELATED_ALERTS_KEY = 'cases.closeRelatedAlerts';

export interface BulkChange {
  status?: CaseStatus | undefined;
  outcome?: CaseOutcome | undefined;
  summary?: string | undefined;
  addTags?: readonly string[] | undefined;
  /** a user id, or null to unassign */
  assignee?: string | null | undefined;
}

export type BulkSelection = { ids: readonly string[] } | { allMatching: CaseViewInput };

export interface BulkResult {
  matched: number;
  updated: number;
  alertsClosed: number;
}

interface CaseBefore {
  rowid: number;
  id: string;
  tenant_id: string;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  summary: string | null;
  closed_at: number | null;
  tags: string;
  assignee: string | null;
  assignee_name: string | null;
}

const isClosed = (status: CaseStatus) => CLOSED_CASE_STATUSES.includes(status);

interface CheckedChange extends BulkChange {
  assigneeName?: string | null;
  tags: string[];
}

/** Refuses what cannot be applied, before any case is touched. */
export function checkBulkChange(store: Store, change: BulkChange): CheckedChange {
  const tags = [...new Set((change.addTags ?? []).map((t) => t.trim()).filter((t) => t !== ''))];
  if (change.status === undefined && tags.length === 0 && change.assignee === undefined) {
    throw new ServiceError(
      'BAD_REQUEST',
      'Nothing to change: choose a status, tags or an assignee',
    );
  }
  if (change.status !== undefined && isClosed(change.status)) {
    if (change.outcome === undefined || (change.summary ?? '').trim() === '') {
      throw new ServiceError(
        'BAD_REQUEST',
        `Closing cases as ${change.status} needs an outcome and a summary (CAS-3)`,
      );
    }
  } else if (change.outcome !== undefined || change.summary !== undefined) {
    throw new ServiceError(
      'BAD_REQUEST',
      'An outcome and a summary apply only when closing cases (status Resolved or Cancelled)',
    );
  }
  let assigneeName: string | null | undefined;
  if (change.assignee !== undefined && change.assignee !== null) {
    const user = store.db
      .prepare('SELECT display_name AS displayName FROM users WHERE id = ?')
      .get(change.assignee) as { displayName: string } | undefined;
    if (!user) throw new ServiceError('BAD_REQUEST', `No user with id ${change.assignee}`);
    assigneeName = user.displayName;
  } else if (change.assignee === null) {
    assigneeName = null;
  }
  return { ...change, summary: change.summary?.trim(), tags, assigneeName };
}

/** The rowids of the selected cases (unknown ids are skipped), in the view's order. */
export function selectedCaseRowids(store: Store, selection: BulkSelection): number[] {
  if ('ids' in selection) {
    const stmt = store.db.prepare('SELECT rowid AS rid FROM cases WHERE id = ?');
    const rowids: number[] = [];
    for (const id of new Set(selection.ids)) {
      const row = stmt.get(id) as { rid: number } | undefined;
      if (row) rowids.push(row.rid);
    }
    return rowids;
  }
  // No order needed: the planner picks the cheapest way to find the view's cases.
  const view = compileCaseView(store, selection.allMatching);
  const where = caseViewWhere(view);
  const tenantJoin = view.needsTenant ? 'CROSS JOIN tenants t ON t.id = cases.tenant_id' : '';
  return store.db
    .prepare(`SELECT cases.rowid FROM cases ${tenantJoin} WHERE ${where.sql}`)
    .pluck()
    .all(...where.params) as number[];
}

/** How many cases a selection covers, cheaply (the number the UI confirms before applying). */
export function countSelection(store: Store, selection: BulkSelection): number {
  if ('ids' in selection) return selectedCaseRowids(store, selection).length;
  return countCaseView(store, compileCaseView(store, selection.allMatching));
}

function applyToCase(
  w: MutationWriter,
  c: CaseBefore,
  change: CheckedChange,
  closeAlerts: boolean,
): { changed: boolean; alertsClosed: number } {
  const fields: PatchFields<'case'> = {};
  let becameClosed = false;
  if (change.status !== undefined) {
    fields.status = change.status; // unchanged fields are not written (patch compares)
    if (isClosed(change.status)) {
      fields.outcome = change.outcome ?? null;
      fields.summary = change.summary ?? null;
      if (!isClosed(c.status)) {
        fields.closedAt = w.now;
        becameClosed = true;
      }
    } else {
      fields.closedAt = null;
      fields.outcome = null;
      fields.summary = null;
    }
  }
  if (change.assignee !== undefined) {
    fields.assignee = change.assignee;
    fields.assigneeName = change.assigneeName ?? null;
  }
  let changed = w.patch('case', c.id, fields, { action: 'bulk-update' }).length > 0;
  if (change.tags.length > 0) {
    changed =
      w.addToSet('case', c.id, 'tags', change.tags, { action: 'bulk-update' }).length > 0 ||
      changed;
  }
  let alertsClosed = 0;
  if (becameClosed && closeAlerts) {
    // CAS-8: the alerts of a closed case are closed too.
    const alerts = w.read
      .prepare("SELECT id FROM alerts WHERE case_id = ? AND status <> 'Closed'")
      .pluck()
      .all(c.id) as string[];
    for (const id of alerts) w.patch('alert', id, { status: 'Closed' }, { action: 'close' });
    alertsClosed = alerts.length;
  }
  return { changed, alertsClosed };
}

/**
 * Applies the change to the cases, one transaction per chunk, calling `between` after each
 * chunk (the async runner yields to the event loop there).
 */
export function* bulkUpdateSteps(
  store: Store,
  actor: string,
  rowids: readonly number[],
  change: CheckedChange,
): Generator<BulkStep, BulkResult> {
  const closeAlerts = readSetting(store, '', CLOSE_RELATED_ALERTS_KEY) !== false;
  const load = store.db.prepare(
    'SELECT rowid, id, tenant_id, status, outcome, summary, closed_at, tags, assignee, assignee_name FROM cases WHERE rowid = ?',
  );
  let updated = 0;
  let alertsClosed = 0;
  for (let start = 0; start < rowids.length; start += BULK_CHUNK) {
    const chunk = rowids.slice(start, start + BULK_CHUNK);
    writeTransaction(store, actor, (w) => {
      const changedIds: string[] = [];
      for (const rowid of chunk) {
        const c = load.get(rowid) as CaseBefore | undefined;
        if (!c) continue; // deleted since the selection was made
        const result = applyToCase(w, c, change, closeAlerts);
        if (result.changed) changedIds.push(c.id);
        alertsClosed += result.alertsClosed;
      }
      refreshQueueMembership(w, changedIds);
      updated += changedIds.length;
    });
    yield {
      done: Math.min(rowids.length, start + BULK_CHUNK),
      total: rowids.length,
      updated,
      alertsClosed,
    };
  }
  return { matched: rowids.length, updated, alertsClosed };
}

/** How far a bulk update got: cases looked at, and what the committed chunks changed. */
export interface BulkStep {
  done: number;
  total: number;
  updated: number;
  alertsClosed: number;
}

/** A bulk update stopped by its job's cancel (NFR-2): the chunks written stay written. */
export interface CancelledBulkUpdate {
  cancelled: true;
  batches: number;
  totalBatches: number;
  step: BulkStep;
}

export async function runBulkUpdate(
  store: Store,
  actor: string,
  rowids: readonly number[],
  change: CheckedChange,
  onProgress?: (done: number, total: number) => void,
  signal?: CancelCheck,
): Promise<BulkResult | CancelledBulkUpdate> {
  const steps = bulkUpdateSteps(store, actor, rowids, change);
  const totalBatches = Math.ceil(rowids.length / BULK_CHUNK);
  for (let batches = 0; ; batches++) {
    const step = steps.next();
    if (step.done) return step.value;
    onProgress?.(step.value.done, step.value.total);
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Between two chunks (each its own transaction), and only when there is another one.
    if (signal?.aborted && step.value.done < step.value.total) {
      return { cancelled: true, batches: batches + 1, totalBatches, step: step.value };
    }
  }
}

/** "Cancelled after 2 of 5 batches: 1,200 cases updated; they are kept". */
export function describeCancelledBulkUpdate(c: CancelledBulkUpdate): string {
  const { step } = c;
  let what = `${step.updated.toLocaleString('en')} case${step.updated === 1 ? '' : 's'} updated`;
  if (step.alertsClosed > 0) what += `, ${step.alertsClosed.toLocaleString('en')} alerts closed`;
  const left = step.total - step.done;
  return (
    `Cancelled after ${c.batches.toLocaleString('en')} of ${c.totalBatches.toLocaleString('en')} batches: ` +
    `${what}; they are kept (${left.toLocaleString('en')} selected case${left === 1 ? '' : 's'} not looked at)`
  );
}

export function runBulkUpdateNow(
  store: Store,
  actor: string,
  selection: BulkSelection,
  change: BulkChange,
): BulkResult {
  const checked = checkBulkChange(store, change);
  const steps = bulkUpdateSteps(store, actor, selectedCaseRowids(store, selection), checked);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export function describeBulkResult(r: BulkResult): string {
  const parts = [`Updated ${r.updated.toLocaleString('en')} case${r.updated === 1 ? '' : 's'}`];
  if (r.updated < r.matched) {
    parts.push(`${(r.matched - r.updated).toLocaleString('en')} already had these values`);
  }
  if (r.alertsClosed > 0) parts.push(`${r.alertsClosed.toLocaleString('en')} alerts closed`);
  return parts.join('; ');
}

/**
 * TBL-6 as a job: checks the change and resolves the selection now (so a bad request fails at
 * once and `matched` is known), then applies it in chunks with progress.
 */
export function startBulkUpdateJob(
  ctx: { store: Store; jobs: JobRunner },
  actor: string,
  selection: BulkSelection,
  change: BulkChange,
  onDone?: () => void,
): { jobId: string; matched: number } {
  const checked = checkBulkChange(ctx.store, change);
  const rowids = selectedCaseRowids(ctx.store, selection);
  const what = [
    change.status !== undefined ? `status ${change.status}` : null,
    checked.tags.length > 0 ? `tags ${checked.tags.join(', ')}` : null,
    change.assignee !== undefined ? `assignee ${checked.assigneeName ?? 'none'}` : null,
  ]
    .filter((s) => s !== null)
    .join(', ');
  const { id } = ctx.jobs.start(
    'cases.bulkUpdate',
    `Set ${what} on ${rowids.length.toLocaleString('en')} case${rowids.length === 1 ? '' : 's'}`,
    async (job) => {
      try {
        const result = await runBulkUpdate(
          ctx.store,
          actor,
          rowids,
          checked,
          (done, total) =>
            job.progress(
              done / Math.max(1, total),
              `${done.toLocaleString('en')} of ${total.toLocaleString('en')} cases`,
            ),
          job.signal,
        );
        if ('cancelled' in result) throw new JobCancelled(describeCancelledBulkUpdate(result));
        return result;
      } finally {
        onDone?.();
      }
    },
    describeBulkResult,
    { cancellable: true },
  );
  return { jobId: id, matched: rowids.length };
}
