import * as Dialog from '@radix-ui/react-dialog';
import { Copy } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { AlertDetailDto } from '../../shared/ipc/contract';
import { severityForScore } from '../../shared/domain/severity';
import { call, IpcError } from '../api/client';
import { ScoreBar, SeverityChip, TimeCell } from './cells';

/** ALR-2 Alert Preview: fields, entities, raw payload, cases containing it; ALR-3 Import. */
export function AlertPreview({
  alertId,
  version,
  onImported,
}: {
  alertId: string;
  version: number;
  onImported: (number: number) => void;
}) {
  const [detail, setDetail] = useState<AlertDetailDto | null>(null);
  const [allCases, setAllCases] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    call('alerts.get', { id: alertId, allCases }).then(
      (d) => live && setDetail(d),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [alertId, allCases, version]);

  if (!detail) return <aside className="preview" aria-label="Alert Preview" aria-busy="true" />;
  const imported = detail.status === 'Imported' || detail.caseNumber !== null;

  const doImport = async () => {
    try {
      const ref = await call('alerts.import', { id: detail.id });
      setConfirming(false);
      setError(null);
      onImported(ref.number);
    } catch (e) {
      setConfirming(false);
      setError(e instanceof IpcError ? e.message : String(e));
    }
  };

  return (
    <aside className="preview" aria-label="Alert Preview">
      <div className="preview-head">
        <SeverityChip severity={severityForScore(detail.score)} />
        <h2 className="preview-title">{detail.title}</h2>
      </div>
      <div className="preview-actions">
        <button
          type="button"
          className="btn primary"
          disabled={imported}
          title={
            imported
              ? `Already imported into case #${detail.caseNumber}`
              : 'Create a new case from this alert'
          }
          onClick={() => setConfirming(true)}
        >
          Import
        </button>
        {imported && <span className="muted small">Imported into case #{detail.caseNumber}</span>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <dl className="fields">
        <dt>Status</dt>
        <dd>
          {detail.status}
          {detail.suppressed ? ' · suppressed by a case filter' : ''}
        </dd>
        <dt>Score</dt>
        <dd>
          <ScoreBar score={detail.score} />
        </dd>
        <dt>Time</dt>
        <dd>
          <TimeCell ms={detail.timestamp} />
        </dd>
        <dt>Tenant</dt>
        <dd>{detail.tenant}</dd>
        <dt>Source</dt>
        <dd>
          {detail.source} <span className="mono muted">{detail.sourceRef}</span>
        </dd>
        <dt>Type</dt>
        <dd>{detail.type}</dd>
        <dt>ATT&amp;CK</dt>
        <dd className="mono">
          {[detail.tactic, detail.tacticName].filter(Boolean).join(' ') || '—'}
          {detail.technique
            ? ` / ${detail.technique}${detail.techniqueName ? ` ${detail.techniqueName}` : ''}`
            : ''}
        </dd>
        <dt>TLP</dt>
        <dd>
          <span className={`tlp tlp-${detail.tlp.replace('+', '-').toLowerCase()}`}>
            TLP:{detail.tlp}
          </span>
        </dd>
        <dt>Description</dt>
        <dd>{detail.description || '—'}</dd>
      </dl>
      <h3 className="section">Entities</h3>
      <ul className="entities" aria-label="Entities">
        {detail.entities.map((e) => (
          <li key={`${e.kind}:${e.value}`} className="entity">
            <span className="entity-kind">{e.kind}</span>
            <span className="mono">{e.value}</span>
            <button
              type="button"
              className="icon-btn small"
              aria-label={`Copy ${e.value}`}
              onClick={() => void navigator.clipboard?.writeText(e.value)}
            >
              <Copy size={12} aria-hidden />
            </button>
          </li>
        ))}
        {detail.entities.length === 0 && <li className="muted">No entities</li>}
      </ul>
      <h3 className="section">Cases containing it</h3>
      <ul className="case-links" aria-label="Cases containing this alert">
        {detail.cases.map((c) => (
          <li key={c.id}>
            <span className="mono">#{c.number}</span>{' '}
            <span className="case-link-name">{c.name}</span>{' '}
            <span className="muted small">
              {c.score} · {c.status}
            </span>
          </li>
        ))}
        {detail.caseTotal === 0 && <li className="muted">Not in any case yet</li>}
      </ul>
      {detail.caseTotal > detail.cases.length && (
        <button type="button" className="btn small" onClick={() => setAllCases(true)}>
          View all ({detail.caseTotal})
        </button>
      )}
      <details className="raw">
        <summary>Raw payload</summary>
        <pre className="mono">{JSON.stringify(detail.raw, null, 2)}</pre>
      </details>

      <Dialog.Root open={confirming} onOpenChange={setConfirming}>
        <Dialog.Portal>
          <Dialog.Overlay className="dialog-overlay" />
          <Dialog.Content className="dialog" aria-describedby="import-confirm-desc">
            <Dialog.Title>Import alert as a new case?</Dialog.Title>
            <p id="import-confirm-desc">
              A new case is created from “{detail.title}”. The alert becomes Imported and cannot be
              imported again.
            </p>
            <div className="dialog-actions">
              <Dialog.Close asChild>
                <button type="button" className="btn">
                  Cancel
                </button>
              </Dialog.Close>
              <button type="button" className="btn primary" onClick={() => void doImport()}>
                Yes, Import
              </button>
            </div>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </aside>
  );
}
