import { useEffect, useRef, useState } from 'react';
import { Loader2, Lock, Pin, Settings } from 'lucide-react';
import type { QueueDto } from '../../shared/ipc/contract';
import { call } from '../api/client';
import { orderQueues, useCasesStore } from '../stores/cases';

const MIN_WIDTH = 180;
const MAX_WIDTH = 420;
const DEFAULT_WIDTH = 240;

function clampWidth(w: number): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.round(w)));
}

/**
 * Case Queues (TBL-1, QUE-6): default and custom queues with their counts, pinned first; the
 * selected queue drives the table. The gear opens Case Settings. The panel is resizable and its
 * width is remembered per user.
 */
export function QueuePanel({ onOpenSettings }: { onOpenSettings: () => void }) {
  const { queues, queuesError, selectedQueueId, selectQueue, loadQueues } = useCasesStore();
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  const [pinError, setPinError] = useState<string | null>(null);
  const drag = useRef<{ startX: number; startW: number } | null>(null);

  useEffect(() => {
    let live = true;
    call('layout.get', { key: 'cases.queuePanel' }).then(
      (v) => {
        const w = (v as { width?: unknown } | null)?.width;
        if (live && typeof w === 'number') setWidth(clampWidth(w));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  const saveWidth = (w: number) =>
    void call('layout.save', { key: 'cases.queuePanel', value: { width: w } }).catch(
      () => undefined,
    );

  const togglePin = async (q: QueueDto) => {
    try {
      await call('queues.pin', { id: q.id, pinned: !q.pinned });
      setPinError(null);
      await loadQueues();
    } catch (e) {
      setPinError((e as Error).message);
    }
  };

  const ordered = queues ? orderQueues(queues) : [];
  const firstUnpinned = ordered.findIndex((q) => !q.pinned);

  return (
    <aside className="queue-panel" style={{ width }} aria-label="Case Queues">
      <div className="queue-panel-head">
        <h2>Case Queues</h2>
        <button
          type="button"
          className="icon-btn small"
          aria-label="Case Settings"
          title="Case Settings"
          onClick={onOpenSettings}
        >
          <Settings size={14} aria-hidden />
        </button>
      </div>
      {queues === null && <p className="muted small queue-note">Loading queues…</p>}
      {queuesError && (
        <p className="error small queue-note" role="alert">
          Queues are unavailable: {queuesError}
        </p>
      )}
      {pinError && (
        <p className="error small queue-note" role="alert">
          {pinError}
        </p>
      )}
      <ul className="queue-list" aria-label="Queues">
        {ordered.map((q, i) => {
          const selected = q.id === selectedQueueId;
          return (
            <li
              key={q.id}
              className={`queue-item ${selected ? 'selected' : ''} ${
                i === firstUnpinned && i > 0 ? 'after-pinned' : ''
              }`}
            >
              <button
                type="button"
                className="queue-select"
                aria-current={selected ? 'true' : undefined}
                title={q.description || q.name}
                onClick={() => selectQueue(q.id)}
              >
                <span className="queue-name">{q.name}</span>
                {q.isDefault && <Lock size={10} className="queue-lock" aria-hidden />}
                <span className="queue-count">
                  {q.count === null ? (
                    <span className="indexing" aria-label="indexing">
                      <Loader2 size={11} className="spin" aria-hidden /> indexing…
                    </span>
                  ) : (
                    q.count.toLocaleString('en')
                  )}
                </span>
              </button>
              <button
                type="button"
                className={`icon-btn small queue-pin ${q.pinned ? 'pinned' : ''}`}
                aria-label={q.pinned ? `Unpin ${q.name}` : `Pin ${q.name}`}
                aria-pressed={q.pinned}
                title={q.pinned ? 'Unpin' : 'Pin to the top'}
                onClick={() => void togglePin(q)}
              >
                <Pin size={12} aria-hidden fill={q.pinned ? 'currentColor' : 'none'} />
              </button>
            </li>
          );
        })}
      </ul>
      <div
        className="queue-resizer"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize queue panel"
        aria-valuenow={width}
        aria-valuemin={MIN_WIDTH}
        aria-valuemax={MAX_WIDTH}
        tabIndex={0}
        onPointerDown={(e) => {
          drag.current = { startX: e.clientX, startW: width };
          e.currentTarget.setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          if (drag.current)
            setWidth(clampWidth(drag.current.startW + e.clientX - drag.current.startX));
        }}
        onPointerUp={() => {
          if (drag.current) saveWidth(width);
          drag.current = null;
        }}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
          e.preventDefault();
          const w = clampWidth(width + (e.key === 'ArrowLeft' ? -16 : 16));
          setWidth(w);
          saveWidth(w);
        }}
      />
    </aside>
  );
}
