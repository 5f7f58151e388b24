import { useEffect, useState } from 'react';
import * as Dialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import {
  CASE_OUTCOMES,
  CASE_STATUSES,
  type CaseOutcome,
  type CaseStatus,
} from '../../shared/domain/types';
import type { ChannelRequest } from '../../shared/ipc/contract';
import { call } from '../api/client';

type Selection = ChannelRequest<'cases.bulkUpdate'>['selection'];
type Change = Omit<ChannelRequest<'cases.bulkUpdate'>, 'selection'>;
interface User {
  id: string;
  login: string;
  displayName: string;
}

const UNASSIGN = '\u0000unassign';

function useLists(): { users: User[]; tags: string[] } {
  const [users, setUsers] = useState<User[]>([]);
  const [tags, setTags] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    call('users.list', {}).then(
      (u) => live && setUsers([...u].sort((a, b) => a.displayName.localeCompare(b.displayName))),
      () => undefined,
    );
    call('tags.list', {}).then(
      (t) => live && setTags(t),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return { users, tags };
}

function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}

/**
 * Bulk actions over the selected cases, or every case of the view (TBL-6): set Status, add Tags
 * (existing or new), set Assignee; Apply. Closing statuses ask once for outcome and summary.
 * Each Apply is a job in the Task List; `onStarted` reports it to the page.
 */
export function BulkActionBar({
  selection,
  count,
  total,
  allMatching,
  onSelectAllMatching,
  onClear,
  onStarted,
}: {
  selection: Selection;
  /** cases the change will touch */
  count: number;
  total: number | null;
  allMatching: boolean;
  onSelectAllMatching: () => void;
  onClear: () => void;
  /** `what`: e.g. "assignee Mei Tanaka, tags phishing" */
  onStarted: (jobId: string, matched: number, what: string) => void;
}) {
  const { users, tags } = useLists();
  const [status, setStatus] = useState<CaseStatus | ''>('');
  const [tagText, setTagText] = useState('');
  const [assignee, setAssignee] = useState('');
  const [closing, setClosing] = useState(false);
  const [outcome, setOutcome] = useState<CaseOutcome | ''>('');
  const [summary, setSummary] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const newTags = parseTags(tagText);
  const unknownTags = newTags.filter((t) => !tags.includes(t));
  const nothing = !status && newTags.length === 0 && !assignee;
  const closingStatus = status === 'Resolved' || status === 'Cancelled';

  const run = async (closeWith?: { outcome: CaseOutcome; summary: string }) => {
    const change: Change = {
      ...(status ? { status } : {}),
      ...(closeWith ? { outcome: closeWith.outcome } : {}),
      ...(closeWith?.summary ? { summary: closeWith.summary } : {}),
      ...(newTags.length ? { addTags: newTags } : {}),
      ...(assignee ? { assignee: assignee === UNASSIGN ? null : assignee } : {}),
    };
    setBusy(true);
    try {
      const r = await call('cases.bulkUpdate', { selection, ...change });
      const what = [
        status && `status ${status}`,
        newTags.length > 0 && `tags ${newTags.join(', ')}`,
        assignee &&
          (assignee === UNASSIGN
            ? 'unassigned'
            : `assignee ${users.find((u) => u.id === assignee)?.displayName ?? assignee}`),
      ]
        .filter(Boolean)
        .join(', ');
      onStarted(r.jobId, r.matched, what);
      setStatus('');
      setTagText('');
      setAssignee('');
      setClosing(false);
      setOutcome('');
      setSummary('');
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="bulk-bar" role="toolbar" aria-label="Bulk actions">
      <span className="bulk-count">
        {allMatching
          ? `All ${count.toLocaleString('en')} matching cases selected`
          : `${count.toLocaleString('en')} selected`}
      </span>
      {!allMatching && total !== null && total > count && (
        <button type="button" className="btn-link small" onClick={onSelectAllMatching}>
          Select all {total.toLocaleString('en')} matching
        </button>
      )}
      <button type="button" className="btn-link small" onClick={onClear}>
        Clear selection
      </button>
      <span className="bulk-sep" aria-hidden />
      <select
        aria-label="Set status"
        value={status}
        onChange={(e) => setStatus(e.target.value as CaseStatus | '')}
      >
        <option value="">Status…</option>
        {CASE_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <input
        type="text"
        className="bulk-tags"
        aria-label="Add tags"
        placeholder="Add tags (comma-separated)"
        list="bulk-tag-options"
        value={tagText}
        onChange={(e) => setTagText(e.target.value)}
        title={unknownTags.length ? `New tags: ${unknownTags.join(', ')}` : undefined}
      />
      <datalist id="bulk-tag-options">
        {tags.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      {unknownTags.length > 0 && <span className="muted small">new: {unknownTags.join(', ')}</span>}
      <select
        aria-label="Set assignee"
        value={assignee}
        onChange={(e) => setAssignee(e.target.value)}
      >
        <option value="">Assignee…</option>
        <option value={UNASSIGN}>Unassigned</option>
        {users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.displayName}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn primary"
        disabled={nothing || busy}
        onClick={() => (closingStatus ? setClosing(true) : void run())}
      >
        Apply
      </button>
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
      <Dialog.Root open={closing} onOpenChange={setClosing}>
        <Dialog.Portal>
          <Dialog.Overlay className="dialog-overlay" />
          <Dialog.Content className="dialog" aria-describedby="close-cases-desc">
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (outcome) void run({ outcome, summary: summary.trim() });
              }}
            >
              <div className="dialog-head">
                <Dialog.Title>
                  {status === 'Cancelled' ? 'Cancel' : 'Resolve'} {count.toLocaleString('en')} case
                  {count === 1 ? '' : 's'}
                </Dialog.Title>
                <Dialog.Close asChild>
                  <button type="button" className="icon-btn" aria-label="Close">
                    <X size={16} aria-hidden />
                  </button>
                </Dialog.Close>
              </div>
              <p id="close-cases-desc" className="muted small">
                Closing cases records an outcome and a summary, once for all of them.
              </p>
              <fieldset className="outcome-field">
                <legend>Outcome</legend>
                {CASE_OUTCOMES.map((o) => (
                  <label key={o}>
                    <input
                      type="radio"
                      name="outcome"
                      value={o}
                      checked={outcome === o}
                      onChange={() => setOutcome(o)}
                    />
                    {o}
                  </label>
                ))}
              </fieldset>
              <label className="field">
                <span>Summary</span>
                <textarea
                  rows={4}
                  maxLength={10_000}
                  value={summary}
                  onChange={(e) => setSummary(e.target.value)}
                  placeholder="What was found and why the cases are closed"
                />
              </label>
              <div className="dialog-actions">
                <Dialog.Close asChild>
                  <button type="button" className="btn">
                    Back
                  </button>
                </Dialog.Close>
                <button type="submit" className="btn primary" disabled={!outcome || busy}>
                  Apply
                </button>
              </div>
            </form>
          </Dialog.Content>
        </Dialog.Portal>
      </Dialog.Root>
    </div>
  );
}
