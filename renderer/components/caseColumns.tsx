import type { ColDef, ICellRendererParams } from 'ag-grid-community';
import type { CaseColumn } from '../../shared/ipc/contract';
import { CASE_SORT_FIELDS, type CaseRow } from '../../shared/domain/types';
import { ScoreBar, SeverityChip, TimeCell } from './cells';

/** What cell renderers can reach (AG Grid `context`). */
export interface CaseGridContext {
  onShowAlerts: (row: CaseRow) => void;
}

type Cell = ICellRendererParams<CaseRow, unknown, CaseGridContext>;

/** Columns that are always shown (TBL-2). */
export const LOCKED_COLUMNS: readonly CaseColumn[] = ['tenantName', 'number', 'name'];

const SORTABLE = new Set<string>(CASE_SORT_FIELDS);

/** "Application Usage Anomaly and 2 others": the name and the part that links (TBL-3). */
export function splitCaseName(
  name: string,
): { base: string; others: string; count: number } | null {
  const m = /^(.+) (and (\d+) others?)$/.exec(name);
  return m ? { base: m[1]!, others: m[2]!, count: Number(m[3]) } : null;
}

function NameCell(p: Cell) {
  const row = p.data;
  if (!row) return null;
  const parts = splitCaseName(row.name);
  if (!parts) return <span title={row.name}>{row.name}</span>;
  return (
    <span className="name-cell" title={row.name}>
      <span className="name-text">{parts.base}</span>{' '}
      <button
        type="button"
        className="related-link"
        aria-label={`Show the ${row.alertCount} related alerts of case #${row.number}`}
        onClick={() => p.context.onShowAlerts(row)}
      >
        {parts.others}
      </button>
    </span>
  );
}

function TlpCell({ tlp }: { tlp: string }) {
  return <span className={`tlp tlp-${tlp.replace('+', '-').toLowerCase()}`}>TLP:{tlp}</span>;
}

const defs: (ColDef<CaseRow> & { colId: CaseColumn })[] = [
  { colId: 'tenantName', headerName: 'Tenant', field: 'tenantName', width: 104 },
  {
    colId: 'number',
    headerName: 'Case ID',
    field: 'number',
    width: 80,
    cellClass: 'mono',
    cellRenderer: (p: Cell) => (p.data ? `#${p.data.number}` : ''),
  },
  {
    colId: 'name',
    headerName: 'Case Name',
    field: 'name',
    flex: 2,
    minWidth: 180,
    cellRenderer: NameCell,
  },
  {
    colId: 'score',
    headerName: 'Score',
    field: 'score',
    width: 72,
    type: 'rightAligned',
    cellRenderer: (p: Cell) => (p.data ? <ScoreBar score={p.data.score} /> : null),
  },
  {
    colId: 'severity',
    headerName: 'Severity',
    field: 'severity',
    width: 92,
    cellRenderer: (p: Cell) => (p.data ? <SeverityChip severity={p.data.severity} /> : null),
  },
  { colId: 'creator', headerName: 'Creator', field: 'creator', width: 78 },
  { colId: 'what', headerName: 'What', field: 'what', width: 86, cellClass: 'mono' },
  { colId: 'who', headerName: 'Who', field: 'who', flex: 1, minWidth: 100 },
  {
    colId: 'assigneeName',
    headerName: 'Assignee',
    field: 'assigneeName',
    width: 120,
    cellRenderer: (p: Cell) =>
      p.data ? (p.data.assigneeName ?? <span className="muted">Unassigned</span>) : null,
  },
  { colId: 'status', headerName: 'Status', field: 'status', width: 100, hide: true },
  {
    colId: 'tags',
    headerName: 'Tags',
    field: 'tags',
    width: 150,
    hide: true,
    cellRenderer: (p: Cell) =>
      p.data ? (
        <span className="tag-cell">
          {p.data.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </span>
      ) : null,
  },
  {
    colId: 'createdAt',
    headerName: 'Created',
    field: 'createdAt',
    width: 112,
    hide: true,
    cellRenderer: (p: Cell) => (p.data ? <TimeCell ms={p.data.createdAt} /> : null),
  },
  {
    colId: 'updatedAt',
    headerName: 'Updated',
    field: 'updatedAt',
    width: 112,
    hide: true,
    cellRenderer: (p: Cell) => (p.data ? <TimeCell ms={p.data.updatedAt} /> : null),
  },
  {
    colId: 'alertCount',
    headerName: 'Alerts',
    field: 'alertCount',
    width: 74,
    hide: true,
    type: 'rightAligned',
    cellClass: 'num',
  },
  {
    colId: 'outcome',
    headerName: 'Outcome',
    field: 'outcome',
    width: 116,
    hide: true,
    cellRenderer: (p: Cell) => (p.data ? (p.data.outcome ?? '') : null),
  },
  {
    colId: 'closedAt',
    headerName: 'Closed',
    field: 'closedAt',
    width: 112,
    hide: true,
    cellRenderer: (p: Cell) => (p.data ? <TimeCell ms={p.data.closedAt} /> : null),
  },
  {
    colId: 'tlp',
    headerName: 'TLP',
    field: 'tlp',
    width: 104,
    hide: true,
    cellRenderer: (p: Cell) => (p.data ? <TlpCell tlp={p.data.tlp} /> : null),
  },
];

/**
 * TBL-2 columns: the nine defaults, then those the column chooser adds. Only columns the store
 * sorts through an index are sortable; the always-shown ones cannot be hidden.
 */
export const CASE_COLUMN_DEFS: ColDef<CaseRow>[] = defs.map((d) => ({
  ...d,
  sortable: SORTABLE.has(d.colId),
  ...(LOCKED_COLUMNS.includes(d.colId) ? { lockVisible: true } : {}),
}));

export const COLUMN_LABELS: Readonly<Record<CaseColumn, string>> = Object.fromEntries(
  defs.map((d) => [d.colId, d.headerName ?? d.colId]),
) as Record<CaseColumn, string>;
