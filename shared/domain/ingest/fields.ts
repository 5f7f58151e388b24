import { z } from 'zod';
import { parseIso8601 } from '../alert-format';

/** A JSON object as read from a file. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a dotted path from a document that may mix nested objects and flattened dotted keys,
 * as Elasticsearch documents do (`{"kibana.alert.rule": {"name": …}}`, `{"kibana": {"alert.uuid": …}}`).
 * At each level the longest dotted key that exists wins.
 */
export function getPath(document: unknown, path: string): unknown {
  return getPathParts(document, path.split('.'));
}

function getPathParts(document: unknown, parts: readonly string[]): unknown {
  if (parts.length === 0) return document;
  if (!isJsonObject(document)) return undefined;
  for (let take = parts.length; take >= 1; take -= 1) {
    const key = parts.slice(0, take).join('.');
    if (Object.prototype.hasOwnProperty.call(document, key)) {
      const found = getPathParts(document[key], parts.slice(take));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * The alert document inside a storage wrapper, plus the wrapper's document id. Handles
 * Elasticsearch/OpenSearch search hits and Logstash output (`{"_id", "_source": {…}}`) and
 * Kibana es_archiver files (`{"type": "doc", "value": {"id", "index", "source": {…}}}`, which
 * some archives write as `value._id` / `value._source`).
 */
export function unwrapRecord(record: JsonObject): {
  document: JsonObject;
  wrapperId: string | null;
} {
  const source = record._source;
  if (isJsonObject(source)) {
    return { document: source, wrapperId: typeof record._id === 'string' ? record._id : null };
  }
  const value = record.value;
  if ((record.type === 'doc' || record.type === '_doc') && isJsonObject(value)) {
    const inner = isJsonObject(value.source)
      ? value.source
      : isJsonObject(value._source)
        ? value._source
        : null;
    const id = value.id ?? value._id;
    if (inner) return { document: inner, wrapperId: typeof id === 'string' ? id : null };
  }
  return { document: record, wrapperId: null };
}

/** Short JSON text of a value for error messages. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAtIssuePath(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isJsonObject(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}

function issuePathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? 'record' : text;
}

function issueReason(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined) return 'is required';
  if (!issue.message.startsWith('Invalid input') && !/^Too (big|small)/.test(issue.message)) {
    return issue.message;
  }
  switch (issue.code) {
    case 'invalid_type':
      return `is not ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'too_big':
      return `is more than ${String(issue.maximum)}`;
    case 'too_small':
      return `is less than ${String(issue.minimum)}`;
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues into one message that says what was wrong and where, e.g.
 * `timestamp: "yesterday" is not an ISO 8601 date; title: is required`.
 */
export function formatIssues(error: z.ZodError, input: unknown): string {
  const messages = error.issues.slice(0, 3).map((issue) => {
    const value = valueAtIssuePath(input, issue.path);
    const reason = issueReason(issue, value);
    const shown = value === undefined ? '' : `${describeValue(value)} `;
    return `${issuePathText(issue.path)}: ${shown}${reason}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more problems)` : '';
  return messages.join('; ') + more;
}

/** Validates `input` with `schema`; on failure returns the formatted message. */
export function validateFields<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): { ok: true; value: z.output<Schema> } | { ok: false; message: string } {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, message: formatIssues(parsed.error, input) };
}

/** A required ISO 8601 date-time string, read as epoch milliseconds. */
export const isoTimestampField = z
  .string({ error: 'is not an ISO 8601 date (expected a string)' })
  .transform((text, context) => {
    const epochMs = parseIso8601(text);
    if (epochMs === null) {
      context.addIssue({ code: 'custom', message: 'is not an ISO 8601 date' });
      return z.NEVER;
    }
    return epochMs;
  });

/** Optional free text: absent, null and non-strings all read as undefined. */
export const optionalText = z.unknown().transform((value) => {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
});

/** A non-empty string or number (ids are often written either way), read as a string. */
export const idField = z
  .union([z.string().trim().min(1), z.number().refine((value) => Number.isFinite(value))], {
    error: 'is not a non-empty string or number',
  })
  .transform((value) => String(value));

/** Collects the strings found at a value that may be a string, a number or an array of them. */
export function stringsAt(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' && Number.isFinite(value)) return [String(value)];
  if (Array.isArray(value)) return value.flatMap((item) => stringsAt(item));
  return [];
}

/**
 * An address as some sources write it with its port (`192.168.10.21:80`, `[2001:db8::1]:443`),
 * without the port; any other text as it is (entity normalization then decides whether it is an
 * IP). A bare IPv6 address is never cut: its last group is not a port.
 */
export function withoutPort(text: string): string {
  const trimmed = text.trim();
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(trimmed);
  if (v4) return v4[1] ?? trimmed;
  const v6 = /^\[([^\]]+)\]:\d{1,5}$/.exec(trimmed);
  return v6?.[1] ?? trimmed;
}

/** The first non-empty string at a value (string or array of strings), or undefined. */
export function firstString(value: unknown): string | undefined {
  return stringsAt(value)
    .map((text) => text.trim())
    .find((text) => text !== '');
}

/**
 * A stable 64-bit FNV-1a digest of a text, as 16 hex digits. Pure (no Node crypto, so it runs in
 * shared/) and the same on every machine; used for a source reference when a record carries no id.
 */
export function stableDigest(text: string): string {
  // Two 32-bit FNV-1a lanes with different offsets make a 64-bit value without BigInt.
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    high = Math.imul(high ^ code, 0x01000193) >>> 0;
    low = Math.imul(low ^ code ^ (high & 0xff), 0x01000193) >>> 0;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
