import crypto from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import {
  MUTATION_OPS,
  MUTATION_VERSION,
  SYNCED_ENTITIES,
  mutationSchema,
  type Mutation,
} from '../../../shared/sync/mutation';
import { clientIdOf } from './transaction';

/**
 * The outbox as a file (`watchfloor outbox export|apply`): NDJSON, a header line, then one
 * mutation a line in seq order. Each mutation line ends with `"digest"`: the sha256 of the line's
 * text without it, so a line edited after export is refused (a changed field, tenant or entity),
 * not applied.
 */

export const OUTBOX_FILE_FORMAT = 'watchfloor-outbox';

export const outboxHeaderSchema = z
  .object({
    format: z.literal(OUTBOX_FILE_FORMAT),
    v: z.literal(MUTATION_VERSION),
    clientId: z.uuid(),
    exportedAt: z.iso.datetime(),
    sinceSeq: z.number().int().nonnegative(),
    /** true when the store held rows written before its outbox existed (migration 0018) */
    incomplete: z.boolean(),
  })
  .strict();
export type OutboxHeader = z.infer<typeof outboxHeaderSchema>;

interface OutboxRow {
  seq: number;
  mutation_id: string;
  tenant_id: string;
  entity_type: string;
  entity_id: string;
  op: string;
  base_rev: number;
  payload: string;
  action: string;
  actor: string;
  created_at: number;
}

const mutationKindSchema = z.looseObject({
  v: z.literal(MUTATION_VERSION, {
    error: `unknown mutation version (this app reads ${MUTATION_VERSION})`,
  }),
  entity: z.string().refine((e) => (SYNCED_ENTITIES as readonly string[]).includes(e), {
    error: (i) => `unknown entity ${JSON.stringify(i.input)}`,
  }),
  op: z.string().refine((o) => (MUTATION_OPS as readonly string[]).includes(o), {
    error: (i) => `unknown op ${JSON.stringify(i.input)}`,
  }),
});

const DIGEST = /,"digest":"([0-9a-f]{64})"\}$/;

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** One outbox row as its file line (the mutation's JSON with its digest). */
export function mutationLine(row: OutboxRow, clientId: string): string {
  const head =
    `{"v":${MUTATION_VERSION},"mutationId":${JSON.stringify(row.mutation_id)},` +
    `"clientId":${JSON.stringify(clientId)},"seq":${row.seq},"entity":${JSON.stringify(row.entity_type)},` +
    `"id":${JSON.stringify(row.entity_id)},"tenantId":${JSON.stringify(row.tenant_id)},` +
    `"baseRev":${row.base_rev},"at":${row.created_at},"actor":${JSON.stringify(row.actor)},` +
    `"action":${JSON.stringify(row.action)},"op":${JSON.stringify(row.op)},`;
  const text = head + row.payload.slice(1);
  return `${text.slice(0, -1)},"digest":"${sha256(text)}"}`;
}

/** The mutations of the outbox after `sinceSeq`, in order. */
export function* outboxMutations(
  db: Database.Database,
  sinceSeq = 0,
): Generator<{ seq: number; line: string }> {
  const clientId = clientIdOf(db);
  if (!clientId) return;
  const rows = db
    .prepare(
      `SELECT seq, mutation_id, tenant_id, entity_type, entity_id, op, base_rev, payload, action, actor, created_at
       FROM outbox WHERE seq > ? ORDER BY seq`,
    )
    .iterate(sinceSeq) as IterableIterator<OutboxRow>;
  for (const row of rows) yield { seq: row.seq, line: mutationLine(row, clientId) };
}

export interface OutboxExportResult {
  file: string;
  mutations: number;
  firstSeq: number | null;
  lastSeq: number | null;
  incomplete: boolean;
}

/**
 * Writes the outbox to a new file. The file must not exist (nothing is ever written over); it is
 * written as `<file>.part` and linked into place when complete.
 */
export async function exportOutbox(
  db: Database.Database,
  file: string,
  sinceSeq = 0,
): Promise<OutboxExportResult> {
  if (fs.existsSync(file))
    throw new Error(`${file} exists; outbox export never writes over a file`);
  const clientId = clientIdOf(db) ?? crypto.randomUUID();
  const incomplete =
    db.prepare("SELECT 1 FROM store_meta WHERE key = 'outbox_starts_after_rows'").get() !==
    undefined;
  const part = `${file}.part`;
  const fd = fs.openSync(part, 'wx');
  let mutations = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  try {
    const header: OutboxHeader = {
      format: OUTBOX_FILE_FORMAT,
      v: MUTATION_VERSION,
      clientId,
      exportedAt: new Date().toISOString(),
      sinceSeq,
      incomplete,
    };
    let buffer = `${JSON.stringify(header)}\n`;
    for (const { seq, line } of outboxMutations(db, sinceSeq)) {
      buffer += `${line}\n`;
      mutations++;
      firstSeq ??= seq;
      lastSeq = seq;
      if (buffer.length > 1 << 20) {
        fs.writeSync(fd, buffer);
        buffer = '';
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    fs.writeSync(fd, buffer);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.linkSync(part, file); // fails if `file` appeared meanwhile: never written over
    fs.unlinkSync(part);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(part, { force: true });
    throw err;
  }
  return { file, mutations, firstSeq, lastSeq, incomplete };
}

export type ParsedLine =
  | { line: number; kind: 'header'; header: OutboxHeader }
  | { line: number; kind: 'mutation'; mutation: Mutation }
  | { line: number; kind: 'error'; message: string };

const MAX_LINE = 64 * 1024 * 1024;

/** Reads one line of an outbox file: the header, a checked mutation, or what is wrong with it. */
export function parseOutboxLine(text: string, line: number): ParsedLine {
  if (text.length > MAX_LINE) return { line, kind: 'error', message: 'line longer than 64 MB' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { line, kind: 'error', message: `not JSON (${(e as Error).message}); truncated?` };
  }
  if (line === 1 || (typeof value === 'object' && value !== null && 'format' in value)) {
    const header = outboxHeaderSchema.safeParse(value);
    if (!header.success) {
      return {
        line,
        kind: 'error',
        message: `not a Watchfloor outbox file header: ${header.error.issues.map((i) => `${i.path.join('.') || 'header'}: ${i.message}`).join('; ')}`,
      };
    }
    return { line, kind: 'header', header: header.data };
  }
  const digest = DIGEST.exec(text);
  if (!digest) return { line, kind: 'error', message: 'the mutation has no digest' };
  const unsigned = `${text.slice(0, digest.index)}}`;
  if (sha256(unsigned) !== digest[1]) {
    return {
      line,
      kind: 'error',
      message:
        'the line was changed after export (its digest does not match); nothing of it was applied',
    };
  }
  const { digest: _digest, ...rest } = value as Record<string, unknown>;
  // The kind first, so an unknown entity or op is named as such, not as a mismatch of the union.
  const kind = mutationKindSchema.safeParse(rest);
  if (!kind.success) {
    return {
      line,
      kind: 'error',
      message: kind.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  const parsed = mutationSchema.safeParse(rest);
  if (!parsed.success) {
    return {
      line,
      kind: 'error',
      message: parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'mutation'}: ${i.message}`)
        .join('; '),
    };
  }
  return { line, kind: 'mutation', mutation: parsed.data };
}

/** The lines of an outbox file, parsed and checked, in order. */
export async function* readOutboxFile(file: string): AsyncGenerator<ParsedLine> {
  const input = fs.createReadStream(file, { encoding: 'utf8' });
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (n === 1 && text.charCodeAt(0) === 0xfeff) {
      yield parseOutboxLine(text.slice(1), n);
      continue;
    }
    if (text.trim() === '') continue;
    yield parseOutboxLine(text, n);
  }
  if (n === 0) yield { line: 0, kind: 'error', message: 'the file is empty' };
}
