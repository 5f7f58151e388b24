import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';

/**
 * The one seam between the server and its database: PostgreSQL through `pg` (DATABASE_URL), or
 * an embedded PGlite data folder when there is none. Everything above speaks SQL with `$n`
 * parameters through this interface, so the same statements run on both.
 */

export type SqlValue = string | number | boolean | null | readonly unknown[] | object;

export interface Queryable {
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: readonly SqlValue[],
  ): Promise<Row[]>;
}

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Runs `work` in one READ COMMITTED transaction; a throw rolls it back. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on a channel; resolves to the unsubscribe. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Called when the LISTEN connection is lost (notifications may have been missed). */
  onListenerLost(handler: () => void): void;
  close(): Promise<void>;
}

const INT8_OID = 20;

/** bigint columns hold epoch ms, counters and sequences: all well inside 2^53. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`bigint ${text} is beyond 2^53`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private listenerReady: Promise<pg.Client> | null = null;
  private readonly channels = new Map<string, Set<(payload: string) => void>>();
  private readonly lostHandlers: (() => void)[] = [];
  private closing = false;

  constructor(
    private readonly url: string,
    poolSize: number,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
    // An idle client that errors (server restart) is dropped by the pool; do not crash on it.
    this.pool.on('error', () => undefined);
  }

  async query<Row extends object>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const result = await this.pool.query<Row>(text, params as unknown[]);
    return result.rows;
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: Queryable = {
      query: async <Row extends object>(text: string, params: readonly SqlValue[] = []) =>
        (await client.query<Row>(text, params as unknown[])).rows,
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
        client.release();
      } catch {
        client.release(true); // the connection is broken: do not hand it out again
      }
      throw error;
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const client = await this.listenerClient();
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
      await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    }
    handlers.add(onNotify);
    return async () => {
      handlers.delete(onNotify);
    };
  }

  onListenerLost(handler: () => void): void {
    this.lostHandlers.push(handler);
  }

  /** One connection per instance holds every LISTEN; it reconnects when it drops. */
  private listenerClient(): Promise<pg.Client> {
    if (this.listener) return Promise.resolve(this.listener);
    if (this.listenerReady) return this.listenerReady;
    this.listenerReady = (async () => {
      const client = new pg.Client({ connectionString: this.url, types: pgTypes });
      client.on('notification', (message) => {
        for (const handler of this.channels.get(message.channel) ?? []) {
          handler(message.payload ?? '');
        }
      });
      client.on('error', () => this.dropListener(client));
      client.on('end', () => this.dropListener(client));
      await client.connect();
      for (const channel of this.channels.keys()) {
        await client.query(`LISTEN ${quoteIdentifier(channel)}`);
      }
      this.listener = client;
      this.listenerReady = null;
      return client;
    })();
    this.listenerReady.catch(() => {
      this.listenerReady = null;
    });
    return this.listenerReady;
  }

  private dropListener(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = null;
    if (this.closing) return;
    for (const handler of this.lostHandlers) handler();
    // Reconnect in the background, retrying while the database is away.
    const retry = (delay: number): void => {
      if (this.closing) return;
      setTimeout(() => {
        this.listenerClient().catch(() => retry(Math.min(delay * 2, 5_000)));
      }, delay).unref();
    };
    if (this.channels.size > 0) retry(100);
  }

  async close(): Promise<void> {
    this.closing = true;
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
    await this.pool.end();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// PGlite

class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  constructor(private readonly db: PGlite) {}

  async query<Row extends object>(text: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const result = await this.db.query<Row>(text, params as unknown[]);
    return result.rows;
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (transaction) =>
      work({
        query: async <Row extends object>(text: string, params: readonly SqlValue[] = []) =>
          (await transaction.query<Row>(text, params as unknown[])).rows,
      }),
    );
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const unsubscribe = await this.db.listen(channel, onNotify);
    return async () => {
      await unsubscribe();
    };
  }

  onListenerLost(): void {
    // In-process: the listener cannot be lost while the database is open.
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

export interface OpenDatabaseOptions {
  /** postgres://… ; without it, PGlite in `dataDir` (or in memory when that is absent too). */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    const database = new PostgresDatabase(options.databaseUrl, options.poolSize ?? 10);
    await database.query('SELECT 1'); // fail at start, with the driver's reason, not later
    return database;
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    extensions: { pg_trgm },
    parsers: { [pgliteTypes.INT8]: parseInt8 },
  });
  return new PgliteDatabase(db);
}
