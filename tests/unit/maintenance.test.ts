import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from '../../main/store/open';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { startStoreMaintenance } from '../../main/store/maintenance';
import { writeTransaction } from '../../main/store/write';

const stores: Store[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const s of stores.splice(0)) s.close();
});

function newStore(): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-maint-'));
  const store = openStore(path.join(dir, 'm.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  stores.push(store);
  return store;
}

describe('store maintenance (checkpoints and search merges off the commit path)', () => {
  it('search merges are not automatic after migration 0010', () => {
    const store = newStore();
    const automerge = store.db
      .prepare("SELECT v FROM cases_fts_config WHERE k = 'automerge'")
      .pluck()
      .get();
    expect(automerge).toBe(0);
  });

  it('turns automatic checkpoints off and checkpoints on its timer', () => {
    vi.useFakeTimers();
    const store = newStore();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const stop = startStoreMaintenance(store, { intervalMs: 1000 });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const tenant = 't1';
    writeTransaction(store, 'test', (w) =>
      w.insert('tenant', { id: tenant, name: 'T', createdAt: 0 }),
    );
    for (let i = 0; i < 30; i++) {
      writeTransaction(store, 'test', (w) =>
        w.insert('case', {
          id: `c${i}`,
          tenantId: tenant,
          number: 1000 + i,
          name: `Beacon number ${i}`,
          severity: 'Low',
          severityRank: 1,
          creator: 'System',
          createdAt: 0,
          updatedAt: 0,
        }),
      );
    }
    // Each write left its own search segment; the tick merges them and checkpoints.
    const segmentsBefore = store.db.prepare('SELECT count(*) FROM cases_fts_data').pluck().get();
    // Nothing reached the main file yet: no checkpoint ran in a commit.
    const fileBefore = fs.statSync(store.file).size;
    vi.advanceTimersByTime(1000);
    const segmentsAfter = store.db.prepare('SELECT count(*) FROM cases_fts_data').pluck().get();
    expect(segmentsAfter as number).toBeLessThan(segmentsBefore as number);
    expect(fs.statSync(store.file).size).toBeGreaterThan(fileBefore);
    expect(
      store.db
        .prepare("SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'beacon'")
        .pluck()
        .get(),
    ).toBe(30);
    stop();
    vi.advanceTimersByTime(5000); // stopped: no tick on a closed store later
  });
});

describe('store maintenance never waits for another writer (issue 11)', () => {
  it('skips its search merge while another connection holds the write lock', () => {
    vi.useFakeTimers();
    const store = newStore();
    // A tick that waited for the lock would wait out the busy timeout: the holder is this thread.
    store.db.pragma('busy_timeout = 70000'); // longer than the test's timeout
    const stop = startStoreMaintenance(store, { intervalMs: 1000 });
    const other = new Database(store.file);
    try {
      other.exec('BEGIN IMMEDIATE');
      expect(() => vi.advanceTimersByTime(1000)).not.toThrow();
      other.exec('COMMIT');
      expect(() => vi.advanceTimersByTime(1000)).not.toThrow();
    } finally {
      other.close();
      stop();
    }
  });
});
