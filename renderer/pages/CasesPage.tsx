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
import type { CaseRow, CaseSortField } from '../../shared/domain/types';
import { caseSortFieldSchema } from '../../shared/domain/types';
import { call } from '../api/client';
import { useAppStore } from '../stores/app';
import { gridThemes } from '../components/grid-theme';
import { ScoreBar, SeverityChip } from '../components/cells';
import { CaseDrawer } from '../components/CaseDrawer';

const PAGE_SIZE = 100;

type Cell = ICellRendererParams<CaseRow>;

/**
 * TBL-2 default columns (Tenant, Case ID, Case Name, Score, Severity, Creator, What, Who,
 * Assignee), plus Status: until queues (issue 4) separate open from closed cases, an analyst
 * needs to see it. Widths fit a 1440 px window without a horizontal scrollbar. Columns without
 * an index (Tenant, Who) are not sortable.
 */
const COLUMNS: ColDef<CaseRow>[] = [
  { colId: 'tenantName', headerName: 'Tenant', field: 'tenantName', width: 118, sortable: false },
  {
    colId: 'number',
    headerName: 'Case ID',
    field: 'number',
    width: 84,
    cellClass: 'mono',
    cellRenderer: (p: Cell) => (p.data ? `#${p.data.number}` : ''),
  },
  { colId: 'name', headerName: 'Case Name', field: 'name', flex: 2, minWidth: 220 },
  {
    colId: 'score',
    headerName: 'Score',
    field: 'score',
    width: 84,
    type: 'rightAligned',
    cellRenderer: (p: Cell) => (p.data ? <ScoreBar score={p.data.score} /> : null),
  },
  {
    colId: 'severity',
    headerName: 'Severity',
    field: 'severity',
    width: 94,
    cellRenderer: (p: Cell) => (p.data ? <SeverityChip severity={p.data.severity} /> : null),
  },
  { colId: 'status', headerName: 'Status', field: 'status', width: 102 },
  { colId: 'creator', headerName: 'Creator', field: 'creator', width: 86 },
  { colId: 'what', headerName: 'What', field: 'what', width: 92, cellClass: 'mono' },
  { colId: 'who', headerName: 'Who', field: 'who', flex: 1, minWidth: 140, sortable: false },
  { colId: 'assigneeName', headerName: 'Assignee', field: 'assigneeName', width: 132 },
];

export function CasesPage() {
  const { info, dataVersion } = useAppStore();
  const apiRef = useRef<GridApi<CaseRow> | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [openCase, setOpenCase] = useState<CaseRow | null>(null);
  const theme = gridThemes[info?.preferences.theme ?? 'dark'];

  const datasource = useMemo<IDatasource>(
    () => ({
      getRows: (params: IGetRowsParams) => {
        const sortModel = params.sortModel[0];
        const parsedSort = caseSortFieldSchema.safeParse(sortModel?.colId);
        const sort: CaseSortField = parsedSort.success ? parsedSort.data : 'updatedAt';
        const direction = sortModel?.sort ?? 'desc';
        const limit = params.endRow - params.startRow;
        call('cases.list', {
          offset: params.startRow,
          limit,
          sort,
          direction,
          withTotal: params.startRow === 0,
        }).then(
          (page) => {
            if (page.total !== null) setTotal(page.total);
            const lastRow =
              page.total ?? (page.rows.length < limit ? params.startRow + page.rows.length : -1);
            setError(null);
            params.successCallback(page.rows, lastRow);
          },
          (err: unknown) => {
            setError((err as Error).message);
            params.failCallback();
          },
        );
      },
    }),
    [],
  );

  const onGridReady = useCallback((e: GridReadyEvent<CaseRow>) => {
    apiRef.current = e.api;
  }, []);

  useEffect(() => {
    apiRef.current?.purgeInfiniteCache();
  }, [dataVersion]);

  const onRowClicked = useCallback((e: RowClickedEvent<CaseRow>) => {
    if (e.data) setOpenCase(e.data);
  }, []);

  const empty = info && info.caseCount === 0;

  return (
    <div className="cases-page">
      <div className="table-head">
        <h2>All cases</h2>
        <span className="count" aria-label="case count">
          {total === null ? '' : `${total.toLocaleString('en')} cases`}
        </span>
        {error && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
      </div>
      {empty ? (
        <div className="empty-state">
          <h2>No cases yet</h2>
          <p>
            Cases appear here when alerts are imported and correlated, or load demo data from the
            CLI: <code>npx watchfloor demo --alerts 20000</code>.
          </p>
        </div>
      ) : (
        <div className="grid-wrap" aria-label="Cases table">
          <AgGridReact<CaseRow>
            theme={theme}
            columnDefs={COLUMNS}
            defaultColDef={{ sortable: true, resizable: true, suppressHeaderMenuButton: true }}
            rowModelType="infinite"
            datasource={datasource}
            cacheBlockSize={PAGE_SIZE}
            maxBlocksInCache={50}
            infiniteInitialRowCount={PAGE_SIZE}
            getRowId={(p) => p.data.id}
            onGridReady={onGridReady}
            onRowClicked={onRowClicked}
            rowClassRules={{
              'row-critical': (p) => p.data?.severity === 'Critical',
              'row-high': (p) => p.data?.severity === 'High',
              'row-medium': (p) => p.data?.severity === 'Medium',
              'row-low': (p) => p.data?.severity === 'Low',
            }}
          />
        </div>
      )}
      <CaseDrawer caseRow={openCase} onClose={() => setOpenCase(null)} />
    </div>
  );
}
