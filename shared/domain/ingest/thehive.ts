import { z } from 'zod';
import { normalizeTlp, parseIso8601 } from '../alert-format';
import { alertScoreFromSeverity } from '../severity';
import type { EntityKind, EntityRef, Tlp } from '../types';
import { normalizeTechniqueId, resolveTactic } from './attack-tactics';
import { finishAlert, type RecordImport } from './build-alert';
import {
  firstString,
  idField,
  isJsonObject,
  optionalText,
  stringsAt,
  unwrapRecord,
  validateFields,
  type JsonObject,
} from './fields';

/**
 * TheHive alerts: TheHive 5 (`/api/v1/alert`, `observables`, `procedures`, `*Label` fields) and
 * TheHive 3/4 (`/api/alert`, `artifacts`). The record's own `source` and `sourceRef` are kept,
 * since TheHive already makes them unique per source.
 */

export function looksLikeTheHiveAlert(record: JsonObject): boolean {
  const { document } = unwrapRecord(record);
  if (!('sourceRef' in document) || !('source' in document) || 'timestamp' in document) {
    return false;
  }
  return (
    'date' in document ||
    (typeof document._type === 'string' && document._type.toLowerCase() === 'alert') ||
    Array.isArray(document.artifacts) ||
    Array.isArray(document.observables) ||
    '_createdAt' in document ||
    'createdAt' in document
  );
}

/** TheHive severity 1 low, 2 medium (TheHive's default), 3 high, 4 critical. */
const SEVERITY_WORDS = ['low', 'medium', 'high', 'critical'] as const;

function theHiveScore(severity: number): number {
  return alertScoreFromSeverity(SEVERITY_WORDS[severity - 1] ?? 'medium') ?? 45;
}

/**
 * TheHive TLP numbers: 0 WHITE/CLEAR, 1 GREEN, 2 AMBER (the default), then TheHive 3/4 use 3 for
 * RED while TheHive 5 uses 3 for AMBER+STRICT and 4 for RED. A `tlpLabel` wins; without one, 3 is
 * AMBER+STRICT only on a record that is recognisably TheHive 5 (it has a `stage` or a label
 * field) and RED otherwise, because reading RED as AMBER+STRICT would loosen the sharing limit.
 */
function theHiveTlp(document: JsonObject, tlp: number | undefined): Tlp {
  const label = typeof document.tlpLabel === 'string' ? normalizeTlp(document.tlpLabel) : null;
  if (label) return label;
  const isTheHive5 = 'stage' in document || 'tlpLabel' in document || 'severityLabel' in document;
  switch (tlp) {
    case 0:
      return 'CLEAR';
    case 1:
      return 'GREEN';
    case 3:
      return isTheHive5 ? 'AMBER+STRICT' : 'RED';
    case 4:
      return 'RED';
    default:
      return 'AMBER';
  }
}

const OBSERVABLE_ENTITY_KINDS: Readonly<Record<string, EntityKind>> = {
  ip: 'ip',
  domain: 'domain',
  fqdn: 'domain',
  hostname: 'host',
  host: 'host',
  url: 'url',
  mail: 'email',
  email: 'email',
  hash: 'hash',
  user: 'user',
  username: 'user',
  'user-account': 'user',
};

function theHiveEntities(document: JsonObject): EntityRef[] {
  const refs: EntityRef[] = [];
  for (const list of [document.observables, document.artifacts]) {
    if (!Array.isArray(list)) continue;
    for (const observable of list) {
      if (!isJsonObject(observable) || typeof observable.dataType !== 'string') continue;
      const kind = OBSERVABLE_ENTITY_KINDS[observable.dataType.toLowerCase()];
      if (!kind) continue;
      for (const value of stringsAt(observable.data)) refs.push({ kind, value });
    }
  }
  return refs;
}

const EVENT_DATE_MESSAGE = 'is not a date (epoch milliseconds or ISO 8601)';
const eventDate = z
  .union(
    [
      z.number().int(EVENT_DATE_MESSAGE).nonnegative(EVENT_DATE_MESSAGE),
      z.string().refine((text) => parseIso8601(text) !== null, EVENT_DATE_MESSAGE),
    ],
    { error: EVENT_DATE_MESSAGE },
  )
  .transform((value) => (typeof value === 'number' ? value : (parseIso8601(value) ?? 0)));

const theHiveFieldsSchema = z.object({
  source: z.string({ error: 'is not a string' }).trim().min(1, 'must not be empty'),
  sourceRef: idField,
  type: z.string({ error: 'is not a string' }).trim().min(1, 'must not be empty'),
  title: z.string({ error: 'is not a string' }).trim().min(1, 'must not be empty'),
  date: eventDate,
  severity: z
    .number({ error: 'is not a severity 1-4 (low, medium, high, critical)' })
    .int('is not a severity 1-4 (low, medium, high, critical)')
    .min(1, 'is not a severity 1-4 (low, medium, high, critical)')
    .max(4, 'is not a severity 1-4 (low, medium, high, critical)')
    .optional(),
  tlp: z
    .number({ error: 'is not a TLP number 0-4' })
    .int('is not a TLP number 0-4')
    .min(0, 'is not a TLP number 0-4')
    .max(4, 'is not a TLP number 0-4')
    .optional(),
  tags: z.array(z.string(), { error: 'is not an array of strings' }).optional(),
});

/** First ATT&CK procedure of a TheHive 5 alert. */
function theHiveAttack(document: JsonObject): {
  tactic: { id: string; name: string | null } | null;
  technique: { id: string; name: string | null } | null;
} {
  const procedures = Array.isArray(document.procedures) ? document.procedures : [];
  for (const procedure of procedures) {
    if (!isJsonObject(procedure)) continue;
    const techniqueId = normalizeTechniqueId(firstString(procedure.patternId) ?? '');
    const tacticText = firstString(procedure.tactic);
    const tactic = tacticText ? resolveTactic(tacticText) : null;
    if (techniqueId || tactic) {
      return {
        tactic: tactic ? { id: tactic.id, name: tactic.name || null } : null,
        technique: techniqueId
          ? { id: techniqueId, name: firstString(procedure.patternName) ?? null }
          : null,
      };
    }
  }
  return { tactic: null, technique: null };
}

/** Reads one TheHive alert. */
export function importTheHiveRecord(record: JsonObject): RecordImport {
  const { document } = unwrapRecord(record);
  const view = {
    source: document.source,
    sourceRef: document.sourceRef,
    type: document.type,
    title: document.title,
    // TheHive sets `date` to the creation time when a source gives none.
    date: document.date ?? document._createdAt ?? document.createdAt,
    severity: document.severity ?? undefined,
    tlp: document.tlp ?? undefined,
    tags: document.tags ?? undefined,
  };
  const checked = validateFields(theHiveFieldsSchema, view);
  if (!checked.ok) return { kind: 'error', message: checked.message };
  const fields = checked.value;
  const attack = theHiveAttack(document);
  return {
    kind: 'alert',
    alert: finishAlert({
      source: fields.source,
      sourceRef: fields.sourceRef,
      type: fields.type,
      title: fields.title,
      description: optionalText.parse(document.description),
      timestamp: fields.date,
      score: theHiveScore(fields.severity ?? 2),
      tactic: attack.tactic,
      technique: attack.technique,
      tenant: null,
      entities: theHiveEntities(document),
      tags: fields.tags ?? [],
      tlp: theHiveTlp(document, fields.tlp),
      raw: record,
    }),
  };
}
