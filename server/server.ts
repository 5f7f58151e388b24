import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bootstrapAccounts } from './auth/accounts';
import { EventHub } from './events/event-hub';
import { buildApp, type TlsFiles } from './http/app';
import { DEFAULT_SETTINGS, type ServerSettings } from './http/context';
import { openDatabase, type Database } from './store/database';
import { migrateDatabase } from './store/migrate';

/**
 * Starting and stopping one server instance: open the database (DATABASE_URL, else PGlite in a
 * data folder), run the migrations, create the admin organisation and first admin on an empty
 * database, listen, and on SIGTERM/SIGINT stop taking requests, finish those in flight, close.
 */

export interface DatabaseChoice {
  databaseUrl?: string | undefined;
  /** PGlite data folder (used when there is no databaseUrl). */
  dataDir?: string | undefined;
  partitioned?: boolean;
}

export interface ServeOptions extends DatabaseChoice {
  host: string;
  port: number;
  tls?: TlsFiles | undefined;
  adminPassword?: string | undefined;
  settings?: Partial<ServerSettings>;
  logLevel?: string;
  /** Where human-readable lines go (URL, first admin password): stdout by default. */
  print?: (line: string) => void;
}

export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'watchfloor-server', 'pglite');
}

/**
 * PGlite serves one process: a second one on the same folder would corrupt it. A pid file in
 * the folder refuses that with a clear message.
 */
function claimDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, 'watchfloor-server.pid');
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    let alive = false;
    try {
      if (pid > 0 && pid !== process.pid) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (alive) {
      throw new Error(
        `the data folder ${dataDir} is in use by process ${pid}: PGlite serves one process at a time (stop it, or use DATABASE_URL for several instances)`,
      );
    }
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

export interface OpenedDatabase {
  db: Database;
  description: string;
  release: () => Promise<void>;
}

export async function openServerDatabase(choice: DatabaseChoice): Promise<OpenedDatabase> {
  if (choice.databaseUrl) {
    const db = await openDatabase({ databaseUrl: choice.databaseUrl });
    const url = new URL(choice.databaseUrl);
    url.password = url.password ? '***' : '';
    return { db, description: `PostgreSQL ${url.toString()}`, release: () => db.close() };
  }
  const dataDir = resolve(choice.dataDir ?? defaultDataDir());
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir, { recursive: true });
  const unclaim = claimDataDir(dataDir);
  try {
    const db = await openDatabase({ dataDir });
    return {
      db,
      description: `PGlite ${dataDir}`,
      release: async () => {
        await db.close();
        unclaim();
      },
    };
  } catch (error) {
    unclaim();
    throw error;
  }
}

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  url: string;
  stop: () => Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const opened = await openServerDatabase(options);
  const { db } = opened;
  let app: FastifyInstance | null = null;
  let events: EventHub | null = null;
  try {
    await migrateDatabase(db, { partitioned: options.partitioned ?? false });
    const bootstrap = await bootstrapAccounts(db, options.adminPassword);
    if (bootstrap.created) {
      print(
        bootstrap.generatedPassword
          ? `watchfloor-server: created the admin organisation and the first admin: login 'admin', password ${bootstrap.generatedPassword} (shown once; set WATCHFLOOR_ADMIN_PASSWORD to choose it)`
          : "watchfloor-server: created the admin organisation and the first admin: login 'admin' (password from WATCHFLOOR_ADMIN_PASSWORD)",
      );
    }
    events = new EventHub(db);
    await events.start();
    let shuttingDown = false;
    const settings: ServerSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    const built = await buildApp(
      { db, settings, events, shuttingDown: () => shuttingDown },
      { logger: { level: options.logLevel ?? 'info' }, tls: options.tls },
    );
    app = built;
    await built.listen({ host: options.host, port: options.port });
    const address = built.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const url = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
    print(
      `watchfloor-server: listening on ${url} (${opened.description}; API docs at ${url}/api/docs)`,
    );
    const hub = events;
    let stopping: Promise<void> | null = null;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        shuttingDown = true;
        await built.close(); // waits for requests in flight; new ones get 503
        await hub.stop();
        await opened.release();
      })();
      return stopping;
    };
    return { app: built, db, url, stop };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await events?.stop().catch(() => undefined);
    await opened.release().catch(() => undefined);
    throw error;
  }
}
