import {
  normalizeTlp,
  parseIso8601,
  watchfloorAlertSchema,
  type NormalizedAlert,
  type WatchfloorAlertInput,
} from '../alert-format';
import { entitiesFromGroups } from '../entities';
import { alertScoreFromSeverity } from '../severity';
import { resolveTactic } from './attack-tactics';
import { DEFAULT_ALERT_SCORE, finishAlert, type RecordImport } from './build-alert';
import { validateFields, type JsonObject } from './fields';

/** True when a record looks like a Watchfloor alert (checked after TheHive, which shares fields). */
export function looksLikeWatchfloorAlert(record: JsonObject): boolean {
  return 'sourceRef' in record && 'source' in record;
}

/** NormalizedAlert of a validated Watchfloor alert. `raw` is the record's own `raw`, else the record. */
export function normalizeWatchfloorAlert(
  input: WatchfloorAlertInput,
  record: unknown,
): NormalizedAlert {
  const tactic = input.tactic ?? null;
  return finishAlert({
    source: input.source,
    sourceRef: input.sourceRef,
    type: input.type ?? 'alert',
    title: input.title,
    description: input.description,
    // The schema has checked the timestamp, so it parses.
    timestamp: parseIso8601(input.timestamp) ?? 0,
    score: alertScoreFromSeverity(input.severity) ?? DEFAULT_ALERT_SCORE,
    tactic: tactic
      ? { id: tactic, name: input.tacticName ?? resolveTactic(tactic)?.name ?? null }
      : null,
    technique: input.technique ? { id: input.technique, name: input.techniqueName ?? null } : null,
    tenant: input.tenant ?? null,
    entities: entitiesFromGroups(input.entities ?? {}),
    tags: input.tags ?? [],
    tlp: input.tlp === undefined ? null : normalizeTlp(input.tlp),
    raw: input.raw === undefined ? record : input.raw,
  });
}

/** Reads one record in the Watchfloor alert format v1. */
export function importWatchfloorRecord(record: JsonObject): RecordImport {
  const checked = validateFields(watchfloorAlertSchema, record);
  if (!checked.ok) return { kind: 'error', message: checked.message };
  return { kind: 'alert', alert: normalizeWatchfloorAlert(checked.value, record) };
}
