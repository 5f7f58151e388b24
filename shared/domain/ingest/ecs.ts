import { z } from 'zod';
import { alertScoreFromSeverity } from '../severity';
import type { EntityKind, EntityRef } from '../types';
import { normalizeTechniqueId, resolveTactic } from './attack-tactics';
import { DEFAULT_ALERT_SCORE, finishAlert, type RecordImport } from './build-alert';
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
  type JsonObject,
} from './fields';

/**
 * Elastic Security detection alerts: ECS documents of the `.alerts-security.alerts-*` indices,
 * with `kibana.alert.*` fields written flat (`"kibana.alert.rule.name": …`) or nested, possibly
 * inside a search hit (`_source`) or a Kibana es_archiver record (`value.source` or
 * `value._source`). Legacy 7.x `signal.*` documents are read the same way, and so are Attack
 * Discovery alerts (`.alerts-security.attack.discovery.alerts-*`, `kibana.alert.attack_discovery.*`).
 */

export const ECS_SOURCE = 'elastic-security';

/** A `kibana.alert.<suffix>` field, or its legacy `signal.<suffix>` twin. */
function alertField(document: JsonObject, suffix: string): unknown {
  return getPath(document, `kibana.alert.${suffix}`) ?? getPath(document, `signal.${suffix}`);
}

export function looksLikeEcsAlert(record: JsonObject): boolean {
  const { document } = unwrapRecord(record);
  if (isJsonObject(getPath(document, 'kibana.alert'))) return true;
  if (Object.keys(document).some((key) => key.startsWith('kibana.alert.'))) return true;
  return isJsonObject(getPath(document, 'signal.rule'));
}

const SEVERITY_WORDS = ['low', 'medium', 'high', 'critical'] as const;

const ecsFieldsSchema = z.object({
  sourceRef: idField,
  'kibana.alert.rule.name': z
    .string({ error: 'is not a string' })
    .trim()
    .min(1, 'must not be empty'),
  timestamp: isoTimestampField,
  // Rules give 0-100, but an Attack Discovery adds up the scores of its alerts (300 and more),
  // and other producers overshoot too: a score is clamped into 0-100, never a reason to refuse.
  'kibana.alert.risk_score': z
    .union(
      [
        z.number().refine(Number.isFinite, 'is not a number'),
        z.string().regex(/^-?\d+(?:\.\d+)?$/, 'is not a number'),
      ],
      { error: 'is not a number' },
    )
    .transform((value) => Math.min(100, Math.max(0, Number(value))))
    .optional(),
  'kibana.alert.severity': z
    .string()
    .refine((word) => (SEVERITY_WORDS as readonly string[]).includes(word.toLowerCase()), {
      error: 'is not one of low, medium, high, critical',
    })
    .optional(),
});

const HASH_ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'];

const ENTITY_FIELDS: ReadonlyArray<readonly [EntityKind, readonly string[]]> = [
  ['host', ['host.name']],
  ['user', ['user.name', 'user.target.name', 'source.user.name', 'destination.user.name']],
  ['ip', ['source.ip', 'destination.ip', 'client.ip', 'server.ip']],
  ['domain', ['dns.question.name', 'url.domain', 'source.domain', 'destination.domain']],
  [
    'hash',
    ['file', 'process', 'process.parent'].flatMap((owner) =>
      HASH_ALGORITHMS.map((algorithm) => `${owner}.hash.${algorithm}`),
    ),
  ],
  [
    'email',
    [
      'email.from.address',
      'email.sender.address',
      'email.to.address',
      'email.cc.address',
      'email.reply_to.address',
      'user.email',
    ],
  ],
  ['url', ['url.full']],
];

function ecsEntities(document: JsonObject): EntityRef[] {
  const refs: EntityRef[] = [];
  for (const [kind, paths] of ENTITY_FIELDS) {
    for (const path of paths) {
      for (const value of stringsAt(getPath(document, path))) refs.push({ kind, value });
    }
  }
  // ECS allows host.hostname without host.name; url.original when url.full is absent.
  if (getPath(document, 'host.name') === undefined) {
    for (const value of stringsAt(getPath(document, 'host.hostname'))) {
      refs.push({ kind: 'host', value });
    }
  }
  if (getPath(document, 'url.full') === undefined) {
    for (const value of stringsAt(getPath(document, 'url.original'))) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) refs.push({ kind: 'url', value });
    }
  }
  return refs;
}

/** The entity kind of each ECS field an alert's entities are read from. */
const KIND_OF_FIELD = new Map<string, EntityKind>([
  ...ENTITY_FIELDS.flatMap(([kind, paths]) => paths.map((path) => [path, kind] as const)),
  ['host.hostname', 'host'],
  ['host.ip', 'ip'],
]);

const ATTACK_DISCOVERY = 'kibana.alert.attack_discovery';

/** An `kibana.alert.attack_discovery.<suffix>` field. */
function attackDiscoveryField(document: JsonObject, suffix: string): unknown {
  return getPath(document, `${ATTACK_DISCOVERY}.${suffix}`);
}

/** getPath reads flat (`"kibana.alert.attack_discovery.title"`) and nested fields alike. */
function isAttackDiscovery(document: JsonObject): boolean {
  return (
    attackDiscoveryField(document, 'title') !== undefined ||
    attackDiscoveryField(document, 'alert_ids') !== undefined
  );
}

/** The anonymization map of an Attack Discovery: `[{uuid, value}]` in alerts, `{uuid: value}` in the API. */
function attackDiscoveryReplacements(document: JsonObject): Map<string, string> {
  const replacements = attackDiscoveryField(document, 'replacements');
  const map = new Map<string, string>();
  if (Array.isArray(replacements)) {
    for (const entry of replacements) {
      const uuid = firstString(getPath(entry, 'uuid'));
      const value = firstString(getPath(entry, 'value'));
      if (uuid && value) map.set(uuid, value);
    }
  } else if (isJsonObject(replacements)) {
    for (const [uuid, value] of Object.entries(replacements))
      if (typeof value === 'string') map.set(uuid, value);
  }
  return map;
}

/** `{{ host.name WS-0142 }}`: how Attack Discovery markdown names the fields it speaks of. */
const MARKDOWN_FIELD_PATTERN = /\{\{\s*([\w.@-]+)\s+([^{}]+?)\s*\}\}/g;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The hosts, users, IPs… an Attack Discovery names in its markdown. The `_with_replacements`
 * texts hold the real values; the plain ones may hold anonymized UUIDs, read back through
 * `replacements` (a UUID left unresolved is no entity).
 */
function attackDiscoveryEntities(document: JsonObject): EntityRef[] {
  const replacements = attackDiscoveryReplacements(document);
  const refs: EntityRef[] = [];
  for (const name of ['entity_summary_markdown', 'summary_markdown', 'details_markdown']) {
    const text =
      firstString(attackDiscoveryField(document, `${name}_with_replacements`)) ??
      firstString(attackDiscoveryField(document, name));
    if (!text) continue;
    for (const match of text.matchAll(MARKDOWN_FIELD_PATTERN)) {
      const kind = KIND_OF_FIELD.get(match[1] ?? '');
      const shown = match[2] ?? '';
      const value = replacements.get(shown) ?? shown;
      if (kind && !UUID_PATTERN.test(value)) refs.push({ kind, value });
    }
  }
  return refs;
}

/** Text with each `{{ field value }}` written as its value (anonymized ones read back). */
function withFieldValues(text: string | undefined, document: JsonObject): string | undefined {
  if (text === undefined || !text.includes('{{')) return text;
  const replacements = attackDiscoveryReplacements(document);
  return text.replace(MARKDOWN_FIELD_PATTERN, (_match, _field: string, shown: string) => {
    return replacements.get(shown) ?? shown;
  });
}

/** The first ATT&CK tactic of an Attack Discovery (`mitre_attack_tactics`: names or ids). */
function attackDiscoveryTactic(document: JsonObject): AttackRef | null {
  for (const text of stringsAt(attackDiscoveryField(document, 'mitre_attack_tactics'))) {
    const tactic = resolveTactic(text);
    if (tactic) return { id: tactic.id, name: tactic.name || null };
  }
  return null;
}

interface AttackRef {
  id: string;
  name: string | null;
}

/** First ATT&CK tactic and (sub-)technique of `kibana.alert.rule.threat`, else of ECS `threat.*`. */
function ecsAttack(document: JsonObject): {
  tactic: AttackRef | null;
  technique: AttackRef | null;
} {
  const threats = alertField(document, 'rule.threat');
  if (Array.isArray(threats)) {
    for (const threat of threats) {
      if (!isJsonObject(threat)) continue;
      const tacticId = firstString(getPath(threat, 'tactic.id'));
      const tactic = tacticId ? resolveTactic(tacticId) : null;
      const techniques = getPath(threat, 'technique');
      const firstTechnique = Array.isArray(techniques) ? techniques.find(isJsonObject) : undefined;
      let technique: AttackRef | null = null;
      if (firstTechnique) {
        const subtechniques = getPath(firstTechnique, 'subtechnique');
        const chosen =
          (Array.isArray(subtechniques) ? subtechniques.find(isJsonObject) : undefined) ??
          firstTechnique;
        const id = normalizeTechniqueId(firstString(getPath(chosen, 'id')) ?? '');
        if (id) technique = { id, name: firstString(getPath(chosen, 'name')) ?? null };
      }
      if (tactic || technique) {
        return {
          tactic: tactic
            ? { id: tactic.id, name: firstString(getPath(threat, 'tactic.name')) ?? tactic.name }
            : null,
          technique,
        };
      }
    }
  }
  const tacticId = firstString(getPath(document, 'threat.tactic.id'));
  const tactic = tacticId ? resolveTactic(tacticId) : null;
  const techniqueId = normalizeTechniqueId(
    firstString(getPath(document, 'threat.technique.subtechnique.id')) ??
      firstString(getPath(document, 'threat.technique.id')) ??
      '',
  );
  return {
    tactic: tactic ? { id: tactic.id, name: tactic.name || null } : null,
    technique: techniqueId ? { id: techniqueId, name: null } : null,
  };
}

/** Reads one Elastic Security alert. */
export function importEcsRecord(record: JsonObject): RecordImport {
  if (!looksLikeEcsAlert(record)) {
    // `--format ecs` on another kind of record: say what is missing, not which field.
    return {
      kind: 'error',
      message:
        'record is not an Elastic Security alert: it has no kibana.alert.* (or legacy signal.*) fields, neither at the top nor inside _source or an es_archiver value',
    };
  }
  const { document, wrapperId } = unwrapRecord(record);
  const originalTime = alertField(document, 'original_time');
  const discovery = isAttackDiscovery(document);
  // An Attack Discovery's rule name is its schedule's; its own title says what was found.
  const discoveryTitle = discovery
    ? withFieldValues(
        firstString(attackDiscoveryField(document, 'title_with_replacements')) ??
          firstString(attackDiscoveryField(document, 'title')),
        document,
      )
    : undefined;
  const view = {
    sourceRef: alertField(document, 'uuid') ?? wrapperId ?? record._id,
    'kibana.alert.rule.name': discoveryTitle ?? alertField(document, 'rule.name'),
    // COR-1 correlates on event time: the source event's time when Kibana kept it.
    timestamp: originalTime ?? getPath(document, '@timestamp'),
    'kibana.alert.risk_score':
      alertField(document, 'risk_score') ?? alertField(document, 'rule.risk_score'),
    'kibana.alert.severity':
      alertField(document, 'severity') ?? alertField(document, 'rule.severity'),
  };
  const checked = validateFields(ecsFieldsSchema, view);
  if (!checked.ok) {
    const message = checked.message
      .replace(/^sourceRef: is required/, 'kibana.alert.uuid (or the document _id): is required')
      .replace(
        /(^|; )timestamp:/,
        `$1${originalTime === undefined ? '@timestamp' : 'kibana.alert.original_time'}:`,
      );
    return { kind: 'error', message };
  }
  const fields = checked.value;
  const riskScore = fields['kibana.alert.risk_score'];
  const severityWord = fields['kibana.alert.severity'];
  const score =
    (riskScore !== undefined ? alertScoreFromSeverity(riskScore) : null) ??
    (severityWord !== undefined ? alertScoreFromSeverity(severityWord) : null) ??
    DEFAULT_ALERT_SCORE;
  const attack = ecsAttack(document);
  const discoveryTactic = discovery ? attackDiscoveryTactic(document) : null;
  return {
    kind: 'alert',
    alert: finishAlert({
      source: ECS_SOURCE,
      sourceRef: fields.sourceRef,
      type: discovery
        ? 'attack-discovery'
        : (optionalText.parse(alertField(document, 'rule.type')) ?? 'detection'),
      title: fields['kibana.alert.rule.name'],
      description:
        (discovery
          ? withFieldValues(
              optionalText.parse(
                attackDiscoveryField(document, 'summary_markdown_with_replacements'),
              ) ?? optionalText.parse(attackDiscoveryField(document, 'summary_markdown')),
              document,
            )
          : undefined) ??
        optionalText.parse(alertField(document, 'reason')) ??
        optionalText.parse(alertField(document, 'rule.description')) ??
        optionalText.parse(getPath(document, 'message')),
      timestamp: fields.timestamp,
      score,
      tactic: attack.tactic ?? discoveryTactic,
      technique: attack.technique,
      tenant: null,
      entities: discovery
        ? [...ecsEntities(document), ...attackDiscoveryEntities(document)]
        : ecsEntities(document),
      tags: stringsAt(alertField(document, 'rule.tags')),
      tlp: null,
      raw: record,
    }),
  };
}
