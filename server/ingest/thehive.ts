import { z } from 'zod';
import { isJsonObject, type JsonObject } from '../../shared/domain/ingest/fields';
import { OBSERVABLE_TYPES, type Tlp } from '../../shared/domain/types';
import { badRequest } from '../errors';
import type { Queryable } from '../store/database';

/**
 * The TheHive-compatible `POST /api/v1/alert` (TheHive 5's alert API), so integrations that
 * speak TheHive (TheHive4py, ElastAlert, Wazuh and Shuffle connectors) can point at Watchfloor
 * unchanged: the body is TheHive 5's InputAlert with `observables`, the answer TheHive's
 * OutputAlert (201 created; 200 when source + sourceRef was already received, with that
 * alert), errors TheHive's `{type, message}`. The record itself is read by the desktop's TheHive
 * importer (shared/domain/ingest/thehive.ts), so it correlates as the same file would.
 */

/** TheHive 5's default observable data types, plus the names the shared importer maps. */
export const THEHIVE_DATA_TYPES: readonly string[] = [
  ...new Set([
    ...OBSERVABLE_TYPES,
    'regexp',
    'host',
    'email',
    'username',
    'user-account',
    'hostname',
  ]),
];

const observableSchema = z
  .object({
    dataType: z.string({ error: 'dataType must be a string' }),
    data: z.union([z.string(), z.array(z.string())]).optional(),
    attachment: z.unknown().optional(),
  })
  .passthrough();

const inputAlertSchema = z
  .object({
    type: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }),
    source: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }),
    sourceRef: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, { error: 'must not be empty' }),
    title: z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' }),
    description: z.string({ error: 'must be a string' }).optional(),
    date: z.number().int().nonnegative().optional(),
    severity: z.number().int().min(1).max(4).optional(),
    tlp: z.number().int().min(0).max(4).optional(),
    pap: z.number().int().min(0).max(3).optional(),
    tags: z.array(z.string()).optional(),
    observables: z.array(observableSchema).max(10_000).optional(),
  })
  .passthrough();

/**
 * Checks a TheHive InputAlert and returns the record to import: TheHive sets `date` to the time
 * it received the alert when the source gives none, and so does this.
 */
export function checkTheHiveAlert(body: unknown, receivedAt: number): JsonObject {
  if (!isJsonObject(body)) throw badRequest('the body must be one TheHive alert (a JSON object)');
  const parsed = inputAlertSchema.safeParse(body);
  if (!parsed.success) {
    throw badRequest(
      parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
        .join('; '),
    );
  }
  (parsed.data.observables ?? []).forEach((observable, index) => {
    if (!THEHIVE_DATA_TYPES.includes(observable.dataType)) {
      throw badRequest(
        `observables[${index}].dataType: '${observable.dataType}' is not a known data type (${THEHIVE_DATA_TYPES.join(', ')})`,
      );
    }
    if (observable.data === undefined && observable.attachment === undefined) {
      throw badRequest(`observables[${index}]: needs "data" (or an attachment)`);
    }
    if (observable.attachment !== undefined) {
      throw badRequest(
        `observables[${index}]: file attachments are not accepted here; send the file's hash as a "hash" observable`,
      );
    }
  });
  return { ...body, date: parsed.data.date ?? receivedAt };
}

const THEHIVE5_TLP: readonly Tlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

/**
 * The TLP of a body sent to TheHive 5's API: TheHive 5 numbering (3 is AMBER+STRICT). The shared
 * importer reads a bare 3 as RED when a file does not show it is TheHive 5; this route is.
 */
export function theHive5Tlp(record: JsonObject): Tlp | null {
  if (typeof record.tlpLabel === 'string' || typeof record.tlp !== 'number') return null;
  return THEHIVE5_TLP[record.tlp] ?? null;
}

const TLP_NUMBERS: Record<Tlp, number> = {
  CLEAR: 0,
  GREEN: 1,
  AMBER: 2,
  'AMBER+STRICT': 3,
  RED: 4,
};
const SEVERITY_LABELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const TLP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
const PAP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;

interface StoredAlertRow {
  id: string;
  type: string;
  source: string;
  source_ref: string;
  title: string;
  description: string;
  timestamp: number;
  tags: string[];
  tlp: Tlp;
  status: string;
  case_id: string | null;
  case_number: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  raw: unknown;
}

/** TheHive 5's OutputAlert for a stored alert. */
export async function theHiveOutputAlert(
  db: Queryable,
  tenantId: string,
  alertId: string,
): Promise<Record<string, unknown>> {
  const [row] = await db.query<StoredAlertRow>(
    `SELECT a.id, a.type, a.source, a.source_ref, a.title, a.description, a.timestamp, a.tags, a.tlp,
            a.status, a.case_id, c.number AS case_number, a.created_by, a.created_at, a.updated_at, a.raw
     FROM alerts a LEFT JOIN cases c ON c.tenant_id = a.tenant_id AND c.id = a.case_id
     WHERE a.tenant_id = $1 AND a.id = $2`,
    [tenantId, alertId],
  );
  if (!row) throw new Error(`alert ${alertId} vanished`);
  const raw = isJsonObject(row.raw) ? row.raw : {};
  const severity =
    typeof raw.severity === 'number' && raw.severity >= 1 && raw.severity <= 4 ? raw.severity : 2;
  const tlp = TLP_NUMBERS[row.tlp];
  const pap = typeof raw.pap === 'number' && raw.pap >= 0 && raw.pap <= 3 ? raw.pap : 2;
  const observables = Array.isArray(raw.observables) ? raw.observables.length : 0;
  const imported = row.case_id !== null;
  return {
    _id: row.id,
    _type: 'Alert',
    _createdBy: row.created_by ?? 'unknown',
    _createdAt: row.created_at,
    ...(row.updated_at !== row.created_at ? { _updatedAt: row.updated_at } : {}),
    type: row.type,
    source: row.source,
    sourceRef: row.source_ref,
    ...(typeof raw.externalLink === 'string' ? { externalLink: raw.externalLink } : {}),
    title: row.title,
    description: row.description,
    severity,
    severityLabel: SEVERITY_LABELS[severity - 1],
    date: row.timestamp,
    tags: row.tags,
    tlp,
    tlpLabel: TLP_LABELS[tlp],
    pap,
    papLabel: PAP_LABELS[pap],
    follow: raw.follow === false ? false : true,
    customFields: [],
    ...(typeof raw.caseTemplate === 'string' ? { caseTemplate: raw.caseTemplate } : {}),
    observableCount: observables,
    ...(imported ? { caseId: row.case_id, importedDate: row.created_at } : {}),
    status: imported ? 'Imported' : 'New',
    stage: imported ? 'Imported' : 'New',
    extraData: imported ? { caseNumber: row.case_number } : {},
    newDate: row.created_at,
    timeToDetect: Math.max(0, row.created_at - row.timestamp),
  };
}
