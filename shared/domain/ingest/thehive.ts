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
  withoutPort,
  type JsonObject,
} from './fields';
import { canonicalIp } from '../entities';

/**
 * TheHive alerts: TheHive 5 (`/api/v1/alert`, `observables`, `procedures`, `*Label` fields) and
 * TheHive 3/4 (`/api/alert`, `artifacts`). The record's own `source` and `sourceRef` are kept,
 * since TheHive already makes them unique per source.
 */

function hasTheHiveAlertShape(document: JsonObject): boolean {
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

/**
 * The alert inside a record: a search hit's `_source`, the `data` of a Cortex responder's input
 * (`{"dataType": "thehive:alert", "data": {…}}`), or the `object` of a TheHive webhook
 * (`{"objectType": "alert", "object": {…}}`); else the record itself.
 */
function theHiveDocument(record: JsonObject): JsonObject {
  const { document } = unwrapRecord(record);
  if (hasTheHiveAlertShape(document)) return document;
  for (const inner of [document.data, document.object]) {
    if (isJsonObject(inner) && hasTheHiveAlertShape(inner)) return inner;
  }
  return document;
}

export function looksLikeTheHiveAlert(record: JsonObject): boolean {
  return hasTheHiveAlertShape(theHiveDocument(record));
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

/**
 * TheHive's own data types and the names integrations give their custom ones (ElastAlert's
 * `hive_observable_data_mapping`, Security Onion, Splunk's thehive_datatypes lookup): the kind
 * of entity each holds, or null for data types that hold no entity (file names, registry keys,
 * user agents…), which are never guessed from their value.
 */
const OBSERVABLE_ENTITY_KINDS: ReadonlyMap<string, EntityKind | null> = new Map(
  Object.entries({
    ip: 'ip',
    ipv4: 'ip',
    ipv6: 'ip',
    domain: 'domain',
    fqdn: 'domain',
    dns: 'domain',
    hostname: 'host',
    host: 'host',
    computer: 'host',
    url: 'url',
    uri: 'url',
    mail: 'email',
    email: 'email',
    hash: 'hash',
    md5: 'hash',
    sha1: 'hash',
    sha256: 'hash',
    sha512: 'hash',
    user: 'user',
    username: 'user',
    'user-account': 'user',
    account: 'user',
    'user-agent': null,
    user_agent: null,
    useragent: null,
    'mail-subject': null,
    mail_subject: null,
    filename: null,
    file: null,
    registry: null,
    regexp: null,
    uri_path: null,
    'autonomous-system': null,
  } satisfies Record<string, EntityKind | null>),
);

/**
 * The kind a custom data type names through its words: `source_ip`, `dst-ip`, `srcIp` are IPs,
 * `src_host`, `agent_hostname` hosts, `target_user` users; undefined when the words say nothing.
 */
function kindFromDataTypeWords(dataType: string): EntityKind | null | undefined {
  const words = dataType
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  const has = (...names: string[]) => names.some((name) => words.includes(name));
  if (has('hash', 'md5', 'sha1', 'sha256', 'sha512')) return 'hash'; // `file_hash` too
  if (has('file', 'filename', 'path', 'registry', 'subject', 'agent', 'regexp')) {
    // `user-agent`, `mail_subject`, `file_path`: no entity. (`agent_hostname` is a host.)
    if (!has('hostname', 'host', 'ip')) return null;
  }
  if (has('ip', 'ipv4', 'ipv6', 'ipaddress', 'ipaddr')) return 'ip';
  if (has('hostname', 'host', 'computer', 'machine', 'workstation', 'device')) return 'host';
  if (has('user', 'username', 'account', 'login')) return 'user';
  if (has('domain', 'fqdn', 'dns')) return 'domain';
  if (has('url', 'uri', 'link')) return 'url';
  if (has('mail', 'email', 'sender', 'recipient')) return 'email';
  return undefined;
}

/**
 * Extensions of file names that would otherwise read as domain names (`invoice.pdf`), so an
 * unknown data type's value is not taken for a domain. A few real top-level domains (.zip, .sh,
 * .py…) are among them: a custom data type that holds those domains must be named as one.
 */
const FILE_EXTENSIONS = new Set(
  (
    'exe dll sys bat cmd com ps1 psm1 vbs vbe js jse jar hta scr msi lnk doc docx docm xls xlsx ' +
    'xlsm ppt pptx pdf rtf txt log csv xml json ini cfg conf dat bin tmp bak zip rar 7z gz tgz ' +
    'tar iso img dmg apk so sh py pl rb php asp aspx jsp html htm png jpg jpeg gif bmp svg mp3 ' +
    'mp4 mov avi eml msg one'
  ).split(' '),
);

const URL_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const EMAIL_PATTERN = /^[^\s@<>]+@[^\s@<>]+\.[a-z]{2,63}$/i;
const HASH_PATTERN = /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i;
const DOMAIN_PATTERN =
  /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63})\.?$/i;

/** The kind of entity a value of an unknown data type is, judged by its form alone. */
export function classifyObservableValue(value: string): EntityKind | null {
  const text = value.trim();
  if (canonicalIp(text) !== null) return 'ip';
  if (URL_PATTERN.test(text)) return 'url';
  if (EMAIL_PATTERN.test(text)) return 'email';
  if (HASH_PATTERN.test(text)) return 'hash';
  const domain = DOMAIN_PATTERN.exec(text);
  if (domain && !FILE_EXTENSIONS.has((domain[1] ?? '').toLowerCase())) return 'domain';
  return null;
}

/**
 * The entity kind of one observable: by its data type (TheHive's own, a known alias, or the
 * words of a custom one), else, for a data type nothing is known of, by the form of its value.
 */
function observableKind(dataType: string, value: string): EntityKind | null {
  const known = OBSERVABLE_ENTITY_KINDS.get(dataType.toLowerCase());
  if (known !== undefined) return known;
  const fromWords = kindFromDataTypeWords(dataType);
  if (fromWords !== undefined) return fromWords;
  return classifyObservableValue(value);
}

function theHiveEntities(document: JsonObject): EntityRef[] {
  const refs: EntityRef[] = [];
  for (const list of [document.observables, document.artifacts]) {
    if (!Array.isArray(list)) continue;
    for (const observable of list) {
      if (!isJsonObject(observable) || typeof observable.dataType !== 'string') continue;
      for (const value of stringsAt(observable.data)) {
        const kind = observableKind(observable.dataType, value);
        if (kind) refs.push({ kind, value: kind === 'ip' ? withoutPort(value) : value });
      }
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
  const document = theHiveDocument(record);
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
