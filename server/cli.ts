import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { passwordSchema } from '../shared/domain/accounts';
import {
  bootstrapAccounts,
  createApiKey,
  createTenant,
  createUser,
  listTenants,
  listUsers,
  renewApiKey,
  setUserLocked,
  type Actor,
} from './auth/accounts';
import { ApiError } from './errors';
import { migrateDatabase } from './store/migrate';
import { openServerDatabase, startServer, type DatabaseChoice } from './server';

/**
 * `watchfloor-server`: `serve` (the default) runs an instance; the other commands are the
 * operator's tools on the same database (`users add|list|lock`, `apikey create|renew`,
 * `tenants add|list`). They act as the operator on the host, who may do anything.
 */

const OPERATOR: Actor = { operator: true };

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port 0-65535');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number');
  return n;
}

interface DbOptions {
  data?: string;
  databaseUrl?: string;
  partitioned?: boolean;
}

function databaseChoice(opts: DbOptions): DatabaseChoice {
  return {
    databaseUrl: opts.databaseUrl ?? process.env.DATABASE_URL,
    dataDir: opts.data,
    partitioned: opts.partitioned ?? false,
  };
}

function withDatabaseOptions(command: Command): Command {
  return command
    .option(
      '--data <dir>',
      'PGlite data folder when there is no DATABASE_URL (default ~/.local/share/watchfloor-server/pglite)',
    )
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL)');
}

async function withAdminDatabase<T>(
  opts: DbOptions,
  work: (db: Awaited<ReturnType<typeof openServerDatabase>>['db']) => Promise<T>,
): Promise<T> {
  const opened = await openServerDatabase(databaseChoice(opts));
  try {
    await migrateDatabase(opened.db, { partitioned: opts.partitioned ?? false });
    const bootstrap = await bootstrapAccounts(opened.db, process.env.WATCHFLOOR_ADMIN_PASSWORD);
    if (bootstrap.generatedPassword) {
      process.stderr.write(
        `watchfloor-server: created the first admin: login 'admin', password ${bootstrap.generatedPassword} (shown once)\n`,
      );
    }
    return await work(opened.db);
  } finally {
    await opened.release();
  }
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function readPasswordFromStdin(): string {
  const text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  const checked = passwordSchema.safeParse(text);
  if (!checked.success)
    throw new ApiError(400, 'BAD_REQUEST', `password: ${checked.error.issues[0]?.message}`);
  return checked.data;
}

export function buildProgram(): Command {
  const program = new Command('watchfloor-server')
    .description('Watchfloor central server: accounts, alert ingestion, correlation, read API')
    .showHelpAfterError()
    .exitOverride();

  withDatabaseOptions(
    program
      .command('serve', { isDefault: true })
      .description('run a server instance (migrations run on start)')
      .option('--port <port>', 'port to listen on (0: any free port)', port, 8700)
      .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
      .option('--tls-cert <file>', 'PEM certificate: serve HTTPS')
      .option('--tls-key <file>', 'PEM private key of --tls-cert')
      .option(
        '--partitioned',
        'hash-partition the big tables by tenant_id (an empty database only)',
      )
      .option('--body-limit-mb <mb>', 'largest request body in MB (413 beyond)', positiveNumber, 16)
      .option('--log-level <level>', 'fatal|error|warn|info|debug', 'info'),
  ).action(
    async (
      opts: DbOptions & {
        port: number;
        host: string;
        tlsCert?: string;
        tlsKey?: string;
        bodyLimitMb: number;
        logLevel: string;
      },
    ) => {
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
        throw new ApiError(400, 'BAD_REQUEST', '--tls-cert and --tls-key go together');
      }
      const running = await startServer({
        ...databaseChoice(opts),
        host: opts.host,
        port: opts.port,
        tls:
          opts.tlsCert && opts.tlsKey
            ? { certFile: opts.tlsCert, keyFile: opts.tlsKey }
            : undefined,
        adminPassword: process.env.WATCHFLOOR_ADMIN_PASSWORD,
        settings: { bodyLimitBytes: Math.round(opts.bodyLimitMb * 1024 * 1024) },
        logLevel: opts.logLevel,
      });
      await new Promise<void>((resolveStop) => {
        const shutdown = (signal: string) => {
          running.app.log.info({ signal }, 'shutting down: finishing requests in flight');
          running.stop().then(resolveStop, (error: unknown) => {
            running.app.log.error({ err: error }, 'shutdown failed');
            resolveStop();
          });
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
    },
  );

  const users = program.command('users').description('user accounts (ADM-2)');
  withDatabaseOptions(
    users
      .command('add')
      .description('create a user; prints it, with a generated password unless --password-stdin')
      .requiredOption('--login <login>', 'what the user signs in with')
      .requiredOption('--name <name>', 'display name')
      .option('--email <email>', 'email address')
      .option('--profile <profile>', 'admin | org-admin | analyst | read-only', 'analyst')
      .option('--scope <scope>', 'root | partner | tenant', 'tenant')
      .option('--tenants <names>', 'comma-separated tenant names (none for root)', '')
      .option('--password-stdin', 'read the password from standard input'),
  ).action(
    async (
      opts: DbOptions & {
        login: string;
        name: string;
        email?: string;
        profile: string;
        scope: string;
        tenants: string;
        passwordStdin?: boolean;
      },
    ) => {
      const password = opts.passwordStdin ? readPasswordFromStdin() : undefined;
      await withAdminDatabase(opts, async (db) => {
        const created = await createUser(db, OPERATOR, {
          login: opts.login,
          name: opts.name,
          email: opts.email ?? null,
          profile: opts.profile,
          scope: opts.scope,
          tenants: opts.tenants
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== ''),
          ...(password ? { password } : {}),
        });
        printJson({
          ...created.user,
          ...(created.generatedPassword ? { password: created.generatedPassword } : {}),
        });
      });
    },
  );
  withDatabaseOptions(users.command('list').description('list users as JSON')).action(
    async (opts: DbOptions) =>
      withAdminDatabase(opts, async (db) => printJson(await listUsers(db, OPERATOR))),
  );
  withDatabaseOptions(
    users
      .command('lock')
      .description('lock a user (its sessions and API keys stop working at once)')
      .requiredOption('--login <login>', 'the user')
      .option('--unlock', 'unlock instead'),
  ).action(async (opts: DbOptions & { login: string; unlock?: boolean }) =>
    withAdminDatabase(opts, async (db) =>
      printJson(await setUserLocked(db, OPERATOR, opts.login, !opts.unlock)),
    ),
  );

  const apikey = program.command('apikey').description('API keys (ADM-3): printed once');
  for (const verb of ['create', 'renew'] as const) {
    withDatabaseOptions(
      apikey
        .command(verb)
        .description(
          verb === 'create'
            ? 'create an API key for a user'
            : "replace a user's API key (the old one stops working)",
        )
        .requiredOption('--login <login>', 'the user the key acts as')
        .option('--name <name>', 'the key name (a device, a connector)', 'default'),
    ).action(async (opts: DbOptions & { login: string; name: string }) =>
      withAdminDatabase(opts, async (db) => {
        const issued =
          verb === 'create'
            ? await createApiKey(db, OPERATOR, opts.login, opts.name)
            : await renewApiKey(db, OPERATOR, opts.login, opts.name);
        printJson(issued);
      }),
    );
  }

  const tenants = program.command('tenants').description('tenants (organisations)');
  withDatabaseOptions(
    tenants
      .command('add')
      .description('create a tenant')
      .requiredOption('--name <name>', 'tenant name'),
  ).action(async (opts: DbOptions & { name: string }) =>
    withAdminDatabase(opts, async (db) => printJson(await createTenant(db, OPERATOR, opts.name))),
  );
  withDatabaseOptions(tenants.command('list').description('list tenants as JSON')).action(
    async (opts: DbOptions) =>
      withAdminDatabase(opts, async (db) => printJson(await listTenants(db, null))),
  );

  return program;
}

/** Runs the CLI; resolves to the exit code. Errors go to stderr with what was wrong. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error && typeof error === 'object' && 'exitCode' in error && 'code' in error) {
      const code = String((error as { code: unknown }).code);
      if (code === 'commander.helpDisplayed' || code === 'commander.version') return 0;
      return Number((error as { exitCode: unknown }).exitCode) || 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`watchfloor-server: ${message}\n`);
    return 1;
  }
}
