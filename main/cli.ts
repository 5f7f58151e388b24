import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { openWorkspace, type Workspace } from './services/workspace';
import { defaultStorePath, sourceMigrationsFolder } from './store/paths';
import { StoreOpenError } from './store/open';
import { defaultDemoEnd, loadDemoData } from './services/demo';
import { listCases } from './services/cases';
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
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number, got "${value}"`);
    const n = Number(value);
    if (n < 1 || n > max) throw new InvalidArgumentError(`${name} must be between 1 and ${max}, got ${n}`);
    return n;
  };
}

function seedArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`seed must be a whole number from 0 to 2147483647, got "${value}"`);
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
    .description('load deterministic demo data: alerts from SIEM, EDR, IDS and email sources, grouped into cases')
    .requiredOption('--alerts <n>', 'number of alerts to generate', positiveInt('--alerts', 10_000_000))
    .option('--seed <s>', 'random seed (same seed, same data)', seedArg, 1)
    .action(async (opts: { alerts: number; seed: number }) => {
      const ws = openWorkspace(program.opts<{ db?: string }>().db ?? defaultStorePath(), {
        create: true,
        migrationsFolder: sourceMigrationsFolder(),
      });
      try {
        const started = performance.now();
        const ref = ws.store.db
          .prepare("SELECT 1 FROM alerts WHERE source_ref LIKE ? LIMIT 1")
          .get(`%-${opts.seed}-1`);
        if (ref) {
          throw new CliError(
            `demo data with seed ${opts.seed} is already in ${ws.store.file}; use another --seed`,
          );
        }
        const result = await loadDemoData(ws.store, {
          alerts: opts.alerts,
          seed: opts.seed,
          endAt: defaultDemoEnd(),
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
    .action((opts: { json?: boolean; limit: number }) => {
      if (!opts.json) throw new CliError('cases: add --json (the only output format so far)');
      withWorkspace(program, false, (ws) => {
        const { rows } = listCases(ws.store, {
          offset: 0,
          limit: opts.limit,
          sort: 'updatedAt',
          direction: 'desc',
          withTotal: false,
        });
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
        }));
        out(JSON.stringify(result, null, 2) + '\n');
      });
    });
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
