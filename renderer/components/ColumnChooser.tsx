import { useState } from 'react';
import * as Popover from '@radix-ui/react-popover';
import { Columns3, Pin } from 'lucide-react';
import type { ColumnState, GridApi } from 'ag-grid-community';
import { CASE_COLUMNS, type CaseColumn } from '../../shared/ipc/contract';
import type { CaseRow } from '../../shared/domain/types';
import { COLUMN_LABELS, LOCKED_COLUMNS } from './caseColumns';

/**
 * Column chooser (TBL-2): show or hide columns (Tenant, Case ID and Case Name stay), pin them to
 * the left, autosize, and reset to the defaults. Resizing and reordering are done on the header.
 */
export function ColumnChooser({
  api,
  onReset,
}: {
  api: GridApi<CaseRow> | null;
  onReset: () => void;
}) {
  const [state, setState] = useState<ColumnState[]>([]);
  const read = () => setState(api?.getColumnState() ?? []);
  const byId = new Map(state.map((c) => [c.colId, c]));

  return (
    <Popover.Root onOpenChange={(o) => o && read()}>
      <Popover.Trigger asChild>
        <button type="button" className="btn" aria-label="Choose columns" disabled={!api}>
          <Columns3 size={14} aria-hidden /> Columns
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="popover column-chooser"
          align="end"
          sideOffset={6}
          role="dialog"
          aria-label="Columns"
        >
          <div className="popover-head">
            <strong>Columns</strong>
            <span className="muted small">drag headers to reorder or resize</span>
          </div>
          <ul className="column-list">
            {CASE_COLUMNS.map((id: CaseColumn) => {
              const s = byId.get(id);
              const locked = LOCKED_COLUMNS.includes(id);
              const visible = s ? !s.hide : false;
              const pinned = Boolean(s?.pinned);
              return (
                <li key={id}>
                  <label className={locked ? 'locked' : ''}>
                    <input
                      type="checkbox"
                      checked={visible}
                      disabled={locked}
                      onChange={(e) => {
                        api?.setColumnsVisible([id], e.target.checked);
                        read();
                      }}
                    />
                    {COLUMN_LABELS[id]}
                    {locked && <span className="muted small"> (always shown)</span>}
                  </label>
                  <button
                    type="button"
                    className={`icon-btn small ${pinned ? 'pinned' : ''}`}
                    aria-label={pinned ? `Unpin ${COLUMN_LABELS[id]}` : `Pin ${COLUMN_LABELS[id]}`}
                    aria-pressed={pinned}
                    disabled={!visible}
                    title={pinned ? 'Unpin' : 'Pin to the left'}
                    onClick={() => {
                      api?.setColumnsPinned([id], pinned ? null : 'left');
                      read();
                    }}
                  >
                    <Pin size={12} aria-hidden fill={pinned ? 'currentColor' : 'none'} />
                  </button>
                </li>
              );
            })}
          </ul>
          <div className="filter-foot">
            <button
              type="button"
              className="btn small"
              onClick={() => {
                api?.autoSizeAllColumns();
                read();
              }}
            >
              Autosize
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() => {
                api?.sizeColumnsToFit();
                read();
              }}
            >
              Fit width
            </button>
            <button
              type="button"
              className="btn small"
              onClick={() => {
                onReset();
                read();
              }}
            >
              Reset columns
            </button>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
