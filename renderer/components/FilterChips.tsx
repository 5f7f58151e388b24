import { X } from 'lucide-react';
import type { CreatedRange, FilterItem } from '../stores/cases';
import { describeLeaf } from './ConditionBuilder';
import { describeCreated } from './FilterPanel';

/** Applied filters as chips above the table (TBL-5), each removable, plus Clear All. */
export function FilterChips({
  filters,
  created,
  onRemove,
  onRemoveCreated,
  onClearAll,
}: {
  filters: readonly FilterItem[];
  created: CreatedRange;
  onRemove: (id: string) => void;
  onRemoveCreated: () => void;
  onClearAll: () => void;
}) {
  const createdLabel = describeCreated(created);
  if (filters.length === 0 && !createdLabel) return null;
  return (
    <div className="filter-chips">
      <span className="chip-list" role="list" aria-label="Applied filters">
        {filters.map((f) => {
          const label = describeLeaf(f.leaf);
          return (
            <span key={f.id} className="chip" role="listitem">
              <span className="chip-label" title={label}>
                {label}
              </span>
              <button
                type="button"
                className="chip-x"
                aria-label={`Remove filter ${label}`}
                onClick={() => onRemove(f.id)}
              >
                <X size={11} aria-hidden />
              </button>
            </span>
          );
        })}
        {createdLabel && (
          <span className="chip" role="listitem">
            <span className="chip-label">{createdLabel}</span>
            <button
              type="button"
              className="chip-x"
              aria-label={`Remove filter ${createdLabel}`}
              onClick={onRemoveCreated}
            >
              <X size={11} aria-hidden />
            </button>
          </span>
        )}
      </span>
      <button type="button" className="btn-link small" onClick={onClearAll}>
        Clear All
      </button>
    </div>
  );
}
