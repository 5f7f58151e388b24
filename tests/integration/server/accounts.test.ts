import { describe, expect, it } from 'vitest';
import { bootstrapAccounts, createUser, login } from '../../../server/auth/accounts';
import { ADMIN_PASSWORD, OPERATOR, backends, useServer } from './helpers/harness';

/** Accounts (ADM-1..3): bootstrap, login with rate limiting and lockout, API keys, Kill Session. */

for (const backend of backends()) {
  describe(`accounts on ${backend.name}`, () => {
    const server = useServer(backend, {
      loginRateLimit: { max: 20, windowMs: 60_000 },
      session: { sessionTtlMs: 3_600_000, maxFailedLogins: 5, lockoutMs: 15 * 60_000 },
    });

    it('creates the admin organisation, the default tenant and the first admin once (ADM-1)', async () => {
      const s = server();
      const tenants = await s.request('GET', '/api/v1/tenants');
      expect(tenants.status).toBe(200);
      expect((tenants.body as { name: string }[]).map((t) => t.name)).toEqual(['admin', 'default']);
      expect(await bootstrapAccounts(s.db, 'another-password-entirely')).toEqual({
        created: false,
        generatedPassword: null,
      });
      const me = await s.request('GET', '/api/v1/auth/me');
      expect(me.json).toMatchObject({
        login: 'admin',
        profile: 'admin',
        scope: 'root',
        via: 'session',
      });
      // the admin organisation holds no alerts, whoever sends them
      const refused = await s.request('POST', '/api/v1/alerts', {
        body: {
          source: 's',
          sourceRef: 'adm-1',
          title: 't',
          timestamp: '2026-01-01T00:00:00Z',
          severity: 10,
          tenant: 'admin',
        },
      });
      expect(refused.status).toBe(400);
      expect(refused.json.error?.code).toBe('RESERVED_TENANT');
      const [count] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts');
      expect(count?.n).toBe(0);
    });

    it('keys every table by tenant_id, and partitions the big tables when asked (Citus rule)', async () => {
      const s = server();
      const keys = await s.db.query<{ table: string; kind: string; columns: string[] }>(
        `SELECT c.relname AS table, i.indisprimary::text AS kind,
                array(SELECT a.attname::text FROM unnest(i.indkey) k JOIN pg_attribute a
                      ON a.attrelid = c.oid AND a.attnum = k) AS columns
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
           AND (i.indisprimary OR i.indisunique)`,
      );
      const tables = new Set(keys.map((k) => k.table));
      expect(tables.size).toBeGreaterThanOrEqual(13);
      const columns = await s.db.query<{ table_name: string }>(
        `SELECT DISTINCT table_name FROM information_schema.columns
         WHERE table_schema = 'public' AND column_name = 'tenant_id'`,
      );
      expect(columns.map((c) => c.table_name).sort()).toEqual(
        expect.arrayContaining([...tables].filter((t) => !/_p\d+$/.test(t))),
      );
      // primary keys always start with tenant_id (tenants: it is the key); unique keys on the
      // account (reference) tables are the documented exception
      const reference = ['tenants', 'users', 'user_tenants', 'sessions', 'api_keys'];
      for (const key of keys) {
        if (key.kind === 'true' || !reference.includes(key.table)) {
          expect(key.columns, `${key.table} ${key.columns.join(',')}`).toContain('tenant_id');
        }
      }
      const partitioned = await s.db.query<{ relname: string }>(
        `SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid ORDER BY 1`,
      );
      expect(partitioned.map((p) => p.relname)).toEqual(
        backend.name === 'postgres-partitioned'
          ? ['alerts', 'case_alerts', 'case_entities', 'cases', 'change_log']
          : [],
      );
    });

    it('refuses a wrong password and a missing, malformed or unknown bearer with 401', async () => {
      const s = server();
      const wrong = await s.request('POST', '/api/v1/auth/login', {
        token: null,
        body: { login: 'admin', password: 'not-the-password' },
        remoteAddress: '10.9.0.1',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error?.message).toBe('wrong login or password');
      for (const token of [null, 'nonsense', `wfk_${'A'.repeat(43)}`, `wfs_${'b'.repeat(43)}`]) {
        const reply = await s.request('GET', '/api/v1/cases', { token });
        expect(reply.status).toBe(401);
        expect(reply.json.error?.code).toBe('UNAUTHORIZED');
      }
      const basic = await s.request('GET', '/api/v1/cases', {
        token: null,
        headers: { authorization: 'Basic YTpi' },
      });
      expect(basic.status).toBe(401);
      expect(basic.json.error?.message).toContain('Bearer');
      // reset the admin's failure counter for the tests that follow
      await s.db.query("UPDATE users SET failed_logins = 0 WHERE login = 'admin'");
    });

    it('survives a flood of wrong logins (10,000 on PGlite): the account blocks after 5, hashing stops, others sign in', async () => {
      const s = server();
      await createUser(s.db, OPERATOR, {
        login: 'victim',
        name: 'Victim',
        profile: 'analyst',
        scope: 'root',
        tenants: [],
        password: 'victim-password-123',
      });
      await createUser(s.db, OPERATOR, {
        login: 'bystander',
        name: 'Bystander',
        profile: 'analyst',
        scope: 'root',
        tenants: [],
        password: 'bystander-password-123',
      });
      const statuses = new Map<number, number>();
      const attempts = backend.name === 'pglite' ? 10_000 : 1_000;
      const concurrency = 25;
      let next = 0;
      const worker = async () => {
        while (next < attempts) {
          const n = next++;
          // An attacker rotating addresses: only the per-account lockout holds them back.
          const reply = await s.request('POST', '/api/v1/auth/login', {
            token: null,
            body: { login: 'victim', password: `guess-${n}` },
            remoteAddress: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          });
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      expect([...statuses.keys()].sort()).toEqual([401, 429]);
      // At most the first attempts (before the block landed) were checked against the hash.
      const [row] = await s.db.query<{ failed_logins: number; blocked: boolean }>(
        "SELECT failed_logins, login_blocked_until > $1 AS blocked FROM users WHERE login = 'victim'",
        [Date.now()],
      );
      expect(row?.blocked).toBe(true);
      expect(row?.failed_logins).toBeGreaterThanOrEqual(5);
      expect(row?.failed_logins).toBeLessThanOrEqual(5 + concurrency);
      expect(statuses.get(401)).toBe(row?.failed_logins);
      // The right password is refused while blocked, with when to retry.
      const blocked = await s.request('POST', '/api/v1/auth/login', {
        token: null,
        body: { login: 'victim', password: 'victim-password-123' },
        remoteAddress: '10.200.0.1',
      });
      expect(blocked.status).toBe(429);
      expect(blocked.json.error?.code).toBe('LOGIN_BLOCKED');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // Everyone else is unaffected.
      const other = await s.request('POST', '/api/v1/auth/login', {
        token: null,
        body: { login: 'bystander', password: 'bystander-password-123' },
        remoteAddress: '10.201.0.1',
      });
      expect(other.status).toBe(200);
      // Once the block has passed, the right password works and resets the count.
      await s.db.query("UPDATE users SET login_blocked_until = 0 WHERE login = 'victim'");
      await login(s.db, { login: 'victim', password: 'victim-password-123' });
      const [after] = await s.db.query<{ failed_logins: number }>(
        "SELECT failed_logins FROM users WHERE login = 'victim'",
      );
      expect(after?.failed_logins).toBe(0);
    }, 120_000);

    it('limits login attempts per client address', async () => {
      const s = server();
      const statuses: number[] = [];
      for (let i = 0; i < 25; i += 1) {
        const reply = await s.request('POST', '/api/v1/auth/login', {
          token: null,
          body: { login: `nobody-${i}`, password: 'whatever-password' },
          remoteAddress: '192.0.2.77',
        });
        statuses.push(reply.status);
      }
      expect(statuses.slice(0, 20).every((status) => status === 401)).toBe(true);
      expect(statuses.slice(20).every((status) => status === 429)).toBe(true);
    });

    it('shows an API key once, renews it (the old one stops working) and refuses revoked keys (ADM-3)', async () => {
      const s = server();
      const created = await s.request('POST', '/api/v1/auth/api-key', { body: { name: 'siem' } });
      expect(created.status).toBe(201);
      const key = created.json.key as string;
      expect(key).toMatch(/^wfk_/);
      // never shown again: the list has only the prefix, and the database only a hash
      const listed = await s.request('GET', '/api/v1/auth/api-keys');
      expect(JSON.stringify(listed.body)).not.toContain(key);
      expect(listed.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'siem', prefix: key.slice(0, 12) }),
        ]),
      );
      const [stored] = await s.db.query<{ key_hash: string }>(
        "SELECT key_hash FROM api_keys WHERE name = 'siem'",
      );
      expect(stored?.key_hash).not.toContain(key.slice(4));
      const again = await s.request('POST', '/api/v1/auth/api-key', { body: { name: 'siem' } });
      expect(again.status).toBe(409);

      const viaKey = await s.request('GET', '/api/v1/auth/me', { token: key });
      expect(viaKey.json).toMatchObject({ login: 'admin', via: 'apiKey' });
      // a key cannot mint keys: those routes need a signed-in session
      const minted = await s.request('POST', '/api/v1/auth/api-key', {
        token: key,
        body: { name: 'x' },
      });
      expect(minted.status).toBe(403);

      const renewed = await s.request('POST', '/api/v1/auth/api-key/renew', {
        body: { name: 'siem' },
      });
      expect(renewed.status).toBe(201);
      const newKey = renewed.json.key as string;
      expect(newKey).not.toBe(key);
      expect((await s.request('GET', '/api/v1/auth/me', { token: key })).status).toBe(401);
      expect((await s.request('GET', '/api/v1/auth/me', { token: newKey })).status).toBe(200);
    });

    it('locks a user: their sessions and keys fail at once; Kill Session revokes sessions only', async () => {
      const s = server();
      await createUser(s.db, OPERATOR, {
        login: 'locked.one',
        name: 'Locked One',
        profile: 'analyst',
        scope: 'root',
        tenants: [],
        password: 'locked-one-password',
      });
      const { token } = await login(s.db, { login: 'locked.one', password: 'locked-one-password' });
      const keyReply = await s.request('POST', '/api/v1/auth/api-key', { token, body: {} });
      const key = keyReply.json.key as string;
      expect((await s.request('GET', '/api/v1/cases', { token })).status).toBe(200);

      const killed = await s.request('POST', '/api/v1/users/locked.one/kill-session');
      expect(killed.json).toEqual({ revoked: 1 });
      expect((await s.request('GET', '/api/v1/cases', { token })).status).toBe(401);
      expect((await s.request('GET', '/api/v1/cases', { token: key })).status).toBe(200);

      const locked = await s.request('POST', '/api/v1/users/locked.one/lock', {
        body: { locked: true },
      });
      expect(locked.json).toMatchObject({ login: 'locked.one', locked: true });
      expect((await s.request('GET', '/api/v1/cases', { token: key })).status).toBe(401);
      const loginLocked = await s.request('POST', '/api/v1/auth/login', {
        token: null,
        body: { login: 'locked.one', password: 'locked-one-password' },
        remoteAddress: '198.51.100.3',
      });
      expect(loginLocked.status).toBe(403);
      expect(loginLocked.json.error?.code).toBe('LOCKED');

      await s.request('POST', '/api/v1/users/locked.one/lock', { body: { locked: false } });
      expect((await s.request('GET', '/api/v1/cases', { token: key })).status).toBe(200);
      const unknown = await s.request('POST', '/api/v1/users/no.such.user/kill-session');
      expect(unknown.status).toBe(404);
    });

    it('creates users over HTTP with checked scopes, profiles and tenants', async () => {
      const s = server();
      const bad = await s.request('POST', '/api/v1/users', {
        body: { login: 'Bad Login', name: '', profile: 'wizard', scope: 'tenant', tenants: [] },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error?.message).toContain('login');
      expect(bad.json.error?.message).toContain('profile');
      const noTenant = await s.request('POST', '/api/v1/users', {
        body: {
          login: 'no.tenant',
          name: 'No Tenant',
          profile: 'analyst',
          scope: 'tenant',
          tenants: [],
        },
      });
      expect(noTenant.status).toBe(400);
      expect(noTenant.json.error?.message).toContain(
        'tenants: a tenant user reaches exactly one tenant',
      );
      const unknownTenant = await s.request('POST', '/api/v1/users', {
        body: {
          login: 'x.user',
          name: 'X',
          profile: 'analyst',
          scope: 'tenant',
          tenants: ['nope'],
        },
      });
      expect(unknownTenant.status).toBe(400);
      expect(unknownTenant.json.error?.message).toContain('nope');
      const created = await s.request('POST', '/api/v1/users', {
        body: {
          login: 'new.analyst',
          name: 'New Analyst',
          email: 'new@example.org',
          profile: 'analyst',
          scope: 'tenant',
          tenants: ['default'],
        },
      });
      expect(created.status).toBe(201);
      expect(created.json.user).toMatchObject({
        login: 'new.analyst',
        tenants: ['default'],
        locked: false,
      });
      const password = created.json.password as string;
      expect(password.length).toBeGreaterThanOrEqual(20);
      const signedIn = await s.request('POST', '/api/v1/auth/login', {
        token: null,
        body: { login: 'new.analyst', password },
        remoteAddress: '198.51.100.9',
      });
      expect(signedIn.status).toBe(200);
      const duplicate = await s.request('POST', '/api/v1/users', {
        body: {
          login: 'new.analyst',
          name: 'Again',
          profile: 'analyst',
          scope: 'tenant',
          tenants: ['default'],
        },
      });
      expect(duplicate.status).toBe(409);
      const listed = await s.request('GET', '/api/v1/users');
      expect(JSON.stringify(listed.body)).not.toContain('scrypt');
      expect(ADMIN_PASSWORD).toBeTruthy();
    });
  });
}
