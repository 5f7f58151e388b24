import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { openWorkspace, type Workspace } from './app/workspace';
import { defaultStorePath, sourceImportWorker, sourceMigrationsFolder } from './store/paths';
import { StoreOpenError } from './store/open';
import { setWriteLockWaitListener, WriteLockTimeoutError } from './store/write';
import { defaultDemoEnd, loadDemoData } from './features/demo/demo';
import { generateDemoCases } from '../shared/domain/demo';
import { listCases } from './features/cases/cases';
import { alertRefsOfCases, listAlerts } from './features/alerts/alerts';
import { importAlertFilesInParallel, parseWorkerBeside } from './features/alerts/import-files';
import {
  CORRELATION_SETTING_KEYS,
  getCorrelationSettings,
  isCorrelationSettingKey,
  parseCorrelationSetting,
  setCorrelationSetting,
} from './features/correlation/correlation-settings';
import {
  addCaseFilter,
  listCaseFilters,
  removeCaseFilter,
} from './features/correlation/case-filters';
import { ALERT_STATUSES, type AlertStatus } from '../shared/domain/types';
import { ALERT_FORMATS } from '../shared/domain/ingest/build-alert';
import type { ParseFormatOption } from '../shared/domain/ingest/parse';
import { ServiceError } from './service-error';
import { APP_VERSION } from './version';
import { OutboxCliError, registerOutboxCommands } from './cli/outbox';
import {
  checkQueueDraft,
  findQueueByIdOrName,
  getQueueDto,
  listQueues,
  markAllQueuesPending,
  parseQueueDraft,
  reindexQueueNow,
  removeQueue,
  saveQueue,
  type StoredQueue,
} from './features/queues/queues';
import { planCsvExport, writeCasesCsv } from './features/cases/export-csv';
import { compileCaseView, countCaseView } from './features/cases/case-view';
import { formatLuceneError } from '../shared/domain/lucene';
import { parseDateValue } from '../shared/domain/conditions';
import { CASE_SORT_FIELDS, type CaseSortField, type SortDirection } from '../shared/domain/types';
import {
  CASE_COLUMNS,
  CASE_COLUMN_LABELS,
  DEFAULT_CASE_COLUMNS,
  MAX_CSV_EXPORT_ROWS,
  type CaseColumn,
  type QueueDraft,
  type QueueRange,
} from '../shared/ipc/contract';

/**
 * Headless command line over the same services as the app (rule 2). Output that scripts read
 * goes to stdout as JSON; errors go to stderr with a non-zero exit, and change nothing.
 */

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value))
      throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    const n = Number(value);
    if (n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be between 1 and ${max}, got ${n}`);
    return n;
  };
}

function seedArg(value: string): number {
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

function openForCommand(program: Command, access: StoreAccess): Workspace {
  const db = program.opts<{ db?: string }>().db ?? defaultStorePath();
  const mode = access === 'read' ? 'read' : 'write';
  return openWorkspace(db, {
    mode,
    create: access === 'create' || access === true,
    migrationsFolder: sourceMigrationsFolder(),
    onUpgrade: (pending) =>
      process.stderr.write(
        `watchfloor: upgrading the store at ${path.resolve(db)} to this version (${pending} migration${pending === 1 ? '' : 's'})\n`,
      ),
  });
}

function withWorkspace<T>(program: Command, access: StoreAccess, fn: (ws: Workspace) => T): T {
  const ws = openForCommand(program, access);
  try {
    return fn(ws);
  } finally {
    ws.close();
  }
}

async function withWorkspaceAsync<T>(
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

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Runs a service call and turns its refusals into CLI errors: an invalid query or condition
 * exits 2 with the reason (a Lucene error under its query with a caret line), other refusals 1.
 */
function serviceCall<T>(fn: () => T, query?: string): T {
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

function parseConditionOption(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`--condition is not valid JSON: ${(e as Error).message}`, 2);
  }
}

function queueByName(ws: Workspace, name: string): StoredQueue {
  const queue = findQueueByIdOrName(ws.store.db, name);
  if (!queue) {
    const names = listQueues(ws.store, ws.user.id).map((q) => `"${q.name}"`);
    throw new CliError(`no queue named "${name}"; queues: ${names.join(', ')}`, 2);
  }
  return queue;
}

function tenantIdOption(ws: Workspace, nameOrId: string): string {
  const row = ws.store.db
    .prepare('SELECT id FROM tenants WHERE id = ? OR name = ? COLLATE NOCASE')
    .get(nameOrId, nameOrId) as { id: string } | undefined;
  if (!row) throw new CliError(`no tenant "${nameOrId}"`, 2);
  return row.id;
}

interface QueueOptions {
  name?: string;
  description?: string;
  condition?: string;
  range?: string;
  tenant?: string;
}

const STORE_HELP = `
The store:
  import, demo, settings set and case-filters add create a missing store (and its folder) when
  they need one. Read commands (cases, alerts, queues list, export, settings get, case-filters
  list) never create or change a store; a store of an older version is upgraded first.
  Only Watchfloor stores are opened: any other file, SQLite database or not, is refused and
  left untouched. A command that writes while another process writes (an import, the app)
  waits for its turn and says so ("waiting for another import…"); reads never wait.
`;

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command();
  program
    .name('watchfloor')
    .description('Watchfloor command line: the local store without the window')
    .version(APP_VERSION)
    .option('--db <file>', `store file (default ${defaultStorePath()})`)
    .addHelpText('after', STORE_HELP)
    .showHelpAfterError('(run watchfloor --help for the commands)')
    .configureOutput({ writeOut: out, writeErr: err })
    .exitOverride();

  program
    .command('demo')
    .description(
      'load deterministic demo data: alerts from SIEM, EDR, IDS and email sources, grouped into cases',
    )
    .requiredOption(
      '--alerts <n>',
      'number of alerts to generate',
      positiveInt('--alerts', 10_000_000),
    )
    .option('--seed <s>', 'random seed (same seed, same data)', seedArg, 1)
    .action(async (opts: { alerts: number; seed: number }) => {
      const ws = openWorkspace(program.opts<{ db?: string }>().db ?? defaultStorePath(), {
        create: true,
        migrationsFolder: sourceMigrationsFolder(),
      });
      try {
        const started = performance.now();
        // A seed's first alert has the same (source, sourceRef) whatever the day: an exact lookup.
        const endAt = defaultDemoEnd();
        const first = generateDemoCases({ alerts: 1, seed: opts.seed, endAt }).next().value
          ?.alerts[0];
        const ref =
          first &&
          ws.store.db
            .prepare('SELECT 1 FROM alerts WHERE source = ? AND source_ref = ?')
            .get(first.source, first.sourceRef);
        if (ref) {
          throw new CliError(
            `demo data with seed ${opts.seed} is already in ${ws.store.file}; use another --seed`,
          );
        }
        const result = await loadDemoData(ws.store, {
          alerts: opts.alerts,
          seed: opts.seed,
          endAt,
        });
        // Demo cases are bulk-inserted around refreshQueueMembership: rebuild the queue indexes.
        for (const queueId of markAllQueuesPending(ws.store)) reindexQueueNow(ws.store, queueId);
        const seconds = (performance.now() - started) / 1000;
        out(JSON.stringify({ ...result, seconds: Math.round(seconds * 100) / 100 }) + '\n');
      } finally {
        ws.close();
      }
    });

  program
    .command('cases')
    .description('list cases of a queue or a search, most recently updated first by default')
    .option('--json', 'print a JSON array (the only output format for now)')
    .option('--limit <n>', 'at most this many cases', positiveInt('--limit', 1_000_000), 100)
    .option('--with-alerts', 'add alertRefs: ["source:sourceRef", …] to each case')
    .option('--queue <name>', 'only the cases of this queue (name or id)')
    .option('--query <lucene>', "Lucene search, e.g. 'severity:(High OR Critical) AND phishing'")
    .option('--sort <field:dir>', `sort, e.g. score:desc (${CASE_SORT_FIELDS.join('|')})`)
    .action(
      (opts: {
        json?: boolean;
        limit: number;
        withAlerts?: boolean;
        queue?: string;
        query?: string;
        sort?: string;
      }) => {
        if (!opts.json) throw new CliError('cases: add --json (the only output format so far)');
        const order = opts.sort
          ? parseSortOption(opts.sort)
          : { sort: 'updatedAt' as const, direction: 'desc' as const };
        // A queue whose index is pending is evaluated by the view itself (reads never write).
        withWorkspace(program, 'read', (ws) => {
          const queueId = opts.queue ? queueByName(ws, opts.queue).id : undefined;
          const { rows } = serviceCall(
            () =>
              listCases(ws.store, {
                offset: 0,
                limit: opts.limit,
                ...order,
                queueId,
                query: opts.query,
                withTotal: false,
              }),
            opts.query,
          );
          const refs = opts.withAlerts
            ? alertRefsOfCases(
                ws.store,
                rows.map((c) => c.id),
              )
            : null;
          const result = rows.map((c) => ({
            id: c.id,
            number: c.number,
            name: c.name,
            score: c.score,
            severity: c.severity,
            status: c.status,
            assignee: c.assigneeName,
            alertCount: c.alertCount,
            createdAt: iso(c.createdAt),
            updatedAt: iso(c.updatedAt),
            ...(refs ? { alertRefs: refs.get(c.id) ?? [] } : {}),
          }));
          out(JSON.stringify(result, null, 2) + '\n');
        });
      },
    );

  const queues = program
    .command('queues')
    .description('case queues (QUE): saved filters of cases with their indexed counts');
  queues
    .command('list')
    .option('--json', 'print a JSON array (the only output format)')
    .action((opts: { json?: boolean }) => {
      if (!opts.json) throw new CliError('queues list: add --json (the only output format)');
      withWorkspace(program, 'read', (ws) => {
        // A pending index is not built here (reads never write): such a queue is counted directly.
        const list = listQueues(ws.store, ws.user.id).map((q) => ({
          id: q.id,
          name: q.name,
          count: q.count ?? countCaseView(ws.store, compileCaseView(ws.store, { queueId: q.id })),
          isDefault: q.isDefault,
          pinned: q.pinned,
        }));
        out(JSON.stringify(list, null, 2) + '\n');
      });
    });
  const saveQueueFromOptions = (ws: Workspace, opts: QueueOptions, existing?: StoredQueue) => {
    const draft: QueueDraft = {
      ...(existing ? { id: existing.id } : {}),
      name: opts.name ?? existing?.name ?? '',
      description: opts.description ?? existing?.description ?? '',
      tenantId:
        opts.tenant !== undefined ? tenantIdOption(ws, opts.tenant) : (existing?.tenantId ?? null),
      condition:
        opts.condition !== undefined ? parseConditionOption(opts.condition) : existing?.condition,
      range:
        opts.range !== undefined
          ? parseRangeOption(opts.range)
          : (existing?.range ?? { kind: 'relative', days: 30 }),
    };
    const saved = serviceCall(() => {
      const { warnings } = checkQueueDraft(ws.store, parseQueueDraft(draft));
      const result = saveQueue(ws.store, ws.user, draft);
      for (const warning of warnings) err(`watchfloor: warning: ${warning}\n`);
      return result;
    });
    // The CLI re-indexes before it exits, so the printed count is final (QUE-5).
    if (saved.needsReindex) reindexQueueNow(ws.store, saved.queue.id);
    out(JSON.stringify(getQueueDto(ws.store, ws.user.id, saved.queue.id), null, 2) + '\n');
  };
  const queueOptions = (command: Command, nameRequired: boolean) => {
    if (nameRequired) command.requiredOption('--name <name>', 'queue name (unique)');
    else command.option('--name <name>', 'queue name (unique)');
    if (nameRequired) {
      command.requiredOption(
        '--condition <json>',
        'condition tree as JSON (shared/domain/conditions.ts)',
      );
    } else {
      command.option('--condition <json>', 'condition tree as JSON (shared/domain/conditions.ts)');
    }
    return command
      .option('--description <text>', 'what the queue is for')
      .option(
        '--range <range>',
        'cases created in the last 30d | 4w | 1y, or FROM..TO (default 30d)',
      )
      .option('--tenant <tenant>', 'only this tenant (name or id; default all tenants)');
  };
  queueOptions(queues.command('add').description('create a queue and index it'), true).action(
    (opts: QueueOptions) => withWorkspace(program, false, (ws) => saveQueueFromOptions(ws, opts)),
  );
  queueOptions(
    queues
      .command('update')
      .description('change a queue and re-index it')
      .argument('<id>', 'queue id or name'),
    false,
  ).action((id: string, opts: QueueOptions) =>
    withWorkspace(program, false, (ws) => {
      const existing = findQueueByIdOrName(ws.store.db, id);
      if (!existing) throw new CliError(`no queue "${id}"`);
      saveQueueFromOptions(ws, opts, existing);
    }),
  );
  queues
    .command('remove')
    .argument('<id>', 'queue id or name')
    .action((id: string) =>
      withWorkspace(program, false, (ws) => {
        const existing = findQueueByIdOrName(ws.store.db, id);
        if (!existing) throw new CliError(`no queue "${id}"`);
        serviceCall(() => removeQueue(ws.store, ws.user, existing.id));
        out(JSON.stringify({ removed: existing.id }) + '\n');
      }),
    );

  const exportCommand = program.command('export').description('export data to files');
  exportCommand
    .command('cases')
    .description(
      `the cases of a queue or a search as CSV (TBL-7, at most ${MAX_CSV_EXPORT_ROWS.toLocaleString('en')} rows)`,
    )
    .requiredOption('--csv <file>', 'CSV file to write')
    .option('--queue <name>', 'only the cases of this queue (name or id)')
    .option('--query <lucene>', 'Lucene search')
    .option('--sort <field:dir>', 'sort, e.g. score:desc (default updatedAt:desc)')
    .option(
      '--columns <list>',
      `comma-separated columns (default ${DEFAULT_CASE_COLUMNS.join(',')})`,
    )
    .option('--bom', 'start with a UTF-8 byte order mark (for Excel)')
    .option(
      '--force',
      'replace the file if it exists (never a Watchfloor store, its -wal/-shm, or any SQLite database)',
    )
    .action(
      (opts: {
        csv: string;
        queue?: string;
        query?: string;
        sort?: string;
        columns?: string;
        bom?: boolean;
        force?: boolean;
      }) => {
        const columns = opts.columns ? parseColumnsOption(opts.columns) : [...DEFAULT_CASE_COLUMNS];
        const order = opts.sort
          ? parseSortOption(opts.sort)
          : { sort: 'updatedAt' as const, direction: 'desc' as const };
        const file = path.resolve(opts.csv);
        withWorkspace(program, 'read', (ws) => {
          const queueId = opts.queue ? queueByName(ws, opts.queue).id : undefined;
          const { plan, matching } = serviceCall(
            () =>
              planCsvExport(
                ws.store,
                {
                  view: { queueId, query: opts.query, ...order },
                  columns,
                  bom: opts.bom ?? false,
                  overwrite: opts.force ?? false,
                },
                file,
              ),
            opts.query,
          );
          const { rows, bytes } = serviceCall(() => writeCasesCsv(ws.store.db, plan));
          out(JSON.stringify({ file, rows, bytes, matching, truncated: matching > rows }) + '\n');
        });
      },
    );

  program
    .command('import')
    .description(
      'import alert files (Watchfloor v1, Elastic ECS, Suricata EVE, Wazuh, TheHive 5) and correlate them into cases',
    )
    .argument('<paths...>', 'JSON array, JSON object or NDJSON files (directories are not read)')
    .option('--format <format>', `auto|${ALERT_FORMATS.join('|')}`, 'auto')
    .action(async (paths: string[], opts: { format: string }) => {
      if (opts.format !== 'auto' && !(ALERT_FORMATS as readonly string[]).includes(opts.format)) {
        throw new CliError(
          `--format must be auto or one of ${ALERT_FORMATS.join(', ')}, got "${opts.format}"`,
          2,
        );
      }
      // Reading and parsing run in a worker thread beside the writing (two cores, flat memory).
      const summary = await withWorkspaceAsync(program, true, (ws) =>
        importAlertFilesInParallel(ws.store, paths, {
          format: opts.format as ParseFormatOption,
          actor: ws.user.login,
          parseWorker: parseWorkerBeside(sourceImportWorker()),
        }),
      );
      const {
        read,
        imported,
        duplicates,
        suppressed,
        failed,
        skipped,
        casesCreated,
        casesUpdated,
        errors,
      } = summary;
      out(
        JSON.stringify({
          read,
          imported,
          duplicates,
          suppressed,
          failed,
          skipped, // records of a known format that are not alerts (Suricata flow, dns…)
          casesCreated,
          casesUpdated,
          errors,
        }) + '\n',
      );
      if (failed > 0) throw new CommanderError(1, 'watchfloor.import.partial', '');
    });

  program
    .command('alerts')
    .description('list alerts, newest first')
    .option('--json', 'print a JSON array')
    .option('--status <status>', ALERT_STATUSES.join('|'))
    .option('--limit <n>', 'at most this many alerts', positiveInt('--limit', 10_000_000), 1000)
    .option('--with-raw', 'add raw: the original record of each alert, as imported')
    .action((opts: { json?: boolean; status?: string; limit: number; withRaw?: boolean }) => {
      if (!opts.json) throw new CliError('alerts: add --json (the only output format so far)');
      if (opts.status && !(ALERT_STATUSES as readonly string[]).includes(opts.status)) {
        throw new CliError(
          `--status must be one of ${ALERT_STATUSES.join(', ')}, got "${opts.status}"`,
          2,
        );
      }
      withWorkspace(program, 'read', (ws) => {
        const rows = listAlerts(ws.store, {
          status: opts.status as AlertStatus | undefined,
          limit: opts.limit,
          offset: 0,
          withRaw: opts.withRaw === true,
        });
        out(
          JSON.stringify(
            rows.map((a) => ({ ...a, timestamp: iso(a.timestamp) })),
            null,
            2,
          ) + '\n',
        );
      });
    });

  const settings = program.command('settings').description('read or change settings');
  settings
    .command('get')
    .argument('<key>', Object.keys(CORRELATION_SETTING_KEYS).join('|'))
    .action((key: string) => {
      if (!isCorrelationSettingKey(key)) {
        throw new CliError(
          `unknown setting "${key}"; known: ${Object.keys(CORRELATION_SETTING_KEYS).join(', ')}`,
          2,
        );
      }
      withWorkspace(program, 'read', (ws) => {
        const all = getCorrelationSettings(ws.store);
        const field = key.slice('correlation.'.length) as keyof typeof all;
        out(JSON.stringify(all[field]) + '\n');
      });
    });
  settings
    .command('set')
    .argument('<key>', Object.keys(CORRELATION_SETTING_KEYS).join('|'))
    .argument('<value>')
    .action((key: string, value: string) => {
      if (!isCorrelationSettingKey(key)) {
        throw new CliError(
          `unknown setting "${key}"; known: ${Object.keys(CORRELATION_SETTING_KEYS).join(', ')}`,
          2,
        );
      }
      let parsed: number | boolean;
      try {
        parsed = parseCorrelationSetting(key, value);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      withWorkspace(program, true, (ws) =>
        setCorrelationSetting(ws.store, ws.user.login, ws.user.tenantId, key, parsed),
      );
      out(JSON.stringify({ [key]: parsed }) + '\n');
    });

  const filters = program
    .command('case-filters')
    .description('case filters (COR-5): matching alerts create no case');
  filters
    .command('add')
    .requiredOption('--name <name>', 'filter name')
    .requiredOption('--condition <json>', 'condition tree as JSON (shared/domain/conditions.ts)')
    .action((opts: { name: string; condition: string }) => {
      let condition: unknown;
      try {
        condition = JSON.parse(opts.condition);
      } catch (e) {
        throw new CliError(`--condition is not valid JSON: ${(e as Error).message}`, 2);
      }
      const filter = withWorkspace(program, true, (ws) => {
        try {
          return addCaseFilter(ws.store, ws.user.login, ws.user.tenantId, opts.name, condition);
        } catch (e) {
          if (e instanceof ServiceError) throw new CliError(e.message, 2);
          throw e;
        }
      });
      out(JSON.stringify(filter) + '\n');
    });
  filters
    .command('list')
    .action(() =>
      withWorkspace(program, 'read', (ws) =>
        out(JSON.stringify(listCaseFilters(ws.store), null, 2) + '\n'),
      ),
    );
  filters
    .command('remove')
    .argument('<id>')
    .action((id: string) =>
      withWorkspace(program, false, (ws) => {
        try {
          removeCaseFilter(ws.store, ws.user.login, ws.user.tenantId, id);
        } catch (e) {
          if (e instanceof ServiceError) throw new CliError(e.message);
          throw e;
        }
        out(JSON.stringify({ removed: id }) + '\n');
      }),
    );
  for (const [name, sub] of [
    ['import', undefined],
    ['demo', undefined],
    ['settings', 'set'],
    ['case-filters', 'add'],
  ] as const) {
    let command = program.commands.find((c) => c.name() === name);
    if (sub) command = command?.commands.find((c) => c.name() === sub);
    command?.addHelpText(
      'after',
      '\nCreates the store (and its folder) when it is missing; waits while another process writes to it.',
    );
  }
  registerOutboxCommands(
    program,
    out,
    () => program.opts<{ db?: string }>().db ?? defaultStorePath(),
  );
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  let toldWaiting = false;
  setWriteLockWaitListener(() => {
    if (toldWaiting) return;
    toldWaiting = true;
    process.stderr.write(
      'watchfloor: waiting for another import… (another process is writing to the store)\n',
    );
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message (help and version exit 0)
      return e.exitCode;
    }
    if (
      e instanceof CliError ||
      e instanceof OutboxCliError ||
      e instanceof StoreOpenError ||
      e instanceof WriteLockTimeoutError
    ) {
      process.stderr.write(`watchfloor: ${e.message}\n`);
      return e instanceof CliError || e instanceof OutboxCliError ? e.exitCode : 1;
    }
    process.stderr.write(`watchfloor: ${(e as Error).message}\n`);
    return 1;
  } finally {
    setWriteLockWaitListener(null);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.env.WATCHFLOOR_CLI === '1') {
  process.exitCode = await runCli(process.argv.slice(2));
}
