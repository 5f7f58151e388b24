import { useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { Lock, Pencil, Plus, Trash2, X } from 'lucide-react';
import type { QueueDto, QueueRange } from '../../shared/ipc/contract';
import { call } from '../api/client';
import { useCasesStore } from '../stores/cases';
import { describeCondition } from './ConditionBuilder';

const MAX_CUSTOM_QUEUES = 20;

export function describeRange(r: QueueRange): string {
  if (r.kind === 'relative') return r.days === 365 ? 'Past year' : `Past ${r.days} days`;
  const d = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return `${d(r.from)} – ${d(r.to)}`;
}

/** Case Settings (gear of the queue panel): the Queues tab lists, creates, edits and deletes. */
export function CaseSettingsDialog({
  open,
  onClose,
  onNewQueue,
  onEditQueue,
}: {
  open: boolean;
  onClose: () => void;
  onNewQueue: () => void;
  onEditQueue: (q: QueueDto) => void;
}) {
  const { queues, loadQueues } = useCasesStore();
  const [confirmDelete, setConfirmDelete] = useState<QueueDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const custom = (queues ?? []).filter((q) => !q.isDefault);

  const remove = async (q: QueueDto) => {
    try {
      await call('queues.remove', { id: q.id });
      setConfirmDelete(null);
      setError(null);
      await loadQueues();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(o) => {
        if (!o) {
          setConfirmDelete(null);
          onClose();
        }
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog case-settings" aria-describedby={undefined}>
          <div className="dialog-head">
            <Dialog.Title>Case Settings</Dialog.Title>
            <Dialog.Close asChild>
              <button type="button" className="icon-btn" aria-label="Close">
                <X size={16} aria-hidden />
              </button>
            </Dialog.Close>
          </div>
          <div className="tabs" role="tablist" aria-label="Case settings sections">
            <button
              type="button"
              role="tab"
              id="case-settings-queues-tab"
              aria-selected="true"
              aria-controls="case-settings-queues"
              className="tab on"
            >
              Queues
            </button>
          </div>
          <div
            role="tabpanel"
            id="case-settings-queues"
            aria-labelledby="case-settings-queues-tab"
            className="tab-panel"
          >
            <div className="settings-toolbar">
              <span className="muted small">
                {custom.length} of {MAX_CUSTOM_QUEUES} custom queues. Default queues cover the past
                year and cannot be changed.
              </span>
              <button
                type="button"
                className="btn primary"
                onClick={onNewQueue}
                disabled={custom.length >= MAX_CUSTOM_QUEUES}
                title={
                  custom.length >= MAX_CUSTOM_QUEUES
                    ? `At most ${MAX_CUSTOM_QUEUES} custom queues: delete one to add another`
                    : undefined
                }
              >
                <Plus size={14} aria-hidden /> New Queue
              </button>
            </div>
            {custom.length >= MAX_CUSTOM_QUEUES && (
              <p className="warning small">
                At most {MAX_CUSTOM_QUEUES} custom queues: delete one to add another.
              </p>
            )}
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <table className="settings-table">
              <thead>
                <tr>
                  <th>Queue</th>
                  <th>Range</th>
                  <th>Conditions</th>
                  <th className="num">Cases</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {(queues ?? []).map((q) => (
                  <tr key={q.id}>
                    <td>
                      <div className="settings-queue-name">{q.name}</div>
                      {q.description && <div className="muted small">{q.description}</div>}
                    </td>
                    <td className="nowrap">{describeRange(q.range)}</td>
                    <td className="cond-summary" title={describeCondition(q.condition)}>
                      {describeCondition(q.condition)}
                    </td>
                    <td className="num">
                      {q.count === null ? 'indexing…' : q.count.toLocaleString('en')}
                    </td>
                    <td className="actions">
                      {q.isDefault ? (
                        <span className="muted small default-note">
                          <Lock size={11} aria-hidden /> Default, not editable
                        </span>
                      ) : confirmDelete?.id === q.id ? (
                        <span className="confirm-inline" role="group" aria-label="Confirm delete">
                          <span className="small">Delete?</span>
                          <button
                            type="button"
                            className="btn small danger"
                            onClick={() => void remove(q)}
                          >
                            Yes, Delete
                          </button>
                          <button
                            type="button"
                            className="btn small"
                            onClick={() => setConfirmDelete(null)}
                          >
                            Keep
                          </button>
                        </span>
                      ) : (
                        <>
                          <button
                            type="button"
                            className="icon-btn small"
                            aria-label={`Edit ${q.name}`}
                            title="Edit"
                            onClick={() => onEditQueue(q)}
                          >
                            <Pencil size={13} aria-hidden />
                          </button>
                          <button
                            type="button"
                            className="icon-btn small"
                            aria-label={`Delete ${q.name}`}
                            title="Delete"
                            onClick={() => setConfirmDelete(q)}
                          >
                            <Trash2 size={13} aria-hidden />
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
