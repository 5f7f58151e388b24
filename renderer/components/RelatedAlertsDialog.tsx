import * as Dialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import type { CaseRow } from '../../shared/domain/types';
import { useEffect, useState } from 'react';
import type { AlertRow } from '../../shared/ipc/contract';
import { severityForScore } from '../../shared/domain/severity';
import { call } from '../api/client';
import { SeverityChip, TimeCell } from './cells';
import { splitCaseName } from './caseColumns';

/**
 * TBL-3: "… and N others" names lead to the case's related alerts: the list of its alerts
 * (newest first, at most 500) with the case's window, What and Who.
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
              <RelatedAlertList caseId={caseRow.id} />
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

function RelatedAlertList({ caseId }: { caseId: string }) {
  const [state, setState] = useState<{ rows: AlertRow[]; total: number } | string | null>(null);
  useEffect(() => {
    let live = true;
    call('cases.alerts', { id: caseId }).then(
      (r) => live && setState(r),
      (e: unknown) => live && setState((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [caseId]);
  if (state === null) return <p className="muted small">Loading alerts…</p>;
  if (typeof state === 'string')
    return (
      <p className="error" role="alert">
        {state}
      </p>
    );
  return (
    <>
      <ul className="related-alert-list" aria-label="Related alerts">
        {state.rows.map((a) => (
          <li key={a.id}>
            <SeverityChip severity={severityForScore(a.score)} />
            <span className="related-alert-title">{a.title}</span>
            <span className="muted small">
              {a.source} · <TimeCell ms={a.timestamp} />
            </span>
          </li>
        ))}
      </ul>
      {state.total > state.rows.length && (
        <p className="muted small">
          Showing {state.rows.length} of {state.total.toLocaleString('en')} alerts.
        </p>
      )}
    </>
  );
}
