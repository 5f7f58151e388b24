import { useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { CheckCircle2, Copy, Loader2, X, XCircle } from 'lucide-react';
import type { CaseColumn, CaseView } from '../../shared/ipc/contract';
import { call } from '../api/client';
import { useAppStore } from '../stores/app';
import { trackJob } from '../stores/cases';

export const MAX_EXPORT_ROWS = 100_000;

export interface ExportSummary {
  queue: string;
  filters: string[];
  query: string;
  sort: string;
  columns: { id: CaseColumn; label: string }[];
  total: number | null;
}

/**
 * Export as CSV (TBL-7): says what will be written (queue, filters, search, sort, visible
 * columns), offers a BOM for Excel, warns past 100,000 rows; the file is written by a job and its
 * path is shown here and in the Task List when done.
 */
export function ExportDialog({
  open,
  onClose,
  view,
  summary,
}: {
  open: boolean;
  onClose: () => void;
  view: CaseView;
  summary: ExportSummary;
}) {
  return (
    <Dialog.Root open={open} onOpenChange={(o) => !o && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="dialog-overlay" />
        <Dialog.Content className="dialog export-dialog" aria-describedby={undefined}>
          {open && <ExportForm view={view} summary={summary} />}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function ExportForm({ view, summary }: { view: CaseView; summary: ExportSummary }) {
  const [bom, setBom] = useState(false);
  const [started, setStarted] = useState<{ jobId: string; path: string; matching: number } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const job = useAppStore((s) =>
    started ? s.jobs.find((j) => j.id === started.jobId) : undefined,
  );
  const total = started?.matching ?? summary.total;

  const start = async () => {
    setBusy(true);
    try {
      const r = await call('cases.exportCsv', {
        view,
        columns: summary.columns.map((c) => c.id),
        bom,
      });
      setStarted(r);
      setError(null);
      await trackJob(r.jobId);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const done = job?.status === 'Success';
  const failed = job?.status === 'Failure' || job?.status === 'Cancelled';

  return (
    <>
      <div className="dialog-head">
        <Dialog.Title>Export as CSV</Dialog.Title>
        <Dialog.Close asChild>
          <button type="button" className="icon-btn" aria-label="Close">
            <X size={16} aria-hidden />
          </button>
        </Dialog.Close>
      </div>
      <dl className="fields export-summary" aria-label="What will be exported">
        <dt>Queue</dt>
        <dd>{summary.queue}</dd>
        <dt>Filters</dt>
        <dd>
          {summary.filters.length ? (
            summary.filters.join('; ')
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Search</dt>
        <dd>
          {summary.query ? <code>{summary.query}</code> : <span className="muted">none</span>}
        </dd>
        <dt>Sort</dt>
        <dd>{summary.sort}</dd>
        <dt>Columns</dt>
        <dd>{summary.columns.map((c) => c.label).join(', ')}</dd>
        <dt>Rows</dt>
        <dd>
          {total === null ? (
            <span className="muted">counting…</span>
          ) : total > MAX_EXPORT_ROWS ? (
            <span className="warning">
              only the first {MAX_EXPORT_ROWS.toLocaleString('en')} of {total.toLocaleString('en')}{' '}
              rows
            </span>
          ) : (
            `${total.toLocaleString('en')} row${total === 1 ? '' : 's'}`
          )}
        </dd>
      </dl>
      <label className="check-field">
        <input
          type="checkbox"
          checked={bom}
          disabled={started !== null}
          onChange={(e) => setBom(e.target.checked)}
        />
        UTF-8 with BOM (for Excel)
      </label>
      <p className="muted small">
        Cells a spreadsheet would run as a formula are neutralised. The file is written in the
        background; progress shows in the Task List.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {started && (
        <div className={`export-status ${done ? 'done' : failed ? 'failed' : ''}`} role="status">
          {done ? (
            <CheckCircle2 size={14} aria-hidden />
          ) : failed ? (
            <XCircle size={14} aria-hidden />
          ) : (
            <Loader2 size={14} className="spin" aria-hidden />
          )}
          <div>
            <div>
              {done
                ? 'Export finished'
                : failed
                  ? `Export failed${job?.message ? `: ${job.message}` : ''}`
                  : `Writing… ${job?.progress != null ? `${Math.round(job.progress * 100)}%` : ''}`}
            </div>
            <div className="export-path">
              <code aria-label="Export path">{started.path}</code>
              <button
                type="button"
                className="icon-btn small"
                aria-label="Copy path"
                title="Copy path"
                onClick={() => void navigator.clipboard?.writeText(started.path)}
              >
                <Copy size={12} aria-hidden />
              </button>
            </div>
          </div>
        </div>
      )}
      <div className="dialog-actions">
        <Dialog.Close asChild>
          <button type="button" className="btn">
            {started ? 'Done' : 'Cancel'}
          </button>
        </Dialog.Close>
        {!started && (
          <button
            type="button"
            className="btn primary"
            disabled={busy || total === 0}
            onClick={() => void start()}
          >
            Export
          </button>
        )}
      </div>
    </>
  );
}
