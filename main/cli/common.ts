import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { Workspace } from '../app/workspace';
import { bootCommand } from '../app/boot';
import { defaultStorePath, sourceMigrationsFolder } from '../store/paths';
import { ServiceError } from '../service-error';
import { findQueueByIdOrName, listQueues, type StoredQueue } from '../features/queues/queues';
import { formatLuceneError } from '../../shared/domain/lucene';
import { parseDateValue } from '../../shared/domain/conditions';
import {
  CASE_SORT_FIELDS,
  type CaseSortField,
  type SortDirection,
} from '../../shared/domain/types';
import {
  CASE_COLUMNS,
  CASE_COLUMN_LABELS,
  type CaseColumn,
  type QueueRange,
} from '../../shared/ipc/contract';

/**
 * Headless command line over the same services as the app (rule 2). Output that scripts read
 * goes to stdout as JSON; errors go to stderr with a non-zero exit, and change nothing.
 */

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value))
      throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    const n = Number(value);
    if (n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be between 1 and ${max}, got ${n}`);
    return n;
  };
}

export function seedArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 31 - 1) {
    throw new InvalidArgumentError(
      `seed must be a whole number from 0 to 2147483647, got "${value}"`,
    );
  }
  return Number(value);
}

/**
 * How a command opens the store: 'read' never writes (nor creates, nor waits for a writer);
 * 'write' opens an existing store; 'create' also makes a missing one and its folder. (`true` and
 * `false` are the older spellings of 'create' and 'write'.)
 */
type StoreAccess = 'read' | 'write' | 'create' | boolean;

export function openForCommand(program: Command, access: StoreAccess): Workspace {
  const db = program.opts<{ db?: string }>().db ?? defaultStorePath();
  const mode = access === 'read' ? 'read' : 'write';
  return bootCommand(db, {
    mode,
    create: access === 'create' || access === true,
    migrationsFolder: sourceMigrationsFolder(),
    onUpgrade: (pending) =>
      process.stderr.write(
        `watchfloor: upgrading the store at ${path.resolve(db)} to this version (${pending} migration${pending === 1 ? '' : 's'})\n`,
      ),
  });
}

export function withWorkspace<T>(
  program: Command,
  access: StoreAccess,
  fn: (ws: Workspace) => T,
): T {
  const ws = openForCommand(program, access);
  try {
    return fn(ws);
  } finally {
    ws.close();
  }
}

export async function withWorkspaceAsync<T>(
  program: Command,
  access: StoreAccess,
  fn: (ws: Workspace) => Promise<T>,
): Promise<T> {
  const ws = openForCommand(program, access);
  try {
    return await fn(ws);
  } finally {
    ws.close();
  }
}

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Runs a service call and turns its refusals into CLI errors: an invalid query or condition
 * exits 2 with the reason (a Lucene error under its query with a caret line), other refusals 1.
 */
export function serviceCall<T>(fn: () => T, query?: string): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ServiceError)) throw e;
    if (e.position && query !== undefined) {
      throw new CliError(
        `invalid --query: ${formatLuceneError(query, { message: e.message, ...e.position })}`,
        2,
      );
    }
    throw new CliError(e.message, e.code === 'BAD_REQUEST' ? 2 : 1);
  }
}

const RANGE_UNITS: Record<string, number> = { d: 1, w: 7, y: 365 };

/** `30d`, `4w`, `1y` (relative, days back from now) or `FROM..TO` (dates or ISO times, UTC). */
export function parseRangeOption(text: string): QueueRange {
  const relative = /^(\d+)\s*([dwy])$/i.exec(text.trim());
  if (relative) {
    const days = Number(relative[1]) * RANGE_UNITS[relative[2]!.toLowerCase()]!;
    if (days < 1 || days > 366) {
      throw new CliError(`--range must cover 1 to 366 days, got "${text}" (${days} days)`, 2);
    }
    return { kind: 'relative', days };
  }
  const parts = text.split('..');
  if (parts.length === 2) {
    const from = parseDateValue(parts[0]!.trim());
    const to = parseDateValue(parts[1]!.trim());
    if (from && to) {
      if (from.start > to.end - 1) throw new CliError(`--range starts after it ends: "${text}"`, 2);
      // A date-only end stands for the whole day, like dates in conditions.
      return { kind: 'absolute', from: from.start, to: to.end - 1 };
    }
  }
  throw new CliError(
    `--range must look like 30d, 4w, 1y or 2026-01-01..2026-03-31, got "${text}"`,
    2,
  );
}

const SORT_ALIASES: Record<string, CaseSortField> = {
  id: 'number',
  created: 'createdAt',
  created_at: 'createdAt',
  updated: 'updatedAt',
  updated_at: 'updatedAt',
  assignee: 'assigneeName',
  assignee_name: 'assigneeName',
  alerts: 'alertCount',
  alert_count: 'alertCount',
};

export function parseSortOption(text: string): { sort: CaseSortField; direction: SortDirection } {
  const [rawField = '', rawDirection = 'desc', ...rest] = text.split(':');
  const wanted = rawField.trim().toLowerCase();
  const sort = CASE_SORT_FIELDS.find((f) => f.toLowerCase() === wanted) ?? SORT_ALIASES[wanted];
  const direction = rawDirection.trim().toLowerCase();
  if (!sort || rest.length > 0 || (direction !== 'asc' && direction !== 'desc')) {
    throw new CliError(
      `--sort must be FIELD:asc or FIELD:desc with FIELD one of ${CASE_SORT_FIELDS.join(', ')}, got "${text}"`,
      2,
    );
  }
  return { sort, direction };
}

export function parseColumnsOption(text: string): CaseColumn[] {
  return text.split(',').map((raw) => {
    const wanted = raw.trim().toLowerCase();
    const column = CASE_COLUMNS.find(
      (c) => c.toLowerCase() === wanted || CASE_COLUMN_LABELS[c].toLowerCase() === wanted,
    );
    if (!column) {
      throw new CliError(
        `unknown column "${raw.trim()}" in --columns; columns: ${CASE_COLUMNS.join(', ')}`,
        2,
      );
    }
    return column;
  });
}

export function parseConditionOption(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`--condition is not valid JSON: ${(e as Error).message}`, 2);
  }
}

export function queueByName(ws: Workspace, name: string): StoredQueue {
  const queue = findQueueByIdOrName(ws.store.db, name);
  if (!queue) {
    const names = listQueues(ws.store, ws.user.id).map((q) => `"${q.name}"`);
    throw new CliError(`no queue named "${name}"; queues: ${names.join(', ')}`, 2);
  }
  return queue;
}

export function tenantIdOption(ws: Workspace, nameOrId: string): string {
  const row = ws.store.db
    .prepare('SELECT id FROM tenants WHERE id = ? OR name = ? COLLATE NOCASE')
    .get(nameOrId, nameOrId) as { id: string } | undefined;
  if (!row) throw new CliError(`no tenant "${nameOrId}"`, 2);
  return row.id;
}

export interface QueueOptions {
  name?: string;
  description?: string;
  condition?: string;
  range?: string;
  tenant?: string;
}

export const STORE_HELP = `
The store:
  import, demo, settings set and case-filters add create a missing store (and its folder) when
  they need one. Read commands (cases, alerts, queues list, export, settings get, case-filters
  list) never create or change a store; a store of an older version is upgraded first.
  Only Watchfloor stores are opened: any other file, SQLite database or not, is refused and
  left untouched. A command that writes while another process writes (an import, the app)
  waits for its turn and says so ("waiting for another import…"); reads never wait.
`;
