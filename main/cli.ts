import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { openWorkspace, type Workspace } from './services/workspace';
import { defaultStorePath, sourceMigrationsFolder } from './store/paths';
import { StoreOpenError } from './store/open';
import { defaultDemoEnd, loadDemoData } from './services/demo';
import { generateDemoCases } from '../shared/domain/demo';
import { listCases } from './services/cases';
import { alertRefsOfCases, listAlerts } from './services/alerts';
import { importAlertFiles } from './services/import-files';
import {
  CORRELATION_SETTING_KEYS,
  getCorrelationSettings,
  isCorrelationSettingKey,
  parseCorrelationSetting,
  setCorrelationSetting,
} from './services/correlation-settings';
import { addCaseFilter, listCaseFilters, removeCaseFilter } from './services/case-filters';
import { ALERT_STATUSES, type AlertStatus } from '../shared/domain/types';
import { ALERT_FORMATS } from '../shared/domain/ingest/build-alert';
import type { ParseFormatOption } from '../shared/domain/ingest/parse';
import { ServiceError } from './ipc/errors';
import { APP_VERSION } from './version';

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

function withWorkspace<T>(program: Command, create: boolean, fn: (ws: Workspace) => T): T {
  const db = (program.opts<{ db?: string }>().db ?? defaultStorePath()) as string;
  const ws = openWorkspace(db, { create, migrationsFolder: sourceMigrationsFolder() });
  try {
    return fn(ws);
  } finally {
    ws.close();
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command();
  program
    .name('watchfloor')
    .description('Watchfloor command line: the local store without the window')
    .version(APP_VERSION)
    .option('--db <file>', `store file (default ${defaultStorePath()})`)
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
        const seconds = (performance.now() - started) / 1000;
        out(JSON.stringify({ ...result, seconds: Math.round(seconds * 100) / 100 }) + '\n');
      } finally {
        ws.close();
      }
    });

  program
    .command('cases')
    .description('list cases, most recently updated first')
    .option('--json', 'print a JSON array (the only output format for now)')
    .option('--limit <n>', 'at most this many cases', positiveInt('--limit', 1_000_000), 100)
    .option('--with-alerts', 'add alertRefs: ["source:sourceRef", …] to each case')
    .action((opts: { json?: boolean; limit: number; withAlerts?: boolean }) => {
      if (!opts.json) throw new CliError('cases: add --json (the only output format so far)');
      withWorkspace(program, false, (ws) => {
        const { rows } = listCases(ws.store, {
          offset: 0,
          limit: opts.limit,
          sort: 'updatedAt',
          direction: 'desc',
          withTotal: false,
        });
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
    });

  program
    .command('import')
    .description(
      'import alert files (Watchfloor v1, Elastic ECS, Suricata EVE, Wazuh, TheHive 5) and correlate them into cases',
    )
    .argument('<paths...>', 'JSON array, JSON object or NDJSON files')
    .option('--format <format>', `auto|${ALERT_FORMATS.join('|')}`, 'auto')
    .action((paths: string[], opts: { format: string }) => {
      if (opts.format !== 'auto' && !(ALERT_FORMATS as readonly string[]).includes(opts.format)) {
        throw new CliError(
          `--format must be auto or one of ${ALERT_FORMATS.join(', ')}, got "${opts.format}"`,
          2,
        );
      }
      const summary = withWorkspace(program, true, (ws) =>
        importAlertFiles(ws.store, paths, {
          format: opts.format as ParseFormatOption,
          actor: ws.user.login,
        }),
      );
      const { read, imported, duplicates, suppressed, failed, casesCreated, casesUpdated, errors } =
        summary;
      out(
        JSON.stringify({
          read,
          imported,
          duplicates,
          suppressed,
          failed,
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
    .action((opts: { json?: boolean; status?: string; limit: number }) => {
      if (!opts.json) throw new CliError('alerts: add --json (the only output format so far)');
      if (opts.status && !(ALERT_STATUSES as readonly string[]).includes(opts.status)) {
        throw new CliError(
          `--status must be one of ${ALERT_STATUSES.join(', ')}, got "${opts.status}"`,
          2,
        );
      }
      withWorkspace(program, false, (ws) => {
        const rows = listAlerts(ws.store, {
          status: opts.status as AlertStatus | undefined,
          limit: opts.limit,
          offset: 0,
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
      withWorkspace(program, false, (ws) => {
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
      withWorkspace(program, false, (ws) =>
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
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram(
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message (help and version exit 0)
      return e.exitCode;
    }
    if (e instanceof CliError || e instanceof StoreOpenError) {
      process.stderr.write(`watchfloor: ${e.message}\n`);
      return e instanceof CliError ? e.exitCode : 1;
    }
    process.stderr.write(`watchfloor: ${(e as Error).message}\n`);
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.env.WATCHFLOOR_CLI === '1') {
  process.exitCode = await runCli(process.argv.slice(2));
}
