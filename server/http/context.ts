import type { FastifyRequest } from 'fastify';
import type { AccountPermission } from '../../shared/domain/accounts';
import type { SessionPolicy } from '../auth/accounts';
import type { Principal } from '../auth/principal';
import { unauthorized } from '../errors';
import type { EventHub } from '../events/event-hub';
import type { Database } from '../store/database';

/** How a route authenticates (checked in onRequest, before the body is read). */
export type RouteAuth = 'none' | 'session' | 'any';

/** Fastify route `config` of every route: its authentication and the permission it needs. */
export interface RouteAccess {
  auth: RouteAuth;
  permission?: AccountPermission;
  /** Errors in TheHive's `{type, message}` shape (the TheHive-compatible route). */
  errorShape?: 'thehive';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
    bearer: string | null;
  }
}

export interface ServerSettings {
  /** Largest request body; a larger one gets 413. */
  bodyLimitBytes: number;
  session: SessionPolicy;
  /** Login attempts per client address and window, on this instance (429 beyond). */
  loginRateLimit: { max: number; windowMs: number };
}

export const DEFAULT_SETTINGS: ServerSettings = {
  bodyLimitBytes: 16 * 1024 * 1024,
  session: {
    sessionTtlMs: 12 * 60 * 60_000,
    maxFailedLogins: 5,
    lockoutMs: 15 * 60_000,
  },
  loginRateLimit: { max: 20, windowMs: 60_000 },
};

export interface AppContext {
  db: Database;
  settings: ServerSettings;
  events: EventHub;
  /** True once shutdown began: /readyz answers 503 so a load balancer stops sending. */
  shuttingDown: () => boolean;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw unauthorized('sign in first: Authorization: Bearer <token or API key>');
  return request.principal;
}

/** One entry of the route table, for the OpenAPI document and the permission-matrix test. */
export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
}
