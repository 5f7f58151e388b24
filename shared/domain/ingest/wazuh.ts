import { z } from 'zod';
import type { EntityRef } from '../types';
import { normalizeTechniqueId, resolveTactic } from './attack-tactics';
import { finishAlert, type RecordImport } from './build-alert';
import {
  firstString,
  getPath,
  idField,
  isJsonObject,
  isoTimestampField,
  optionalText,
  stringsAt,
  unwrapRecord,
  validateFields,
  withoutPort,
  type JsonObject,
} from './fields';
import { suricataAttack, suricataEntities } from './suricata';

/**
 * Wazuh `alerts.json` records (one alert per line), also as stored in the wazuh-alerts index
 * (`_source`) or wrapped by Logstash.
 */

export const WAZUH_SOURCE = 'wazuh';

export function looksLikeWazuhAlert(record: JsonObject): boolean {
  const { document } = unwrapRecord(record);
  return (
    isJsonObject(document.rule) &&
    'level' in document.rule &&
    (isJsonObject(document.agent) || isJsonObject(document.manager) || 'decoder' in document)
  );
}

/**
 * Rule level 0-15 to score. Wazuh groups levels as low 0-6, medium 7-11, high 12-14 and
 * critical 15; each group maps into the matching Watchfloor band (COR-8), rising with the level.
 */
const SCORE_BY_LEVEL = [1, 4, 7, 10, 14, 18, 22, 27, 32, 37, 42, 47, 55, 62, 70, 90] as const;

export function wazuhLevelScore(level: number): number {
  return SCORE_BY_LEVEL[Math.min(15, Math.max(0, Math.round(level)))] ?? 1;
}

const wazuhFieldsSchema = z.object({
  id: idField,
  timestamp: isoTimestampField,
  'rule.level': z
    .number({ error: 'is not a rule level 0-15' })
    .int('is not a rule level 0-15')
    .min(0, 'is not a rule level 0-15')
    .max(15, 'is not a rule level 0-15'),
  'rule.description': z.string({ error: 'is not a string' }).trim().min(1, 'must not be empty'),
});

/**
 * A user name as the decoders leave it: without the `(uid=0)` PAM appends (`root(uid=0)`) and
 * without the angle brackets Dovecot and Postfix put around it (`<violet>`).
 */
function wazuhUser(text: string): string {
  const name = text.replace(/\(uid=\d+\)\s*$/, '').trim();
  const bracketed = /^<([^<>]*)>$/.exec(name);
  return (bracketed?.[1] ?? name).trim();
}

/**
 * Whether a Wazuh alert carries a Suricata EVE event under `data` (rule groups `ids`, `suricata`:
 * Wazuh's JSON decoder keeps the event's own field names, `data.src_ip`, `data.alert.signature`…).
 */
function carriesSuricataEvent(document: JsonObject, groups: readonly string[]): boolean {
  const data = document.data;
  if (!isJsonObject(data)) return false;
  const named = groups.some((group) => group === 'suricata' || group === 'ids');
  return named || (typeof data.event_type === 'string' && 'src_ip' in data);
}

/** Placeholders Windows writes for "no value". */
function isPlaceholder(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === '' || trimmed === '-' || trimmed === 'N/A';
}

function wazuhEntities(document: JsonObject, groups: readonly string[]): EntityRef[] {
  const refs: EntityRef[] = [];
  const add = (kind: EntityRef['kind'], values: readonly string[]): void => {
    for (const value of values) if (!isPlaceholder(value)) refs.push({ kind, value });
  };
  // A log forwarded through the manager (syslog, agentless) names its real host in the syslog
  // header the pre-decoder read; `agent.name` is then the manager, shared by every such alert.
  const loggedHost = stringsAt(getPath(document, 'predecoder.hostname')).filter(
    (name) => !isPlaceholder(name),
  );
  add('host', loggedHost.length > 0 ? loggedHost : stringsAt(getPath(document, 'agent.name')));
  for (const path of ['data.srcip', 'data.dstip', 'data.win.eventdata.ipAddress']) {
    add('ip', stringsAt(getPath(document, path)).map(withoutPort));
  }
  if (carriesSuricataEvent(document, groups) && isJsonObject(document.data)) {
    refs.push(...suricataEntities(document.data));
  }
  for (const path of ['data.srcuser', 'data.dstuser', 'data.win.eventdata.targetUserName']) {
    add('user', stringsAt(getPath(document, path)).map(wazuhUser));
  }
  for (const algorithm of ['md5', 'sha1', 'sha256']) {
    add('hash', stringsAt(getPath(document, `syscheck.${algorithm}_after`)));
  }
  add(
    'domain',
    stringsAt(getPath(document, 'data.hostname')).filter((name) => name.includes('.')),
  );
  add(
    'url',
    stringsAt(getPath(document, 'data.url')).filter((url) => /^[a-z][a-z0-9+.-]*:\/\//i.test(url)),
  );
  return refs;
}

/** Reads one Wazuh alert. */
export function importWazuhRecord(record: JsonObject): RecordImport {
  const { document } = unwrapRecord(record);
  const view = {
    id: document.id,
    timestamp: document.timestamp ?? document['@timestamp'],
    'rule.level': getPath(document, 'rule.level'),
    'rule.description': getPath(document, 'rule.description'),
  };
  const checked = validateFields(wazuhFieldsSchema, view);
  if (!checked.ok) return { kind: 'error', message: checked.message };
  const fields = checked.value;
  const groups = stringsAt(getPath(document, 'rule.groups'));
  // ATT&CK from the rule (`rule.mitre.id` / `tactic` / `technique`), else from the metadata of
  // the forwarded Suricata rule.
  const tacticText = stringsAt(getPath(document, 'rule.mitre.tactic')).find(
    (text) => resolveTactic(text) !== null,
  );
  const ruleTactic = tacticText ? resolveTactic(tacticText) : null;
  const techniqueIds = stringsAt(getPath(document, 'rule.mitre.id'));
  const techniqueAt = techniqueIds.findIndex((id) => normalizeTechniqueId(id) !== null);
  const ruleTechnique =
    techniqueAt >= 0 ? normalizeTechniqueId(techniqueIds[techniqueAt] ?? '') : null;
  const forwarded =
    carriesSuricataEvent(document, groups) && isJsonObject(document.data)
      ? suricataAttack(document.data)
      : { tactic: null, technique: null };
  const ruleId = firstString(getPath(document, 'rule.id'));
  return {
    kind: 'alert',
    alert: finishAlert({
      source: WAZUH_SOURCE,
      sourceRef: fields.id,
      type: groups.at(-1) ?? 'hids',
      title: fields['rule.description'],
      description:
        optionalText.parse(document.full_log) ??
        [ruleId ? `Wazuh rule ${ruleId}` : undefined, optionalText.parse(document.location)]
          .filter(Boolean)
          .join(', '),
      timestamp: fields.timestamp,
      score: wazuhLevelScore(fields['rule.level']),
      tactic: ruleTactic ? { id: ruleTactic.id, name: ruleTactic.name || null } : forwarded.tactic,
      technique: ruleTechnique
        ? {
            id: ruleTechnique,
            name: stringsAt(getPath(document, 'rule.mitre.technique'))[techniqueAt] ?? null,
          }
        : forwarded.technique,
      tenant: null,
      entities: wazuhEntities(document, groups),
      tags: groups,
      tlp: null,
      raw: record,
    }),
  };
}
