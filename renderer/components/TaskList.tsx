import { useState } from 'react';
import * as Popover from '@radix-ui/react-popover';
import { Ban, CheckCircle2, CirclePause, ListTodo, Loader2, X, XCircle } from 'lucide-react';
import type { Job } from '../../shared/ipc/contract';
import { useAppStore } from '../stores/app';
import { call } from '../api/client';

const isRunning = (j: Job) => j.status === 'In Progress' || j.status === 'Waiting';

function JobIcon({ status }: { status: Job['status'] }) {
  switch (status) {
    case 'Success':
      return <CheckCircle2 size={14} />;
    case 'Failure':
      return <XCircle size={14} />;
    case 'Cancelled':
      return <Ban size={14} />;
    case 'Interrupted':
      return <CirclePause size={14} />;
    default:
      return <Loader2 size={14} className="spin" />;
  }
}

/**
 * Header Task List (TBL-6, rule 7): running and finished jobs, dismiss, Clear all. A running
 * import, re-index, export, bulk edit or demo load has a Cancel button (NFR-2): it stops after
 * its current batch and ends Cancelled, saying what was kept. A job the app's ending cut short
 * shows as Interrupted after the next start (issue 11.3).
 */
export function TaskList() {
  const { jobs, setJobs, upsertJob } = useAppStore();
  const [cancelError, setCancelError] = useState<{ id: string; message: string } | null>(null);
  const running = jobs.filter(isRunning).length;
  const refresh = async () => setJobs(await call('jobs.list', {}));
  const cancel = async (job: Job) => {
    setCancelError(null);
    try {
      upsertJob(await call('jobs.cancel', { id: job.id }));
    } catch (err) {
      // e.g. it ended meanwhile: say so next to the job, and show it as it is now
      setCancelError({ id: job.id, message: (err as Error).message });
      await refresh();
    }
  };
  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <button
          type="button"
          className="icon-btn task-list-btn"
          aria-label={`Task List${running ? ` (${running} running)` : ''}`}
        >
          <ListTodo size={16} aria-hidden />
          {running > 0 && <span className="badge">{running}</span>}
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          className="popover task-list"
          align="end"
          sideOffset={6}
          aria-label="Task List"
        >
          <div className="popover-head">
            <strong>Task List</strong>
            <button
              type="button"
              className="btn small"
              disabled={jobs.every(isRunning)}
              onClick={() => void call('jobs.clearFinished', {}).then(refresh)}
            >
              Clear all
            </button>
          </div>
          {jobs.length === 0 && (
            <p className="muted empty">
              No tasks. Long work such as imports and exports shows up here.
            </p>
          )}
          <ul>
            {jobs.map((j) => (
              <li key={j.id} className={`job ${j.status.replace(' ', '-').toLowerCase()}`}>
                <span className="job-icon" aria-hidden>
                  <JobIcon status={j.status} />
                </span>
                <div className="job-body">
                  <div className="job-title" id={`job-title-${j.id}`}>
                    {j.title}
                  </div>
                  {j.status === 'Cancelled' && <div className="job-status">Cancelled</div>}
                  {j.status === 'Interrupted' && <div className="job-status">Interrupted</div>}
                  {j.status === 'In Progress' && (
                    <progress
                      max={1}
                      value={j.progress ?? undefined}
                      aria-label={`${j.title} progress`}
                    />
                  )}
                  {j.message && <div className="job-message">{j.message}</div>}
                  {cancelError?.id === j.id && (
                    <div className="job-error" role="alert">
                      {cancelError.message}
                    </div>
                  )}
                </div>
                {isRunning(j) && j.cancellable && (
                  <button
                    type="button"
                    className="btn small"
                    aria-describedby={`job-title-${j.id}`}
                    onClick={() => void cancel(j)}
                  >
                    Cancel
                  </button>
                )}
                {!isRunning(j) && (
                  <button
                    type="button"
                    className="icon-btn small"
                    aria-label={`Dismiss ${j.title}`}
                    onClick={() => void call('jobs.dismiss', { id: j.id }).then(refresh)}
                  >
                    <X size={12} aria-hidden />
                  </button>
                )}
              </li>
            ))}
          </ul>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
