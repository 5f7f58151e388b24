import { z } from 'zod';
import { groupsFromEntities } from './entities';
import { ADMIN_TENANT_NAME, entityRefSchema, tlpSchema, type EntityRef, type Tlp } from './types';

/**
 * Watchfloor alert format v1: the JSON shape Watchfloor reads and writes for one alert
 * (file import, the server's ingestion API, exports). Every importer of a third-party format
 * produces a `NormalizedAlert`, the same shape this format normalizes to.
 *
 * ```json
 * {
 *   "source": "edr-prod", "sourceRef": "a-1029", "type": "process",
 *   "title": "Encoded PowerShell", "description": "…",
 *   "timestamp": "2024-05-01T10:15:00Z", "severity": "high",
 *   "tactic": "TA0002", "technique": "T1059.001", "techniqueName": "PowerShell",
 *   "tenant": "acme",
 *   "entities": { "hosts": ["WS-12"], "users": ["alice"], "ips": ["10.0.0.5"] },
 *   "tags": ["edr"], "tlp": "AMBER", "raw": { "...": "..." }
 * }
 * ```
 */

/** ATT&CK tactic id, e.g. `TA0002`. */
export const ATTACK_TACTIC_ID_PATTERN = /^TA\d{4}$/;
/** ATT&CK technique or sub-technique id, e.g. `T1059` or `T1059.001`. */
export const ATTACK_TECHNIQUE_ID_PATTERN = /^T\d{4}(?:\.\d{3})?$/;

const ISO_8601_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses an ISO 8601 date-time to epoch milliseconds, or null. Accepts the variants real
 * sources write: `Z` or `±hh:mm` / `±hhmm` / `±hh` offsets (Suricata and Wazuh write `+0000`),
 * any number of fraction digits (truncated to milliseconds, never rounded, so every machine
 * agrees), a space instead of `T`, and a date alone (midnight UTC). A date-time without an
 * offset is read as UTC, never as the local time zone of the machine (COR-9).
 */
export function parseIso8601(text: string): number | null {
  const match = ISO_8601_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fraction, offset] =
    match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = hourText === undefined ? 0 : Number(hourText);
  const minute = minuteText === undefined ? 0 : Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offsetMinutes = 0;
  if (offset !== undefined && offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  // A leap second (:60) is folded into the next second, as Date does.
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return utc - offsetMinutes * 60_000;
}

/** Reads a TLP label (TLP 2.0, case-insensitive, optional `TLP:` prefix); WHITE means CLEAR. */
export function normalizeTlp(value: string): Tlp | null {
  const label = value
    .trim()
    .toUpperCase()
    .replace(/^TLP:\s*/, '');
  if (label === 'WHITE') return 'CLEAR';
  const parsed = tlpSchema.safeParse(label);
  return parsed.success ? parsed.data : null;
}

/** Order of TLP labels from least to most restrictive. */
export const TLP_RESTRICTION_ORDER: readonly Tlp[] = [
  'CLEAR',
  'GREEN',
  'AMBER',
  'AMBER+STRICT',
  'RED',
];

/** The more restrictive of two TLP labels. */
export function mostRestrictiveTlp(a: Tlp, b: Tlp): Tlp {
  return TLP_RESTRICTION_ORDER.indexOf(a) >= TLP_RESTRICTION_ORDER.indexOf(b) ? a : b;
}

/** TLP of an alert that names none: AMBER, TheHive's default for alerts (limited disclosure). */
export const DEFAULT_ALERT_TLP: Tlp = 'AMBER';

/** Tenant names compare case-insensitively: an alert for "acme corp" goes to "Acme Corp". */
export function tenantNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** ADM-1: the admin organisation, in any case, holds no alerts or cases. */
export function isReservedTenantName(name: string): boolean {
  return tenantNameKey(name) === ADMIN_TENANT_NAME;
}

const SEVERITY_WORDS = ['low', 'medium', 'high', 'critical'] as const;
/** Severity of a Watchfloor-format alert that gives none (README: "Watchfloor alert format v1"). */
export const DEFAULT_ALERT_SEVERITY = 'medium';
const SEVERITY_MESSAGE = 'is not a number 0-100 or one of low, medium, high, critical';

const nonEmptyText = z.string().trim().min(1, { error: 'must not be empty' });
const entityValues = z.array(z.string(), { error: 'is not an array of strings' }).optional();

/** Input schema of one alert in the Watchfloor format (unknown extra fields are ignored). */
/** The refusal of an alert for the admin organisation (ADM-1), recognised by the server too. */
export const RESERVED_TENANT_ERROR = `is the reserved '${ADMIN_TENANT_NAME}' organisation, which holds no alerts (ADM-1)`;

export const watchfloorAlertSchema = z.object({
  source: nonEmptyText,
  sourceRef: nonEmptyText,
  type: z.string().trim().min(1, { error: 'must not be empty' }).optional(),
  title: nonEmptyText,
  description: z.string().optional(),
  timestamp: z
    .string()
    .refine((text) => parseIso8601(text) !== null, { error: 'is not an ISO 8601 date' }),
  severity: z
    .union(
      [
        z.number().min(0, SEVERITY_MESSAGE).max(100, SEVERITY_MESSAGE),
        z
          .string()
          .refine(
            (word) => (SEVERITY_WORDS as readonly string[]).includes(word.trim().toLowerCase()),
            SEVERITY_MESSAGE,
          ),
      ],
      { error: SEVERITY_MESSAGE },
    )
    .default(DEFAULT_ALERT_SEVERITY),
  tactic: z
    .string()
    .regex(ATTACK_TACTIC_ID_PATTERN, { error: 'is not an ATT&CK tactic id like TA0002' })
    .optional(),
  technique: z
    .string()
    .regex(ATTACK_TECHNIQUE_ID_PATTERN, {
      error: 'is not an ATT&CK technique id like T1059 or T1059.001',
    })
    .optional(),
  tacticName: z.string().optional(),
  techniqueName: z.string().optional(),
  tenant: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .refine((name) => !isReservedTenantName(name), { error: RESERVED_TENANT_ERROR })
    .optional(),
  entities: z
    .object({
      hosts: entityValues,
      users: entityValues,
      ips: entityValues,
      domains: entityValues,
      hashes: entityValues,
      emails: entityValues,
      urls: entityValues,
    })
    .optional(),
  tags: z.array(z.string(), { error: 'is not an array of strings' }).optional(),
  tlp: z
    .string()
    .refine((label) => normalizeTlp(label) !== null, {
      error: 'is not a TLP label (CLEAR, GREEN, AMBER, AMBER+STRICT, RED)',
    })
    .optional(),
  raw: z.unknown().optional(),
});
export type WatchfloorAlertInput = z.infer<typeof watchfloorAlertSchema>;

/** What every importer produces. Times are epoch milliseconds; entities normalized and sorted. */
export interface NormalizedAlert {
  source: string;
  sourceRef: string;
  type: string;
  title: string;
  description: string;
  timestamp: number;
  /** 1-100 integer. */
  score: number;
  tactic: string | null;
  technique: string | null;
  tacticName: string | null;
  techniqueName: string | null;
  /** Tenant name, or null when the alert names none (the caller picks the default tenant). */
  tenant: string | null;
  entities: EntityRef[];
  tags: string[];
  tlp: Tlp;
  /** The original record, as read. */
  raw: unknown;
}

/** Runtime check of a NormalizedAlert, for the IPC and sync boundaries. */
export const normalizedAlertSchema = z.object({
  source: z.string().min(1),
  sourceRef: z.string().min(1),
  type: z.string().min(1),
  title: z.string().min(1),
  description: z.string(),
  timestamp: z.number().int(),
  score: z.number().int().min(1).max(100),
  tactic: z.string().regex(ATTACK_TACTIC_ID_PATTERN).nullable(),
  technique: z.string().regex(ATTACK_TECHNIQUE_ID_PATTERN).nullable(),
  tacticName: z.string().nullable(),
  techniqueName: z.string().nullable(),
  tenant: z.string().min(1).nullable(),
  entities: z.array(entityRefSchema),
  tags: z.array(z.string()),
  tlp: tlpSchema,
  raw: z.unknown(),
}) satisfies z.ZodType<NormalizedAlert>;

/**
 * The Watchfloor-format record of a normalized alert (for exports and the ingestion API), such
 * that reading it back gives the same alert. `raw` carries the original record.
 */
export function toWatchfloorAlert(alert: NormalizedAlert): WatchfloorAlertInput {
  const record: WatchfloorAlertInput = {
    source: alert.source,
    sourceRef: alert.sourceRef,
    type: alert.type,
    title: alert.title,
    description: alert.description,
    timestamp: new Date(alert.timestamp).toISOString(),
    severity: alert.score,
    entities: groupsFromEntities(alert.entities),
    tags: [...alert.tags],
    tlp: alert.tlp,
    raw: alert.raw,
  };
  if (alert.tactic) record.tactic = alert.tactic;
  if (alert.technique) record.technique = alert.technique;
  if (alert.tacticName) record.tacticName = alert.tacticName;
  if (alert.techniqueName) record.techniqueName = alert.techniqueName;
  if (alert.tenant) record.tenant = alert.tenant;
  return record;
}
