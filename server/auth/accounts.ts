import {
  DEFAULT_API_KEY_NAME,
  mayGrantProfile,
  newUserSchema,
  profileNameSchema,
  userScopeSchema,
  type NewUser,
  type ProfileName,
  type Tenant,
  type User,
  type UserScope,
} from '../../shared/domain/accounts';
import { ADMIN_TENANT_NAME, DEFAULT_TENANT_NAME } from '../../shared/domain/types';
import { ApiError, badRequest, conflict, forbidden, notFound, unauthorized } from '../errors';
import { TenantLocks } from '../store/change-log';
import type { Database, Queryable } from '../store/database';
import { newId } from '../store/ids';
import { decoyPasswordHash, generatePassword, hashPassword, verifyPassword } from './passwords';
import { inScope, requirePermission, type Principal } from './principal';
import {
  API_KEY_PREFIX,
  SESSION_TOKEN_PREFIX,
  hashSecret,
  looksLikeSecret,
  newSecret,
  secretPrefix,
} from './tokens';

/**
 * Accounts (SPEC §1, ADM-1..3): the admin organisation and first admin, tenants, users,
 * password sessions, API keys, Kill Session. Every check of who may do what to whom is here,
 * so the HTTP routes and the operator CLI apply the same rules.
 */

export const SESSIONS_CHANNEL = 'watchfloor_sessions';

/** Who performs an account write: a signed-in principal, or the operator CLI on the host. */
export type Actor = Principal | { operator: true };

const OPERATOR_NAME = 'operator';

function actorName(actor: Actor): string {
  return 'operator' in actor ? OPERATOR_NAME : actor.login;
}

export interface SessionPolicy {
  sessionTtlMs: number;
  /** Consecutive failed logins of one account before it is blocked for `lockoutMs`. */
  maxFailedLogins: number;
  lockoutMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  sessionTtlMs: 12 * 60 * 60_000,
  maxFailedLogins: 5,
  lockoutMs: 15 * 60_000,
};

// ---------------------------------------------------------------------------------------------
// Bootstrap (ADM-1)

export interface BootstrapResult {
  /** True when this call created the admin organisation and the first admin. */
  created: boolean;
  /** The generated password of the first admin, when none was given (shown once). */
  generatedPassword: string | null;
}

const BOOTSTRAP_LOCK_KEY = 0x57_46_42_4f_4f; // "WFBOO"

/**
 * On an empty database: the `admin` organisation (ADM-1), the `default` tenant alerts land in
 * when they name none, and the first admin (login `admin`, root scope, admin profile) with
 * `adminPassword` or a generated one. Safe when several instances start at once.
 */
export async function bootstrapAccounts(
  db: Database,
  adminPassword: string | undefined,
): Promise<BootstrapResult> {
  const [any] = await db.query('SELECT 1 FROM users LIMIT 1');
  if (any) return { created: false, generatedPassword: null };
  const password = adminPassword ?? generatePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
    const [existing] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    if ((existing?.n ?? 0) > 0) return { created: false, generatedPassword: null };
    const now = Date.now();
    const adminTenant = await ensureTenantRow(tx, ADMIN_TENANT_NAME, now);
    await ensureTenantRow(tx, DEFAULT_TENANT_NAME, now);
    const locks = await TenantLocks.lock(tx, [adminTenant]);
    const userId = newId();
    await tx.query(
      `INSERT INTO users (tenant_id, id, login, name, email, profile, scope, password_hash, created_at, updated_at)
       VALUES ($1, $2, 'admin', 'Administrator', NULL, 'admin', 'root', $3, $4, $4)`,
      [adminTenant, userId, passwordHash, now],
    );
    locks.changed({
      tenantId: adminTenant,
      entity: 'user',
      entityId: userId,
      rev: 1,
      op: 'upsert',
    });
    await locks.flush('System', now);
    return { created: true, generatedPassword: adminPassword ? null : password };
  });
}

async function ensureTenantRow(tx: Queryable, name: string, now: number): Promise<string> {
  const [found] = await tx.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM tenants WHERE name = $1',
    [name],
  );
  if (found) return found.tenant_id;
  const id = newId();
  await tx.query(
    'INSERT INTO tenants (tenant_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)',
    [id, name, now],
  );
  await tx.query('INSERT INTO tenant_counters (tenant_id) VALUES ($1)', [id]);
  await tx.query('INSERT INTO tenant_settings (tenant_id, updated_at) VALUES ($1, $2)', [id, now]);
  const locks = await TenantLocks.lock(tx, [id]);
  locks.changed({ tenantId: id, entity: 'tenant', entityId: id, rev: 1, op: 'upsert' });
  await locks.flush('System', now);
  return id;
}

// ---------------------------------------------------------------------------------------------
// Tenants

function requireOrganisationAdmin(actor: Actor): void {
  if ('operator' in actor) return;
  requirePermission(actor, 'manageOrganisation');
  if (actor.scope !== 'root') throw forbidden('only root users manage organisations');
}

export async function createTenant(db: Database, actor: Actor, name: string): Promise<Tenant> {
  requireOrganisationAdmin(actor);
  const trimmed = name.trim();
  if (trimmed === ADMIN_TENANT_NAME) {
    throw conflict(`'${ADMIN_TENANT_NAME}' is the platform organisation; it exists already`);
  }
  return db.transaction(async (tx) => {
    const now = Date.now();
    const [taken] = await tx.query('SELECT 1 FROM tenants WHERE name = $1', [trimmed]);
    if (taken) throw conflict(`a tenant named '${trimmed}' exists already`);
    const id = await ensureTenantRow(tx, trimmed, now);
    return { id, name: trimmed, createdAt: now };
  });
}

export async function listTenants(db: Queryable, principal: Principal | null): Promise<Tenant[]> {
  const rows = await db.query<{ tenant_id: string; name: string; created_at: number }>(
    'SELECT tenant_id, name, created_at FROM tenants ORDER BY name COLLATE "C"',
  );
  return rows
    .filter((row) => principal === null || inScope(principal, row.tenant_id))
    .map((row) => ({ id: row.tenant_id, name: row.name, createdAt: row.created_at }));
}

/** Tenant ids by name; names not found are absent from the map. */
export async function tenantIdsByName(
  db: Queryable,
  names: readonly string[],
): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = await db.query<{ tenant_id: string; name: string }>(
    'SELECT tenant_id, name FROM tenants WHERE name = ANY($1::text[])',
    [[...new Set(names)]],
  );
  return new Map(rows.map((row) => [row.name, row.tenant_id]));
}

// ---------------------------------------------------------------------------------------------
// Users

interface UserRow {
  tenant_id: string;
  id: string;
  login: string;
  name: string;
  email: string | null;
  profile: ProfileName;
  scope: UserScope;
  locked: boolean;
  password_hash: string | null;
  failed_logins: number;
  login_blocked_until: number | null;
  rev: number;
  created_at: number;
  updated_at: number;
  tenants: string[] | null;
  tenant_ids: string[] | null;
}

const USER_SELECT = `SELECT u.*,
    array(SELECT t.name FROM user_tenants ut JOIN tenants t ON t.tenant_id = ut.tenant_id
          WHERE ut.user_id = u.id ORDER BY t.name COLLATE "C") AS tenants,
    array(SELECT ut.tenant_id FROM user_tenants ut WHERE ut.user_id = u.id) AS tenant_ids
  FROM users u`;

function toUser(row: UserRow): User {
  return {
    id: row.id,
    login: row.login,
    name: row.name,
    email: row.email,
    profile: row.profile,
    scope: row.scope,
    tenants: row.tenants ?? [],
    locked: row.locked,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function findUser(db: Queryable, login: string): Promise<UserRow | undefined> {
  const [row] = await db.query<UserRow>(`${USER_SELECT} WHERE u.login = $1`, [login]);
  return row;
}

/** True when the actor may manage this user: every tenant of the user is in the actor's scope. */
function manages(actor: Actor, user: Pick<UserRow, 'scope' | 'tenant_ids' | 'id'>): boolean {
  if ('operator' in actor) return true;
  if (user.scope === 'root') return actor.scope === 'root';
  return (user.tenant_ids ?? []).every((tenantId) => inScope(actor, tenantId));
}

/** A user the actor manages, else NOT_FOUND (users outside one's scope do not exist for one). */
async function managedUser(db: Queryable, actor: Actor, login: string): Promise<UserRow> {
  if (!('operator' in actor)) requirePermission(actor, 'manageUser');
  const user = await findUser(db, login);
  if (!user || !manages(actor, user)) throw notFound(`no user with login '${login}'`);
  return user;
}

export interface CreatedUser {
  user: User;
  /** Set when the request gave no password: the generated one, shown once. */
  generatedPassword: string | null;
}

export async function createUser(db: Database, actor: Actor, input: unknown): Promise<CreatedUser> {
  if (!('operator' in actor)) requirePermission(actor, 'manageUser');
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    throw badRequest(
      `invalid user: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
    );
  }
  const spec: NewUser = parsed.data;
  if (!('operator' in actor)) {
    if (spec.scope === 'root' && actor.scope !== 'root') {
      throw forbidden('only a root user can create a root user');
    }
    if (!mayGrantProfile(actor.profile, spec.profile)) {
      throw forbidden(
        `the ${actor.profile} profile cannot grant the ${spec.profile} profile (it holds permissions you lack)`,
      );
    }
  }
  const password = spec.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  const user = await db.transaction(async (tx) => {
    const tenantIds = await tenantIdsByName(tx, spec.tenants);
    const unknown = spec.tenants.filter((name) => !tenantIds.has(name));
    if (unknown.length > 0) throw badRequest(`unknown tenant(s): ${unknown.join(', ')}`);
    const reached = spec.tenants.map((name) => tenantIds.get(name) as string);
    if (!('operator' in actor)) {
      const outside = spec.tenants.filter((_, i) => !inScope(actor, reached[i] as string));
      if (outside.length > 0) {
        throw forbidden(`tenant(s) outside your scope: ${outside.join(', ')}`);
      }
    }
    if (await findUser(tx, spec.login)) throw conflict(`a user with login '${spec.login}' exists`);
    const [admin] = await tx.query<{ tenant_id: string }>(
      'SELECT tenant_id FROM tenants WHERE name = $1',
      [ADMIN_TENANT_NAME],
    );
    const home = spec.scope === 'root' ? admin?.tenant_id : reached[0];
    if (!home) throw new Error('the admin organisation is missing (bootstrap did not run)');
    const now = Date.now();
    const id = newId();
    const locks = await TenantLocks.lock(tx, [home, ...reached]);
    await tx.query(
      `INSERT INTO users (tenant_id, id, login, name, email, profile, scope, password_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
      [
        home,
        id,
        spec.login,
        spec.name,
        spec.email ?? null,
        spec.profile,
        spec.scope,
        passwordHash,
        now,
      ],
    );
    for (const tenantId of reached) {
      await tx.query(
        'INSERT INTO user_tenants (tenant_id, user_id, created_at) VALUES ($1, $2, $3)',
        [tenantId, id, now],
      );
    }
    for (const tenantId of new Set([home, ...reached])) {
      locks.changed({ tenantId, entity: 'user', entityId: id, rev: 1, op: 'upsert' });
    }
    await locks.flush(actorName(actor), now);
    return (await findUser(tx, spec.login)) as UserRow;
  });
  return { user: toUser(user), generatedPassword: spec.password ? null : password };
}

export async function listUsers(db: Queryable, actor: Actor): Promise<User[]> {
  const rows = await db.query<UserRow>(`${USER_SELECT} ORDER BY u.login COLLATE "C"`);
  // Everyone sees the users of their tenants (assignees); root users only by root users.
  return rows
    .filter((row) =>
      'operator' in actor
        ? true
        : row.scope === 'root'
          ? actor.scope === 'root'
          : (row.tenant_ids ?? []).some((tenantId) => inScope(actor, tenantId)),
    )
    .map(toUser);
}

async function updateUserRow(
  tx: Queryable,
  actor: Actor,
  user: UserRow,
  assignments: string,
  params: unknown[],
): Promise<void> {
  const now = Date.now();
  const locks = await TenantLocks.lock(tx, [user.tenant_id, ...(user.tenant_ids ?? [])]);
  const [row] = await tx.query<{ rev: number }>(
    `UPDATE users SET ${assignments}, rev = rev + 1, updated_at = $3 WHERE tenant_id = $1 AND id = $2 RETURNING rev`,
    [user.tenant_id, user.id, now, ...params] as never[],
  );
  for (const tenantId of new Set([user.tenant_id, ...(user.tenant_ids ?? [])])) {
    locks.changed({
      tenantId,
      entity: 'user',
      entityId: user.id,
      rev: row?.rev ?? 0,
      op: 'upsert',
    });
  }
  await locks.flush(actorName(actor), now);
}

/** Locks or unlocks a user (ADM-2). A locked user's sessions and API keys are refused at once. */
export async function setUserLocked(
  db: Database,
  actor: Actor,
  login: string,
  locked: boolean,
): Promise<User> {
  return db.transaction(async (tx) => {
    const user = await managedUser(tx, actor, login);
    if (!('operator' in actor) && user.id === actor.userId && locked) {
      throw badRequest('you cannot lock your own account');
    }
    await updateUserRow(
      tx,
      actor,
      user,
      'locked = $4, failed_logins = 0, login_blocked_until = NULL',
      [locked],
    );
    if (locked) await revokeSessionsOf(tx, user.id);
    return toUser((await findUser(tx, login)) as UserRow);
  });
}

export async function setUserPassword(
  db: Database,
  actor: Actor,
  login: string,
  password: string,
): Promise<void> {
  const hash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const user = await managedUser(tx, actor, login);
    await updateUserRow(tx, actor, user, 'password_hash = $4', [hash]);
  });
}

async function revokeSessionsOf(tx: Queryable, userId: string): Promise<number> {
  const revoked = await tx.query(
    `UPDATE sessions SET revoked_at = $2, rev = rev + 1
     WHERE user_id = $1 AND revoked_at IS NULL RETURNING id`,
    [userId, Date.now()],
  );
  // Delivered at commit to every instance: they close this user's open event streams.
  await tx.query('SELECT pg_notify($1, $2)', [SESSIONS_CHANNEL, JSON.stringify({ userId })]);
  return revoked.length;
}

/**
 * Kill Session (ADM-2): revokes every session of the user. Every request authenticates against
 * the database, so the next one fails on every instance at once; the NOTIFY tells instances to
 * close the streams the user holds open.
 */
export async function killSessions(
  db: Database,
  actor: Actor,
  login: string,
): Promise<{ revoked: number }> {
  return db.transaction(async (tx) => {
    const user = await managedUser(tx, actor, login);
    return { revoked: await revokeSessionsOf(tx, user.id) };
  });
}

// ---------------------------------------------------------------------------------------------
// Login and sessions

export interface LoginAttempt {
  login: string;
  password: string;
}

/**
 * Accounts this instance saw blocked, so a flood of guesses costs no database query while the
 * block lasts. Remembered for at most a minute: an administrator's unblock on another instance
 * is seen by the next attempt after that.
 */
export class LoginBlocks {
  private readonly until = new Map<string, number>();

  blockedUntil(loginName: string, now: number): number | null {
    const until = this.until.get(loginName);
    if (until === undefined) return null;
    if (until <= now) {
      this.until.delete(loginName);
      return null;
    }
    return until;
  }

  remember(loginName: string, blockedUntil: number, now: number): void {
    if (this.until.size > 100_000) this.until.clear();
    this.until.set(loginName, Math.min(blockedUntil, now + 60_000));
  }

  forget(loginName: string): void {
    this.until.delete(loginName);
  }
}

function loginBlocked(loginName: string, until: number, now: number): ApiError {
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  return new ApiError(
    429,
    'LOGIN_BLOCKED',
    `too many failed logins for '${loginName}': try again in ${seconds} s`,
    { retryAfterSeconds: seconds },
    { 'retry-after': String(seconds) },
  );
}

export async function login(
  db: Database,
  attempt: LoginAttempt,
  policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  blocks: LoginBlocks = new LoginBlocks(),
): Promise<{ token: string; expiresAt: number }> {
  const now = Date.now();
  const remembered = blocks.blockedUntil(attempt.login, now);
  if (remembered !== null) throw loginBlocked(attempt.login, remembered, now);
  const user = await findUser(db, attempt.login);
  if (user?.login_blocked_until && user.login_blocked_until > now) {
    blocks.remember(attempt.login, user.login_blocked_until, now);
    throw loginBlocked(attempt.login, user.login_blocked_until, now);
  }
  const hash = user?.password_hash ?? (await decoyPasswordHash());
  const valid = (await verifyPassword(attempt.password, hash)) && user?.password_hash != null;
  if (!user || !valid) {
    if (user) {
      // Counted in SQL, so concurrent failures on several instances all count.
      const [counted] = await db.query<{ login_blocked_until: number | null }>(
        `UPDATE users SET failed_logins = failed_logins + 1,
           login_blocked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::bigint ELSE login_blocked_until END
         WHERE tenant_id = $1 AND id = $4 RETURNING login_blocked_until`,
        [user.tenant_id, policy.maxFailedLogins, now + policy.lockoutMs, user.id],
      );
      if (counted?.login_blocked_until && counted.login_blocked_until > now) {
        blocks.remember(attempt.login, counted.login_blocked_until, now);
      }
    }
    throw unauthorized('wrong login or password');
  }
  if (user.locked) throw new ApiError(403, 'LOCKED', `the account '${user.login}' is locked`);
  blocks.forget(attempt.login);
  const token = newSecret(SESSION_TOKEN_PREFIX);
  const expiresAt = now + policy.sessionTtlMs;
  await db.query(
    `WITH reset AS (
       UPDATE users SET failed_logins = 0, login_blocked_until = NULL WHERE tenant_id = $1 AND id = $2
     )
     INSERT INTO sessions (tenant_id, id, user_id, token_hash, created_at, expires_at)
     VALUES ($1, $3, $2, $4, $5, $6)`,
    [user.tenant_id, user.id, newId(), hashSecret(token), now, expiresAt],
  );
  return { token, expiresAt };
}

export async function logout(db: Queryable, principal: Principal): Promise<void> {
  if (principal.via !== 'session') return;
  await db.query(
    'UPDATE sessions SET revoked_at = $2, rev = rev + 1 WHERE id = $1 AND revoked_at IS NULL',
    [principal.credentialId, Date.now()],
  );
}

interface CredentialRow {
  credential_id: string;
  id: string;
  tenant_id: string;
  login: string;
  name: string;
  profile: string;
  scope: string;
  locked: boolean;
  tenant_ids: string[] | null;
}

/**
 * The principal of a bearer token (session or API key), or null when it is unknown, revoked,
 * expired, or its user is locked. One indexed query per request, on purpose: a killed session
 * or a revoked key fails on the very next request, on every instance.
 */
export async function authenticate(db: Queryable, bearer: string): Promise<Principal | null> {
  if (!looksLikeSecret(bearer)) return null;
  const isKey = bearer.startsWith(API_KEY_PREFIX);
  const credentials = isKey
    ? `SELECT k.id AS credential_id, k.user_id FROM api_keys k
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL`
    : `SELECT s.id AS credential_id, s.user_id FROM sessions s
       WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2`;
  const [row] = await db.query<CredentialRow>(
    `SELECT c.credential_id, u.id, u.tenant_id, u.login, u.name, u.profile, u.scope, u.locked,
            array(SELECT ut.tenant_id FROM user_tenants ut WHERE ut.user_id = u.id) AS tenant_ids
     FROM (${credentials}) c JOIN users u ON u.id = c.user_id`,
    isKey ? [hashSecret(bearer)] : [hashSecret(bearer), Date.now()],
  );
  if (!row || row.locked) return null;
  const profile = profileNameSchema.parse(row.profile);
  const scope = userScopeSchema.parse(row.scope);
  return {
    userId: row.id,
    login: row.login,
    name: row.name,
    profile,
    scope,
    homeTenantId: row.tenant_id,
    tenants: scope === 'root' ? 'all' : (row.tenant_ids ?? []),
    via: isKey ? 'apiKey' : 'session',
    credentialId: row.credential_id,
  };
}

// ---------------------------------------------------------------------------------------------
// API keys (ADM-3)

export interface IssuedApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
}

async function insertApiKey(
  tx: Queryable,
  user: { tenant_id: string; id: string },
  name: string,
): Promise<IssuedApiKey> {
  const key = newSecret(API_KEY_PREFIX);
  const id = newId();
  const now = Date.now();
  await tx.query(
    `INSERT INTO api_keys (tenant_id, id, user_id, name, key_hash, prefix, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [user.tenant_id, id, user.id, name, hashSecret(key), secretPrefix(key), now],
  );
  return { key, id, name, prefix: secretPrefix(key), createdAt: now };
}

async function keyOwner(tx: Queryable, actor: Actor, login: string): Promise<UserRow> {
  if (!('operator' in actor) && actor.login === login) {
    return (await findUser(tx, login)) as UserRow;
  }
  // Keys of someone else: only for the users one manages.
  return managedUser(tx, actor, login);
}

/** Create: refused when the user already has a live key of that name (Renew replaces it). */
export async function createApiKey(
  db: Database,
  actor: Actor,
  login: string,
  name: string = DEFAULT_API_KEY_NAME,
): Promise<IssuedApiKey> {
  return db.transaction(async (tx) => {
    const user = await keyOwner(tx, actor, login);
    const [live] = await tx.query(
      'SELECT 1 FROM api_keys WHERE user_id = $1 AND name = $2 AND revoked_at IS NULL',
      [user.id, name],
    );
    if (live) {
      throw conflict(
        `'${login}' already has an API key named '${name}'; renew it to replace it (the key is shown only once)`,
      );
    }
    return insertApiKey(tx, user, name);
  });
}

/** Renew: revokes the live key of that name (if any) and issues its replacement. */
export async function renewApiKey(
  db: Database,
  actor: Actor,
  login: string,
  name: string = DEFAULT_API_KEY_NAME,
): Promise<IssuedApiKey> {
  return db.transaction(async (tx) => {
    const user = await keyOwner(tx, actor, login);
    await tx.query(
      `UPDATE api_keys SET revoked_at = $3, rev = rev + 1
       WHERE user_id = $1 AND name = $2 AND revoked_at IS NULL`,
      [user.id, name, Date.now()],
    );
    return insertApiKey(tx, user, name);
  });
}

export async function revokeApiKeys(
  db: Database,
  actor: Actor,
  login: string,
  name: string,
): Promise<{ revoked: number }> {
  return db.transaction(async (tx) => {
    const user = await keyOwner(tx, actor, login);
    const rows = await tx.query(
      `UPDATE api_keys SET revoked_at = $3, rev = rev + 1
       WHERE user_id = $1 AND name = $2 AND revoked_at IS NULL RETURNING id`,
      [user.id, name, Date.now()],
    );
    return { revoked: rows.length };
  });
}

export async function listApiKeys(
  db: Queryable,
  principal: Principal,
): Promise<{ id: string; name: string; prefix: string; createdAt: number }[]> {
  const rows = await db.query<{ id: string; name: string; prefix: string; created_at: number }>(
    `SELECT id, name, prefix, created_at FROM api_keys
     WHERE user_id = $1 AND revoked_at IS NULL ORDER BY name COLLATE "C"`,
    [principal.userId],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
  }));
}
