import { describe, expect, it } from 'vitest';
import type { ProfileName } from '../../../shared/domain/accounts';
import { SeededRandom } from '../../../shared/domain/random';
import { createApiKey, createTenant, createUser, login } from '../../../server/auth/accounts';
import { backends, OPERATOR, useServer, type TestServer } from './helpers/harness';

/**
 * Profiles and permissions on every route (issue 14 §4), and tenancy on every query (SYN-4):
 * the matrix below is written out by hand, and the test fails when a route exists that it does
 * not list, so a new route cannot go out without its permission being decided.
 */

type Access = 'all' | readonly ProfileName[];

/** Which built-in profiles may call each route (beyond authentication). */
const MATRIX: Record<string, Access> = {
  'GET /api/v1/auth/me': 'all',
  'POST /api/v1/auth/logout': 'all',
  'POST /api/v1/auth/api-key': 'all',
  'POST /api/v1/auth/api-key/renew': 'all',
  'GET /api/v1/auth/api-keys': 'all',
  'GET /api/v1/tenants': 'all',
  'POST /api/v1/tenants': ['admin'],
  'GET /api/v1/users': ['admin', 'org-admin'],
  'POST /api/v1/users': ['admin', 'org-admin'],
  'POST /api/v1/users/:login/kill-session': ['admin', 'org-admin'],
  'POST /api/v1/users/:login/lock': ['admin', 'org-admin'],
  'POST /api/v1/alerts': ['admin', 'org-admin', 'analyst'],
  'POST /api/v1/alert': ['admin', 'org-admin', 'analyst'],
  'GET /api/v1/alerts': 'all',
  'GET /api/v1/cases': 'all',
  'GET /api/v1/cases/:number': 'all',
  'GET /api/v1/queues': 'all',
  'POST /api/v1/queues': ['admin', 'org-admin', 'analyst'],
  'GET /api/v1/tenants/:tenant/correlation': 'all',
  'PUT /api/v1/tenants/:tenant/correlation': ['admin', 'org-admin'],
  'GET /api/v1/tenants/:tenant/case-filters': 'all',
  'POST /api/v1/tenants/:tenant/case-filters': ['admin', 'org-admin'],
  'DELETE /api/v1/tenants/:tenant/case-filters/:id': ['admin', 'org-admin'],
  'GET /api/v1/events': 'all',
};

const PUBLIC = ['GET /healthz', 'GET /readyz', 'POST /api/v1/auth/login'];

const PROFILES: readonly ProfileName[] = ['admin', 'org-admin', 'analyst', 'read-only'];

function concreteUrl(url: string): string {
  return url
    .replace(':login', 'nobody.here')
    .replace(':number', '1')
    .replace(':tenant', 'perm-t')
    .replace(':id', '00000000-0000-7000-8000-000000000000');
}

interface Caller {
  profile: ProfileName;
  token: string;
  key: string;
}

async function callers(s: TestServer): Promise<Caller[]> {
  await createTenant(s.db, OPERATOR, 'perm-t');
  const out: Caller[] = [];
  for (const profile of PROFILES) {
    const loginName = `perm.${profile}`;
    const password = `perm-${profile}-password`;
    await createUser(s.db, OPERATOR, {
      login: loginName,
      name: loginName,
      profile,
      scope: profile === 'admin' ? 'root' : 'tenant',
      tenants: profile === 'admin' ? [] : ['perm-t'],
      password,
    });
    const { token } = await login(s.db, { login: loginName, password });
    const { key } = await createApiKey(s.db, OPERATOR, loginName, 'perm');
    out.push({ profile, token, key });
  }
  return out;
}

for (const backend of backends()) {
  describe(`permissions and tenancy on ${backend.name}`, () => {
    const server = useServer(backend);

    it('lists every route in the permission matrix', () => {
      const routes = server()
        .app.routeTable.map((r) => `${r.method} ${r.url}`)
        .sort();
      expect(routes).toEqual([...Object.keys(MATRIX), ...PUBLIC].sort());
    });

    it('applies the matrix to every profile on every route (profile × route)', async () => {
      const s = server();
      for (const caller of await callers(s)) {
        for (const entry of s.app.routeTable) {
          const route = `${entry.method} ${entry.url}`;
          // events stream forever (tests/integration/server/instances.test.ts); logout ends the
          // caller's own session, so it is checked last, below
          if (
            PUBLIC.includes(route) ||
            route === 'GET /api/v1/events' ||
            route === 'POST /api/v1/auth/logout'
          )
            continue;
          const access = MATRIX[route] as Access;
          const allowed = access === 'all' || access.includes(caller.profile);
          const method = entry.method as 'GET' | 'POST' | 'PUT' | 'DELETE';
          const body = method === 'GET' || method === 'DELETE' ? undefined : {};
          for (const token of [caller.token, caller.key]) {
            const reply = await s.request(method, concreteUrl(entry.url), { token, body });
            const sessionOnly = entry.access.auth === 'session' && token === caller.key;
            if (!allowed || sessionOnly) {
              expect(reply.status, `${caller.profile} ${route}`).toBe(403);
              expect(reply.json.error?.code ?? reply.json.type).toMatch(
                /FORBIDDEN|AuthorizationError/,
              );
            } else {
              expect(
                reply.status,
                `${caller.profile} ${route} (${reply.json.error?.message})`,
              ).not.toBe(403);
              expect(reply.status).not.toBe(401);
            }
          }
          const anonymous = await s.request(method, concreteUrl(entry.url), { token: null, body });
          expect(anonymous.status, route).toBe(401);
        }
        expect((await s.request('POST', '/api/v1/auth/logout', { token: caller.key })).status).toBe(
          403,
        );
        expect(
          (await s.request('POST', '/api/v1/auth/logout', { token: caller.token })).status,
        ).toBe(200);
        expect((await s.request('GET', '/api/v1/auth/me', { token: caller.token })).status).toBe(
          401,
        );
      }
    }, 120_000);

    it('never shows a row of a tenant outside the scope, over random requests (SYN-4)', async () => {
      const s = server();
      const tenants = ['iso-1', 'iso-2', 'iso-3'];
      for (const tenant of tenants) {
        await createTenant(s.db, OPERATOR, tenant);
        const records = Array.from({ length: 12 }, (_, i) => ({
          source: `src-${tenant}`,
          sourceRef: `ref-${tenant}-${i}`,
          title: `${tenant} alert ${i} phishing`,
          timestamp: new Date(Date.UTC(2026, 1, 1, i)).toISOString(),
          severity: 10 + i * 7,
          tenant,
          // the same host in every tenant: correlation must still keep tenants apart
          entities: { hosts: ['shared-host', `host-${i % 3}`] },
        }));
        expect((await s.request('POST', '/api/v1/alerts', { body: records })).json.errors).toBe(0);
        await s.request('POST', `/api/v1/tenants/${tenant}/case-filters`, {
          body: {
            name: `filter-${tenant}`,
            condition: { type: 'group', op: 'AND', children: [] },
            enabled: false,
          },
        });
        await s.request('POST', '/api/v1/queues', { body: { name: `queue-${tenant}`, tenant } });
      }
      const users = [
        { login: 'iso.tenant', scope: 'tenant' as const, tenants: ['iso-1'] },
        { login: 'iso.partner', scope: 'partner' as const, tenants: ['iso-1', 'iso-2'] },
      ];
      const random = new SeededRandom(42);
      const pick = <T>(list: readonly T[]): T => list[random.int(0, list.length - 1)] as T;
      for (const user of users) {
        await createUser(s.db, OPERATOR, {
          login: user.login,
          name: user.login,
          profile: 'org-admin',
          scope: user.scope,
          tenants: user.tenants,
          password: `${user.login}-password`,
        });
        const { token } = await login(s.db, {
          login: user.login,
          password: `${user.login}-password`,
        });
        const outside = tenants.filter((t) => !user.tenants.includes(t));
        const requests: (() => string)[] = [
          () =>
            `/api/v1/cases?limit=${random.int(1, 50)}&sort=${pick(['score', 'number', 'name', 'updatedAt'])}:${pick(['asc', 'desc'])}${random.chance(0.5) ? '&withAlerts=true' : ''}${random.chance(0.5) ? `&query=${encodeURIComponent(pick(['phishing', 'tenant:iso-3', 'score:>20', 'shared*', 'tenant:iso*']))}` : ''}`,
          () =>
            `/api/v1/cases/${random.int(1, 8)}${random.chance(0.5) ? `?tenant=${pick(tenants)}` : ''}`,
          () =>
            `/api/v1/alerts?limit=${random.int(1, 50)}${random.chance(0.4) ? `&tenant=${pick(tenants)}` : ''}${random.chance(0.3) ? `&source=src-${pick(tenants)}` : ''}`,
          () =>
            `/api/v1/cases?queue=${encodeURIComponent(pick(['All Open Cases', ...tenants.map((t) => `queue-${t}`)]))}`,
          () => '/api/v1/queues',
          () => '/api/v1/tenants',
          () => '/api/v1/users',
          () => '/api/v1/auth/me',
          () => `/api/v1/tenants/${pick(tenants)}/correlation`,
          () => `/api/v1/tenants/${pick(tenants)}/case-filters`,
        ];
        for (let n = 0; n < 150; n += 1) {
          const url = pick(requests)();
          const reply = await s.request('GET', url, { token });
          expect([200, 404, 409], url).toContain(reply.status);
          const text = JSON.stringify(reply.body);
          for (const tenant of outside) {
            expect(text, `${user.login} ${url}`).not.toContain(`ref-${tenant}-`);
            expect(text, `${user.login} ${url}`).not.toContain(`"${tenant}"`);
            expect(text, `${user.login} ${url}`).not.toContain(`${tenant} alert`);
          }
          if (url.includes(`tenant=${outside[0]}`) || url.includes(`/tenants/${outside[0]}/`)) {
            expect(reply.status, url).toBe(404);
          }
        }
        // writes name only tenants in scope
        const write = await s.request('POST', '/api/v1/alerts', {
          token,
          body: {
            source: 'x',
            sourceRef: `w-${user.login}`,
            title: 't',
            timestamp: '2026-02-01T00:00:00Z',
            severity: 5,
            tenant: outside[0],
          },
        });
        expect(write.json.error?.code).toBe('UNKNOWN_TENANT');
        const settings = await s.request('PUT', `/api/v1/tenants/${outside[0]}/correlation`, {
          token,
          body: { timeoutMinutes: 5 },
        });
        expect(settings.status).toBe(404);
        const foreignUser = await s.request('POST', '/api/v1/users', {
          token,
          body: {
            login: `x.${user.login}`,
            name: 'x',
            profile: 'analyst',
            scope: 'tenant',
            tenants: [outside[0]],
          },
        });
        expect(foreignUser.status).toBe(403);
        const escalate = await s.request('POST', '/api/v1/users', {
          token,
          body: {
            login: `y.${user.login}`,
            name: 'y',
            profile: 'admin',
            scope: 'tenant',
            tenants: [user.tenants[0]],
          },
        });
        expect(escalate.status).toBe(403);
        const killRoot = await s.request('POST', '/api/v1/users/admin/kill-session', { token });
        expect(killRoot.status).toBe(404);
      }
      // correlation kept the tenants apart although they share a host
      const [mixed] = await s.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM case_alerts ca JOIN alerts a ON a.tenant_id = ca.tenant_id AND a.id = ca.alert_id
         JOIN cases c ON c.tenant_id = ca.tenant_id AND c.id = ca.case_id WHERE a.tenant_id <> c.tenant_id`,
      );
      expect(mixed?.n).toBe(0);
    }, 120_000);
  });
}
