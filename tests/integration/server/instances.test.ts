import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../server/cli';
import { ADMIN_PASSWORD } from './helpers/harness';
import { postgresUnavailableReason, startPostgres, type PostgresCluster } from './helpers/postgres';
import { http, runServerCli, startServerProcess, type ServerProcess } from './helpers/process';

/**
 * Several instances on one PostgreSQL (issue 14 §2), as real processes: migrations racing on an
 * empty database, Kill Session and the change poke crossing instances through LISTEN/NOTIFY, a
 * process killed mid-ingestion losing no acknowledged alert, graceful shutdown finishing the
 * request in flight, TLS, and the operator CLI.
 */

const unavailable = postgresUnavailableReason();
if (unavailable) console.log(`instances tests skipped: ${unavailable}`);

async function signIn(
  base: string,
  loginName = 'admin',
  password = ADMIN_PASSWORD,
): Promise<string> {
  const reply = await http(base, 'POST', '/api/v1/auth/login', {
    body: { login: loginName, password },
  });
  expect(reply.status).toBe(200);
  return reply.json.token as string;
}

/** Reads an SSE stream until it ends; collects its events. */
function openEvents(base: string, token: string) {
  const controller = new AbortController();
  const events: string[] = [];
  const listeners: (() => void)[] = [];
  const done = (async () => {
    const response = await fetch(`${base}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return events;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = /^event: (.+)$/m.exec(block)?.[1];
        if (name) {
          events.push(`${name} ${/^data: (.+)$/m.exec(block)?.[1] ?? ''}`);
          for (const listener of listeners.splice(0)) listener();
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  const waitFor = async (pattern: RegExp) => {
    while (!events.some((e) => pattern.test(e)))
      await new Promise<void>((resolve) => listeners.push(resolve));
  };
  return { events, done, waitFor, close: () => controller.abort() };
}

function alerts(prefix: string, count: number, tenant = 'default') {
  return Array.from({ length: count }, (_, i) => ({
    source: 'proc',
    sourceRef: `${prefix}-${i}`,
    title: `Alert ${prefix} ${i}`,
    timestamp: new Date(Date.UTC(2026, 4, 1, 0, i)).toISOString(),
    severity: 40,
    tenant,
    entities: { hosts: [`host-${prefix}-${i % 4}`] },
  }));
}

describe.skipIf(unavailable !== null)('several server instances on one PostgreSQL', () => {
  let cluster: PostgresCluster;
  let url: string;
  let one: ServerProcess;
  let two: ServerProcess;

  beforeAll(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase();
    // both start on the empty database at once: the migrations and the bootstrap run once
    [one, two] = await Promise.all([startServerProcess(url), startServerProcess(url)]);
  }, 120_000);

  afterAll(async () => {
    for (const server of [one, two]) {
      server?.kill('SIGKILL');
      await server?.exited;
    }
    cluster?.stop();
  });

  it('shares accounts and data, and kills a session on every instance at once (ADM-2)', async () => {
    const created = [...one.output, ...two.output].filter((line) =>
      line.includes('created the admin organisation'),
    );
    expect(created).toHaveLength(1);
    const adminOnOne = await signIn(one.url);
    const user = await http(one.url, 'POST', '/api/v1/users', {
      token: adminOnOne,
      body: {
        login: 'roaming',
        name: 'Roaming',
        profile: 'analyst',
        scope: 'root',
        tenants: [],
        password: 'roaming-password',
      },
    });
    expect(user.status).toBe(201);
    const token = await signIn(two.url, 'roaming', 'roaming-password');
    expect((await http(one.url, 'GET', '/api/v1/cases', { token })).status).toBe(200);
    const stream = openEvents(two.url, token);
    // ingest on one: the poke reaches the stream on two through PostgreSQL
    const ingested = await http(one.url, 'POST', '/api/v1/alerts', {
      token: adminOnOne,
      body: alerts('poke', 3),
    });
    expect(ingested.status).toBe(200);
    await stream.waitFor(/^change .*"seq":\d+/);
    expect(
      (await http(two.url, 'GET', '/api/v1/alerts?source=proc', { token })).json.alerts,
    ).toHaveLength(3);

    const killed = await http(one.url, 'POST', '/api/v1/users/roaming/kill-session', {
      token: adminOnOne,
    });
    expect(killed.json).toEqual({ revoked: 1 });
    expect((await http(two.url, 'GET', '/api/v1/cases', { token })).status).toBe(401);
    expect((await http(one.url, 'GET', '/api/v1/cases', { token })).status).toBe(401);
    // the stream on the other instance ends too
    const events = await stream.done;
    expect(events[events.length - 1]).toMatch(/^end /);
  }, 60_000);

  it('loses no acknowledged alert when an instance is killed mid-ingestion', async () => {
    const token = await signIn(two.url);
    const batches = Array.from({ length: 40 }, (_, b) => alerts(`crash-${b}`, 50));
    const acknowledged = new Set<number>();
    let next = 0;
    let killedAt = -1;
    const client = async () => {
      while (next < batches.length) {
        const b = next++;
        try {
          const reply = await http(two.url, 'POST', '/api/v1/alerts', { token, body: batches[b] });
          if (reply.status === 200) acknowledged.add(b);
        } catch {
          // the connection died with the process: not acknowledged
        }
        if (acknowledged.size === 8 && killedAt < 0) {
          killedAt = b;
          two.kill('SIGKILL');
        }
      }
    };
    await Promise.all([client(), client(), client()]);
    await two.exited;
    expect(acknowledged.size).toBeGreaterThanOrEqual(8);
    expect(acknowledged.size).toBeLessThan(batches.length);
    // the other instance still serves, and the database holds every acknowledged alert
    expect((await http(one.url, 'GET', '/readyz')).status).toBe(200);
    const countByBatch = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = await client.query<{ batch: string; n: number; distinct_refs: number }>(
          `SELECT split_part(source_ref, '-', 2) AS batch, count(*)::int AS n, count(DISTINCT source_ref)::int AS distinct_refs
           FROM alerts WHERE source_ref LIKE 'crash-%' GROUP BY 1`,
        );
        return new Map(rows.rows.map((r) => [Number(r.batch), r]));
      } finally {
        await client.end();
      }
    };
    const stored = await countByBatch();
    for (let b = 0; b < batches.length; b += 1) {
      const count = stored.get(b)?.n ?? 0;
      if (acknowledged.has(b)) expect(count, `batch ${b}`).toBe(50);
      else expect([0, 50], `batch ${b} is all or nothing`).toContain(count);
    }
    // a restarted instance takes the resends: everything exactly once
    two = await startServerProcess(url);
    const again = await signIn(two.url);
    for (const batch of batches) {
      const reply = await http(two.url, 'POST', '/api/v1/alerts', { token: again, body: batch });
      expect(reply.status).toBe(200);
      expect(reply.json.errors).toBe(0);
    }
    const after = await countByBatch();
    for (let b = 0; b < batches.length; b += 1) {
      expect(after.get(b), `batch ${b}`).toEqual({ batch: String(b), n: 50, distinct_refs: 50 });
    }
  }, 120_000);

  it('finishes the request in flight on SIGTERM, then exits 0', async () => {
    const three = await startServerProcess(url);
    const token = await signIn(three.url);
    const pending = http(three.url, 'POST', '/api/v1/alerts', {
      token,
      body: alerts('drain', 400),
    });
    await three.waitForLine(
      /"url":"\/api\/v1\/alerts".*incoming request|incoming request.*"url":"\/api\/v1\/alerts"/,
    );
    three.kill('SIGTERM');
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(reply.json.accepted).toBe(400);
    expect(await three.exited).toBe(0);
  }, 60_000);

  it('serves HTTPS with --tls-cert and --tls-key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watchfloor-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'pipe' },
      );
      const tls = await startServerProcess(url, [
        '--tls-cert',
        join(dir, 'cert.pem'),
        '--tls-key',
        join(dir, 'key.pem'),
      ]);
      try {
        expect(tls.url).toMatch(/^https:\/\//);
        const body = await new Promise<string>((resolve, reject) => {
          const request = httpsRequest(
            `${tls.url}/healthz`,
            { ca: readFileSync(join(dir, 'cert.pem')) },
            (response) => {
              let text = '';
              response.on('data', (chunk: Buffer) => (text += chunk.toString()));
              response.on('end', () => resolve(text));
            },
          );
          request.on('error', reject);
          request.end();
        });
        expect(JSON.parse(body)).toEqual({ status: 'ok' });
      } finally {
        tls.kill('SIGTERM');
        await tls.exited;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('gives operators users add|list|lock, apikey create|renew and tenants add|list', async () => {
    // one real process proves the entry point; the rest run the same CLI in this process
    const tenant = runServerCli(['tenants', 'add', '--name', 'cli-tenant'], { DATABASE_URL: url });
    expect(tenant.status, tenant.stderr).toBe(0);
    expect(JSON.parse(tenant.stdout)).toMatchObject({ name: 'cli-tenant' });
    const cli = async (args: string[], stdin?: string) => {
      const out: string[] = [];
      const err: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      const writeErr = process.stderr.write.bind(process.stderr);
      process.stdout.write = ((chunk: string) => (
        out.push(String(chunk)),
        true
      )) as typeof process.stdout.write;
      process.stderr.write = ((chunk: string) => (
        err.push(String(chunk)),
        true
      )) as typeof process.stderr.write;
      try {
        if (stdin !== undefined) throw new Error('stdin goes through runServerCli');
        const status = await runCli([...args, '--database-url', url]);
        return { status, stdout: out.join(''), stderr: err.join('') };
      } finally {
        process.stdout.write = write;
        process.stderr.write = writeErr;
      }
    };
    const list = await cli(['tenants', 'list']);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((t) => t.name)).toContain(
      'cli-tenant',
    );
    const added = runServerCli(
      [
        'users',
        'add',
        '--login',
        'cli.user',
        '--name',
        'CLI User',
        '--profile',
        'analyst',
        '--scope',
        'tenant',
        '--tenants',
        'cli-tenant',
        '--password-stdin',
      ],
      { DATABASE_URL: url },
      'cli-user-password\n',
    );
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ login: 'cli.user', tenants: ['cli-tenant'] });
    expect(JSON.parse(added.stdout)).not.toHaveProperty('password');
    const users = await cli(['users', 'list']);
    expect((JSON.parse(users.stdout) as { login: string }[]).map((u) => u.login)).toContain(
      'cli.user',
    );
    const key = JSON.parse((await cli(['apikey', 'create', '--login', 'cli.user'])).stdout) as {
      key: string;
    };
    expect((await http(one.url, 'GET', '/api/v1/auth/me', { token: key.key })).json).toMatchObject({
      login: 'cli.user',
    });
    const renewed = JSON.parse((await cli(['apikey', 'renew', '--login', 'cli.user'])).stdout) as {
      key: string;
    };
    expect((await http(one.url, 'GET', '/api/v1/auth/me', { token: key.key })).status).toBe(401);
    expect((await http(one.url, 'GET', '/api/v1/auth/me', { token: renewed.key })).status).toBe(
      200,
    );
    const locked = await cli(['users', 'lock', '--login', 'cli.user']);
    expect(JSON.parse(locked.stdout)).toMatchObject({ locked: true });
    expect((await http(one.url, 'GET', '/api/v1/auth/me', { token: renewed.key })).status).toBe(
      401,
    );
    const bad = await cli(['users', 'add', '--login', 'x', '--name', 'X', '--profile', 'wizard']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('profile');
  }, 120_000);
});
