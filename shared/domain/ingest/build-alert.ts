import { DEFAULT_ALERT_TLP, type NormalizedAlert } from '../alert-format';
import { normalizeEntities } from '../entities';
import { alertScoreFromSeverity } from '../severity';
import type { EntityRef, Tlp } from '../types';

/** Formats Watchfloor can import (ING-1). */
export const ALERT_FORMATS = ['watchfloor', 'ecs', 'suricata', 'wazuh', 'thehive'] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

/** Human names of the formats, for messages. */
export const ALERT_FORMAT_LABELS: Record<AlertFormat, string> = {
  watchfloor: 'Watchfloor alert JSON',
  ecs: 'Elastic Security (ECS) alert',
  suricata: 'Suricata EVE JSON',
  wazuh: 'Wazuh alerts.json',
  thehive: 'TheHive alert',
};

/** What one importer makes of one record. */
export type RecordImport =
  | { kind: 'alert'; alert: NormalizedAlert }
  /** A record of the right format that is not an alert (e.g. a Suricata `flow` event). */
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; message: string };

/** An alert as an importer reads it, before normalization of text, tags and entities. */
export interface AlertDraft {
  source: string;
  sourceRef: string;
  type: string;
  title: string;
  description: string | undefined;
  timestamp: number;
  score: number;
  tactic: { id: string; name: string | null } | null;
  technique: { id: string; name: string | null } | null;
  tenant: string | null;
  entities: EntityRef[];
  tags: readonly string[];
  tlp: Tlp | null;
  raw: unknown;
}

/** Score of an alert that names no severity: `low` (20). */
export const DEFAULT_ALERT_SCORE = alertScoreFromSeverity('low') ?? 20;

/** Tags trimmed, empty ones dropped, duplicates removed, first-seen order kept. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    const trimmed = tag.trim();
    if (trimmed !== '') seen.add(trimmed);
  }
  return [...seen];
}

/** The NormalizedAlert of a draft. */
export function finishAlert(draft: AlertDraft): NormalizedAlert {
  return {
    source: draft.source.trim(),
    sourceRef: draft.sourceRef.trim(),
    type: draft.type.trim() === '' ? 'alert' : draft.type.trim(),
    title: draft.title.trim(),
    description: draft.description?.trim() ?? '',
    timestamp: draft.timestamp,
    score: Math.min(100, Math.max(1, Math.round(draft.score))),
    tactic: draft.tactic?.id ?? null,
    technique: draft.technique?.id ?? null,
    tacticName: draft.tactic?.name || null,
    techniqueName: draft.technique?.name || null,
    tenant: draft.tenant?.trim() || null,
    entities: normalizeEntities(draft.entities),
    tags: normalizeTags(draft.tags),
    tlp: draft.tlp ?? DEFAULT_ALERT_TLP,
    raw: draft.raw,
  };
}
