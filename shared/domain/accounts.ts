import { z } from 'zod';
import {
  ADMIN_TENANT_NAME,
  PERMISSIONS,
  USER_SCOPES,
  type Permission,
  type UserScope,
} from './types';

/**
 * Accounts (SPEC §1, ADM-1..3): profiles, permissions, tenant scopes and the zod schemas of the
 * account objects that the server keeps and that the desktop will receive by sync. Pure: the
 * server enforces these rules, the desktop shows them.
 */

/**
 * Permissions of a profile. The §1 set, plus `manageOrganisation` (TheHive's name): creating
 * tenants and platform-wide administration, held only by the `admin` profile.
 */
export const ACCOUNT_PERMISSIONS = [...PERMISSIONS, 'manageOrganisation'] as const;
export type AccountPermission = (typeof ACCOUNT_PERMISSIONS)[number];
export const accountPermissionSchema = z.enum(ACCOUNT_PERMISSIONS);

/** Built-in profiles, from most to least powerful. */
export const PROFILE_NAMES = ['admin', 'org-admin', 'analyst', 'read-only'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export const profileNameSchema = z.enum(PROFILE_NAMES, {
  error: `is not a profile (${PROFILE_NAMES.join(', ')})`,
});

/**
 * What each profile may do. Reading what is in scope needs no permission; every write names
 * the one permission it needs.
 */
export const PROFILE_PERMISSIONS: Readonly<Record<ProfileName, readonly AccountPermission[]>> = {
  admin: ACCOUNT_PERMISSIONS,
  'org-admin': [
    'manageUser',
    'manageCase',
    'manageAlert',
    'manageSettings',
    'manageQueue',
    'manageWorkflow',
  ],
  analyst: ['manageCase', 'manageAlert', 'manageQueue'],
  'read-only': [],
};

export function profileHas(profile: ProfileName, permission: AccountPermission): boolean {
  return PROFILE_PERMISSIONS[profile].includes(permission);
}

/** True when `granter` may hand out `granted`: never a profile with a permission it lacks. */
export function mayGrantProfile(granter: ProfileName, granted: ProfileName): boolean {
  return PROFILE_PERMISSIONS[granted].every((permission) => profileHas(granter, permission));
}

export const userScopeSchema = z.enum(USER_SCOPES, {
  error: `is not a tenant scope (${USER_SCOPES.join(', ')})`,
});
export type { Permission, UserScope };

/** Logins: what people type; lower-case letters, digits and . _ @ - (an email works). */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
export const loginSchema = z.string().regex(LOGIN_PATTERN, {
  error: 'must be 1-64 characters: lower-case letters, digits, and . _ @ - (not first)',
});

/** Passwords: at least 12 characters (NIST 800-63B favours length over composition rules). */
export const PASSWORD_MIN_LENGTH = 12;
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(1024, { error: 'must be at most 1024 characters' });

export const tenantNameSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(200, { error: 'must be at most 200 characters' })
  .refine((name) => ![...name].some((char) => char.charCodeAt(0) < 0x20), {
    error: 'must not hold control characters',
  });

/** What an administrator sends to create a user. */
export const newUserSchema = z
  .object({
    login: loginSchema,
    name: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
    email: z.email({ error: 'is not an email address' }).nullable().optional(),
    profile: profileNameSchema,
    scope: userScopeSchema,
    /** Tenant names the user reaches: none for root, one for tenant, one or more for partner. */
    tenants: z.array(tenantNameSchema).max(1000).default([]),
    password: passwordSchema.optional(),
  })
  .superRefine((user, ctx) => {
    const problem = scopeProblem(user.scope, user.tenants);
    if (problem) ctx.addIssue({ code: 'custom', path: ['tenants'], message: problem });
  });
export type NewUser = z.output<typeof newUserSchema>;

/** Why a scope and its tenant list do not fit together, or null. */
export function scopeProblem(scope: UserScope, tenants: readonly string[]): string | null {
  if (tenants.includes(ADMIN_TENANT_NAME) && scope !== 'root') {
    return `'${ADMIN_TENANT_NAME}' is the platform organisation; only root users belong to it`;
  }
  switch (scope) {
    case 'root':
      return tenants.length === 0 ? null : 'a root user reaches every tenant: give no tenants';
    case 'tenant':
      return tenants.length === 1 ? null : 'a tenant user reaches exactly one tenant';
    case 'partner':
      return tenants.length >= 1 ? null : 'a partner user reaches one or more tenants';
  }
}

/** A user as the server shows it (never with a password or its hash). */
export const userSchema = z.object({
  id: z.string(),
  login: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  profile: profileNameSchema,
  scope: userScopeSchema,
  tenants: z.array(z.string()),
  locked: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type User = z.infer<typeof userSchema>;

export const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.number(),
});
export type Tenant = z.infer<typeof tenantSchema>;

/** API keys (ADM-3): a user holds one key per name (a device, a SIEM connector). */
export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
export const apiKeyNameSchema = z.string().regex(API_KEY_NAME_PATTERN, {
  error: 'must be 1-64 characters: letters, digits, space and . _ - (not first)',
});
export const DEFAULT_API_KEY_NAME = 'default';
