import * as Dialog from '@radix-ui/react-dialog';
import { useState } from 'react';
import { call, IpcError } from '../api/client';

/** ALR-4: merge the selected alerts into a case given by its number; closed cases confirm first. */
export function MergeDialog({
  open,
  alertIds,
  onClose,
  onMerged,
}: {
  open: boolean;
  alertIds: string[];
  onClose: () => void;
  onMerged: (number: number, added: number) => void;
}) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [closedCase, setClosedCase] = useState<{ number: number; status: string } | null>(null);

  const reset = () => {
    setValue('');
    setError(null);
    setClosedCase(null);
  };

  const merge = async (confirmClosed: boolean) => {
    const number = Number(value.replace(/^#/, '').trim());
    if (!Number.isInteger(number) || number < 1) {
      setError('Enter a case number, e.g. 1234');
      return;
    }
    if (!confirmClosed) {
      const target = await call('cases.getByNumber', { number });
      if (!target) {
        setError(`No case #${number}`);
        return;
      }
      if (target.status === 'Resolved' || target.status === 'Cancelled') {
        setClosedCase({ number, status: target.status });
        return;
      }
    }
    try {
      const r = await call('alerts.mergeIntoCase', {
        ids: alertIds,
        caseNumber: number,
        confirmClosed,
      });
      reset();
      onMerged(r.number, r.added);
    } catch (e) {
      setClosedCase(null);
      setError(e instanceof IpcError ? e.message : String(e));
    }
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(o) => {
        if (!o) {
          reset();
          onClose();
        }
      }}
    >
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog" aria-describedby="merge-desc">
          <Dialog.Title>Merge selection into case</Dialog.Title>
          <p id="merge-desc">
            {alertIds.length} selected alert{alertIds.length === 1 ? '' : 's'} will join the case
            and become Imported.
          </p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void merge(false);
            }}
          >
            <label className="field">
              <span>Case number</span>
              <input
                autoFocus
                inputMode="numeric"
                value={value}
                onChange={(e) => {
                  setValue(e.target.value);
                  setError(null);
                  setClosedCase(null);
                }}
                placeholder="e.g. 1234"
              />
            </label>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {closedCase && (
              <p className="warning" role="alert">
                Case #{closedCase.number} is {closedCase.status}. Merging adds the alerts to a
                closed case; it stays {closedCase.status}.
              </p>
            )}
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <button type="button" className="btn">
                  Cancel
                </button>
              </Dialog.Close>
              {closedCase ? (
                <button type="button" className="btn primary" onClick={() => void merge(true)}>
                  Merge into closed case
                </button>
              ) : (
                <button type="submit" className="btn primary">
                  Merge
                </button>
              )}
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
