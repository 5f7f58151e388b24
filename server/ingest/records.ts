import type { NormalizedAlert } from '../../shared/domain/alert-format';
import { ALERT_FORMATS, type AlertFormat } from '../../shared/domain/ingest/build-alert';
import { detectFormat } from '../../shared/domain/ingest/detect';
import { isJsonObject } from '../../shared/domain/ingest/fields';
import {
  importWith,
  parseNdjsonLine,
  unknownFormatMessage,
  type ParseFormatOption,
} from '../../shared/domain/ingest/parse';

/**
 * The records of an ingestion request (SYN-7): one JSON object, a JSON array, or NDJSON, each
 * record detected and read by the desktop's own importers (shared/domain/ingest, ING-1), so a
 * record means the same thing in a file and in a request.
 */

export type RecordItem =
  | { index: number; line?: number; kind: 'alert'; alert: NormalizedAlert; format: AlertFormat }
  | { index: number; line?: number; kind: 'skipped'; reason: string }
  | { index: number; line?: number; kind: 'error'; message: string };

export const MAX_RECORDS_PER_REQUEST = 10_000;

export function isAlertFormatOption(value: string): value is ParseFormatOption {
  return value === 'auto' || (ALERT_FORMATS as readonly string[]).includes(value);
}

function readObject(record: unknown, index: number, format: ParseFormatOption): RecordItem {
  if (!isJsonObject(record)) {
    const kind = record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record;
    return { index, kind: 'error', message: `record is ${kind}, not a JSON object` };
  }
  const chosen = format === 'auto' ? detectFormat(record) : format;
  if (!chosen) return { index, kind: 'error', message: unknownFormatMessage() };
  const imported = importWith(chosen, record);
  if (imported.kind === 'error') return { index, kind: 'error', message: imported.message };
  if (imported.kind === 'skipped') return { index, kind: 'skipped', reason: imported.reason };
  return { index, kind: 'alert', alert: imported.alert, format: chosen };
}

/** Records of a parsed JSON body: an array is a batch, anything else one record. */
export function recordsOfJson(body: unknown, format: ParseFormatOption): RecordItem[] {
  const records = Array.isArray(body) ? body : [body];
  return records.map((record, index) => readObject(record, index, format));
}

/** Records of an NDJSON body, each with its line number; blank lines are not records. */
export function recordsOfNdjson(text: string, format: ParseFormatOption): RecordItem[] {
  const items: RecordItem[] = [];
  const lines = text.split('\n');
  for (let number = 1; number <= lines.length; number += 1) {
    const result = parseNdjsonLine(lines[number - 1] as string, number, 'request', format);
    if (result.kind === 'blank') continue;
    const index = items.length;
    if (result.kind === 'alert') {
      items.push({
        index,
        line: number,
        kind: 'alert',
        alert: result.alert,
        format: result.format,
      });
    } else if (result.kind === 'skipped') {
      items.push({ index, line: number, kind: 'skipped', reason: result.reason });
    } else {
      items.push({ index, line: number, kind: 'error', message: result.error.message });
    }
  }
  return items;
}
