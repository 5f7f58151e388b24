import type { Store } from '../../store/open';
import { writeTransaction } from '../../store/write';
import { ADMIN_TENANT_NAME, DEFAULT_TENANT_NAME } from '../../../shared/domain/types';
import { isReservedTenantName, tenantNameKey } from '../../../shared/domain/alert-format';
import { newId } from '../../store/ids';

export interface TenantRow {
  id: string;
  name: string;
}

/** The local analyst account used until a server provides real accounts. */
export const LOCAL_USER_LOGIN = 'analyst';

/** Creates the reserved admin organisation (ADM-1), the default tenant and the local user. */
export function ensureBaseData(store: Store): void {
  const existing = store.db
    .prepare('SELECT name FROM tenants WHERE name IN (?, ?)')
    .all(ADMIN_TENANT_NAME, DEFAULT_TENANT_NAME) as { name: string }[];
  const have = new Set(existing.map((r) => r.name));
  const hasUser = store.db.prepare('SELECT 1 FROM users WHERE login = ?').get(LOCAL_USER_LOGIN);
  if (have.size === 2 && hasUser) return;
  writeTransaction(store, 'System', (w) => {
    for (const name of [ADMIN_TENANT_NAME, DEFAULT_TENANT_NAME]) {
      if (have.has(name)) continue;
      w.insert('tenant', { id: newId(), name, createdAt: w.now });
    }
    if (!hasUser) {
      const admin = w.read
        .prepare('SELECT id FROM tenants WHERE name = ?')
        .get(ADMIN_TENANT_NAME) as { id: string };
      w.insert('user', {
        id: newId(),
        tenantId: admin.id,
        login: LOCAL_USER_LOGIN,
        displayName: 'Local Analyst',
        scope: 'root',
        profile: [
          'manageUser',
          'manageCase',
          'manageAlert',
          'manageSettings',
          'manageQueue',
          'manageWorkflow',
        ],
        createdAt: w.now,
        updatedAt: w.now,
      });
    }
  });
}

/**
 * The tenant with this name, compared case-insensitively (`acme corp` is the existing
 * `Acme Corp`), created (through the write path) when there is none. ADM-1: `admin`, in any case,
 * is refused.
 */
export function resolveTenant(store: Store, name: string, actor: string): TenantRow {
  if (isReservedTenantName(name)) {
    throw new Error(
      `the '${ADMIN_TENANT_NAME}' organisation is reserved and holds no cases or alerts`,
    );
  }
  const exact = store.db.prepare('SELECT id, name FROM tenants WHERE name = ?').get(name) as
    TenantRow | undefined;
  if (exact) return exact;
  // Tenants are few; JavaScript's case folding also covers names beyond ASCII (NOCASE does not).
  const wanted = tenantNameKey(name);
  const existing = (store.db.prepare('SELECT id, name FROM tenants').all() as TenantRow[]).find(
    (row) => tenantNameKey(row.name) === wanted,
  );
  if (existing) return existing;
  return writeTransaction(store, actor, (w) => {
    const id = newId();
    w.insert('tenant', { id, name, createdAt: w.now });
    return { id, name };
  });
}

/** The id of resolveTenant's tenant. */
export function tenantIdByName(store: Store, name: string, actor: string): string {
  return resolveTenant(store, name, actor).id;
}

export function listTenants(store: Store): TenantRow[] {
  return store.db.prepare('SELECT id, name FROM tenants ORDER BY name').all() as TenantRow[];
}
