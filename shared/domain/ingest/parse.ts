import type { NormalizedAlert } from '../alert-format';
import {
  ALERT_FORMAT_LABELS,
  ALERT_FORMATS,
  type AlertFormat,
  type RecordImport,
} from './build-alert';
import { detectFormat, IMPORTERS } from './detect';
import { isJsonObject, type JsonObject } from './fields';

/**
 * Alert file parsing (ING-1, ALR-6): a JSON array, one JSON object, NDJSON, or a run of
 * concatenated JSON objects (Kibana es_archiver files). Each record that cannot be read is
 * reported with the file, the line where the record starts and what was wrong, and the rest of
 * the file is still read.
 */

export type ParseFormatOption = 'auto' | AlertFormat;

export interface ParseError {
  file: string;
  /** 1-based line where the record starts. */
  line: number;
  message: string;
}

export interface ParseAlertFileResult {
  alerts: NormalizedAlert[];
  errors: ParseError[];
  /** Records of a known format that are not alerts (e.g. Suricata `flow` events). */
  skipped: number;
  /** Records whose (source, sourceRef) already occurred earlier in the file; the first is kept. */
  duplicates: number;
  /** Format of the first recognised record, or null. */
  format: AlertFormat | null;
}

/** Largest record read (in UTF-8 bytes); a larger one is reported, not parsed (memory safety). */
export const MAX_RECORD_BYTES = 10 * 1024 * 1024;

/**
 * Deepest nesting of objects and arrays a record may have. JSON.parse reads any depth, but
 * JSON.stringify, structured clone (the parse thread's hand-over) and recursive readers overflow
 * the stack a few thousand levels down, which used to abort a whole import. Real alerts nest far
 * less (Elasticsearch refuses documents deeper than 20 object levels by default), so a deeper
 * record is reported as an error of its own and the import goes on.
 */
export const MAX_RECORD_DEPTH = 100;

const KNOWN_FORMATS_TEXT = ALERT_FORMATS.map((format) => ALERT_FORMAT_LABELS[format]).join(', ');

/** UTF-8 byte length of a text, counted only as far as needed to compare with `limit`. */
function exceedsByteLimit(text: string, limit: number): number | null {
  if (text.length > limit) return text.length; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= limit) return null;
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes > limit ? bytes : null;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Line and column (1-based) of an offset of a record that starts at `recordLine`. */
function locate(recordText: string, offset: number, recordLine: number): string {
  const before = recordText.slice(0, offset);
  const newlines = before.split('\n').length - 1;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${recordLine + newlines} column ${column}`;
}

/** JSON.parse's error with the record-relative position turned into a file line and column. */
function jsonErrorMessage(error: unknown, recordText: string, recordLine: number): string {
  const message = error instanceof Error ? error.message : String(error);
  const located = message.replace(
    /at position (\d+)(?: \(line \d+ column \d+\))?/,
    (_match, positionText: string) => `at ${locate(recordText, Number(positionText), recordLine)}`,
  );
  return `invalid JSON: ${located}`;
}

/**
 * The offset of the first `{` or `[` that opens a level deeper than `limit`, or null. Brackets
 * inside strings do not count. Most records hold fewer brackets than the limit, which a few
 * native searches show without the character-by-character walk.
 */
export function depthExceededAt(text: string, limit: number): number | null {
  let brackets = 0;
  for (let at = text.indexOf('{'); at >= 0 && brackets <= limit; at = text.indexOf('{', at + 1))
    brackets += 1;
  for (let at = text.indexOf('['); at >= 0 && brackets <= limit; at = text.indexOf('[', at + 1))
    brackets += 1;
  if (brackets <= limit) return null;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // the escaped character cannot end the string
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > limit) return index;
    } else if (code === 0x7d || code === 0x5d) depth -= 1;
  }
  return null;
}

function describeJsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export type ReadRecord =
  { kind: 'object'; record: JsonObject } | { kind: 'error'; message: string };

/** Parses one record's JSON text; it must be an object. */
export function readRecord(recordText: string, line: number): ReadRecord {
  const oversize = exceedsByteLimit(recordText, MAX_RECORD_BYTES);
  if (oversize !== null) {
    return {
      kind: 'error',
      message: `record is ${megabytes(oversize)}, larger than the ${megabytes(MAX_RECORD_BYTES)} limit; it was not read`,
    };
  }
  const tooDeep = depthExceededAt(recordText, MAX_RECORD_DEPTH);
  if (tooDeep !== null) {
    return {
      kind: 'error',
      message: `record is nested more than ${MAX_RECORD_DEPTH} levels deep (at ${locate(recordText, tooDeep, line)}); it was not read`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(recordText);
  } catch (error) {
    return { kind: 'error', message: jsonErrorMessage(error, recordText, line) };
  }
  if (!isJsonObject(value)) {
    return { kind: 'error', message: `record is ${describeJsonKind(value)}, not a JSON object` };
  }
  return { kind: 'object', record: value };
}

/**
 * Reads a record as `format`. An importer that throws (a record shaped in a way no check foresaw)
 * fails that record alone, with the reason, never the import.
 */
export function importWith(format: AlertFormat, record: JsonObject): RecordImport {
  try {
    return IMPORTERS[format](record);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      kind: 'error',
      message: `record could not be read as ${ALERT_FORMAT_LABELS[format]}: ${reason}`,
    };
  }
}

/** A line without the byte order mark an editor or `cat` of BOM files may leave at its start. */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function unknownFormatMessage(): string {
  return `record is not in a known alert format (${KNOWN_FORMATS_TEXT})`;
}

export type NdjsonLineResult =
  | { kind: 'alert'; alert: NormalizedAlert; format: AlertFormat }
  | { kind: 'skipped'; reason: string }
  | { kind: 'blank' }
  | { kind: 'error'; error: ParseError };

/**
 * Reads one NDJSON line, for workers that stream huge files line by line. Stateless: the caller
 * keeps counts and de-duplicates on (source, sourceRef) if it needs to (ALR-6). With format
 * 'auto' each line is detected on its own.
 */
export function parseNdjsonLine(
  line: string,
  lineNo: number,
  fileName: string,
  format: ParseFormatOption = 'auto',
): NdjsonLineResult {
  const recordText = withoutByteOrderMark(line.endsWith('\r') ? line.slice(0, -1) : line);
  if (recordText.trim() === '') return { kind: 'blank' };
  const fail = (message: string): NdjsonLineResult => ({
    kind: 'error',
    error: { file: fileName, line: lineNo, message },
  });
  const read = readRecord(recordText, lineNo);
  if (read.kind === 'error') return fail(read.message);
  const chosen = format === 'auto' ? detectFormat(read.record) : format;
  if (!chosen) return fail(unknownFormatMessage());
  const imported = importWith(chosen, read.record);
  if (imported.kind === 'error') return fail(imported.message);
  if (imported.kind === 'skipped') return { kind: 'skipped', reason: imported.reason };
  return { kind: 'alert', alert: imported.alert, format: chosen };
}

interface RecordSlice {
  text: string;
  line: number;
}

interface SplitResult {
  slices: RecordSlice[];
  errors: { line: number; message: string }[];
}

export const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);

/**
 * Splits JSON text into records without parsing it: the elements of a top-level array
 * (`arrayStart` = offset of `[`), or the top-level values of a run of concatenated objects.
 * Tracks strings and escapes so braces inside strings do not count, and the line of each start.
 */
function splitJsonRecords(text: string, arrayStart: number | null): SplitResult {
  const slices: RecordSlice[] = [];
  const errors: { line: number; message: string }[] = [];
  const inArray = arrayStart !== null;
  const baseDepth = inArray ? 1 : 0;
  let line = 1;
  for (let index = 0; index < (arrayStart ?? 0); index += 1) {
    if (text.charCodeAt(index) === 0x0a) line += 1;
  }
  const arrayLine = line;
  let depth = baseDepth;
  let inString = false;
  let escaped = false;
  let recordStart = -1;
  let recordLine = 0;
  let arrayClosed = false;
  const endRecord = (end: number): void => {
    if (recordStart >= 0) slices.push({ text: text.slice(recordStart, end), line: recordLine });
    recordStart = -1;
  };
  for (let index = inArray ? (arrayStart ?? 0) + 1 : 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x0a) line += 1;
    if (inString) {
      if (escaped) escaped = false;
      else if (code === 0x5c) escaped = true;
      else if (code === 0x22) inString = false;
      continue;
    }
    if (arrayClosed) {
      if (!WHITESPACE.has(code)) {
        errors.push({ line, message: 'unexpected text after the end of the JSON array' });
        break;
      }
      continue;
    }
    if (WHITESPACE.has(code)) continue;
    const startsHere = depth === baseDepth && recordStart < 0;
    if (startsHere && !inArray && code !== 0x7b && code !== 0x5b) {
      // Outside an array only objects (or arrays, reported when read) start a record.
      errors.push({ line, message: 'text outside a JSON object (invalid JSON)' });
      const lineEnd = text.indexOf('\n', index);
      if (lineEnd < 0) break;
      index = lineEnd - 1;
      continue;
    }
    if (code === 0x22) {
      inString = true;
      if (startsHere) {
        recordStart = index;
        recordLine = line;
      }
    } else if (code === 0x7b || code === 0x5b) {
      if (startsHere) {
        recordStart = index;
        recordLine = line;
      }
      depth += 1;
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
      if (inArray && depth === 0) {
        endRecord(index);
        arrayClosed = true;
      } else if (!inArray && depth === 0) {
        endRecord(index + 1);
      } else if (depth < 0) {
        errors.push({ line, message: `unexpected "${text[index]}"` });
        depth = 0;
      }
    } else if (code === 0x2c && inArray && depth === 1) {
      if (recordStart < 0) errors.push({ line, message: 'empty element in the JSON array' });
      endRecord(index);
    } else if (startsHere) {
      recordStart = index; // a number, true, false or null element: reported when read
      recordLine = line;
    }
  }
  if (recordStart >= 0 && (depth > baseDepth || inString || !inArray)) {
    errors.push({
      line: recordLine,
      message: 'record is not closed: the file ends inside it (invalid JSON)',
    });
    recordStart = -1;
  }
  if (inArray && !arrayClosed) {
    endRecord(text.length);
    errors.push({
      line: arrayLine,
      message: 'the JSON array is not closed: the file ends before its "]" (invalid JSON)',
    });
  }
  return { slices, errors };
}

/** Splits NDJSON text into one record per non-blank line. */
function splitNdjson(text: string): SplitResult {
  const slices: RecordSlice[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo += 1;
    let lineText = withoutByteOrderMark(text.slice(start, end));
    if (lineText.endsWith('\r')) lineText = lineText.slice(0, -1);
    if (lineText.trim() !== '') slices.push({ text: lineText, line: lineNo });
    start = end + 1;
  }
  return { slices, errors: [] };
}

export type Layout = 'array' | 'ndjson' | 'concatenated' | 'not-json';

/** Tells the layout of a file from its first characters and lines. */
export function detectLayout(text: string, firstIndex: number): Layout {
  const first = text[firstIndex];
  if (first === '[') return 'array';
  const lines: string[] = [];
  for (let start = firstIndex; start < text.length && lines.length < 20;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // Only the line starts matter; a 50 MB line is not copied.
    const head = text.slice(start, Math.min(end, start + 64)).trim();
    const tail = text.slice(Math.max(start, end - 64), end).trim();
    if (head !== '') lines.push(`${head.slice(0, 1)}${tail.slice(-1)}`);
    start = end + 1;
  }
  if (first === '{') {
    // One object per line ends its first line with `}`; pretty-printed JSON does not.
    const firstLine = lines[0] ?? '';
    if (firstLine.endsWith('}')) return 'ndjson';
    return lines[1]?.startsWith('{') ? 'ndjson' : 'concatenated';
  }
  // Some junk before NDJSON records (a banner line) is still NDJSON if most lines are objects.
  const objectLines = lines.filter((line) => line.startsWith('{')).length;
  return objectLines * 2 > lines.length ? 'ndjson' : 'not-json';
}

/** Parses a whole alert file. */
export function parseAlertFile(
  text: string,
  opts: { fileName: string; format?: ParseFormatOption },
): ParseAlertFileResult {
  const fileName = opts.fileName;
  const requested = opts.format ?? 'auto';
  const result: ParseAlertFileResult = {
    alerts: [],
    errors: [],
    skipped: 0,
    duplicates: 0,
    format: null,
  };
  const fileError = (message: string): ParseAlertFileResult => ({
    ...result,
    errors: [{ file: fileName, line: 1, message }],
  });
  let firstIndex = 0;
  while (firstIndex < text.length && WHITESPACE.has(text.charCodeAt(firstIndex))) firstIndex += 1;
  if (firstIndex >= text.length) return fileError('the file is empty: no alert records');
  const layout = detectLayout(text, firstIndex);
  if (layout === 'not-json') {
    return fileError(
      `not an alert file: expected a JSON array, a JSON object or NDJSON (one JSON object per line), but it starts with ${JSON.stringify(text.slice(firstIndex, firstIndex + 20))}`,
    );
  }
  const split =
    layout === 'ndjson'
      ? splitNdjson(text)
      : splitJsonRecords(text, layout === 'array' ? firstIndex : null);

  type Entry = { line: number; read: ReadRecord; detected: AlertFormat | null };
  const entries: Entry[] = split.slices.map((slice) => {
    const read = readRecord(slice.text, slice.line);
    const detected =
      read.kind === 'object' && requested === 'auto' ? detectFormat(read.record) : null;
    return { line: slice.line, read, detected };
  });
  const fileFormat =
    requested === 'auto' ? (entries.find((entry) => entry.detected)?.detected ?? null) : requested;
  const objectCount = entries.filter((entry) => entry.read.kind === 'object').length;
  if (requested === 'auto' && fileFormat === null && objectCount > 0) {
    return fileError(
      `not an alert file: none of its ${objectCount} JSON record(s) is in a known alert format (${KNOWN_FORMATS_TEXT})`,
    );
  }
  result.format = fileFormat;

  const errors: ParseError[] = split.errors.map((error) => ({ file: fileName, ...error }));
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.read.kind === 'error') {
      errors.push({ file: fileName, line: entry.line, message: entry.read.message });
      continue;
    }
    // A record that matches no format is read as the file's format, for a precise message.
    const format = entry.detected ?? fileFormat;
    if (!format) {
      errors.push({ file: fileName, line: entry.line, message: unknownFormatMessage() });
      continue;
    }
    const imported = importWith(format, entry.read.record);
    if (imported.kind === 'error') {
      errors.push({ file: fileName, line: entry.line, message: imported.message });
    } else if (imported.kind === 'skipped') {
      result.skipped += 1;
    } else {
      const identity = `${imported.alert.source}\u0000${imported.alert.sourceRef}`;
      if (seen.has(identity)) {
        result.duplicates += 1; // ALR-6: ingest is idempotent on (source, sourceRef)
        continue;
      }
      seen.add(identity);
      result.alerts.push(imported.alert);
    }
  }
  result.errors = errors.sort((a, b) => a.line - b.line);
  return result;
}
