import {
  profileHas,
  type AccountPermission,
  type ProfileName,
  type UserScope,
} from '../../shared/domain/accounts';
import { forbidden } from '../errors';
import type { SqlValue } from '../store/database';

/** Who is calling, resolved from a session token or an API key on every request. */
export interface Principal {
  userId: string;
  login: string;
  name: string;
  profile: ProfileName;
  scope: UserScope;
  /** The user's home organisation (ADM-1: `admin` for root users). */
  homeTenantId: string;
  /** Tenants in scope; `all` for root users. */
  tenants: 'all' | readonly string[];
  via: 'session' | 'apiKey';
  credentialId: string;
}

export function can(principal: Principal, permission: AccountPermission): boolean {
  return profileHas(principal.profile, permission);
}

export function requirePermission(principal: Principal, permission: AccountPermission): void {
  if (!can(principal, permission)) {
    throw forbidden(
      `the ${principal.profile} profile of '${principal.login}' lacks the ${permission} permission`,
    );
  }
}

export function inScope(principal: Principal, tenantId: string): boolean {
  return principal.tenants === 'all' || principal.tenants.includes(tenantId);
}

/**
 * The tenancy condition of a query (SYN-4, CAS-7): `column` must be a tenant the principal
 * reaches. Appends its parameter; root users reach every tenant, so theirs is TRUE.
 */
export function tenantScopeSql(principal: Principal, column: string, params: SqlValue[]): string {
  if (principal.tenants === 'all') return 'TRUE';
  params.push([...principal.tenants]);
  return `${column} = ANY($${params.length}::uuid[])`;
}
