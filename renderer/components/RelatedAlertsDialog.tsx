import * as Dialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import type { CaseRow } from '../../shared/domain/types';
import { TimeCell } from './cells';
import { splitCaseName } from './caseColumns';

/**
 * TBL-3: "… and N others" names lead to the case's related alerts. The contract has no channel
 * that lists one case's alerts yet, so this shows what the case row knows about them (how many,
 * first and last, the entities they share) and opens the case for the rest.
 */
export function RelatedAlertsDialog({
  caseRow,
  onClose,
  onOpenCase,
}: {
  caseRow: CaseRow | null;
  onClose: () => void;
  onOpenCase: (row: CaseRow) => void;
}) {
  const parts = caseRow ? splitCaseName(caseRow.name) : null;
  return (
    <Dialog.Root open={caseRow !== null} onOpenChange={(o) => !o && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog related-alerts" aria-describedby={undefined}>
          {caseRow && (
            <>
              <div className="dialog-head">
                <Dialog.Title>Related alerts of case #{caseRow.number}</Dialog.Title>
                <Dialog.Close asChild>
                  <button type="button" className="icon-btn" aria-label="Close">
                    <X size={16} aria-hidden />
                  </button>
                </Dialog.Close>
              </div>
              <p>
                <strong>{caseRow.alertCount.toLocaleString('en')}</strong> alert
                {caseRow.alertCount === 1 ? '' : 's'} correlated into this case
                {parts ? (
                  <>
                    : <em>{parts.base}</em> and {parts.count} other
                    {parts.count === 1 ? '' : 's'}.
                  </>
                ) : (
                  '.'
                )}
              </p>
              <dl className="fields">
                <dt>First alert</dt>
                <dd>
                  <TimeCell ms={caseRow.firstAlertAt} />
                </dd>
                <dt>Last alert</dt>
                <dd>
                  <TimeCell ms={caseRow.lastAlertAt} />
                </dd>
                <dt>What</dt>
                <dd className="mono">{caseRow.what ?? '—'}</dd>
                <dt>Who</dt>
                <dd>{caseRow.who ?? '—'}</dd>
              </dl>
              <p className="muted small">
                The alert list of a case opens with the full case page (CAS-1).
              </p>
              <div className="dialog-actions">
                <button
                  type="button"
                  className="btn primary"
                  onClick={() => {
                    onClose();
                    onOpenCase(caseRow);
                  }}
                >
                  Open case
                </button>
              </div>
            </>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
