import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type {
  ColDef,
  GridApi,
  GridReadyEvent,
  ICellRendererParams,
  IDatasource,
  IGetRowsParams,
  RowClickedEvent,
} from 'ag-grid-community';
import { Upload } from 'lucide-react';
import type { AlertRow } from '../../shared/ipc/contract';
import { ALERT_STATUSES, type AlertStatus } from '../../shared/domain/types';
import { severityForScore } from '../../shared/domain/severity';
import { call, importableFile, IpcError } from '../api/client';
import { useAppStore } from '../stores/app';
import { gridThemes } from '../components/grid-theme';
import { ScoreBar, SeverityChip, TimeCell } from '../components/cells';
import { AlertPreview } from '../components/AlertPreview';
import { MergeDialog } from '../components/MergeDialog';

type Cell = ICellRendererParams<AlertRow>;

/** ALR-1: time, source, title, severity, status, # Case, tags; newest first. */
const COLUMNS: ColDef<AlertRow>[] = [
  {
    colId: 'timestamp',
    headerName: 'Time',
    field: 'timestamp',
    width: 130,
    sort: 'desc',
    cellRenderer: (p: Cell) => (p.data ? <TimeCell ms={p.data.timestamp} /> : null),
  },
  { colId: 'tenant', headerName: 'Tenant', field: 'tenant', width: 120, sortable: false },
  { colId: 'source', headerName: 'Source', field: 'source', width: 150, sortable: false },
  { colId: 'title', headerName: 'Title', field: 'title', flex: 2, minWidth: 240, sortable: false },
  {
    colId: 'score',
    headerName: 'Severity',
    field: 'score',
    width: 150,
    cellRenderer: (p: Cell) =>
      p.data ? (
        <span className="sev-cell">
          <SeverityChip severity={severityForScore(p.data.score)} />
          <ScoreBar score={p.data.score} />
        </span>
      ) : null,
  },
  {
    colId: 'status',
    headerName: 'Status',
    field: 'status',
    width: 110,
    sortable: false,
    cellRenderer: (p: Cell) =>
      p.data ? `${p.data.status}${p.data.suppressed ? ' (suppressed)' : ''}` : null,
  },
  {
    colId: 'caseNumber',
    headerName: '# Case',
    field: 'caseNumber',
    width: 90,
    sortable: false,
    cellClass: 'mono',
    cellRenderer: (p: Cell) => (p.data?.caseNumber ? `#${p.data.caseNumber}` : ''),
  },
  {
    colId: 'tags',
    headerName: 'Tags',
    field: 'tags',
    flex: 1,
    minWidth: 120,
    sortable: false,
    cellRenderer: (p: Cell) => p.data?.tags.join(', ') ?? '',
  },
];

export function AlertsPage() {
  const { info, dataVersion, upsertJob } = useAppStore();
  const apiRef = useRef<GridApi<AlertRow> | null>(null);
  const [status, setStatus] = useState<AlertStatus | ''>('');
  const [total, setTotal] = useState<number | null>(null);
  const [selected, setSelected] = useState<AlertRow[]>([]);
  const [previewId, setPreviewId] = useState<string | null>(null);
  const [previewVersion, setPreviewVersion] = useState(0);
  const [mergeOpen, setMergeOpen] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const theme = gridThemes[info?.preferences.theme ?? 'dark'];

  const datasource = useMemo<IDatasource>(
    () => ({
      getRows: (params: IGetRowsParams) => {
        const s = params.sortModel[0];
        const limit = params.endRow - params.startRow;
        call('alerts.list', {
          offset: params.startRow,
          limit,
          sort: s?.colId === 'score' ? 'score' : 'timestamp',
          direction: s?.sort ?? 'desc',
          ...(status ? { status } : {}),
          withTotal: params.startRow === 0,
        }).then(
          (page) => {
            if (page.total !== null) setTotal(page.total);
            params.successCallback(
              page.rows,
              page.total ?? (page.rows.length < limit ? params.startRow + page.rows.length : -1),
            );
          },
          (e: unknown) => {
            setMessage({ text: (e as Error).message, error: true });
            params.failCallback();
          },
        );
      },
    }),
    [status],
  );

  const refresh = useCallback(() => {
    apiRef.current?.deselectAll();
    apiRef.current?.purgeInfiniteCache();
    setPreviewVersion((v) => v + 1);
  }, []);

  useEffect(() => {
    apiRef.current?.purgeInfiniteCache();
  }, [dataVersion]);

  useEffect(() => {
    if (!message || message.error) return;
    const t = setTimeout(() => setMessage(null), 5000);
    return () => clearTimeout(t);
  }, [message]);

  /**
   * ALR-6: each file is named by its path (desktop app) or uploaded first (browser mode), and
   * main's job reads it from disk: its text is never read here (issue 11.3).
   */
  const importFiles = async (files: File[]) => {
    if (files.length === 0) return;
    const what = files.length === 1 ? files[0]!.name : `${files.length} files`;
    try {
      setMessage({ text: `Preparing ${what} for import…` });
      const refs = [];
      for (const file of files) refs.push(await importableFile(file));
      const { jobId } = await call('alerts.importFiles', { files: refs });
      const job = (await call('jobs.list', {})).find((j) => j.id === jobId);
      if (job) upsertJob(job);
      setMessage({ text: `Importing ${what} — progress in the Task List` });
    } catch (e) {
      setMessage({ text: e instanceof IpcError ? e.message : String(e), error: true });
    }
  };

  const newCaseFromSelection = async () => {
    try {
      const r = await call('alerts.newCase', { ids: selected.map((a) => a.id) });
      setMessage({
        text: `Created case #${r.number} from ${selected.length} alert${selected.length === 1 ? '' : 's'}`,
      });
      refresh();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  };

  const empty = info && info.alertCount === 0;

  return (
    <div
      className={`alerts-page ${dragging ? 'dragging' : ''}`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        void importFiles([...e.dataTransfer.files]);
      }}
    >
      <div className="table-head">
        <h2>Alerts</h2>
        <span className="count" aria-label="alert count">
          {total === null ? '' : `${total.toLocaleString('en')} alerts`}
        </span>
        <label className="inline-field">
          <span>Status</span>
          <select
            value={status}
            onChange={(e) => setStatus(e.target.value as AlertStatus | '')}
            aria-label="Status filter"
          >
            <option value="">All</option>
            {ALERT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <div className="spacer" />
        {selected.length > 0 && (
          <div className="action-bar" role="toolbar" aria-label="Selection actions">
            <span className="muted small">{selected.length} selected</span>
            <button type="button" className="btn" onClick={() => void newCaseFromSelection()}>
              New case from selection
            </button>
            <button type="button" className="btn" onClick={() => setMergeOpen(true)}>
              Merge selection into case
            </button>
          </div>
        )}
        <button type="button" className="btn" onClick={() => fileInput.current?.click()}>
          <Upload size={14} aria-hidden /> Import alert files
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          accept=".json,.ndjson,.jsonl,.log,.txt"
          hidden
          aria-label="Alert files"
          onChange={(e) => {
            void importFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
      </div>
      {message && (
        <div
          className={message.error ? 'banner error' : 'banner'}
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
          {message.error && (
            <button
              type="button"
              className="icon-btn small"
              aria-label="Dismiss message"
              onClick={() => setMessage(null)}
            >
              ×
            </button>
          )}
        </div>
      )}
      {empty ? (
        <div className="empty-state">
          <h2>No alerts yet</h2>
          <p>
            Import a file (Watchfloor JSON, Elastic Security, Suricata EVE, Wazuh or TheHive) with
            “Import alert files”, drop one here, or connect a server.
          </p>
        </div>
      ) : (
        <div className={`alerts-body ${previewId ? 'with-preview' : ''}`}>
          <div className="grid-wrap" aria-label="Alerts table">
            <AgGridReact<AlertRow>
              theme={theme}
              columnDefs={COLUMNS}
              defaultColDef={{ resizable: true, suppressHeaderMenuButton: true }}
              rowModelType="infinite"
              datasource={datasource}
              cacheBlockSize={100}
              infiniteInitialRowCount={100}
              getRowId={(p) => p.data.id}
              rowSelection={{
                mode: 'multiRow',
                checkboxes: true,
                headerCheckbox: false,
                enableClickSelection: false,
              }}
              onGridReady={(e: GridReadyEvent<AlertRow>) => (apiRef.current = e.api)}
              onSelectionChanged={(e) => setSelected(e.api.getSelectedRows())}
              onRowClicked={(e: RowClickedEvent<AlertRow>) => e.data && setPreviewId(e.data.id)}
            />
          </div>
          {previewId && (
            <AlertPreview
              alertId={previewId}
              version={previewVersion + dataVersion}
              onImported={(number) => {
                setMessage({ text: `Created case #${number}` });
                refresh();
              }}
            />
          )}
        </div>
      )}
      <MergeDialog
        open={mergeOpen}
        alertIds={selected.map((a) => a.id)}
        onClose={() => setMergeOpen(false)}
        onMerged={(number, added) => {
          setMergeOpen(false);
          setMessage({
            text: `Merged ${added} alert${added === 1 ? '' : 's'} into case #${number}`,
          });
          refresh();
        }}
      />
    </div>
  );
}
