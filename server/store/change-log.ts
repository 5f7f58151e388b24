import type { Queryable, SqlValue } from './database';

/**
 * The change log (schema.ts `change_log`) that sync will pull from (issue 15): one entry per
 * written row, with a per-tenant sequence.
 *
 * Commit order, never a skipped late commit: every write transaction of a tenant takes the
 * tenant's `tenant_counters` row with `SELECT … FOR UPDATE` (TenantLocks) before it takes any
 * sequence number, and keeps that row lock until it commits. Two writers of one tenant are
 * therefore serialized from the lock to their commit: the second takes numbers only after the
 * first committed (a rolled-back writer rolls its counter back too, so there are no gaps), and
 * PostgreSQL makes a commit visible before it releases the transaction's locks. A reader that
 * sees seq N of a tenant has therefore seen every seq below N, and a pull cursor
 * `{tenant: lastSeq}` never skips a change. The cost is that the writes of one tenant commit one
 * at a time; writes of different tenants do not wait for each other (unlike a global sequence
 * or an xmin watermark, which one long transaction would hold back for every tenant), and the
 * counter row lives with its tenant's shard under Citus. Ingestion holds the same lock for its
 * correlation (one tenant's alerts are correlated in order, COR-9), so it costs nothing extra.
 */

export const CHANGES_CHANNEL = 'watchfloor_changes';

export type ChangeOp = 'upsert' | 'delete';

export interface Change {
  tenantId: string;
  entity: string;
  entityId: string;
  rev: number;
  op: ChangeOp;
}

export interface TenantCounters {
  lastCaseNumber: number;
  lastChangeSeq: number;
}

/**
 * The counter rows of the tenants a transaction writes, locked in tenant-id order (two
 * transactions that lock the same tenants in the same order cannot deadlock).
 */
export class TenantLocks {
  private readonly counters = new Map<string, TenantCounters>();
  private readonly changes: Change[] = [];

  private constructor(private readonly tx: Queryable) {}

  static async lock(tx: Queryable, tenantIds: Iterable<string>): Promise<TenantLocks> {
    const locks = new TenantLocks(tx);
    await locks.add(tenantIds);
    return locks;
  }

  /** Locks more tenants; they must sort after every tenant already locked (deadlock freedom). */
  async add(tenantIds: Iterable<string>): Promise<void> {
    const wanted = [...new Set(tenantIds)].filter((id) => !this.counters.has(id)).sort();
    if (wanted.length === 0) return;
    const rows = await this.tx.query<{
      tenant_id: string;
      last_case_number: number;
      last_change_seq: number;
    }>(
      `SELECT tenant_id, last_case_number, last_change_seq FROM tenant_counters
       WHERE tenant_id = ANY($1::uuid[]) ORDER BY tenant_id FOR UPDATE`,
      [wanted],
    );
    for (const row of rows) {
      this.counters.set(row.tenant_id, {
        lastCaseNumber: row.last_case_number,
        lastChangeSeq: row.last_change_seq,
      });
    }
    const missing = wanted.filter((id) => !this.counters.has(id));
    if (missing.length > 0) throw new Error(`no counter row for tenant ${missing.join(', ')}`);
  }

  has(tenantId: string): boolean {
    return this.counters.has(tenantId);
  }

  /** The next canonical case number of a tenant (SYN-6). */
  nextCaseNumber(tenantId: string): number {
    const counters = this.require(tenantId);
    counters.lastCaseNumber += 1;
    return counters.lastCaseNumber;
  }

  /** Records that a row was written; the entries get their sequence numbers at flush. */
  changed(change: Change): void {
    this.require(change.tenantId);
    this.changes.push(change);
  }

  changeCount(): number {
    return this.changes.length;
  }

  /**
   * The change-log entries, the new counters and one NOTIFY per changed tenant (delivered at
   * commit, for waiting clients on every instance) as parts of one statement: `ctes` are
   * data-modifying CTEs, `select` the statement's final SELECT. Parameters are appended to
   * `params`. Call once, last; `flush` runs it on its own.
   */
  flushStatement(
    actor: string,
    now: number,
    params: SqlValue[],
  ): { ctes: string[]; select: string } {
    const seqs: number[] = [];
    const tenants: string[] = [];
    const entities: string[] = [];
    const ids: string[] = [];
    const revs: number[] = [];
    const ops: string[] = [];
    for (const change of this.changes) {
      const counters = this.require(change.tenantId);
      counters.lastChangeSeq += 1;
      seqs.push(counters.lastChangeSeq);
      tenants.push(change.tenantId);
      entities.push(change.entity);
      ids.push(change.entityId);
      revs.push(change.rev);
      ops.push(change.op);
    }
    const p = (value: SqlValue) => {
      params.push(value);
      return `$${params.length}`;
    };
    const ctes: string[] = [];
    if (seqs.length > 0) {
      ctes.push(
        `INSERT INTO change_log (tenant_id, seq, entity, entity_id, entity_rev, op, actor, at)
         SELECT t, s, e, i, r, o, ${p(actor)}::text, ${p(now)}::bigint
         FROM unnest(${p(tenants)}::uuid[], ${p(seqs)}::bigint[], ${p(entities)}::text[], ${p(ids)}::uuid[],
                     ${p(revs)}::int[], ${p(ops)}::text[]) AS c(t, s, e, i, r, o)`,
      );
    }
    const touched = [...this.counters.entries()];
    ctes.push(
      `UPDATE tenant_counters c SET last_case_number = u.n, last_change_seq = u.s, rev = c.rev + 1
       FROM unnest(${p(touched.map(([id]) => id))}::uuid[], ${p(touched.map(([, c]) => c.lastCaseNumber))}::bigint[],
                   ${p(touched.map(([, c]) => c.lastChangeSeq))}::bigint[]) AS u(t, n, s)
       WHERE c.tenant_id = u.t`,
    );
    const changed = new Set(tenants);
    const notices = touched
      .filter(([id]) => changed.has(id))
      .map(([id, counters]) => JSON.stringify({ tenant: id, seq: counters.lastChangeSeq }));
    this.changes.length = 0;
    return {
      ctes,
      select: `SELECT pg_notify(${p(CHANGES_CHANNEL)}::text, n) FROM unnest(${p(notices)}::text[]) AS n`,
    };
  }

  /** Writes the change log and counters (flushStatement) in one statement. */
  async flush(actor: string, now: number): Promise<void> {
    const params: SqlValue[] = [];
    const { ctes, select } = this.flushStatement(actor, now, params);
    await this.tx.query(withCtes(ctes, select), params);
  }

  private require(tenantId: string): TenantCounters {
    const counters = this.counters.get(tenantId);
    if (!counters) throw new Error(`tenant ${tenantId} is not locked by this transaction`);
    return counters;
  }
}

/** Changes of a tenant after a sequence number, in commit order (what a sync pull reads). */
export async function changesAfter(
  db: Queryable,
  tenantId: string,
  afterSeq: number,
  limit: number,
): Promise<(Change & { seq: number })[]> {
  const rows = await db.query<{
    seq: number;
    entity: string;
    entity_id: string;
    entity_rev: number;
    op: ChangeOp;
  }>(
    `SELECT seq, entity, entity_id, entity_rev, op FROM change_log
     WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [tenantId, afterSeq, limit],
  );
  return rows.map((row) => ({
    tenantId,
    seq: row.seq,
    entity: row.entity,
    entityId: row.entity_id,
    rev: row.entity_rev,
    op: row.op,
  }));
}

/** `WITH w0 AS (…), w1 AS (…) SELECT …`: data-modifying CTEs run whether or not they are read. */
export function withCtes(ctes: readonly string[], select: string): string {
  if (ctes.length === 0) return select;
  return `WITH ${ctes.map((cte, i) => `w${i} AS (${cte})`).join(',\n')}\n${select}`;
}
