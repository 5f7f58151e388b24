import { useEffect, useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { AlertTriangle, X } from 'lucide-react';
import type { QueueDraft, QueueDto, QueueRange } from '../../shared/ipc/contract';
import { defaultQueueCondition } from '../../shared/domain/conditions';
import type { ConditionGroup } from '../../shared/domain/conditions';
import { call, IpcError } from '../api/client';
import { asGroup, ConditionBuilder, type ConditionError } from './ConditionBuilder';

/**
 * Queue builder (QUE-1..7): name, description, tenant scope, date range and the condition tree.
 * queues.validate runs before saving: errors are shown where they belong, warnings (a range
 * over a month, assignee vs assignee_name) need an explicit "Save anyway".
 */

const DAY = 86_400_000;
const PRESETS: { days: number; label: string }[] = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
];

export interface TenantOption {
  id: string;
  name: string;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
function dayStart(iso: string): number | null {
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) ? t : null;
}

interface FormState {
  name: string;
  description: string;
  tenantId: string | null;
  condition: ConditionGroup;
  rangeKind: 'relative' | 'absolute';
  days: number;
  from: string;
  to: string;
}

function initialForm(queue: QueueDto | null): FormState {
  const now = Date.now();
  const base: FormState = {
    name: '',
    description: '',
    tenantId: null,
    condition: defaultQueueCondition(),
    rangeKind: 'relative',
    days: 30,
    from: isoDay(now - 30 * DAY),
    to: isoDay(now),
  };
  if (!queue) return base;
  const r = queue.range;
  return {
    ...base,
    name: queue.name,
    description: queue.description,
    tenantId: queue.tenantId,
    condition: asGroup(queue.condition),
    ...(r.kind === 'relative'
      ? { rangeKind: 'relative' as const, days: r.days }
      : { rangeKind: 'absolute' as const, from: isoDay(r.from), to: isoDay(r.to) }),
  };
}

function draftOf(form: FormState, id: string | undefined): QueueDraft | string {
  let range: QueueRange;
  if (form.rangeKind === 'relative') range = { kind: 'relative', days: form.days };
  else {
    const from = dayStart(form.from);
    const to = dayStart(form.to);
    if (from === null || to === null) return 'Choose both dates of the custom range';
    if (to < from) return 'The range ends before it starts';
    range = { kind: 'absolute', from, to: to + DAY - 1 };
  }
  return {
    ...(id ? { id } : {}),
    name: form.name.trim(),
    description: form.description.trim(),
    tenantId: form.tenantId,
    condition: form.condition,
    range,
  };
}

/** Server paths are relative to the draft: `condition.children[0].value`, `name`, ``. */
function splitIssues(issues: readonly { path: string; message: string }[]) {
  const condition: ConditionError[] = [];
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const issue of issues) {
    const m = /^condition(?:\.(.*))?$/.exec(issue.path);
    if (m) condition.push({ path: m[1] ?? '', message: issue.message });
    else if (['name', 'description', 'tenantId', 'range'].includes(issue.path.split('.')[0]!))
      fields[issue.path.split('.')[0]!] = issue.message;
    else general.push(issue.message);
  }
  return { condition, fields, general };
}

type Issues = ReturnType<typeof splitIssues>;
const NO_ISSUES: Issues = { condition: [], fields: {}, general: [] };

export function QueueBuilder({
  open,
  queue,
  tenants,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** the queue to edit, or null for a new one */
  queue: QueueDto | null;
  tenants: readonly TenantOption[];
  onClose: () => void;
  onSaved: (queue: QueueDto, jobId: string) => void;
}) {
  return (
    <Dialog.Root open={open} onOpenChange={(o) => !o && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog queue-builder" aria-describedby={undefined}>
          {open && (
            <QueueForm key={queue?.id ?? 'new'} queue={queue} tenants={tenants} onSaved={onSaved} />
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function QueueForm({
  queue,
  tenants,
  onSaved,
}: {
  queue: QueueDto | null;
  tenants: readonly TenantOption[];
  onSaved: (queue: QueueDto, jobId: string) => void;
}) {
  const [form, setForm] = useState<FormState>(() => initialForm(queue));
  const [issues, setIssues] = useState<Issues>(NO_ISSUES);
  /** warnings and the draft they were given for: changing the draft asks again */
  const [warned, setWarned] = useState<{ key: string; warnings: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));

  const draft = draftOf(form, queue?.id);
  const draftKey = JSON.stringify(draft);
  const warnings = warned && warned.key === draftKey ? warned.warnings : null;

  const save = async () => {
    if (typeof draft === 'string') {
      setIssues({ ...NO_ISSUES, fields: { range: draft } });
      return;
    }
    if (!draft.name) {
      setIssues({ ...NO_ISSUES, fields: { name: 'Give the queue a name' } });
      return;
    }
    setBusy(true);
    try {
      if (!warnings) {
        const check = await call('queues.validate', draft);
        const split = splitIssues(check.errors);
        setIssues(split);
        if (check.errors.length > 0) return;
        if (check.warnings.length > 0) {
          setWarned({ key: draftKey, warnings: check.warnings });
          return;
        }
      }
      const saved = await call('queues.save', draft);
      onSaved(saved.queue, saved.jobId);
    } catch (e) {
      if (e instanceof IpcError && e.issues?.length) setIssues(splitIssues(e.issues));
      else setIssues({ ...NO_ISSUES, general: [(e as Error).message] });
    } finally {
      setBusy(false);
    }
  };

  const tenantChoices =
    form.tenantId && !tenants.some((t) => t.id === form.tenantId)
      ? [...tenants, { id: form.tenantId, name: form.tenantId }]
      : tenants;

  return (
    <form
      className="queue-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="dialog-head">
        <Dialog.Title>{queue ? `Edit queue: ${queue.name}` : 'New Queue'}</Dialog.Title>
        <Dialog.Close asChild>
          <button type="button" className="icon-btn" aria-label="Close">
            <X size={16} aria-hidden />
          </button>
        </Dialog.Close>
      </div>
      <div className="queue-form-body">
        <div className="form-grid">
          <label className="field">
            <span>Name</span>
            <input
              value={form.name}
              maxLength={100}
              onChange={(e) => set({ name: e.target.value })}
              aria-invalid={issues.fields.name ? true : undefined}
              autoFocus
            />
            {issues.fields.name && <span className="field-error">{issues.fields.name}</span>}
          </label>
          <label className="field">
            <span>Tenant scope</span>
            <select
              value={form.tenantId ?? ''}
              onChange={(e) => set({ tenantId: e.target.value || null })}
            >
              <option value="">All tenants</option>
              {tenantChoices.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            {issues.fields.tenantId && (
              <span className="field-error">{issues.fields.tenantId}</span>
            )}
          </label>
          <label className="field span-2">
            <span>Description</span>
            <textarea
              rows={2}
              maxLength={1000}
              value={form.description}
              onChange={(e) => set({ description: e.target.value })}
            />
          </label>
        </div>
        <fieldset className="range-field">
          <legend>Date range (cases created in)</legend>
          <div className="range-presets" role="radiogroup" aria-label="Date range">
            {PRESETS.map((p) => {
              const on = form.rangeKind === 'relative' && form.days === p.days;
              return (
                <button
                  key={p.days}
                  type="button"
                  role="radio"
                  aria-checked={on}
                  className={`seg ${on ? 'on' : ''}`}
                  onClick={() => set({ rangeKind: 'relative', days: p.days })}
                >
                  Past {p.label}
                </button>
              );
            })}
            <button
              type="button"
              role="radio"
              aria-checked={form.rangeKind === 'absolute'}
              className={`seg ${form.rangeKind === 'absolute' ? 'on' : ''}`}
              onClick={() => set({ rangeKind: 'absolute' })}
            >
              Custom
            </button>
            {form.rangeKind === 'relative' && !PRESETS.some((p) => p.days === form.days) && (
              <span className="muted small">Past {form.days} days</span>
            )}
          </div>
          {form.rangeKind === 'absolute' && (
            <div className="range-custom">
              <label className="inline-field">
                <span>From</span>
                <input
                  type="date"
                  value={form.from}
                  onChange={(e) => set({ from: e.target.value })}
                />
              </label>
              <label className="inline-field">
                <span>To</span>
                <input type="date" value={form.to} onChange={(e) => set({ to: e.target.value })} />
              </label>
            </div>
          )}
          {issues.fields.range && <span className="field-error">{issues.fields.range}</span>}
        </fieldset>
        <div className="section">Conditions</div>
        <ConditionBuilder
          value={form.condition}
          onChange={(condition) => set({ condition })}
          errors={issues.condition}
        />
        {issues.general.length > 0 && (
          <div className="form-errors" role="alert">
            {issues.general.map((m) => (
              <p key={m}>{m}</p>
            ))}
          </div>
        )}
        {warnings && (
          <div className="form-warnings" role="alert" aria-label="Warnings">
            {warnings.map((w) => (
              <p key={w}>
                <AlertTriangle size={14} aria-hidden /> {w}
              </p>
            ))}
          </div>
        )}
      </div>
      <div className="dialog-actions">
        <span className="muted small dialog-note">
          Saving re-indexes the cases in range; progress shows in the Task List.
        </span>
        <Dialog.Close asChild>
          <button type="button" className="btn">
            Cancel
          </button>
        </Dialog.Close>
        <button type="submit" className="btn primary" disabled={busy}>
          {warnings ? 'Save anyway' : queue ? 'Save changes' : 'Save queue'}
        </button>
      </div>
    </form>
  );
}

/**
 * Tenants for the scope select. The contract has no tenant list yet, so they are collected from
 * the most recent cases (at most 1,000): enough for a workstation's handful of tenants.
 */
export function useTenantOptions(enabled: boolean): TenantOption[] {
  const [tenants, setTenants] = useState<TenantOption[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    call('cases.list', { offset: 0, limit: 1000 }).then(
      (page) => {
        if (!live) return;
        const seen = new Map<string, string>();
        for (const r of page.rows) seen.set(r.tenantId, r.tenantName);
        setTenants(
          [...seen]
            .map(([id, name]) => ({ id, name }))
            .sort((a, b) => a.name.localeCompare(b.name)),
        );
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [enabled]);
  return tenants;
}
