import * as Dialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import type { CaseRow } from '../../shared/domain/types';
import { ScoreBar, SeverityChip, TimeCell } from './cells';

/** Quick triage drawer on the right (UI.md); Esc returns to the table with the selection kept. */
export function CaseDrawer({ caseRow, onClose }: { caseRow: CaseRow | null; onClose: () => void }) {
  return (
    <Dialog.Root open={caseRow !== null} onOpenChange={(o) => !o && onClose()} modal={false}>
      <Dialog.Portal>
        <Dialog.Content
          className="drawer"
          aria-describedby={undefined}
          onInteractOutside={(e) => e.preventDefault()}
        >
          {caseRow && (
            <>
              <div className="drawer-head">
                <span className="mono muted">#{caseRow.number}</span>
                <Dialog.Title className="drawer-title">{caseRow.name}</Dialog.Title>
                <Dialog.Close asChild>
                  <button type="button" className="icon-btn" aria-label="Close case panel">
                    <X size={16} aria-hidden />
                  </button>
                </Dialog.Close>
              </div>
              <dl className="fields">
                <dt>Tenant</dt>
                <dd>{caseRow.tenantName}</dd>
                <dt>Status</dt>
                <dd>
                  {caseRow.status}
                  {caseRow.outcome ? ` · ${caseRow.outcome}` : ''}
                </dd>
                <dt>Severity</dt>
                <dd>
                  <SeverityChip severity={caseRow.severity} />
                </dd>
                <dt>Score</dt>
                <dd>
                  <ScoreBar score={caseRow.score} />
                </dd>
                <dt>Assignee</dt>
                <dd>{caseRow.assigneeName ?? <span className="muted">Unassigned</span>}</dd>
                <dt>Creator</dt>
                <dd>{caseRow.creator}</dd>
                <dt>What</dt>
                <dd className="mono">{caseRow.what ?? '—'}</dd>
                <dt>Who</dt>
                <dd>{caseRow.who ?? '—'}</dd>
                <dt>Alerts</dt>
                <dd>{caseRow.alertCount}</dd>
                <dt>TLP</dt>
                <dd>
                  <span className={`tlp tlp-${caseRow.tlp.replace('+', '-').toLowerCase()}`}>
                    TLP:{caseRow.tlp}
                  </span>
                </dd>
                <dt>Tags</dt>
                <dd className="tags">
                  {caseRow.tags.length
                    ? caseRow.tags.map((t) => (
                        <span key={t} className="tag">
                          {t}
                        </span>
                      ))
                    : '—'}
                </dd>
                <dt>First alert</dt>
                <dd>
                  <TimeCell ms={caseRow.firstAlertAt} />
                </dd>
                <dt>Last alert</dt>
                <dd>
                  <TimeCell ms={caseRow.lastAlertAt} />
                </dd>
                <dt>Created</dt>
                <dd>
                  <TimeCell ms={caseRow.createdAt} />
                </dd>
                <dt>Updated</dt>
                <dd>
                  <TimeCell ms={caseRow.updatedAt} />
                </dd>
              </dl>
              <p className="muted small">
                The full case page (tasks, observables, timeline) arrives with CAS-1.
              </p>
            </>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
