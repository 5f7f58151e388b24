import type { CaseSeverity } from '../../shared/domain/types';
import { absoluteTime, relativeTime } from './format';

export function SeverityChip({ severity }: { severity: CaseSeverity }) {
  return <span className={`sev-chip sev-${severity.toLowerCase()}`}>{severity}</span>;
}

export function ScoreBar({ score }: { score: number }) {
  const band = score >= 75 ? 'critical' : score >= 50 ? 'high' : score >= 25 ? 'medium' : 'low';
  return (
    <span className="score" aria-label={`score ${score}`}>
      <span className="score-num">{score}</span>
      <span className="score-track" aria-hidden>
        <span className={`score-fill sev-${band}`} style={{ width: `${score}%` }} />
      </span>
    </span>
  );
}

export function TimeCell({ ms }: { ms: number | null }) {
  if (ms === null) return <span className="muted">—</span>;
  return (
    <time dateTime={new Date(ms).toISOString()} title={absoluteTime(ms)}>
      {relativeTime(ms)}
    </time>
  );
}
