import type { CaseSeverity } from './types';

/** Severity follows score (COR-8): Critical 75+, High 50-74, Medium 25-49, Low 1-24 (and 0). */
export function severityForScore(score: number): CaseSeverity {
  if (score >= 75) return 'Critical';
  if (score >= 50) return 'High';
  if (score >= 25) return 'Medium';
  return 'Low';
}

/** Sort rank of a severity: Critical highest. Stored in `cases.severity_rank` so it sorts by index. */
export function severityRank(severity: CaseSeverity): number {
  switch (severity) {
    case 'Critical':
      return 4;
    case 'High':
      return 3;
    case 'Medium':
      return 2;
    case 'Low':
      return 1;
  }
}

/** Alert severity words map to the middle of their band, so a word and a number agree on band. */
const LABEL_SCORES: Record<string, number> = {
  informational: 10,
  info: 10,
  low: 20,
  medium: 45,
  moderate: 45,
  high: 70,
  critical: 90,
};

/**
 * Normalises an alert severity (1-100 number or low|medium|high|critical word) to a 1-100 score.
 * Returns null when the input is neither.
 */
export function alertScoreFromSeverity(severity: number | string): number | null {
  if (typeof severity === 'number') {
    if (!Number.isFinite(severity)) return null;
    return Math.min(100, Math.max(1, Math.round(severity)));
  }
  const score = LABEL_SCORES[severity.trim().toLowerCase()];
  return score ?? null;
}
