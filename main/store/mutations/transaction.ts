import type Database from 'better-sqlite3';
import { newId } from '../ids';
import { ADMIN_TENANT_NAME } from '../../../shared/domain/types';
import { MutationWriter, type StoreIdentity } from './writer';
import { indexQueuedCases } from '../derived/case-search';
import { immediateTransaction } from '../lock';

/**
 * Write transactions (rule 5): BEGIN IMMEDIATE — the write lock is taken before anything is read,
 * so a writer waits its turn (../lock.ts) instead of failing half-way — and a MutationWriter
 * that records every change. The case search index catches up before the commit.
 */

export interface WriteTransactionOptions {
  /** the transaction's time, recorded on rows, activity and mutations (default: now) */
  now?: number;
}

/** This store's identity, read once per connection (client_id is made on the first write). */
class Identity implements StoreIdentity {
  private admin: string | null = null;
  constructor(
    private readonly db: Database.Database,
    readonly clientId: string,
  ) {}
  get adminTenantId(): string {
    if (this.admin === null) {
      const row = this.db
        .prepare('SELECT id FROM tenants WHERE name = ?')
        .get(ADMIN_TENANT_NAME) as { id: string } | undefined;
      if (!row) throw new Error('the admin organisation does not exist yet');
      this.admin = row.id;
    }
    return this.admin;
  }
}

const identities = new WeakMap<Database.Database, Identity>();

/** The install's client id, written into store_meta on the first write transaction. */
export function clientIdOf(db: Database.Database): string | null {
  const row = db.prepare("SELECT value FROM store_meta WHERE key = 'client_id'").get() as
    { value: string } | undefined;
  return row?.value ?? null;
}

/** Call inside the write transaction; the identity is cached once that commits. */
function identityOf(db: Database.Database): { identity: Identity; fresh: boolean } {
  const cached = identities.get(db);
  if (cached) return { identity: cached, fresh: false };
  let clientId = clientIdOf(db);
  if (!clientId) {
    clientId = newId();
    db.prepare("INSERT INTO store_meta (key, value) VALUES ('client_id', ?)").run(clientId);
  }
  return { identity: new Identity(db, clientId), fresh: true };
}

/** Runs `fn` in one IMMEDIATE transaction with a writer that records every change. */
export function writeTransaction<T>(
  store: { readonly db: Database.Database },
  actor: string,
  fn: (tx: MutationWriter) => T,
  options: WriteTransactionOptions = {},
): T {
  const db = store.db;
  let identity: { identity: Identity; fresh: boolean } | null = null;
  const result = immediateTransaction(db, () => {
    identity = identityOf(db);
    const writer = new MutationWriter(db, actor, options.now ?? Date.now(), identity.identity);
    const value = fn(writer);
    indexQueuedCases(db);
    return value;
  });
  const made = identity as { identity: Identity; fresh: boolean } | null;
  if (made?.fresh) identities.set(db, made.identity);
  return result;
}
