import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { generateDemoCases, type DemoCase } from '../../shared/domain/demo';
import { DEMO_ACTOR, loadDemoData, prepareDemoContext } from '../../main/features/demo/demo';
import { demoCaseRows, prepareDemoStatements, type DemoCaseRows } from './demo-rows';
import { openWorkspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';

/**
 * Demo load throughput: loadDemoData end to end (generation, row building, JSON, inserts,
 * activity + outbox) against the floor of the same rows through bare prepared statements.
 */

export interface DemoInsertResult {
  alerts: number;
  cases: number;
  demoSeconds: number;
  demoRate: number;
  /** CPU seconds (user + system) of the process: robust when other work shares the cores */
  demoCpuSeconds: number;
  bareSeconds: number;
  bareRate: number;
  bareCpuSeconds: number;
  ratio: number;
  cpuRatio: number;
  storeBytes: number;
}

const CHUNK_ALERTS = 5000;

// An activity and an outbox row per entity, as the mutation API writes them (without its JSON).
const ACTIVITY_SQL =
  'INSERT INTO activity (tenant_id, entity_type, entity_id, action, actor, at, before, after, mutation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
const OUTBOX_SQL =
  "INSERT INTO outbox (mutation_id, tenant_id, entity_type, entity_id, op, base_rev, payload, action, actor, created_at) VALUES (?, ?, ?, ?, 'insert', 0, ?, 'create', ?, ?)";

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function storeSize(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) total += fs.statSync(f).size;
  return total;
}

export async function benchDemoInsert(
  alerts: number,
  log: (line: string) => void,
): Promise<DemoInsertResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-bench-demo-'));
  const migrationsFolder = sourceMigrationsFolder();
  const seed = 7;
  const endAt = Date.UTC(2026, 0, 1);
  try {
    // (1) the demo path, as the app and the CLI run it
    const demo = openWorkspace(path.join(dir, 'demo.db'), { create: true, migrationsFolder });
    let nextReport = 100_000;
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const result = await loadDemoData(demo.store, { alerts, seed, endAt }, (p) => {
      if (p.alerts >= nextReport) {
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        log(
          `  demo: ${p.alerts.toLocaleString('en')} alerts, ${(p.alerts / s).toFixed(0)} alerts/s`,
        );
        nextReport += 100_000;
      }
    });
    const demoSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const demoCpuSeconds = cpuSeconds(cpu0);
    const storeBytes = storeSize(demo.store.file);
    demo.close();

    // (2) the floor: the same rows, built outside the clock, through bare prepared statements
    const bare = openWorkspace(path.join(dir, 'bare.db'), { create: true, migrationsFolder });
    const db: Database.Database = bare.store.db;
    const ctx = prepareDemoContext(bare.store, seed);
    const s = prepareDemoStatements(db);
    const activity = db.prepare(ACTIVITY_SQL);
    const outbox = db.prepare(OUTBOX_SQL);
    const now = Date.now();
    const insertChunk = db.transaction((rows: DemoCaseRows[]) => {
      for (const r of rows) {
        s.case.run(r.caseRow);
        for (const e of r.caseEntities) s.entity.run(e);
        activity.run(
          r.tenantId,
          'case',
          r.caseId,
          'create',
          DEMO_ACTOR,
          now,
          null,
          r.caseJson,
          r.caseId,
        );
        outbox.run(r.caseId, r.tenantId, 'case', r.caseId, r.caseJson, DEMO_ACTOR, now);
        for (const a of r.alerts) {
          s.alert.run(a.row);
          s.link.run(a.link);
          activity.run(r.tenantId, 'alert', a.id, 'create', DEMO_ACTOR, now, null, a.json, a.id);
          outbox.run(a.id, r.tenantId, 'alert', a.id, a.json, DEMO_ACTOR, now);
        }
      }
    });
    let timed = 0n;
    let bareCpuSeconds = 0;
    let bareAlerts = 0;
    let chunk: DemoCase[] = [];
    let chunkAlerts = 0;
    nextReport = 100_000;
    const flush = () => {
      const rows = chunk.map((c) => demoCaseRows(c, ctx)); // outside the timed region
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      insertChunk(rows);
      timed += process.hrtime.bigint() - start;
      bareCpuSeconds += cpuSeconds(cpu);
      bareAlerts += chunkAlerts;
      chunk = [];
      chunkAlerts = 0;
      if (bareAlerts >= nextReport) {
        const sec = Number(timed) / 1e9;
        log(
          `  bare: ${bareAlerts.toLocaleString('en')} alerts, ${(bareAlerts / sec).toFixed(0)} alerts/s (insert time only)`,
        );
        nextReport += 100_000;
      }
    };
    for (const c of generateDemoCases({ alerts, seed, endAt })) {
      chunk.push(c);
      chunkAlerts += c.alerts.length;
      if (chunkAlerts >= CHUNK_ALERTS) flush();
    }
    if (chunk.length > 0) flush();
    bare.close();

    const bareSeconds = Number(timed) / 1e9;
    const demoRate = result.alerts / demoSeconds;
    const bareRate = bareAlerts / bareSeconds;
    return {
      alerts: result.alerts,
      cases: result.cases,
      demoSeconds,
      demoRate,
      demoCpuSeconds,
      bareSeconds,
      bareRate,
      bareCpuSeconds,
      ratio: demoRate / bareRate,
      cpuRatio: result.alerts / demoCpuSeconds / (bareAlerts / bareCpuSeconds),
      storeBytes,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
