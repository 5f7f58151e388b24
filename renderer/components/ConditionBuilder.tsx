import { useState } from 'react';
import { FolderPlus, Plus, X } from 'lucide-react';
import { CASE_FIELD_CATALOGUE, findField } from '../../shared/domain/fields';
import type { CaseFieldRow, FieldDefinition } from '../../shared/domain/fields';
import { operatorsForField } from '../../shared/domain/conditions';
import type {
  ConditionGroup,
  ConditionLeaf,
  ConditionNode,
  ConditionOperator,
  ConditionScalar,
  ConditionValue,
} from '../../shared/domain/conditions';

/**
 * Condition trees over the case fields (QUE-1, TBL-5): groups combine with AND / OR, may be
 * negated (NOT) and nest; each condition is field, operator, value, with a value editor that fits
 * the field's type. The queue builder edits a whole tree; the filters panel one condition.
 */

type CaseField = FieldDefinition<CaseFieldRow>;

export const CASE_FIELDS: readonly CaseField[] = CASE_FIELD_CATALOGUE.fields;

export function caseField(key: string): CaseField | undefined {
  return findField(CASE_FIELD_CATALOGUE, key);
}

const LIST_OPERATORS: readonly ConditionOperator[] = ['in', 'not in'];
const NO_VALUE: readonly ConditionOperator[] = ['exists', 'not exists'];

function todayIso(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** A value that fits the operator, keeping what was there when it still fits. */
function valueFor(
  field: CaseField,
  operator: ConditionOperator,
  previous: ConditionValue | undefined,
): ConditionValue | undefined {
  if (NO_VALUE.includes(operator)) return undefined;
  const prevScalar: ConditionScalar | undefined =
    typeof previous === 'string' || typeof previous === 'number' ? previous : undefined;
  const prevList = Array.isArray(previous) ? (previous as ConditionScalar[]) : undefined;
  if (LIST_OPERATORS.includes(operator)) {
    if (prevList) return prevList;
    return prevScalar !== undefined && prevScalar !== '' ? [prevScalar] : [];
  }
  if (operator === 'between') {
    if (prevList?.length === 2) return prevList;
    if (field.type === 'number') return [0, 100];
    if (field.type === 'date') return [todayIso(-30), todayIso()];
    if (field.type === 'enum') return [field.values[0] ?? '', field.values.at(-1) ?? ''];
    return ['', ''];
  }
  const scalar = prevScalar ?? prevList?.[0];
  if (field.type === 'enum') {
    return typeof scalar === 'string' && field.values.includes(scalar)
      ? scalar
      : (field.values[0] ?? '');
  }
  if (field.type === 'number') return typeof scalar === 'number' ? scalar : 0;
  if (field.type === 'date') return typeof scalar === 'string' && scalar ? scalar : todayIso();
  return typeof scalar === 'string' ? scalar : '';
}

/** A fresh condition on a field (default: Status is New). */
export function newLeaf(fieldKey = 'status'): ConditionLeaf {
  const field = caseField(fieldKey) ?? CASE_FIELDS[0]!;
  const operator = operatorsForField(field)[0]!;
  const value = valueFor(field, operator, undefined);
  return {
    type: 'condition',
    field: field.key,
    operator,
    ...(value !== undefined ? { value } : {}),
  };
}

function formatScalar(field: CaseField | undefined, v: ConditionScalar): string {
  if (field?.type === 'date' && typeof v === 'number')
    return new Date(v).toISOString().slice(0, 10);
  return String(v);
}

/** "Severity is High", "Score between 50 and 80", "Status in New, Escalated", "Tags exists". */
export function describeLeaf(leaf: ConditionLeaf): string {
  const field = caseField(leaf.field);
  const label = field?.label ?? leaf.field;
  const v = leaf.value;
  if (v === undefined || v === null) return `${label} ${leaf.operator}`;
  if (Array.isArray(v)) {
    const parts = (v as ConditionScalar[]).map((x) => formatScalar(field, x));
    if (leaf.operator === 'between') return `${label} between ${parts[0]} and ${parts[1]}`;
    return `${label} ${leaf.operator} ${parts.join(', ')}`;
  }
  return `${label} ${leaf.operator} ${formatScalar(field, v as ConditionScalar)}`;
}

/** The tree as one line, e.g. `Status is New OR (Severity is High AND NOT (...))`. */
export function describeCondition(node: ConditionNode, nested = false): string {
  if (node.type === 'condition') return describeLeaf(node);
  if (node.children.length === 0) {
    const base = node.op === 'AND' ? 'everything' : 'nothing';
    return node.not ? `NOT ${base}` : base;
  }
  const inner = node.children.map((c) => describeCondition(c, true)).join(` ${node.op} `);
  const wrapped = (nested && node.children.length > 1) || node.not ? `(${inner})` : inner;
  return node.not ? `NOT ${wrapped}` : wrapped;
}

// ---------------------------------------------------------------------------------------------
// Value editors

function dateText(v: ConditionScalar | undefined): string {
  if (typeof v === 'number') return new Date(v).toISOString().slice(0, 10);
  return typeof v === 'string' ? v.slice(0, 10) : '';
}

function ScalarInput({
  field,
  value,
  onChange,
  label,
}: {
  field: CaseField;
  value: ConditionScalar | undefined;
  onChange: (v: ConditionScalar) => void;
  label: string;
}) {
  if (field.type === 'enum') {
    return (
      <select
        aria-label={label}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      >
        {field.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === 'number') {
    return (
      <input
        type="number"
        className="cond-number"
        aria-label={label}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? '' : Number(e.target.value))}
      />
    );
  }
  if (field.type === 'date') {
    return (
      <input
        type="date"
        aria-label={label}
        value={dateText(value)}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <input
      type="text"
      className="cond-text"
      aria-label={label}
      placeholder={field.key === 'assignee' ? 'user id, e.g. mei.tanaka' : 'value'}
      value={value === undefined ? '' : String(value)}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** Comma-separated values; keeps its own text so typing "a, " is not rewritten mid-word. */
function ListInput({
  field,
  value,
  onChange,
}: {
  field: CaseField;
  value: readonly ConditionScalar[];
  onChange: (v: ConditionScalar[]) => void;
}) {
  const [text, setText] = useState(() => value.map(String).join(', '));
  return (
    <input
      type="text"
      className="cond-text"
      aria-label="Values (comma-separated)"
      placeholder="a, b, c"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const parts = e.target.value
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p !== '');
        onChange(field.type === 'number' ? parts.map((p) => Number(p)) : parts);
      }}
    />
  );
}

function EnumMulti({
  field,
  value,
  onChange,
}: {
  field: CaseField & { values: readonly string[] };
  value: readonly ConditionScalar[];
  onChange: (v: ConditionScalar[]) => void;
}) {
  return (
    <span className="cond-multi" role="group" aria-label="Values">
      {field.values.map((v) => {
        const on = value.includes(v);
        return (
          <button
            key={v}
            type="button"
            className={`toggle-chip ${on ? 'on' : ''}`}
            aria-pressed={on}
            onClick={() =>
              onChange(
                on
                  ? value.filter((x) => x !== v)
                  : field.values.filter((x) => x === v || value.includes(x)),
              )
            }
          >
            {v}
          </button>
        );
      })}
    </span>
  );
}

function ValueEditor({
  field,
  leaf,
  onChange,
}: {
  field: CaseField;
  leaf: ConditionLeaf;
  onChange: (v: ConditionValue | undefined) => void;
}) {
  const op = leaf.operator;
  if (NO_VALUE.includes(op)) return <span className="cond-novalue muted">no value</span>;
  const list = Array.isArray(leaf.value) ? (leaf.value as ConditionScalar[]) : [];
  if (LIST_OPERATORS.includes(op)) {
    if (field.type === 'enum') return <EnumMulti field={field} value={list} onChange={onChange} />;
    return <ListInput key={`${field.key}:${op}`} field={field} value={list} onChange={onChange} />;
  }
  if (op === 'between') {
    return (
      <span className="cond-between">
        <ScalarInput
          field={field}
          label="From"
          value={list[0]}
          onChange={(v) => onChange([v, list[1] ?? ''])}
        />
        <span className="muted">and</span>
        <ScalarInput
          field={field}
          label="To"
          value={list[1]}
          onChange={(v) => onChange([list[0] ?? '', v])}
        />
      </span>
    );
  }
  const scalar =
    typeof leaf.value === 'string' || typeof leaf.value === 'number' ? leaf.value : undefined;
  return <ScalarInput field={field} label="Value" value={scalar} onChange={onChange} />;
}

// ---------------------------------------------------------------------------------------------
// Rows and groups

/** Field, operator and value of one condition. */
export function ConditionFields({
  leaf,
  onChange,
}: {
  leaf: ConditionLeaf;
  onChange: (leaf: ConditionLeaf) => void;
}) {
  const field = caseField(leaf.field) ?? CASE_FIELDS[0]!;
  const operators = operatorsForField(field);
  const update = (patch: { field?: CaseField; operator?: ConditionOperator }) => {
    const f = patch.field ?? field;
    const allowed = operatorsForField(f);
    const operator =
      patch.operator ?? (allowed.includes(leaf.operator) ? leaf.operator : allowed[0]!);
    const keep = f.key === field.key || f.type === field.type;
    const value = valueFor(f, operator, keep ? leaf.value : undefined);
    onChange({
      type: 'condition',
      field: f.key,
      operator,
      ...(value !== undefined ? { value } : {}),
    });
  };
  return (
    <>
      <select
        aria-label="Field"
        value={field.key}
        onChange={(e) => {
          const f = caseField(e.target.value);
          if (f) update({ field: f });
        }}
      >
        {CASE_FIELDS.map((f) => (
          <option key={f.key} value={f.key}>
            {f.label}
          </option>
        ))}
      </select>
      <select
        aria-label="Operator"
        value={leaf.operator}
        onChange={(e) => update({ operator: e.target.value as ConditionOperator })}
      >
        {operators.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <ValueEditor
        field={field}
        leaf={leaf}
        onChange={(value) => {
          const { value: _old, ...rest } = leaf;
          onChange(value === undefined ? rest : { ...rest, value });
        }}
      />
    </>
  );
}

export interface ConditionError {
  /** path inside the tree, e.g. `children[1].children[0].value`; '' for the root */
  path: string;
  message: string;
}

function errorsAt(errors: readonly ConditionError[], path: string, exact: boolean) {
  return errors.filter((e) =>
    exact
      ? e.path === path
      : e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`),
  );
}

function GroupEditor({
  group,
  onChange,
  onRemove,
  path,
  label,
  errors,
}: {
  group: ConditionGroup;
  onChange: (g: ConditionGroup) => void;
  onRemove?: () => void;
  path: string;
  label: string;
  errors: readonly ConditionError[];
}) {
  const childPath = (i: number) => `${path ? `${path}.` : ''}children[${i}]`;
  const setChild = (i: number, node: ConditionNode) =>
    onChange({ ...group, children: group.children.map((c, j) => (j === i ? node : c)) });
  const removeChild = (i: number) =>
    onChange({ ...group, children: group.children.filter((_, j) => j !== i) });
  const own = errorsAt(errors, path, true);
  return (
    <div className={`cond-group ${path ? 'inner' : 'root'}`} role="group" aria-label={label}>
      <div className="cond-group-head">
        <span className="cond-op" role="radiogroup" aria-label={`${label} combines with`}>
          {(['AND', 'OR'] as const).map((op) => (
            <button
              key={op}
              type="button"
              role="radio"
              aria-checked={group.op === op}
              className={group.op === op ? 'on' : ''}
              onClick={() => onChange({ ...group, op })}
            >
              {op}
            </button>
          ))}
        </span>
        <label className="cond-not">
          <input
            type="checkbox"
            checked={group.not === true}
            onChange={(e) => {
              const { not: _n, ...rest } = group;
              onChange(e.target.checked ? { ...rest, not: true } : rest);
            }}
          />
          NOT
        </label>
        <span className="muted small cond-hint">
          {group.op === 'AND' ? 'all of' : 'any of'}
          {group.not ? ' — negated' : ''}
        </span>
        {onRemove && (
          <button
            type="button"
            className="icon-btn small cond-remove"
            aria-label={`Remove ${label.toLowerCase()}`}
            onClick={onRemove}
          >
            <X size={13} aria-hidden />
          </button>
        )}
      </div>
      {own.map((e) => (
        <div key={e.message} className="cond-error" role="alert">
          {e.message}
        </div>
      ))}
      <div className="cond-children">
        {group.children.length === 0 && (
          <div className="muted small cond-empty">
            {group.op === 'AND'
              ? 'No conditions: matches every case in range.'
              : 'No conditions: matches nothing.'}
          </div>
        )}
        {group.children.map((child, i) => {
          const p = childPath(i);
          const n = `${label === 'Conditions' ? '' : `${label} `}`;
          if (child.type === 'group') {
            return (
              <GroupEditor
                key={i}
                group={child}
                path={p}
                label={`${n}Inner group ${i + 1}`.trim()}
                errors={errors}
                onChange={(g) => setChild(i, g)}
                onRemove={() => removeChild(i)}
              />
            );
          }
          const rowErrors = errorsAt(errors, p, false);
          return (
            <div key={i} className="cond-row-wrap">
              <div
                className={`cond-row ${rowErrors.length ? 'invalid' : ''}`}
                role="group"
                aria-label={`${n}Condition ${i + 1}`.trim()}
              >
                {i > 0 && <span className="cond-join">{group.op}</span>}
                <ConditionFields leaf={child} onChange={(leaf) => setChild(i, leaf)} />
                <button
                  type="button"
                  className="icon-btn small cond-remove"
                  aria-label="Remove condition"
                  onClick={() => removeChild(i)}
                >
                  <X size={13} aria-hidden />
                </button>
              </div>
              {rowErrors.map((e) => (
                <div key={e.path + e.message} className="cond-error" role="alert">
                  {e.message}
                </div>
              ))}
            </div>
          );
        })}
      </div>
      <div className="cond-actions">
        <button
          type="button"
          className="btn small"
          onClick={() => onChange({ ...group, children: [...group.children, newLeaf()] })}
        >
          <Plus size={12} aria-hidden /> Add condition
        </button>
        <button
          type="button"
          className="btn small"
          onClick={() =>
            onChange({
              ...group,
              children: [
                ...group.children,
                { type: 'group', op: group.op === 'AND' ? 'OR' : 'AND', children: [newLeaf()] },
              ],
            })
          }
        >
          <FolderPlus size={12} aria-hidden /> Add inner group
        </button>
      </div>
    </div>
  );
}

/** A whole condition tree; the root is always a group. */
export function ConditionBuilder({
  value,
  onChange,
  errors = [],
}: {
  value: ConditionGroup;
  onChange: (g: ConditionGroup) => void;
  errors?: readonly ConditionError[];
}) {
  return (
    <div className="cond-builder">
      <GroupEditor group={value} onChange={onChange} path="" label="Conditions" errors={errors} />
      <p className="cond-preview muted small" aria-label="Condition summary">
        {describeCondition(value)}
      </p>
    </div>
  );
}

/** Wraps a lone condition so the builder always edits a group. */
export function asGroup(node: ConditionNode): ConditionGroup {
  return node.type === 'group' ? node : { type: 'group', op: 'AND', children: [node] };
}
