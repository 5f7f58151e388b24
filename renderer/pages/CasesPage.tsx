import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AgGridReact } from 'ag-grid-react';
import type {
  ColDef,
  ColumnMovedEvent,
  GetRowIdParams,
  RowClassRules,
  RowSelectionOptions,
  SelectionColumnDef,
  ColumnResizedEvent,
  ColumnState,
  GridApi,
  GridReadyEvent,
  IDatasource,
  IGetRowsParams,
  RowClickedEvent,
} from 'ag-grid-community';
import { Download } from 'lucide-react';
import type { CaseRow } from '../../shared/domain/types';
import { caseSortFieldSchema } from '../../shared/domain/types';
import { CASE_COLUMNS, type CaseColumn, type QueueDto } from '../../shared/ipc/contract';
import { call, IpcError } from '../api/client';
import { useAppStore } from '../stores/app';
import { buildView, trackJob, useCasesStore, viewKey, type ViewSort } from '../stores/cases';
import { gridThemes } from '../components/grid-theme';
import { CaseDrawer } from '../components/CaseDrawer';
import { CASE_COLUMN_DEFS, COLUMN_LABELS, type CaseGridContext } from '../components/caseColumns';
import { QueuePanel } from '../components/QueuePanel';
import { CaseSettingsDialog, describeRange } from '../components/CaseSettingsDialog';
import { QueueBuilder, useTenantOptions } from '../components/QueueBuilder';
import { CaseSearchBox, type QueryProblem } from '../components/CaseSearchBox';
import { CreatedRangePicker, FilterPanel } from '../components/FilterPanel';
import { FilterChips } from '../components/FilterChips';
import { ColumnChooser } from '../components/ColumnChooser';
import { BulkActionBar } from '../components/BulkActionBar';
import { ExportDialog, type ExportSummary } from '../components/ExportDialog';
import { RelatedAlertsDialog } from '../components/RelatedAlertsDialog';
import { describeLeaf } from '../components/ConditionBuilder';
import { describeCreated } from '../components/FilterPanel';

const PAGE_SIZE = 100;

// Grid options as constants: a new object on each render would make AG Grid re-apply the
// column definitions and drop the analyst's column changes.
const DEFAULT_COL_DEF: ColDef<CaseRow> = { resizable: true, suppressHeaderMenuButton: true };
const ROW_SELECTION: RowSelectionOptions<CaseRow> = {
  mode: 'multiRow',
  checkboxes: true,
  headerCheckbox: false,
  enableClickSelection: false,
};
const SELECTION_COLUMN: SelectionColumnDef = { width: 36, pinned: 'left', suppressMovable: true };
const ROW_CLASS_RULES: RowClassRules<CaseRow> = {
  'row-critical': (p) => p.data?.severity === 'Critical',
  'row-high': (p) => p.data?.severity === 'High',
  'row-medium': (p) => p.data?.severity === 'Medium',
  'row-low': (p) => p.data?.severity === 'Low',
};
const rowId = (p: GetRowIdParams<CaseRow>) => p.data.id;
/** The app's grid themes with slightly tighter cells: nine columns fit beside the queue panel. */
const caseGridThemes = {
  dark: gridThemes.dark.withParams({ cellHorizontalPadding: 8 }),
  light: gridThemes.light.withParams({ cellHorizontalPadding: 8 }),
};
const FINISHED = new Set(['Success', 'Failure', 'Cancelled']);

function parseColumnLayout(value: unknown): ColumnState[] | null {
  if (!Array.isArray(value)) return null;
  const ok = value.every(
    (c): c is ColumnState =>
      typeof c === 'object' && c !== null && typeof (c as { colId?: unknown }).colId === 'string',
  );
  return ok ? value : null;
}

function sortOf(api: GridApi<CaseRow>): ViewSort | null {
  const s = api.getColumnState().find((c) => c.sort);
  const field = caseSortFieldSchema.safeParse(s?.colId);
  return field.success && s?.sort ? { field: field.data, direction: s.sort } : null;
}

function problemOf(err: unknown): QueryProblem {
  const message = err instanceof Error ? err.message : String(err);
  const pos = (err as { position?: unknown }).position as
    { offset?: unknown; length?: unknown } | undefined;
  return typeof pos?.offset === 'number' && typeof pos.length === 'number'
    ? { message, position: { offset: pos.offset, length: pos.length } }
    : { message };
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(
    el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)),
  );
}

/**
 * The Cases workspace (TBL-1..7): queue panel | search, filters, columns, export | case table
 * (AG Grid infinite row model over IPC; sorting, filtering and paging happen in main).
 */
export function CasesPage() {
  const info = useAppStore((s) => s.info);
  const dataVersion = useAppStore((s) => s.dataVersion);
  const jobs = useAppStore((s) => s.jobs);
  const {
    queues,
    selectedQueueId,
    query,
    filters,
    created,
    sort,
    total,
    setQuery,
    addFilter,
    removeFilter,
    clearFilters,
    setCreated,
    setSort,
    setTotal,
    loadQueues,
  } = useCasesStore();

  const apiRef = useRef<GridApi<CaseRow> | null>(null);
  const searchRef = useRef<HTMLInputElement | null>(null);
  const saveTimer = useRef<number | undefined>(undefined);
  const [gridApi, setGridApi] = useState<GridApi<CaseRow> | null>(null);
  const [columnLayout, setColumnLayout] = useState<ColumnState[] | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [openCase, setOpenCase] = useState<CaseRow | null>(null);
  const [relatedCase, setRelatedCase] = useState<CaseRow | null>(null);
  const [selected, setSelected] = useState<CaseRow[]>([]);
  const [allMatchingKey, setAllMatchingKey] = useState<string | null>(null);
  const [notice, setNotice] = useState<{
    text: string;
    /** what the finished job's message is about, e.g. "Assignee Mei Tanaka" */
    doneLabel?: string;
    jobId?: string;
    error?: boolean;
  } | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [builder, setBuilder] = useState<{ queue: QueueDto | null } | null>(null);
  const [exportSummary, setExportSummary] = useState<ExportSummary | null>(null);
  const tenants = useTenantOptions(builder !== null);
  const theme = caseGridThemes[info?.preferences.theme ?? 'dark'];

  // Queues, the last queue and the column layout, before the first page is asked for.
  useEffect(() => {
    let live = true;
    void useCasesStore.getState().init();
    call('layout.get', { key: 'cases.columns' }).then(
      (v) => live && setColumnLayout(parseColumnLayout(v)),
      () => live && setColumnLayout(null),
    );
    return () => {
      live = false;
    };
  }, []);

  const view = useMemo(
    () => buildView({ selectedQueueId, query, filters, created }),
    [selectedQueueId, query, filters, created],
  );
  const key = useMemo(() => JSON.stringify(view), [view]);
  const fullView = useMemo(
    () => (sort ? { ...view, sort: sort.field, direction: sort.direction } : view),
    [view, sort],
  );

  const datasource = useMemo<IDatasource>(
    () => ({
      getRows: (params: IGetRowsParams) => {
        const s = params.sortModel[0];
        const field = caseSortFieldSchema.safeParse(s?.colId);
        const limit = params.endRow - params.startRow;
        call('cases.list', {
          ...view,
          ...(field.success && s ? { sort: field.data, direction: s.sort } : {}),
          offset: params.startRow,
          limit,
          withTotal: params.startRow === 0,
        }).then(
          (page) => {
            const current = viewKey(useCasesStore.getState()) === key;
            if (page.total !== null && current) setTotal(page.total);
            setError(null);
            params.successCallback(
              page.rows,
              page.total ?? (page.rows.length < limit ? params.startRow + page.rows.length : -1),
            );
          },
          (err: unknown) => {
            setError((err as Error).message);
            params.failCallback();
          },
        );
      },
    }),
    [view, key, setTotal],
  );

  // A new view means other rows: the selection does not carry over.
  useEffect(() => {
    apiRef.current?.deselectAll();
  }, [key]);

  useEffect(() => {
    apiRef.current?.refreshInfiniteCache();
    void loadQueues();
  }, [dataVersion, loadQueues]);

  // Queue counts come back when re-index jobs (and bulk changes) finish.
  const finishedJobs = jobs.filter((j) => FINISHED.has(j.status)).length;
  useEffect(() => {
    if (finishedJobs > 0) void loadQueues();
  }, [finishedJobs, loadQueues]);
  const indexing = (queues ?? []).some((q) => q.count === null);
  useEffect(() => {
    if (!indexing) return;
    const t = window.setInterval(() => void loadQueues(), 2000);
    return () => window.clearInterval(t);
  }, [indexing, loadQueues]);

  // A bulk change that finished: fresh rows, and a quiet message.
  const noticeJob = notice?.jobId ? jobs.find((j) => j.id === notice.jobId) : undefined;
  const noticeStatus = noticeJob?.status;
  useEffect(() => {
    if (noticeStatus && FINISHED.has(noticeStatus)) apiRef.current?.refreshInfiniteCache();
  }, [noticeStatus]);
  const noticeDone = noticeStatus === 'Success' || (!notice?.jobId && notice && !notice.error);
  useEffect(() => {
    if (!noticeDone) return;
    const t = window.setTimeout(() => setNotice(null), 6000);
    return () => window.clearTimeout(t);
  }, [noticeDone, notice]);

  const persistColumns = useCallback(() => {
    window.clearTimeout(saveTimer.current);
    saveTimer.current = window.setTimeout(() => {
      const state = apiRef.current?.getColumnState();
      if (state) void call('layout.save', { key: 'cases.columns', value: state }).catch(() => {});
    }, 400);
  }, []);

  const onGridReady = useCallback(
    (e: GridReadyEvent<CaseRow>) => {
      apiRef.current = e.api;
      if (columnLayout) e.api.applyColumnState({ state: columnLayout, applyOrder: true });
      setSort(sortOf(e.api));
      setGridApi(e.api);
    },
    [columnLayout, setSort],
  );

  const resetColumns = () => {
    const api = apiRef.current;
    if (!api) return;
    api.resetColumnState();
    setSort(null);
    void call('layout.save', { key: 'cases.columns', value: null }).catch(() => {});
  };

  const onRowClicked = useCallback((e: RowClickedEvent<CaseRow>) => {
    const target = e.event?.target as HTMLElement | null | undefined;
    if (target?.closest('.related-link, .ag-selection-checkbox')) return;
    if (e.data) setOpenCase(e.data);
  }, []);

  const context = useMemo<CaseGridContext>(() => ({ onShowAlerts: setRelatedCase }), []);

  /** TBL-4: checks the query against main before applying; a bad one changes nothing. */
  const applyQuery = async (q: string): Promise<QueryProblem | null> => {
    if (q === query) {
      apiRef.current?.refreshInfiniteCache();
      return null;
    }
    try {
      const { query: _previous, ...rest } = view;
      await call('cases.list', { ...rest, ...(q ? { query: q } : {}), offset: 0, limit: 1 });
      setQuery(q);
      return null;
    } catch (err) {
      if (err instanceof IpcError && err.code !== 'BAD_REQUEST') return { message: err.message };
      return problemOf(err);
    }
  };

  // Keyboard: / search, j / k move the focused row, Enter opens it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const api = apiRef.current;
      if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (!api) return;
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault();
        const focused = api.getFocusedCell();
        const last = api.getDisplayedRowCount() - 1;
        const from = focused?.rowIndex ?? -1;
        const next = Math.max(0, Math.min(last, from + (e.key === 'j' ? 1 : -1)));
        api.ensureIndexVisible(next);
        api.setFocusedCell(next, focused?.column ?? 'name');
        const row = api.getDisplayedRowAtIndex(next)?.data;
        if (row) setOpenCase((open) => (open ? row : open));
        return;
      }
      if (e.key === 'Enter' && !(e.target as HTMLElement | null)?.closest('button, a')) {
        const focused = api.getFocusedCell();
        const row =
          focused && focused.rowPinned == null
            ? api.getDisplayedRowAtIndex(focused.rowIndex)?.data
            : undefined;
        if (row) {
          e.preventDefault();
          setOpenCase(row);
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const selectedQueue = queues?.find((q) => q.id === selectedQueueId);
  const title = selectedQueue?.name ?? 'All cases';
  const allMatching = selected.length > 0 && allMatchingKey === key;
  const empty = info && info.caseCount === 0;

  const openExport = () => {
    const api = apiRef.current;
    const shown = (api?.getAllDisplayedColumns() ?? [])
      .map((c) => c.getColId())
      .filter((id): id is CaseColumn => (CASE_COLUMNS as readonly string[]).includes(id));
    const createdLabel = describeCreated(created);
    setExportSummary({
      queue: selectedQueue
        ? `${selectedQueue.name} (${describeRange(selectedQueue.range)})`
        : 'All cases',
      filters: [
        ...filters.map((f) => describeLeaf(f.leaf)),
        ...(createdLabel ? [createdLabel] : []),
      ],
      query,
      sort: sort
        ? `${COLUMN_LABELS[sort.field]}, ${sort.direction === 'asc' ? 'ascending' : 'descending'}`
        : 'Updated, newest first',
      columns: shown.map((id) => ({ id, label: COLUMN_LABELS[id] })),
      total,
    });
  };

  const noticeText = (() => {
    if (!notice) return null;
    if (!noticeJob) return notice.text;
    if (noticeJob.status === 'Success')
      return [notice.doneLabel, noticeJob.message ?? 'Done'].filter(Boolean).join(': ');
    if (noticeJob.status === 'Failure' || noticeJob.status === 'Cancelled')
      return `Failed: ${notice.text}${noticeJob.message ? ` — ${noticeJob.message}` : ''}`;
    const pct = noticeJob.progress !== null ? ` ${Math.round(noticeJob.progress * 100)}%` : '';
    return `${notice.text}…${pct} (progress in the Task List)`;
  })();
  const noticeError = notice?.error || noticeJob?.status === 'Failure';

  return (
    <div className="cases-workspace">
      <QueuePanel onOpenSettings={() => setSettingsOpen(true)} />
      <section className="cases-main" aria-label="Cases">
        <div className="table-head">
          <h2 title={selectedQueue?.description || undefined}>{title}</h2>
          <span className="count" aria-label="case count">
            {total === null ? '' : `${total.toLocaleString('en')} case${total === 1 ? '' : 's'}`}
          </span>
          {selectedQueue && (
            <span className="muted small queue-range">{describeRange(selectedQueue.range)}</span>
          )}
          {error && (
            <span className="error" role="alert">
              {error}
            </span>
          )}
        </div>
        <div className="cases-toolbar">
          <CaseSearchBox applied={query} onApply={applyQuery} inputRef={searchRef} />
          <FilterPanel count={filters.length} onAdd={addFilter} />
          <CreatedRangePicker value={created} onChange={setCreated} />
          <div className="spacer" />
          <ColumnChooser api={gridApi} onReset={resetColumns} />
          <button type="button" className="btn" onClick={openExport} disabled={empty === true}>
            <Download size={14} aria-hidden /> Export as CSV
          </button>
        </div>
        <FilterChips
          filters={filters}
          created={created}
          onRemove={removeFilter}
          onRemoveCreated={() => setCreated({})}
          onClearAll={clearFilters}
        />
        {selected.length > 0 && (
          <BulkActionBar
            selection={allMatching ? { allMatching: fullView } : { ids: selected.map((r) => r.id) }}
            count={allMatching ? (total ?? selected.length) : selected.length}
            total={total}
            allMatching={allMatching}
            onSelectAllMatching={() => setAllMatchingKey(key)}
            onClear={() => {
              setAllMatchingKey(null);
              apiRef.current?.deselectAll();
            }}
            onStarted={(jobId, matched, what) => {
              setNotice({
                jobId,
                text: `Updating ${matched.toLocaleString('en')} case${matched === 1 ? '' : 's'}: ${what}`,
                doneLabel: what.charAt(0).toUpperCase() + what.slice(1),
              });
              setAllMatchingKey(null);
              apiRef.current?.deselectAll();
              void trackJob(jobId);
            }}
          />
        )}
        {notice && noticeText && (
          <div
            className={noticeError ? 'banner error' : 'banner'}
            role={noticeError ? 'alert' : 'status'}
          >
            {noticeText}
            <button
              type="button"
              className="icon-btn small"
              aria-label="Dismiss message"
              onClick={() => setNotice(null)}
            >
              ×
            </button>
          </div>
        )}
        {empty ? (
          <div className="empty-state">
            <h2>No cases yet</h2>
            <p>
              Cases appear here when alerts are imported and correlated, or load demo data from the
              CLI: <code>npx watchfloor demo --alerts 20000</code>.
            </p>
          </div>
        ) : selectedQueueId === null || columnLayout === undefined ? (
          <div className="grid-wrap grid-loading" aria-busy="true" />
        ) : (
          <div className="grid-wrap cases-grid" aria-label="Cases table">
            <AgGridReact<CaseRow>
              theme={theme}
              columnDefs={CASE_COLUMN_DEFS}
              defaultColDef={DEFAULT_COL_DEF}
              rowModelType="infinite"
              datasource={datasource}
              cacheBlockSize={PAGE_SIZE}
              maxBlocksInCache={50}
              infiniteInitialRowCount={PAGE_SIZE}
              getRowId={rowId}
              context={context}
              suppressColumnVirtualisation
              alwaysShowVerticalScroll
              rowSelection={ROW_SELECTION}
              selectionColumnDef={SELECTION_COLUMN}
              onGridReady={onGridReady}
              onRowClicked={onRowClicked}
              onSelectionChanged={(e) => {
                const rows = e.api.getSelectedRows();
                setSelected(rows);
                if (rows.length === 0) setAllMatchingKey(null);
              }}
              onSortChanged={(e) => {
                setSort(sortOf(e.api));
                persistColumns();
              }}
              onColumnMoved={(e: ColumnMovedEvent<CaseRow>) => e.finished && persistColumns()}
              onColumnResized={(e: ColumnResizedEvent<CaseRow>) =>
                e.finished && e.source !== 'flex' && persistColumns()
              }
              onColumnVisible={persistColumns}
              onColumnPinned={persistColumns}
              rowClassRules={ROW_CLASS_RULES}
            />
            {total === 0 && (
              <div className="grid-empty" role="status">
                <strong>No cases match</strong>
                <span className="muted">
                  {query || filters.length || created.from !== undefined || created.to !== undefined
                    ? 'Clear the search or the filters to see the whole queue.'
                    : 'This queue is empty for now: cases that match its conditions appear here.'}
                </span>
              </div>
            )}
          </div>
        )}
      </section>
      <CaseDrawer caseRow={openCase} onClose={() => setOpenCase(null)} />
      <RelatedAlertsDialog
        caseRow={relatedCase}
        onClose={() => setRelatedCase(null)}
        onOpenCase={setOpenCase}
      />
      <CaseSettingsDialog
        open={settingsOpen}
        onClose={() => setSettingsOpen(false)}
        onNewQueue={() => setBuilder({ queue: null })}
        onEditQueue={(q) => setBuilder({ queue: q })}
      />
      <QueueBuilder
        open={builder !== null}
        queue={builder?.queue ?? null}
        tenants={tenants}
        onClose={() => setBuilder(null)}
        onSaved={(q, jobId) => {
          setBuilder(null);
          void trackJob(jobId);
          void loadQueues();
          setNotice({
            jobId,
            text: `Saved queue ${q.name}; re-indexing its cases`,
          });
        }}
      />
      {exportSummary && (
        <ExportDialog
          open
          onClose={() => setExportSummary(null)}
          view={fullView}
          summary={exportSummary}
        />
      )}
    </div>
  );
}
