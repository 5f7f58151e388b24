import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  apiKeyNameSchema,
  DEFAULT_API_KEY_NAME,
  profileNameSchema,
  tenantNameSchema,
  tenantSchema,
  userSchema,
  userScopeSchema,
} from '../../../shared/domain/accounts';
import {
  createApiKey,
  createTenant,
  createUser,
  killSessions,
  listApiKeys,
  listTenants,
  listUsers,
  login,
  LoginBlocks,
  logout,
  renewApiKey,
  setUserLocked,
} from '../../auth/accounts';
import { tooManyRequests } from '../../errors';
import { principalOf, type AppContext } from '../context';
import { errorResponses } from './schemas';

/** Login attempts per client address on this instance (the per-account lockout is in the database). */
class LoginRateLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(private readonly limit: { max: number; windowMs: number }) {}

  /** Counts an attempt; throws 429 when the address is over its limit. */
  take(address: string): void {
    const now = Date.now();
    const recent = (this.attempts.get(address) ?? []).filter(
      (at) => at > now - this.limit.windowMs,
    );
    if (recent.length >= this.limit.max) {
      this.attempts.set(address, recent);
      const retry = ((recent[0] as number) + this.limit.windowMs - now) / 1000;
      throw tooManyRequests(
        `too many login attempts from ${address}: try again in ${Math.ceil(retry)} s`,
        retry,
      );
    }
    recent.push(now);
    this.attempts.set(address, recent);
    if (this.attempts.size > 10_000) {
      for (const [key, times] of this.attempts) {
        if ((times[times.length - 1] ?? 0) <= now - this.limit.windowMs) this.attempts.delete(key);
      }
    }
  }
}

const issuedKeySchema = z.object({
  key: z.string().describe('the API key: shown this once, never again'),
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.number(),
});

const keyNameBody = z
  .object({ name: apiKeyNameSchema.default(DEFAULT_API_KEY_NAME) })
  .default({ name: DEFAULT_API_KEY_NAME });

export function registerAccountRoutes(app: FastifyInstance, context: AppContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { db } = context;
  const limiter = new LoginRateLimiter(context.settings.loginRateLimit);
  const blocks = new LoginBlocks();

  typed.post(
    '/api/v1/auth/login',
    {
      config: { access: { auth: 'none' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with login and password; returns a session bearer token',
        security: [],
        body: z.object({
          login: z.string().min(1).max(200),
          password: z.string().min(1).max(1024),
        }),
        response: {
          200: z.object({ token: z.string(), expiresAt: z.number() }),
          ...errorResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      limiter.take(request.ip);
      return login(db, request.body, context.settings.session, blocks);
    },
  );

  typed.post(
    '/api/v1/auth/logout',
    {
      config: { access: { auth: 'session' } },
      schema: {
        tags: ['auth'],
        summary: 'End this session',
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      await logout(db, principalOf(request));
      return { ok: true as const };
    },
  );

  typed.get(
    '/api/v1/auth/me',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['auth'],
        summary: 'Who the bearer is',
        response: {
          200: z.object({
            id: z.string(),
            login: z.string(),
            name: z.string(),
            profile: profileNameSchema,
            scope: userScopeSchema,
            tenants: z.array(z.string()),
            via: z.enum(['session', 'apiKey']),
          }),
          ...errorResponses(401),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const tenants = await listTenants(db, principal);
      return {
        id: principal.userId,
        login: principal.login,
        name: principal.name,
        profile: principal.profile,
        scope: principal.scope,
        tenants: tenants.map((t) => t.name),
        via: principal.via,
      };
    },
  );

  typed.post(
    '/api/v1/auth/api-key',
    {
      config: { access: { auth: 'session' } },
      schema: {
        tags: ['auth'],
        summary: 'Create an API key for yourself (ADM-3); the key is in this answer only',
        body: keyNameBody,
        response: { 201: issuedKeySchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return reply
        .status(201)
        .send(await createApiKey(db, principal, principal.login, request.body.name));
    },
  );

  typed.post(
    '/api/v1/auth/api-key/renew',
    {
      config: { access: { auth: 'session' } },
      schema: {
        tags: ['auth'],
        summary:
          'Renew your API key (ADM-3): the old one stops working, the new one is in this answer only',
        body: keyNameBody,
        response: { 201: issuedKeySchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      return reply
        .status(201)
        .send(await renewApiKey(db, principal, principal.login, request.body.name));
    },
  );

  typed.get(
    '/api/v1/auth/api-keys',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['auth'],
        summary: 'Your live API keys (names and prefixes, never the keys)',
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              prefix: z.string(),
              createdAt: z.number(),
            }),
          ),
        },
      },
    },
    async (request) => listApiKeys(db, principalOf(request)),
  );

  typed.get(
    '/api/v1/tenants',
    {
      config: { access: { auth: 'any' } },
      schema: {
        tags: ['tenants'],
        summary: 'Tenants in your scope',
        response: { 200: z.array(tenantSchema) },
      },
    },
    async (request) => listTenants(db, principalOf(request)),
  );

  typed.post(
    '/api/v1/tenants',
    {
      config: { access: { auth: 'any', permission: 'manageOrganisation' } },
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant (root admins)',
        body: z.object({ name: tenantNameSchema }),
        response: { 201: tenantSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createTenant(db, principalOf(request), request.body.name)),
  );

  typed.get(
    '/api/v1/users',
    {
      config: { access: { auth: 'any', permission: 'manageUser' } },
      schema: {
        tags: ['users'],
        summary: 'Users of the tenants in your scope',
        response: { 200: z.array(userSchema) },
      },
    },
    async (request) => listUsers(db, principalOf(request)),
  );

  typed.post(
    '/api/v1/users',
    {
      config: { access: { auth: 'any', permission: 'manageUser' } },
      schema: {
        tags: ['users'],
        summary: 'Create a user (ADM-2); without a password one is generated and shown once',
        body: z.unknown().describe('{login, name, email, profile, scope, tenants, password}'),
        response: {
          201: z.object({ user: userSchema, password: z.string().optional() }),
          ...errorResponses(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const created = await createUser(db, principalOf(request), request.body);
      return reply.status(201).send({
        user: created.user,
        ...(created.generatedPassword ? { password: created.generatedPassword } : {}),
      });
    },
  );

  const loginParams = z.object({ login: z.string().min(1).max(200) });

  typed.post(
    '/api/v1/users/:login/kill-session',
    {
      config: { access: { auth: 'any', permission: 'manageUser' } },
      schema: {
        tags: ['users'],
        summary:
          "Kill Session (ADM-2): revoke all the user's sessions; the next request fails on every instance",
        params: loginParams,
        response: { 200: z.object({ revoked: z.number() }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => killSessions(db, principalOf(request), request.params.login),
  );

  typed.post(
    '/api/v1/users/:login/lock',
    {
      config: { access: { auth: 'any', permission: 'manageUser' } },
      schema: {
        tags: ['users'],
        summary: 'Lock or unlock a user (ADM-2)',
        params: loginParams,
        body: z.object({ locked: z.boolean().default(true) }).default({ locked: true }),
        response: { 200: userSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      setUserLocked(db, principalOf(request), request.params.login, request.body.locked),
  );
}
