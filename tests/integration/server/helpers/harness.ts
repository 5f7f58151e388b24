import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import {
  bootstrapAccounts,
  createApiKey,
  createTenant,
  createUser,
  login,
} from '../../../../server/auth/accounts';
import { EventHub } from '../../../../server/events/event-hub';
import { buildApp } from '../../../../server/http/app';
import { DEFAULT_SETTINGS, type ServerSettings } from '../../../../server/http/context';
import { openDatabase, type Database } from '../../../../server/store/database';
import { migrateDatabase } from '../../../../server/store/migrate';
import { setPasswordHashCost } from '../../../../server/auth/passwords';
import { postgresUnavailableReason, startPostgres, type PostgresCluster } from './postgres';

/**
 * The server's tests run against every backend: PGlite (in memory), a real PostgreSQL, and the
 * same PostgreSQL with the big tables hash-partitioned by tenant_id (issue 14 §2). Each test
 * file starts one PostgreSQL cluster and gives each backend its own database.
 */

export type BackendName = 'pglite' | 'postgres' | 'postgres-partitioned';

export interface Backend {
  name: BackendName;
  /** A fresh, migrated database of this backend. */
  open(): Promise<Database>;
  /** The URL behind it (PostgreSQL only), for spawning server processes. */
  lastUrl: string | null;
}

import { ADMIN_PASSWORD } from './constants';

export { ADMIN_PASSWORD };

// Tests create many users: cheap hashes (the server's default is 2^15).
setPasswordHashCost(10);

let cluster: PostgresCluster | null = null;
let clusterStart: Promise<PostgresCluster> | null = null;
const unavailable = postgresUnavailableReason();
if (unavailable) console.log(`server tests: ${unavailable}`);

async function theCluster(): Promise<PostgresCluster> {
  clusterStart ??= startPostgres().then((started) => {
    cluster = started;
    return started;
  });
  return clusterStart;
}

afterAll(() => {
  cluster?.stop();
  cluster = null;
  clusterStart = null;
});

/** The backends to run a suite on; PostgreSQL ones only where the binaries exist. */
export function backends(
  which: readonly BackendName[] = ['pglite', 'postgres', 'postgres-partitioned'],
): Backend[] {
  return which
    .filter((name) => name === 'pglite' || unavailable === null)
    .map((name) => {
      const backend: Backend = {
        name,
        lastUrl: null,
        async open() {
          if (name === 'pglite') {
            const db = await openDatabase({});
            await migrateDatabase(db);
            return db;
          }
          const url = await (await theCluster()).createDatabase();
          backend.lastUrl = url;
          const db = await openDatabase({ databaseUrl: url, poolSize: 8 });
          await migrateDatabase(db, { partitioned: name === 'postgres-partitioned' });
          return db;
        },
      };
      return backend;
    });
}

export interface Reply {
  status: number;
  body: unknown;
  json: Record<string, unknown> & {
    error?: { code: string; message: string; details?: Record<string, unknown> };
  };
  headers: Record<string, unknown>;
}

export interface TestServer {
  app: FastifyInstance;
  db: Database;
  events: EventHub;
  adminToken: string;
  request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    options?: {
      token?: string | null;
      body?: unknown;
      headers?: Record<string, string>;
      remoteAddress?: string;
    },
  ): Promise<Reply>;
  close(): Promise<void>;
}

export async function startTestServer(
  db: Database,
  settings: Partial<ServerSettings> = {},
): Promise<TestServer> {
  await bootstrapAccounts(db, ADMIN_PASSWORD);
  const events = new EventHub(db);
  await events.start();
  const app = await buildApp({
    db,
    settings: { ...DEFAULT_SETTINGS, ...settings },
    events,
    shuttingDown: () => false,
  });
  const { token } = await login(db, { login: 'admin', password: ADMIN_PASSWORD });
  const server: TestServer = {
    app,
    db,
    events,
    adminToken: token,
    async request(method, url, options = {}) {
      const token = options.token === undefined ? server.adminToken : options.token;
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (token) headers.authorization = `Bearer ${token}`;
      const payload =
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body);
      if (payload !== undefined && !headers['content-type'])
        headers['content-type'] = 'application/json';
      const response = await app.inject({
        method,
        url,
        headers,
        ...(payload !== undefined ? { payload } : {}),
        ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
      });
      let body: unknown = response.body;
      try {
        body = JSON.parse(response.body);
      } catch {
        // not JSON
      }
      return {
        status: response.statusCode,
        body,
        json: (typeof body === 'object' && body !== null ? body : {}) as Reply['json'],
        headers: response.headers,
      };
    },
    async close() {
      await app.close();
      await events.stop();
      await db.close();
    },
  };
  return server;
}

/** Opens a backend and a server on it once for a describe block. */
export function useServer(
  backend: Backend,
  settings: Partial<ServerSettings> = {},
): () => TestServer {
  let server: TestServer | null = null;
  beforeAll(async () => {
    server = await startTestServer(await backend.open(), settings);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    server = null;
  });
  return () => {
    if (!server) throw new Error('server not started');
    return server;
  };
}

const OPERATOR = { operator: true } as const;

/** A tenant, and users of it with each profile, each with a session token and an API key. */
export async function makeTenantWithUsers(
  db: Database,
  tenant: string,
  profiles: readonly ('org-admin' | 'analyst' | 'read-only')[] = [
    'org-admin',
    'analyst',
    'read-only',
  ],
): Promise<Record<string, { login: string; token: string; key: string }>> {
  await createTenant(db, OPERATOR, tenant);
  const out: Record<string, { login: string; token: string; key: string }> = {};
  for (const profile of profiles) {
    const loginName = `${profile}.${tenant}`.toLowerCase().replace(/[^a-z0-9._@-]/g, '-');
    const password = `pw-${loginName}-long-enough`;
    await createUser(db, OPERATOR, {
      login: loginName,
      name: `${profile} of ${tenant}`,
      profile,
      scope: 'tenant',
      tenants: [tenant],
      password,
    });
    const { token } = await login(db, { login: loginName, password });
    const { key } = await createApiKey(db, OPERATOR, loginName);
    out[profile] = { login: loginName, token, key };
  }
  return out;
}

export { OPERATOR };
