import { z } from 'zod';
import { alertScoreFromSeverity } from '../severity';
import { canonicalIp } from '../entities';
import type { EntityRef } from '../types';
import { normalizeTechniqueId, readableAttackName, resolveTactic } from './attack-tactics';
import { DEFAULT_ALERT_SCORE, finishAlert, type RecordImport } from './build-alert';
import {
  firstString,
  getPath,
  isJsonObject,
  isoTimestampField,
  stableDigest,
  stringsAt,
  unwrapRecord,
  validateFields,
  type JsonObject,
} from './fields';

/** Suricata EVE JSON (`eve.json`, one event per line). Only `event_type: alert` is an alert. */

export const SURICATA_SOURCE = 'suricata';

export function looksLikeSuricataEvent(record: JsonObject): boolean {
  const { document } = unwrapRecord(record);
  return (
    typeof document.event_type === 'string' &&
    'timestamp' in document &&
    ('flow_id' in document || 'src_ip' in document || 'in_iface' in document || 'alert' in document)
  );
}

/**
 * Suricata severity is 1 (high) to 3 (low) by default (classification.config); values above 3
 * are informational. Mapped to the middle of the matching band (COR-8).
 */
export function suricataSeverityScore(severity: number | undefined): number {
  if (severity === undefined) return DEFAULT_ALERT_SCORE;
  const word = severity <= 1 ? 'high' : severity === 2 ? 'medium' : severity === 3 ? 'low' : 'info';
  return alertScoreFromSeverity(word) ?? DEFAULT_ALERT_SCORE;
}

const suricataAlertSchema = z.object({
  timestamp: isoTimestampField,
  'alert.signature': z.string({ error: 'is not a string' }).trim().min(1, 'must not be empty'),
  'alert.severity': z
    .number({ error: 'is not a number (1 = high, 2 = medium, 3 = low)' })
    .int('is not a whole number (1 = high, 2 = medium, 3 = low)')
    .min(1, 'is not a severity 1-255 (1 = high, 2 = medium, 3 = low)')
    .max(255, 'is not a severity 1-255 (1 = high, 2 = medium, 3 = low)')
    .optional(),
  flow_id: z.union([z.number(), z.string()], { error: 'is not a number' }).optional(),
});

/** Strips `<…>` and display names from mail addresses as Suricata's SMTP logger writes them. */
function mailAddress(text: string): string {
  const angle = /<([^>]+)>/.exec(text);
  return (angle?.[1] ?? text).trim();
}

/**
 * Domains and addresses of an EVE `dns` object, in each form Suricata writes it:
 * - `dns` events v2 and Suricata 8 (v3): `dns.rrname`, `dns.queries[].rrname`, `dns.answers[]`;
 * - alerts of Suricata 6/7: the request as `dns.query[]` (objects with `rrname`), the response
 *   as `dns.answer` (`rrname`, and `answers[]` / `grouped` when detailed logging is on).
 * An answer gives its name, an A/AAAA answer also its address and a CNAME its target.
 */
function dnsEntities(
  dns: unknown,
  add: (kind: EntityRef['kind'], values: readonly string[]) => void,
): void {
  if (!isJsonObject(dns)) return;
  add('domain', stringsAt(dns.rrname));
  for (const list of [dns.queries, dns.query]) {
    if (Array.isArray(list))
      for (const query of list) add('domain', stringsAt(getPath(query, 'rrname')));
  }
  const answers = Array.isArray(dns.answers) ? dns.answers : [];
  for (const answer of answers) {
    if (!isJsonObject(answer)) continue;
    add('domain', stringsAt(answer.rrname));
    const type = firstString(answer.rrtype)?.toUpperCase();
    if (type === 'A' || type === 'AAAA') add('ip', stringsAt(answer.rdata));
    else if (type === 'CNAME') add('domain', stringsAt(answer.rdata));
  }
  const grouped = dns.grouped;
  if (isJsonObject(grouped)) {
    add('ip', [...stringsAt(grouped.A), ...stringsAt(grouped.AAAA)]);
    add('domain', stringsAt(grouped.CNAME));
  }
  if (isJsonObject(dns.answer)) dnsEntities(dns.answer, add);
}

/**
 * The entities of an EVE event: addresses, HTTP host and URL, TLS SNI, DNS names and answers,
 * mail addresses, and file hashes (`fileinfo` events, and the `files[]` Suricata 7 adds to
 * alerts). Also read from EVE events that Wazuh forwards under `data`.
 */
export function suricataEntities(document: JsonObject): EntityRef[] {
  const refs: EntityRef[] = [];
  const add = (kind: EntityRef['kind'], values: readonly string[]): void => {
    for (const value of values) refs.push({ kind, value });
  };
  add('ip', stringsAt(document.src_ip));
  add('ip', stringsAt(document.dest_ip));
  const httpHost = firstString(getPath(document, 'http.hostname'));
  if (httpHost) {
    // A request to a bare address names it as the Host: that is an IP, not a domain.
    add(canonicalIp(httpHost) === null ? 'domain' : 'ip', [httpHost]);
    const path = firstString(getPath(document, 'http.url'));
    if (path?.startsWith('/')) add('url', [`http://${httpHost}${path}`]);
  }
  add('domain', stringsAt(getPath(document, 'tls.sni')));
  dnsEntities(document.dns, add);
  for (const path of ['email.from', 'email.to', 'email.cc', 'smtp.mail_from', 'smtp.rcpt_to']) {
    add('email', stringsAt(getPath(document, path)).map(mailAddress));
  }
  const files = Array.isArray(document.files) ? document.files : [];
  for (const owner of [getPath(document, 'fileinfo'), ...files]) {
    if (!isJsonObject(owner)) continue;
    for (const algorithm of ['md5', 'sha1', 'sha256']) add('hash', stringsAt(owner[algorithm]));
  }
  return refs;
}

/** First entry of an ET-style `alert.metadata.<key>` list. */
function metadataValue(document: JsonObject, key: string): string | undefined {
  return firstString(getPath(document, `alert.metadata.${key}`));
}

/** The ATT&CK tactic and technique an ET-style rule names in `alert.metadata`. */
export function suricataAttack(document: JsonObject): {
  tactic: { id: string; name: string | null } | null;
  technique: { id: string; name: string | null } | null;
} {
  const tacticText =
    metadataValue(document, 'mitre_tactic_id') ?? metadataValue(document, 'mitre_tactic_name');
  const tactic = tacticText ? resolveTactic(readableAttackName(tacticText)) : null;
  const techniqueId = normalizeTechniqueId(metadataValue(document, 'mitre_technique_id') ?? '');
  const techniqueName = metadataValue(document, 'mitre_technique_name');
  const tacticName = metadataValue(document, 'mitre_tactic_name');
  return {
    tactic: tactic
      ? { id: tactic.id, name: tactic.name || (tacticName ? readableAttackName(tacticName) : null) }
      : null,
    technique: techniqueId
      ? { id: techniqueId, name: techniqueName ? readableAttackName(techniqueName) : null }
      : null,
  };
}

/** Reads one EVE event: an alert, or a skip for the other event types. */
export function importSuricataRecord(record: JsonObject): RecordImport {
  const { document } = unwrapRecord(record);
  if (document.event_type !== 'alert') {
    return {
      kind: 'skipped',
      reason: `event_type "${String(document.event_type)}" is not an alert`,
    };
  }
  if (!isJsonObject(document.alert)) {
    return {
      kind: 'error',
      message: `alert: ${document.alert === undefined ? 'is required' : 'is not an object'}`,
    };
  }
  const view = {
    timestamp: document.timestamp,
    'alert.signature': getPath(document, 'alert.signature'),
    'alert.severity': getPath(document, 'alert.severity'),
    flow_id: document.flow_id,
  };
  const checked = validateFields(suricataAlertSchema, view);
  if (!checked.ok) return { kind: 'error', message: checked.message };
  const fields = checked.value;
  const alert = document.alert;
  // One flow can raise several signatures in the same packet and the same signature in several
  // transactions, so the reference names flow, time, rule and transaction.
  const rule = `${String(alert.gid ?? 1)}:${String(alert.signature_id ?? 0)}:${String(alert.rev ?? 0)}`;
  const sourceRef =
    fields.flow_id !== undefined
      ? `${String(fields.flow_id)}:${String(document.timestamp)}:${rule}:${String(document.tx_id ?? '-')}`
      : `eve:${stableDigest(JSON.stringify(document))}`;
  const attack = suricataAttack(document);
  const category = firstString(alert.category);
  const flow = [
    firstString(document.proto),
    `${firstString(document.src_ip) ?? '?'}:${String(document.src_port ?? '?')}`,
    '->',
    `${firstString(document.dest_ip) ?? '?'}:${String(document.dest_port ?? '?')}`,
  ]
    .filter((part) => part !== undefined)
    .join(' ');
  return {
    kind: 'alert',
    alert: finishAlert({
      source: SURICATA_SOURCE,
      sourceRef,
      type: 'network-ids',
      title: fields['alert.signature'],
      description: [category, flow, `signature ${rule}`].filter(Boolean).join('\n'),
      timestamp: fields.timestamp,
      score: suricataSeverityScore(fields['alert.severity']),
      tactic: attack.tactic,
      technique: attack.technique,
      tenant: null,
      entities: suricataEntities(document),
      tags: [category, firstString(document.app_proto)].filter(
        (tag): tag is string => tag !== undefined,
      ),
      tlp: null,
      raw: record,
    }),
  };
}
