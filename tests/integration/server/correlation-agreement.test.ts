import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addCaseFilter,
  caseFilterPredicate,
} from '../../../main/features/correlation/case-filters';
import {
  getCorrelationSettings,
  setCorrelationSetting,
} from '../../../main/features/correlation/correlation-settings';
import { IngestSession } from '../../../main/features/correlation/ingest';
import { openWorkspace } from '../../../main/app/workspace';
import { sourceMigrationsFolder } from '../../../main/store/paths';
import type { NormalizedAlert } from '../../../shared/domain/alert-format';
import { importWatchfloorRecord } from '../../../shared/domain/ingest/watchfloor';
import { SeededRandom } from '../../../shared/domain/random';
import { createTenant } from '../../../server/auth/accounts';
import { backends, OPERATOR, useServer, type TestServer } from './helpers/harness';

/**
 * COR-9 across machines: the same alerts, in the same batches, fed to the desktop's ingestion
 * (main/features/correlation/ingest.ts on a temporary SQLite store) and to the server's POST /api/v1/alerts
 * give the same cases: the same alerts grouped together, with the same name, score, severity,
 * What, Who, TLP and window; the same alerts suppressed by the same case filter; and case numbers
 * in the same order within each tenant (the desktop numbers across tenants, the server per
 * tenant, SYN-6).
 */

const TENANTS = ['acme', 'globex'];
const SUPPRESS_SCANNER = {
  type: 'group',
  op: 'AND',
  children: [{ type: 'condition', field: 'source', operator: 'is', value: 'scanner' }],
} as const;

function generateRecords(seed: number, count: number): Record<string, unknown>[] {
  const random = new SeededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[random.int(0, list.length - 1)] as T;
  const hosts = Array.from({ length: 12 }, (_, i) => `WS-${100 + i}.corp.example`);
  const users = Array.from({ length: 8 }, (_, i) => `user${i}`);
  const ips = Array.from({ length: 10 }, (_, i) => `10.0.${i}.${i + 1}`);
  const tactics = ['TA0001', 'TA0002', 'TA0003', 'TA0005', 'TA0008'];
  const start = Date.UTC(2026, 2, 1, 0, 0);
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    // bursts separated by gaps longer than the timeout, so cases open, fill and end
    const burst = Math.floor(i / 40);
    const time = start + burst * 5 * 3_600_000 + random.int(0, 150) * 60_000;
    const entities: Record<string, string[]> = { hosts: [pick(hosts)] };
    if (random.chance(0.5)) entities.users = [pick(users)];
    if (random.chance(0.3)) entities.ips = [pick(ips)];
    records.push({
      source: random.chance(0.1) ? 'scanner' : pick(['edr', 'siem', 'ids']),
      sourceRef: `agree-${seed}-${i}`,
      title: pick([
        'Encoded PowerShell',
        'Suspicious login',
        'Port scan',
        'Malware beacon',
        'Data staging',
      ]),
      timestamp: new Date(time).toISOString(),
      severity: random.int(5, 95),
      tactic: pick(tactics),
      tenant: pick(TENANTS),
      tlp: pick(['GREEN', 'AMBER', 'CLEAR', 'RED']),
      entities,
    });
  }
  // a few resends, and the batches arrive shuffled: order within a batch must not matter
  for (let i = 0; i < 10; i += 1)
    records.push({ ...(records[random.int(0, records.length - 1)] as object) });
  for (let i = records.length - 1; i > 0; i -= 1) {
    const j = random.int(Math.max(0, i - 30), i);
    [records[i], records[j]] = [
      records[j] as Record<string, unknown>,
      records[i] as Record<string, unknown>,
    ];
  }
  return records;
}

function batches<T>(items: readonly T[], seed: number): T[][] {
  const random = new SeededRandom(seed);
  const out: T[][] = [];
  for (let at = 0; at < items.length;) {
    const size = random.int(1, 60);
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

interface ComparableCase {
  tenant: string;
  numberRank: number;
  alerts: string[];
  name: string;
  score: number;
  severity: string;
  what: string | null;
  who: string | null;
  tlp: string;
  alertCount: number;
  firstAlertAt: number | null;
  lastAlertAt: number | null;
}

function rankNumbers(
  rows: (Omit<ComparableCase, 'numberRank' | 'alerts'> & { number: number; id: string })[],
  refs: Map<string, string[]>,
): ComparableCase[] {
  const byTenant = new Map<string, number[]>();
  for (const row of rows)
    byTenant.set(row.tenant, [...(byTenant.get(row.tenant) ?? []), row.number]);
  for (const list of byTenant.values()) list.sort((a, b) => a - b);
  return rows
    .map(({ number, id, ...row }) => ({
      ...row,
      numberRank: (byTenant.get(row.tenant) ?? []).indexOf(number),
      alerts: (refs.get(id) ?? []).sort(),
    }))
    .sort((a, b) => a.tenant.localeCompare(b.tenant) || a.numberRank - b.numberRank);
}

function desktopCases(records: Record<string, unknown>[], batchSeed: number) {
  const dir = mkdtempSync(join(tmpdir(), 'watchfloor-agree-'));
  const ws = openWorkspace(join(dir, 'desktop.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  try {
    const tenantId = ws.user.tenantId;
    setCorrelationSetting(ws.store, 'test', tenantId, 'correlation.timeoutMinutes', 120);
    setCorrelationSetting(ws.store, 'test', tenantId, 'correlation.alertsPerCase', 8);
    addCaseFilter(ws.store, 'test', tenantId, 'Scanner noise', SUPPRESS_SCANNER);
    const filters = caseFilterPredicate(ws.store);
    const session = new IngestSession(ws.store, {
      actor: 'test',
      settings: getCorrelationSettings(ws.store),
      isSuppressed: filters?.matches,
    });
    for (const batch of batches(records, batchSeed)) {
      const alerts = batch.map((record) => {
        const imported = importWatchfloorRecord(record);
        if (imported.kind !== 'alert') throw new Error('generated record did not import');
        return imported.alert;
      }) satisfies NormalizedAlert[];
      session.ingest(alerts);
    }
    const rows = ws.store.db
      .prepare(
        `SELECT c.id, t.name AS tenant, c.number, c.name, c.score, c.severity, c.what, c.who, c.tlp,
                c.alert_count AS alertCount, c.first_alert_at AS firstAlertAt, c.last_alert_at AS lastAlertAt
         FROM cases c JOIN tenants t ON t.id = c.tenant_id`,
      )
      .all() as (Omit<ComparableCase, 'numberRank' | 'alerts'> & { number: number; id: string })[];
    const refs = new Map<string, string[]>();
    for (const link of ws.store.db
      .prepare(
        'SELECT ca.case_id AS caseId, a.source_ref AS ref FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id',
      )
      .all() as { caseId: string; ref: string }[]) {
      refs.set(link.caseId, [...(refs.get(link.caseId) ?? []), link.ref]);
    }
    const suppressed = (
      ws.store.db.prepare('SELECT source_ref AS ref FROM alerts WHERE suppressed = 1').all() as {
        ref: string;
      }[]
    )
      .map((r) => r.ref)
      .sort();
    return { cases: rankNumbers(rows, refs), suppressed };
  } finally {
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function serverCases(s: TestServer, records: Record<string, unknown>[], batchSeed: number) {
  for (const tenant of TENANTS) {
    await createTenant(s.db, OPERATOR, tenant);
    const settings = await s.request('PUT', `/api/v1/tenants/${tenant}/correlation`, {
      body: { timeoutMinutes: 120, alertsPerCase: 8 },
    });
    expect(settings.status).toBe(200);
    const filter = await s.request('POST', `/api/v1/tenants/${tenant}/case-filters`, {
      body: { name: 'Scanner noise', condition: SUPPRESS_SCANNER },
    });
    expect(filter.status).toBe(201);
  }
  for (const batch of batches(records, batchSeed)) {
    const reply = await s.request('POST', '/api/v1/alerts', { body: batch });
    expect(reply.status).toBe(200);
    expect(reply.json.errors).toBe(0);
  }
  const rows = await s.db.query<
    Omit<ComparableCase, 'numberRank' | 'alerts'> & { number: number; id: string }
  >(
    `SELECT c.id, t.name AS tenant, c.number, c.name, c.score, c.severity, c.what, c.who, c.tlp,
            c.alert_count AS "alertCount", c.first_alert_at AS "firstAlertAt", c.last_alert_at AS "lastAlertAt"
     FROM cases c JOIN tenants t ON t.tenant_id = c.tenant_id`,
  );
  const refs = new Map<string, string[]>();
  for (const link of await s.db.query<{ case_id: string; ref: string }>(
    `SELECT ca.case_id, a.source_ref AS ref FROM case_alerts ca
     JOIN alerts a ON a.tenant_id = ca.tenant_id AND a.id = ca.alert_id`,
  )) {
    refs.set(link.case_id, [...(refs.get(link.case_id) ?? []), link.ref]);
  }
  const suppressed = (
    await s.db.query<{ ref: string }>('SELECT source_ref AS ref FROM alerts WHERE suppressed')
  )
    .map((r) => r.ref)
    .sort();
  return { cases: rankNumbers(rows, refs), suppressed };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

for (const backend of backends()) {
  describe(`desktop and server correlate alike on ${backend.name}`, () => {
    const server = useServer(backend);

    it('gives the same cases for the same alerts in the same batches (COR-1..9)', async () => {
      const records = generateRecords(7, 400);
      const desktop = desktopCases(records, 11);
      const onServer = await serverCases(server(), records, 11);
      expect(desktop.cases.length).toBeGreaterThan(20);
      expect(desktop.suppressed.length).toBeGreaterThan(5);
      // the limit of 8 alerts per case made some cases full (COR-3)
      expect(desktop.cases.some((c) => c.alertCount === 8)).toBe(true);
      expect(onServer.suppressed).toEqual(desktop.suppressed);
      expect(onServer.cases).toEqual(desktop.cases);
    }, 120_000);
  });
}
