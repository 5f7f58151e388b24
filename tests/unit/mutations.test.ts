import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../main/store/open';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { writeTransaction } from '../../main/store/mutations/transaction';
import { MutationError } from '../../main/store/mutations/writer';
import {
  exportOutbox,
  parseOutboxLine,
  readOutboxFile,
} from '../../main/store/mutations/outbox-file';
import { MutationApplier, emptyApplyReport } from '../../main/store/mutations/apply';
import type { Mutation } from '../../shared/sync/mutation';
import { newId } from '../../main/store/ids';
import { applyOutboxFile } from '../../main/cli/commands/outbox';

let dir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-mut-'));
});
afterEach(() => {
  for (const s of open.splice(0)) if (s.db.open) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function newStore(name: string): Store {
  const store = openStore(path.join(dir, name), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  open.push(store);
  return store;
}

function seed(store: Store) {
  const admin = newId();
  const acme = newId();
  const caseId = newId();
  const alertIds = [newId(), newId()];
  writeTransaction(store, 'System', (tx) => {
    tx.insert('tenant', { id: admin, name: 'admin', createdAt: tx.now });
    tx.insert('tenant', { id: acme, name: 'Acme', createdAt: tx.now });
  });
  writeTransaction(store, 'analyst', (tx) => {
    tx.insert('case', {
      id: caseId,
      tenantId: acme,
      number: 1,
      name: 'Phish',
      severity: 'Low',
      severityRank: 1,
      creator: 'System',
      createdAt: tx.now,
      updatedAt: tx.now,
      tags: ['a'],
    });
    for (const [i, id] of alertIds.entries()) {
      tx.insert('alert', {
        id,
        tenantId: acme,
        source: 'edr',
        sourceRef: `r${i}`,
        type: 'process',
        title: `alert ${i}`,
        timestamp: 1000 + i,
        score: 40,
        entities: [{ kind: 'host', value: `ws-${i}` }],
        raw: { deep: { n: i } },
        createdAt: tx.now,
        updatedAt: tx.now,
      });
    }
    tx.link('case', caseId, 'alerts', alertIds);
    tx.patch('case', caseId, { alertCount: 2, name: 'Phish and 1 other' });
    tx.addToSet('case', caseId, 'tags', ['b', 'a']);
    tx.removeFromSet('case', caseId, 'tags', ['a']);
  });
  return { admin, acme, caseId, alertIds };
}

const rows = (s: Store, sql: string) => s.db.prepare(sql).all();

describe('mutation API', () => {
  it('writes rows with rev, one outbox mutation and one activity entry per change', () => {
    const a = newStore('a.db');
    const { caseId } = seed(a);
    const c = a.db
      .prepare('SELECT name, alert_count, tags, rev FROM cases WHERE id = ?')
      .get(caseId);
    expect(c).toEqual({ name: 'Phish and 1 other', alert_count: 2, tags: '["b"]', rev: 4 });
    const ops = rows(a, 'SELECT op, entity_type AS e FROM outbox ORDER BY seq');
    expect(ops.map((o) => (o as { op: string }).op)).toEqual([
      'insert',
      'insert',
      'insert',
      'insert',
      'insert',
      'link',
      'patch',
      'addToSet',
      'removeFromSet',
    ]);
    expect(rows(a, 'SELECT count(*) AS n FROM activity')).toEqual([{ n: 9 }]);
  });

  it('a patch that changes nothing writes nothing', () => {
    const a = newStore('a.db');
    const { caseId } = seed(a);
    const before = rows(a, 'SELECT count(*) AS n FROM outbox');
    const changed = writeTransaction(a, 'x', (tx) =>
      tx.patch('case', caseId, { name: 'Phish and 1 other' }),
    );
    expect(changed).toEqual([]);
    expect(rows(a, 'SELECT count(*) AS n FROM outbox')).toEqual(before);
  });

  it('refuses unknown rows and immutable fields', () => {
    const a = newStore('a.db');
    const { caseId } = seed(a);
    expect(() =>
      writeTransaction(a, 'x', (tx) => tx.patch('case', newId(), { name: 'n' })),
    ).toThrow(MutationError);
    expect(() =>
      writeTransaction(a, 'x', (tx) =>
        tx.patch('case', caseId, { tenantId: 'other' } as unknown as { name: string }),
      ),
    ).toThrow(/cannot be changed/);
  });

  it('read handles refuse write SQL', () => {
    const a = newStore('a.db');
    seed(a);
    expect(() => writeTransaction(a, 'x', (tx) => tx.read.prepare('DELETE FROM cases'))).toThrow(
      /mutation API/,
    );
  });

  it('exports the outbox and applies it to an empty store: same rows, twice is a no-op', async () => {
    const a = newStore('a.db');
    const { caseId } = seed(a);
    writeTransaction(a, 'x', (tx) => tx.patch('case', caseId, { status: 'In Progress' }));
    const file = path.join(dir, 'out.ndjson');
    const result = await exportOutbox(a.db, file);
    expect(result.mutations).toBe(10);
    await expect(exportOutbox(a.db, file)).rejects.toThrow(/never writes over/);

    const b = newStore('b.db');
    const apply = async () => {
      const report = emptyApplyReport();
      const applier = new MutationApplier(b.db);
      const batch: { line: number; mutation: Mutation }[] = [];
      for await (const p of readOutboxFile(file)) {
        if (p.kind === 'mutation') batch.push({ line: p.line, mutation: p.mutation });
        if (p.kind === 'error')
          report.rejected.push({ line: p.line, mutationId: null, message: p.message });
      }
      applier.applyBatch(batch, report);
      return report;
    };
    const first = await apply();
    expect(first).toMatchObject({ applied: 10, duplicates: 0, rejected: [] });
    for (const t of ['tenants', 'cases', 'alerts', 'case_alerts']) {
      expect(rows(b, `SELECT * FROM ${t} ORDER BY 1, 2`)).toEqual(
        rows(a, `SELECT * FROM ${t} ORDER BY 1, 2`),
      );
    }
    // derived: B's case entities are rebuilt from the case's alerts
    expect(rows(b, 'SELECT kind, value FROM case_entities ORDER BY value')).toEqual([
      { kind: 'host', value: 'ws-0' },
      { kind: 'host', value: 'ws-1' },
    ]);
    const second = await apply();
    expect(second).toMatchObject({ applied: 0, duplicates: 10 });
  });

  it('a tampered line is refused with its reason', async () => {
    const a = newStore('a.db');
    seed(a);
    const file = path.join(dir, 'out.ndjson');
    await exportOutbox(a.db, file);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const line = lines.find((l) => l.includes('"alert 0"'))!;
    const tampered = line.replace('"alert 0"', '"alert X"');
    expect(parseOutboxLine(tampered, 4)).toMatchObject({ kind: 'error', message: /digest/ });
    expect(parseOutboxLine(line.slice(0, 40), 4)).toMatchObject({
      kind: 'error',
      message: /not JSON/,
    });
  });
});

describe('outbox apply: bad input is refused line by line and changes nothing of that line', () => {
  const sign = (m: Record<string, unknown>): string => {
    const { digest: _d, ...rest } = m;
    const text = JSON.stringify(rest);
    const digest = crypto.createHash('sha256').update(text).digest('hex');
    return `${text.slice(0, -1)},"digest":"${digest}"}`;
  };

  async function exportedLines(store: Store): Promise<string[]> {
    const file = path.join(dir, `out-${Math.random()}.ndjson`);
    await exportOutbox(store.db, file);
    return fs.readFileSync(file, 'utf8').trim().split('\n');
  }

  async function applyLines(target: Store, lines: string[]) {
    const file = path.join(dir, `in-${Math.random()}.ndjson`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const report = emptyApplyReport();
    const batch: { line: number; mutation: Mutation }[] = [];
    for await (const p of readOutboxFile(file)) {
      if (p.kind === 'mutation') batch.push({ line: p.line, mutation: p.mutation });
      if (p.kind === 'error')
        report.rejected.push({ line: p.line, mutationId: null, message: p.message });
    }
    new MutationApplier(target.db).applyBatch(batch, report);
    return report;
  }

  it('reports each tampered line with its number and the reason, and applies the rest', async () => {
    const a = newStore('a.db');
    const { caseId, acme, admin } = seed(a);
    const lines = await exportedLines(a);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const patchAt = parsed.findIndex((m) => m.op === 'patch');
    const tampered = [...lines];
    // 1. unknown entity (re-signed, so only the schema catches it)
    tampered.push(
      sign({ ...parsed[patchAt]!, mutationId: crypto.randomUUID(), entity: 'spaceship' }),
    );
    // 2. wrong tenant for its row
    tampered.push(sign({ ...parsed[patchAt]!, mutationId: crypto.randomUUID(), tenantId: admin }));
    // 3. a row that does not exist
    tampered.push(
      sign({ ...parsed[patchAt]!, mutationId: crypto.randomUUID(), id: crypto.randomUUID() }),
    );
    // 4. an unknown field
    tampered.push(
      sign({
        ...parsed[patchAt]!,
        mutationId: crypto.randomUUID(),
        changes: { colour: { before: null, after: 'red' } },
      }),
    );
    // 5. a value of the wrong type
    tampered.push(
      sign({
        ...parsed[patchAt]!,
        mutationId: crypto.randomUUID(),
        changes: { alertCount: { before: 2, after: 'many' } },
      }),
    );
    // 6. a field changed after export (digest no longer matches)
    tampered.push(lines[patchAt]!.replace('"Phish and 1 other"', '"Phish and 9 others"'));
    // 7. a truncated line
    tampered.push(lines[patchAt]!.slice(0, 50));
    const b = newStore('b.db');
    const report = await applyLines(b, tampered);
    const messages = report.rejected.map((r) => [r.line, r.message]);
    const base = lines.length;
    expect(messages).toEqual([
      [base + 1, expect.stringMatching(/entity: .*spaceship/)],
      [base + 6, expect.stringMatching(/changed after export/)],
      [base + 7, expect.stringMatching(/not JSON/)],
      [base + 2, expect.stringMatching(/another tenant/)],
      [base + 3, expect.stringMatching(/no case .* in this store/)],
      [base + 4, expect.stringMatching(/no field "colour"/)],
      [base + 5, expect.stringMatching(/alertCount must be a number/)],
    ]);
    expect(report.applied).toBe(lines.length - 1); // every good mutation (the header is no mutation)
    // the good lines made the same case as A's; nothing of the bad ones is there
    expect(b.db.prepare('SELECT name, alert_count, tenant_id FROM cases').all()).toEqual([
      { name: 'Phish and 1 other', alert_count: 2, tenant_id: acme },
    ]);
    expect(b.db.prepare('SELECT count(*) AS n FROM cases WHERE id <> ?').get(caseId)).toEqual({
      n: 0,
    });
  });

  it('a file whose first line is not an outbox header is refused whole', async () => {
    const a = newStore('a.db');
    seed(a);
    const lines = await exportedLines(a);
    const file = path.join(dir, 'no-header.ndjson');
    fs.writeFileSync(file, lines.slice(1).join('\n'));
    await expect(applyOutboxFile(path.join(dir, 'c.db'), file)).rejects.toThrow(
      /not a Watchfloor outbox file/,
    );
  });

  it('a patch whose base revision moved is resolved per field and recorded in activity', async () => {
    const a = newStore('a.db');
    const { caseId } = seed(a);
    const lines = await exportedLines(a);
    const b = newStore('b.db');
    await applyLines(b, lines);
    // B changes the assignee and the name; then A's later edits arrive, made against the old rev
    writeTransaction(b, 'bob', (tx) =>
      tx.patch('case', caseId, { assignee: 'u-bob', assigneeName: 'Bob', name: 'Bob named it' }),
    );
    writeTransaction(a, 'alice', (tx) =>
      tx.patch('case', caseId, {
        assignee: 'u-alice',
        assigneeName: 'Alice',
        name: 'Alice named it',
        score: 77,
      }),
    );
    const later = (await exportedLines(a)).slice(lines.length);
    const report = await applyLines(b, [lines[0]!, ...later]);
    expect(report).toMatchObject({ applied: 1, conflicts: 1, rejected: [] });
    const row = b.db
      .prepare('SELECT name, score, assignee, assignee_name FROM cases WHERE id = ?')
      .get(caseId);
    // plain fields: last writer wins (A's, applied last); assignee: compare-and-set, Bob keeps it
    expect(row).toEqual({
      name: 'Alice named it',
      score: 77,
      assignee: 'u-bob',
      assignee_name: 'Bob',
    });
    const conflict = b.db
      .prepare("SELECT actor, action, after FROM activity WHERE action LIKE 'conflict-%'")
      .get() as { actor: string; action: string; after: string };
    expect(conflict.actor).toBe('alice');
    expect(conflict.action).toBe('conflict-rejected');
    expect(JSON.parse(conflict.after)).toMatchObject({
      assignee: { rejected: 'u-alice', kept: 'u-bob' },
      name: { overwritten: 'Bob named it', by: 'Alice named it' },
    });
  });
});
