import type { Store } from '../../store/open';
import { writeTransaction, type MutationWriter } from '../../store/write';
import { SerializedJson, type InsertValues } from '../../store/mutations/registry';
import { addCaseEntities } from '../../store/derived/case-entities';
import {
  DEMO_ANALYSTS,
  DEMO_TENANTS,
  demoAlertRecord,
  generateDemoCases,
  type DemoCase,
  type DemoOptions,
} from '../../../shared/domain/demo';
import { severityForScore, severityRank } from '../../../shared/domain/severity';
import { SeededRandom } from '../../../shared/domain/random';
import { pickLeadAlert, type LeadAlertFacts } from '../../../shared/domain/scoring';
import { ADMIN_TENANT_NAME, type EntityRef } from '../../../shared/domain/types';
import { idAt, newId } from '../../store/ids';
import { tenantIdByName } from '../directory/tenants';
import { markAllQueuesPending, reindexQueue } from '../queues/queues';
import type { CancelCheck } from '../../jobs/cancel-flag';

export const DEMO_ACTOR = 'Demo generator';

export interface DemoProgress {
  alerts: number;
  cases: number;
  total: number;
}

export interface DemoResult {
  alerts: number;
  cases: number;
  /** set when the load was cancelled (NFR-2): the batches written before it are kept */
  cancelled?: { batches: number };
}

/** What the store holds of one demo case: its row, its entities, its alerts. */
export interface DemoCaseRecords {
  tenantId: string;
  caseId: string;
  case: InsertValues<'case'>;
  entities: EntityRef[];
  alerts: { id: string; values: InsertValues<'alert'> }[];
}

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
export function demoCaseRecords(c: DemoCase, ctx: DemoContext): DemoCaseRecords {
  const tenantId = ctx.tenantIds.get(c.tenant)!;
  const caseId = idAt(c.createdAt, ctx.idRandom.bytes(16));
  const number = ctx.nextNumber++;
  const severity = severityForScore(c.score);
  const assignee = c.assigneeLogin ? ctx.analysts.get(c.assigneeLogin) : undefined;
  const closed = c.status === 'Resolved' || c.status === 'Cancelled';
  const alerts = c.alerts.map((a) => {
    const id = idAt(a.timestamp, ctx.idRandom.bytes(16));
    const values: InsertValues<'alert'> = {
      id,
      tenantId,
      source: a.source,
      sourceRef: a.sourceRef,
      type: a.type,
      title: a.title,
      description: a.description,
      timestamp: a.timestamp,
      score: a.score,
      tactic: a.tactic,
      tacticName: a.tacticName,
      technique: a.technique,
      techniqueName: a.techniqueName,
      tags: a.tags,
      tlp: a.tlp,
      // The raw payload is the alert as a Watchfloor v1 record, as a file import would keep it.
      raw: new SerializedJson(JSON.stringify(demoAlertRecord(a))) as unknown,
      entities: a.entities,
      status: closed ? 'Closed' : 'Imported',
      caseId,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
    return { id, values };
  });
  return {
    tenantId,
    caseId,
    case: {
      id: caseId,
      tenantId,
      number,
      numberIsProvisional: false,
      name: c.name,
      description: c.description,
      score: c.score,
      severity,
      severityRank: severityRank(severity),
      status: c.status,
      outcome: c.outcome,
      summary: c.summary,
      creator: 'System',
      assignee: assignee?.id ?? null,
      assigneeName: assignee?.displayName ?? null,
      tags: c.tags,
      tlp: c.tlp,
      pap: 'AMBER',
      what: c.what,
      who: c.who,
      alertCount: c.alerts.length,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      closedAt: c.closedAt,
      firstAlertAt: c.firstAlertAt,
      lastAlertAt: c.lastAlertAt,
      tactics: [...new Set(c.alerts.map((a) => a.tactic))].sort(),
      leadAlert: leadFacts(c) as unknown as Record<string, unknown> | null,
    },
    entities: c.entities,
    alerts,
  };
}

function writeDemoCase(w: MutationWriter, r: DemoCaseRecords): void {
  w.insert('case', r.case);
  addCaseEntities(w.derivedDb, r.tenantId, r.caseId, r.entities);
  for (const a of r.alerts) w.insert('alert', a.values);
  w.link(
    'case',
    r.caseId,
    'alerts',
    r.alerts.map((a) => a.id),
  );
}

/** Creates the demo tenants and analyst accounts (idempotent) and returns the id maps. */
export function prepareDemoContext(store: Store, seed: number): DemoContext {
  const tenantIds = new Map<string, string>();
  for (const name of DEMO_TENANTS) tenantIds.set(name, tenantIdByName(store, name, DEMO_ACTOR));
  const analysts = new Map<string, { id: string; displayName: string }>();
  writeTransaction(store, DEMO_ACTOR, (w) => {
    const admin = w.read
      .prepare('SELECT id FROM tenants WHERE name = ?')
      .get(ADMIN_TENANT_NAME) as {
      id: string;
    };
    for (const a of DEMO_ANALYSTS) {
      const found = w.read.prepare('SELECT id FROM users WHERE login = ?').get(a.login) as
        { id: string } | undefined;
      if (found) {
        analysts.set(a.login, { id: found.id, displayName: a.displayName });
        continue;
      }
      const id = newId();
      w.insert('user', {
        id,
        tenantId: admin.id,
        login: a.login,
        displayName: a.displayName,
        email: a.email,
        scope: 'partner',
        scopeTenants: [...tenantIds.values()],
        profile: ['manageCase', 'manageAlert', 'manageQueue'],
        createdAt: w.now,
        updatedAt: w.now,
      });
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
 * alerts and yields to the event loop between them, so a UI stays responsive (rule 7); once
 * `signal` is aborted it stops before the next one (NFR-2), and what it wrote is kept.
 * Loading the same seed twice is refused by the (source, sourceRef) uniqueness of alerts.
 * Demo cases are written without refreshing queue membership: `loadDemoAndIndexQueues` is the
 * whole load.
 */
export async function loadDemoData(
  store: Store,
  options: DemoOptions,
  onProgress?: (p: DemoProgress) => void,
  signal?: CancelCheck,
): Promise<DemoResult> {
  const ctx = prepareDemoContext(store, options.seed);
  let alerts = 0;
  let cases = 0;
  let batches = 0;
  let batch: DemoCase[] = [];
  let batchAlerts = 0;
  const flush = async () => {
    const records = batch.map((c) => demoCaseRecords(c, ctx));
    writeTransaction(store, DEMO_ACTOR, (w) => {
      for (const r of records) writeDemoCase(w, r);
    });
    alerts += batchAlerts;
    cases += batch.length;
    batches++;
    batch = [];
    batchAlerts = 0;
    onProgress?.({ alerts, cases, total: options.alerts });
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const finish = (cancelled: boolean): DemoResult => {
    if (batches > 0) store.db.pragma('optimize');
    return cancelled ? { alerts, cases, cancelled: { batches } } : { alerts, cases };
  };
  for (const c of generateDemoCases(options)) {
    batch.push(c);
    batchAlerts += c.alerts.length;
    if (batchAlerts >= BATCH_ALERTS) {
      if (signal?.aborted) return finish(true);
      await flush();
    }
  }
  if (batch.length > 0) {
    if (signal?.aborted) return finish(true);
    await flush();
  }
  return finish(false);
}

/** The share of a demo load's progress bar for loading; queue indexing takes the rest. */
const DEMO_LOAD_SHARE = 0.9;

export interface DemoLoadOutcome extends DemoResult {
  /** 'loading' or 'indexing' when cancelled (NFR-2); the queues are then left pending */
  cancelledWhile?: 'loading' | 'indexing';
}

/**
 * The whole demo load, the one every entry point runs (the app's demo worker, the CLI): the
 * demo batches through the write path, then, since demo cases bypass refreshQueueMembership,
 * every queue index rebuilt, in the rest of the progress bar (it never goes back). Cancelled,
 * it stops between two transactions and leaves the queue indexes pending.
 */
export async function loadDemoAndIndexQueues(
  store: Store,
  options: DemoOptions,
  onProgress?: (fraction: number, message: string) => void,
  signal?: CancelCheck,
): Promise<DemoLoadOutcome> {
  const loaded = await loadDemoData(
    store,
    options,
    (p) =>
      onProgress?.(
        (p.alerts / Math.max(1, p.total)) * DEMO_LOAD_SHARE,
        `${p.alerts.toLocaleString('en')} alerts, ${p.cases.toLocaleString('en')} cases`,
      ),
    signal,
  );
  if (loaded.cancelled?.batches === 0) return { ...loaded, cancelledWhile: 'loading' };
  const pending = markAllQueuesPending(store);
  if (loaded.cancelled) return { ...loaded, cancelledWhile: 'loading' };
  for (const [i, queueId] of pending.entries()) {
    const outcome = await reindexQueue(
      store,
      queueId,
      (p) =>
        onProgress?.(
          DEMO_LOAD_SHARE + ((1 - DEMO_LOAD_SHARE) * (i + p.fraction)) / pending.length,
          `Indexing queues: ${p.message}`,
        ),
      undefined,
      signal,
    );
    if (outcome.status === 'cancelled') return { ...loaded, cancelledWhile: 'indexing' };
  }
  return loaded;
}

/** Demo end time: the start of today (UTC), so a seed gives the same data all day. */
export function defaultDemoEnd(now = Date.now()): number {
  return now - (now % 86_400_000);
}
