import type Database from 'better-sqlite3';
import type { Store } from '../store/open';
import { writeTransaction, type Writer } from '../store/write';
import {
  DEMO_ANALYSTS,
  DEMO_TENANTS,
  demoAlertRecord,
  generateDemoCases,
  type DemoCase,
  type DemoOptions,
} from '../../shared/domain/demo';
import { severityForScore, severityRank } from '../../shared/domain/severity';
import { SeededRandom } from '../../shared/domain/random';
import { pickLeadAlert, type LeadAlertFacts } from '../../shared/domain/scoring';
import { ADMIN_TENANT_NAME } from '../../shared/domain/types';
import { idAt, newId } from './ids';
import { tenantIdByName } from './tenants';

export const DEMO_ACTOR = 'Demo generator';

export interface DemoProgress {
  alerts: number;
  cases: number;
  total: number;
}

export interface DemoResult {
  alerts: number;
  cases: number;
}

/** Parameter rows for one demo case, in the column order of the statements below. */
export interface DemoCaseRows {
  tenantId: string;
  caseId: string;
  caseRow: unknown[];
  caseJson: string;
  caseEntities: unknown[][];
  alerts: { id: string; row: unknown[]; json: string; link: unknown[] }[];
}

export const DEMO_SQL = {
  case: `INSERT INTO cases (id, tenant_id, number, name, description, score, severity, severity_rank, status, outcome, summary, creator, assignee, assignee_name, tags, tlp, pap, what, who, alert_count, created_at, updated_at, closed_at, first_alert_at, last_alert_at, tactics, lead_alert)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  alert: `INSERT INTO alerts (id, tenant_id, source, source_ref, type, title, description, timestamp, score, tactic, tactic_name, technique, technique_name, tags, tlp, raw, entities, status, case_id, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  entity: 'INSERT INTO case_entities (tenant_id, kind, value, case_id) VALUES (?, ?, ?, ?)',
  link: 'INSERT INTO case_alerts (case_id, alert_id, tenant_id, added_at) VALUES (?, ?, ?, ?)',
} as const;

export interface DemoContext {
  tenantIds: Map<string, string>;
  analysts: Map<string, { id: string; displayName: string }>;
  nextNumber: number;
  idRandom: SeededRandom;
}

/** The correlation state's lead alert (COR-6), so imported alerts can join demo cases. */
function leadFacts(c: DemoCase): LeadAlertFacts | null {
  return pickLeadAlert(
    c.alerts.map((a) => ({
      title: a.title,
      score: a.score,
      timestamp: a.timestamp,
      source: a.source,
      sourceRef: a.sourceRef,
      tactic: a.tactic,
      technique: a.technique,
      tacticName: a.tacticName,
      techniqueName: a.techniqueName,
    })),
  );
}

/** Maps a generated case to the rows the store holds (shared with the insert benchmark). */
export function demoCaseRows(c: DemoCase, ctx: DemoContext): DemoCaseRows {
  const tenantId = ctx.tenantIds.get(c.tenant)!;
  const caseId = idAt(c.createdAt, ctx.idRandom.bytes(16));
  const number = ctx.nextNumber++;
  const severity = severityForScore(c.score);
  const assignee = c.assigneeLogin ? ctx.analysts.get(c.assigneeLogin) : undefined;
  const tags = JSON.stringify(c.tags);
  const caseObject = {
    id: caseId,
    tenantId,
    number,
    name: c.name,
    score: c.score,
    severity,
    status: c.status,
    outcome: c.outcome,
    creator: 'System',
    assignee: assignee?.id ?? null,
    tags: c.tags,
    alertCount: c.alerts.length,
  };
  const alerts = c.alerts.map((a) => {
    const id = idAt(a.timestamp, ctx.idRandom.bytes(16));
    // The raw payload is the alert as a Watchfloor v1 record, as a file import would keep it.
    const json = JSON.stringify(demoAlertRecord(a));
    const alertStatus = c.status === 'Resolved' || c.status === 'Cancelled' ? 'Closed' : 'Imported';
    return {
      id,
      json,
      row: [
        id,
        tenantId,
        a.source,
        a.sourceRef,
        a.type,
        a.title,
        a.description,
        a.timestamp,
        a.score,
        a.tactic,
        a.tacticName,
        a.technique,
        a.techniqueName,
        JSON.stringify(a.tags),
        a.tlp,
        json,
        JSON.stringify(a.entities),
        alertStatus,
        caseId,
        c.createdAt,
        c.updatedAt,
      ],
      link: [caseId, id, tenantId, c.createdAt],
    };
  });
  return {
    tenantId,
    caseId,
    caseJson: JSON.stringify(caseObject),
    caseRow: [
      caseId,
      tenantId,
      number,
      c.name,
      c.description,
      c.score,
      severity,
      severityRank(severity),
      c.status,
      c.outcome,
      c.summary,
      'System',
      assignee?.id ?? null,
      assignee?.displayName ?? null,
      tags,
      c.tlp,
      'AMBER',
      c.what,
      c.who,
      c.alerts.length,
      c.createdAt,
      c.updatedAt,
      c.closedAt,
      c.firstAlertAt,
      c.lastAlertAt,
      JSON.stringify([...new Set(c.alerts.map((a) => a.tactic))].sort()),
      JSON.stringify(leadFacts(c)),
    ],
    caseEntities: c.entities.map((e) => [tenantId, e.kind, e.value, caseId]),
    alerts,
  };
}

export interface DemoStatements {
  case: Database.Statement;
  alert: Database.Statement;
  entity: Database.Statement;
  link: Database.Statement;
}

export function prepareDemoStatements(db: Database.Database): DemoStatements {
  return {
    case: db.prepare(DEMO_SQL.case),
    alert: db.prepare(DEMO_SQL.alert),
    entity: db.prepare(DEMO_SQL.entity),
    link: db.prepare(DEMO_SQL.link),
  };
}

function writeDemoCase(w: Writer, s: DemoStatements, r: DemoCaseRows): void {
  s.case.run(r.caseRow);
  for (const e of r.caseEntities) s.entity.run(e);
  w.createdJson(r.tenantId, 'case', r.caseId, r.caseJson);
  for (const a of r.alerts) {
    s.alert.run(a.row);
    s.link.run(a.link);
    w.createdJson(r.tenantId, 'alert', a.id, a.json);
  }
}

/** Creates the demo tenants and analyst accounts (idempotent) and returns the id maps. */
export function prepareDemoContext(store: Store, seed: number): DemoContext {
  const tenantIds = new Map<string, string>();
  for (const name of DEMO_TENANTS) tenantIds.set(name, tenantIdByName(store, name, DEMO_ACTOR));
  const analysts = new Map<string, { id: string; displayName: string }>();
  writeTransaction(store, DEMO_ACTOR, (w) => {
    const admin = w.db.prepare('SELECT id FROM tenants WHERE name = ?').get(ADMIN_TENANT_NAME) as {
      id: string;
    };
    for (const a of DEMO_ANALYSTS) {
      const found = w.db.prepare('SELECT id FROM users WHERE login = ?').get(a.login) as
        { id: string } | undefined;
      if (found) {
        analysts.set(a.login, { id: found.id, displayName: a.displayName });
        continue;
      }
      const id = newId();
      const profile = JSON.stringify(['manageCase', 'manageAlert', 'manageQueue']);
      w.db
        .prepare(
          `INSERT INTO users (id, tenant_id, login, display_name, email, scope, scope_tenants, profile, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'partner', ?, ?, ?, ?)`,
        )
        .run(
          id,
          admin.id,
          a.login,
          a.displayName,
          a.email,
          JSON.stringify([...tenantIds.values()]),
          profile,
          w.now,
          w.now,
        );
      w.created(admin.id, 'user', id, { id, login: a.login, displayName: a.displayName });
      analysts.set(a.login, { id, displayName: a.displayName });
    }
  });
  const max = store.db.prepare('SELECT max(number) AS n FROM cases').get() as { n: number | null };
  return {
    tenantIds,
    analysts,
    nextNumber: (max.n ?? 0) + 1,
    idRandom: new SeededRandom(seed ^ 0x5eed),
  };
}

const BATCH_ALERTS = 5000;

/**
 * Loads `options.alerts` demo alerts grouped into cases. Writes in transactions of ~5,000
 * alerts and yields to the event loop between them, so a UI stays responsive (rule 7).
 * Loading the same seed twice is refused by the (source, sourceRef) uniqueness of alerts.
 */
export async function loadDemoData(
  store: Store,
  options: DemoOptions,
  onProgress?: (p: DemoProgress) => void,
): Promise<DemoResult> {
  const ctx = prepareDemoContext(store, options.seed);
  const s = prepareDemoStatements(store.db);
  let alerts = 0;
  let cases = 0;
  let batch: DemoCase[] = [];
  let batchAlerts = 0;
  const flush = async () => {
    const rows = batch.map((c) => demoCaseRows(c, ctx));
    writeTransaction(store, DEMO_ACTOR, (w) => {
      for (const r of rows) writeDemoCase(w, s, r);
    });
    alerts += batchAlerts;
    cases += batch.length;
    batch = [];
    batchAlerts = 0;
    onProgress?.({ alerts, cases, total: options.alerts });
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  for (const c of generateDemoCases(options)) {
    batch.push(c);
    batchAlerts += c.alerts.length;
    if (batchAlerts >= BATCH_ALERTS) await flush();
  }
  if (batch.length > 0) await flush();
  store.db.pragma('optimize');
  return { alerts, cases };
}

/** Demo end time: the start of today (UTC), so a seed gives the same data all day. */
export function defaultDemoEnd(now = Date.now()): number {
  return now - (now % 86_400_000);
}
