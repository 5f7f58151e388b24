import { useState } from 'react';
import * as Popover from '@radix-ui/react-popover';
import { CalendarRange, Filter, Plus } from 'lucide-react';
import { checkConditionLeaf } from '../../shared/domain/conditions';
import type { ConditionLeaf } from '../../shared/domain/conditions';
import type { CreatedRange } from '../stores/cases';
import { caseField, ConditionFields, describeLeaf, newLeaf } from './ConditionBuilder';

const DAY = 86_400_000;

/** Filters panel (TBL-5): one condition on any case field at a time, added as a chip. */
export function FilterPanel({
  count,
  onAdd,
}: {
  count: number;
  onAdd: (leaf: ConditionLeaf) => void;
}) {
  const [open, setOpen] = useState(false);
  const [leaf, setLeaf] = useState<ConditionLeaf>(() => newLeaf('severity'));
  const [problem, setProblem] = useState<string | null>(null);

  const add = () => {
    const field = caseField(leaf.field);
    if (!field) return;
    const p = checkConditionLeaf(field, leaf.operator, leaf.value);
    if (p) {
      setProblem(p.message);
      return;
    }
    onAdd(leaf);
    setProblem(null);
    setOpen(false);
  };

  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <button type="button" className={`btn ${count ? 'active' : ''}`} aria-haspopup="dialog">
          <Filter size={14} aria-hidden /> Filters
          {count > 0 && <span className="btn-count">{count}</span>}
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="popover filter-panel"
          align="start"
          sideOffset={6}
          aria-label="Filters"
          role="dialog"
        >
          <div className="popover-head">
            <strong>Add a filter</strong>
            <span className="muted small">on top of the queue</span>
          </div>
          <form
            className="filter-row"
            onSubmit={(e) => {
              e.preventDefault();
              add();
            }}
          >
            <div className="cond-row" role="group" aria-label="New filter">
              <ConditionFields
                leaf={leaf}
                onChange={(l) => {
                  setLeaf(l);
                  setProblem(null);
                }}
              />
            </div>
            {problem && (
              <div className="cond-error" role="alert">
                {problem}
              </div>
            )}
            <div className="filter-foot">
              <span className="muted small filter-preview">{describeLeaf(leaf)}</span>
              <button type="submit" className="btn primary small">
                <Plus size={12} aria-hidden /> Add filter
              </button>
            </div>
          </form>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function describeCreated(r: CreatedRange): string | null {
  if (r.from === undefined && r.to === undefined) return null;
  if (r.to === undefined) return `Created since ${isoDay(r.from!)}`;
  if (r.from === undefined) return `Created until ${isoDay(r.to)}`;
  return `Created ${isoDay(r.from)} – ${isoDay(r.to)}`;
}

const PRESETS = [
  { label: 'Last 24 hours', ms: DAY },
  { label: 'Last 7 days', ms: 7 * DAY },
  { label: 'Last 30 days', ms: 30 * DAY },
  { label: 'Last 90 days', ms: 90 * DAY },
];

/** Created At range over the table (TBL-5), not the queue's own range. UTC days. */
export function CreatedRangePicker({
  value,
  onChange,
}: {
  value: CreatedRange;
  onChange: (r: CreatedRange) => void;
}) {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const label = describeCreated(value);

  const applyCustom = () => {
    const f = from ? Date.parse(`${from}T00:00:00Z`) : undefined;
    const t = to ? Date.parse(`${to}T00:00:00Z`) + DAY - 1 : undefined;
    if (f === undefined && t === undefined) {
      setProblem('Choose a start date, an end date or both');
      return;
    }
    if (f !== undefined && t !== undefined && t < f) {
      setProblem('The range ends before it starts');
      return;
    }
    onChange({ ...(f !== undefined ? { from: f } : {}), ...(t !== undefined ? { to: t } : {}) });
    setProblem(null);
    setOpen(false);
  };

  return (
    <Popover.Root
      open={open}
      onOpenChange={(o) => {
        if (o) {
          setFrom(value.from !== undefined ? isoDay(value.from) : '');
          setTo(value.to !== undefined ? isoDay(value.to) : '');
          setProblem(null);
        }
        setOpen(o);
      }}
    >
      <Popover.Trigger asChild>
        <button type="button" className={`btn ${label ? 'active' : ''}`} aria-haspopup="dialog">
          <CalendarRange size={14} aria-hidden /> {label ? 'Created: set' : 'Created: any time'}
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="popover created-picker"
          align="start"
          sideOffset={6}
          role="dialog"
          aria-label="Created At range"
        >
          <div className="popover-head">
            <strong>Created At</strong>
            <span className="muted small">UTC days</span>
          </div>
          <div className="preset-list">
            {PRESETS.map((p) => (
              <button
                key={p.label}
                type="button"
                className="btn small"
                onClick={() => {
                  onChange({ from: Date.now() - p.ms });
                  setOpen(false);
                }}
              >
                {p.label}
              </button>
            ))}
          </div>
          <div className="created-custom">
            <label className="inline-field">
              <span>From</span>
              <input
                type="date"
                aria-label="Created from"
                value={from}
                onChange={(e) => setFrom(e.target.value)}
              />
            </label>
            <label className="inline-field">
              <span>To</span>
              <input
                type="date"
                aria-label="Created to"
                value={to}
                onChange={(e) => setTo(e.target.value)}
              />
            </label>
          </div>
          {problem && (
            <div className="cond-error" role="alert">
              {problem}
            </div>
          )}
          <div className="filter-foot">
            <button
              type="button"
              className="btn small"
              disabled={!label}
              onClick={() => {
                onChange({});
                setOpen(false);
              }}
            >
              Any time
            </button>
            <button type="button" className="btn primary small" onClick={applyCustom}>
              Apply dates
            </button>
          </div>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
