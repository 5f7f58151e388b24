import type { NormalizedAlert } from '../alert-format';
import { ALERT_FORMAT_LABELS, ALERT_FORMATS, type AlertFormat } from './build-alert';
import { detectFormat } from './detect';
import {
  detectLayout,
  importWith,
  MAX_RECORD_BYTES,
  parseAlertFile,
  readRecord,
  unknownFormatMessage,
  WHITESPACE,
  withoutByteOrderMark,
  type ParseError,
  type ParseFormatOption,
} from './parse';
import type { JsonObject } from './fields';

/**
 * Alert files read as a stream of text chunks, in batches, so a file of millions of alerts never
 * sits in memory whole (ING-1, NFR-2). NDJSON — what SIEM exports, Suricata EVE and Wazuh
 * alerts.json are — is read line by line; a JSON array or a run of concatenated objects is read
 * whole and parsed by `parseAlertFile`, then handed out in batches.
 *
 * The outcome is the one `parseAlertFile` gives for the same text (tested): each unreadable
 * record is reported with its line, a record matching no format is read as the file's format (the
 * first one recognised), and a file none of whose records is an alert gets one file error.
 * Duplicates within the file are left to the store, which refuses a second (source, sourceRef).
 */

export interface AlertBatch {
  alerts: NormalizedAlert[];
  errors: ParseError[];
  /** records of a known format that are not alerts (e.g. Suricata `flow` events) */
  skipped: number;
  /** records dropped because an earlier record of the file had the same (source, sourceRef) */
  duplicates: number;
  /** characters of the source consumed so far */
  consumed: number;
  /**
   * The alerts' `raw` records already serialized, by position, when a parse thread sent the batch
   * (their `raw` is then null): a string crosses threads more cheaply than an object tree, and
   * the writing thread need not serialize it again.
   */
  rawJson?: string[];
}

export interface StreamOptions {
  fileName: string;
  format: ParseFormatOption;
  batchSize: number;
}

/** Records without a recognised format held until the file's format is known. */
const MAX_PENDING = 10_000;

const KNOWN_FORMATS_TEXT = ALERT_FORMATS.map((format) => ALERT_FORMAT_LABELS[format]).join(', ');

/** Reads one source (its text in chunks) as batches of normalized alerts. */
export function* readAlertStream(
  chunks: Iterable<string>,
  options: StreamOptions,
): Generator<AlertBatch> {
  const iterator = chunks[Symbol.iterator]();
  let first = '';
  // Enough text to tell the layout: detectLayout looks at the first 20 lines.
  while (first.length < 1 << 20) {
    const next = iterator.next();
    if (next.done) break;
    first += next.value;
    if (countNewlines(first, 21) > 20) break;
  }
  const rest: Iterable<string> = { [Symbol.iterator]: () => iterator };
  if (streamsByLine(first)) {
    yield* readNdjson(prepend(first, rest), options);
    return;
  }
  // Arrays, concatenated objects, empty and non-JSON files: the whole-text parser.
  let text = first;
  for (const chunk of rest) text += chunk;
  const parsed = parseAlertFile(text, { fileName: options.fileName, format: options.format });
  const consumed = text.length;
  text = '';
  for (let i = 0; i < Math.max(parsed.alerts.length, 1); i += options.batchSize) {
    yield {
      alerts: parsed.alerts.slice(i, i + options.batchSize),
      errors: i === 0 ? parsed.errors : [],
      skipped: i === 0 ? parsed.skipped : 0,
      duplicates: i === 0 ? parsed.duplicates : 0,
      consumed: Math.round(
        consumed * Math.min(1, (i + options.batchSize) / Math.max(1, parsed.alerts.length)),
      ),
    };
  }
}

function countNewlines(text: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && n < limit; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function* prepend(head: string, rest: Iterable<string>): Generator<string> {
  yield head;
  yield* rest;
}

/**
 * Whether a file starting with `head` (its first 20 lines or 1 MB) is read line by line (NDJSON)
 * rather than whole (arrays, concatenated objects, anything else).
 */
export function streamsByLine(head: string): boolean {
  let firstIndex = 0;
  while (firstIndex < head.length && WHITESPACE.has(head.charCodeAt(firstIndex))) firstIndex++;
  return firstIndex < head.length && detectLayout(head, firstIndex) === 'ndjson';
}

/** Source characters after which a batch ends whatever its record count (large records). */
export const MAX_BATCH_CHARS = 16 << 20;

function* readNdjson(chunks: Iterable<string>, options: StreamOptions): Generator<AlertBatch> {
  const { fileName, format: requested, batchSize } = options;
  let fileFormat: AlertFormat | null = requested === 'auto' ? null : requested;
  let objectCount = 0;
  let batch: AlertBatch = emptyBatch(0);
  /** While no record's format is known (auto): errors and unrecognised records wait here. */
  let heldErrors: ParseError[] = [];
  let held: { line: number; record: JsonObject }[] = [];

  const addRecord = (format: AlertFormat, record: JsonObject, line: number): void => {
    const imported = importWith(format, record);
    if (imported.kind === 'error')
      batch.errors.push({ file: fileName, line, message: imported.message });
    else if (imported.kind === 'skipped') batch.skipped++;
    else batch.alerts.push(imported.alert);
  };
  const handleLine = (raw: string, line: number): void => {
    // A UTF-8 byte order mark starts many Windows-written files (and, after `cat`, lines).
    const text = withoutByteOrderMark(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (text.trim() === '') return;
    const read = readRecord(text, line);
    if (read.kind === 'error') {
      const error = { file: fileName, line, message: read.message };
      if (fileFormat === null) heldErrors.push(error);
      else batch.errors.push(error);
      return;
    }
    objectCount++;
    const detected = requested === 'auto' ? detectFormat(read.record) : null;
    if (detected !== null && fileFormat === null) {
      // The file's format is known now: what waited is read as it, in line order.
      fileFormat = detected;
      const waiting = [
        ...heldErrors.map((error) => ({ line: error.line, error, record: null })),
        ...held.map((h) => ({ line: h.line, error: null, record: h.record })),
      ].sort((a, b) => a.line - b.line);
      for (const w of waiting) {
        if (w.error) batch.errors.push(w.error);
        else if (w.record) addRecord(fileFormat, w.record, w.line);
      }
      heldErrors = [];
      held = [];
    }
    const format = detected ?? fileFormat;
    if (format !== null) addRecord(format, read.record, line);
    else if (held.length < MAX_PENDING) held.push({ line, record: read.record });
    else heldErrors.push({ file: fileName, line, message: unknownFormatMessage() });
  };

  let carry = '';
  /** A line longer than the record limit is not kept: its length is counted until it ends. */
  let oversize: { line: number; bytes: number } | null = null;
  let lineNo = 0;
  let consumed = 0;
  for (const chunk of chunks) {
    consumed += chunk.length;
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      lineNo++;
      if (oversize) {
        batch.errors.push(oversizeError(fileName, oversize.line, oversize.bytes + end - start));
        oversize = null;
      } else {
        handleLine(carry + chunk.slice(start, end), lineNo);
      }
      carry = '';
      start = end + 1;
      // Batches end at a line, not a chunk: a 4 MB chunk holds thousands of records, and the
      // batch size (in records, or in characters for large records) is what bounds the memory
      // of both threads.
      const at = consumed - chunk.length + start;
      if (
        batch.alerts.length >= batchSize ||
        batch.errors.length >= batchSize ||
        at - batch.consumed >= MAX_BATCH_CHARS
      ) {
        batch.consumed = at;
        yield batch;
        batch = emptyBatch(batch.consumed);
      }
    }
    if (oversize) oversize.bytes += chunk.length - start;
    else {
      carry += chunk.slice(start);
      if (carry.length > MAX_RECORD_BYTES) {
        oversize = { line: lineNo + 1, bytes: carry.length };
        carry = '';
      }
    }
    if (batch.alerts.length >= batchSize || batch.errors.length >= batchSize) {
      batch.consumed = consumed;
      yield batch;
      batch = emptyBatch(consumed);
    }
  }
  if (oversize) batch.errors.push(oversizeError(fileName, oversize.line, oversize.bytes));
  else if (carry !== '') handleLine(carry, lineNo + 1);
  if (fileFormat === null) {
    // No record of the file is in a known format.
    if (objectCount > 0) {
      batch.errors.push({
        file: fileName,
        line: 1,
        message: `not an alert file: none of its ${objectCount} JSON record(s) is in a known alert format (${KNOWN_FORMATS_TEXT})`,
      });
    } else batch.errors.push(...heldErrors);
  }
  batch.consumed = consumed;
  yield batch;
}

function emptyBatch(consumed: number): AlertBatch {
  return { alerts: [], errors: [], skipped: 0, duplicates: 0, consumed };
}

function oversizeError(file: string, line: number, characters: number): ParseError {
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return {
    file,
    line,
    message: `record is ${mb(characters)}, larger than the ${mb(MAX_RECORD_BYTES)} limit; it was not read`,
  };
}
