import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openWorkspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import { startStoreMaintenance } from '../../main/store/maintenance';
import {
  fileSource,
  IMPORT_BATCH,
  importAlertFilesInParallel,
  parseWorkerBeside,
} from '../../main/features/alerts/import-files';
import { sourceImportWorker } from '../../main/store/paths';
import { ingestAlerts } from '../../main/features/correlation/ingest';
import { getCorrelationSettings } from '../../main/features/correlation/correlation-settings';
import { loadDemoData } from '../../main/features/demo/demo';
import { demoAlertRecord, generateDemoCases } from '../../shared/domain/demo';
import { readAlertStream } from '../../shared/domain/ingest/stream';
import type { NormalizedAlert } from '../../shared/domain/alert-format';
import { percentiles, type Percentiles } from './case-page';

/**
 * Issue 3 figures: import + correlation of Watchfloor v1 alerts (demo generator output) into a
 * fresh store, against a bare insert of the same alert and entity rows; and one alert arriving
 * into a store that already holds many cases.
 */

export interface ImportBenchResult {
  alerts: number;
  importSeconds: number;
  importRate: number;
  bareSeconds: number;
  bareRate: number;
  /** reading and parsing alone, on one thread: the most the parse thread can feed the writer */
  parseSeconds: number;
  parseRate: number;
  casesCreated: number;
  peakRssMiB: number;
  rssBeforeMiB: number;
}

const END_AT = Date.UTC(2026, 10, 1);

function writeNdjson(file: string, alerts: number): void {
  const fd = fs.openSync(file, 'w');
  for (const c of generateDemoCases({ alerts, seed: 11, endAt: END_AT })) {
    const lines = c.alerts.map((a) => JSON.stringify(demoAlertRecord(a)));
    fs.writeSync(fd, lines.join('\n') + '\n');
  }
  fs.closeSync(fd);
}

export async function benchImport(
  alerts: number,
  log: (line: string) => void,
): Promise<ImportBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-bench-import-'));
  const migrationsFolder = sourceMigrationsFolder();
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  try {
    const file = path.join(dir, 'alerts.ndjson');
    writeNdjson(file, alerts);
    log(
      `wrote ${alerts.toLocaleString('en')} Watchfloor v1 alerts (${(fs.statSync(file).size / 1e6).toFixed(0)} MB NDJSON)`,
    );

    const ws = openWorkspace(path.join(dir, 'import.db'), { create: true, migrationsFolder });
    let t = process.hrtime.bigint();
    peak = process.memoryUsage().rss;
    const rssBefore = peak;
    let lastTenth = -1;
    const summary = await importAlertFilesInParallel(ws.store, [file], {
      format: 'auto',
      actor: 'bench',
      parseWorker: parseWorkerBeside(sourceImportWorker()),
      onProgress: (f) => {
        const tenth = Math.floor(f * 10);
        if (tenth !== lastTenth) log(`import ${tenth * 10}%`);
        lastTenth = tenth;
      },
    });
    const importSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const importPeak = Math.max(peak, process.memoryUsage().rss);
    log(
      `peak RSS during import ${(importPeak / 2 ** 20).toFixed(0)} MiB (before: ${(rssBefore / 2 ** 20).toFixed(0)} MiB)`,
    );
    ws.close();
    log(
      `import done: ${summary.imported} alerts, ${summary.casesCreated} cases in ${importSeconds.toFixed(1)} s`,
    );

    // Bare: the same alert rows with a prepared statement in transactions of the same size, no
    // correlation; the file is read and parsed batch by batch outside the timed part.
    const bare = openWorkspace(path.join(dir, 'bare.db'), { create: true, migrationsFolder });
    const tenant = (
      bare.store.db.prepare("SELECT id FROM tenants WHERE name = 'default'").get() as { id: string }
    ).id;
    const insertAlert = bare.store.db.prepare(
      `INSERT INTO alerts (id, tenant_id, source, source_ref, type, title, description, timestamp, score, tactic, technique, tags, tlp, raw, entities, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'New', ?, ?)`,
    );
    let timed = 0n;
    let bareRows = 0;
    for (const batch of readAlertStream(fileSource(file).chunks(), {
      fileName: 'alerts.ndjson',
      format: 'auto',
      batchSize: IMPORT_BATCH,
    })) {
      const rows = batch.alerts.map((a: NormalizedAlert) => ({
        a,
        id: `00000000-0000-7000-8000-${String(bareRows++).padStart(12, '0')}`,
        raw: JSON.stringify(a.raw),
        tags: JSON.stringify(a.tags),
        entities: JSON.stringify(a.entities),
      }));
      t = process.hrtime.bigint();
      bare.store.db.transaction(() => {
        for (const { a, id, raw, tags, entities } of rows) {
          insertAlert.run(
            id,
            tenant,
            a.source,
            a.sourceRef,
            a.type,
            a.title,
            a.description,
            a.timestamp,
            a.score,
            a.tactic,
            a.technique,
            tags,
            a.tlp,
            raw,
            entities,
            0,
            0,
          );
        }
      })();
      timed += process.hrtime.bigint() - t;
    }
    const bareSeconds = Number(timed) / 1e9;
    bare.close();

    // The ceiling of the parse thread: the same reading, parsing and validation, nothing else
    // (after the import, so its garbage does not count in the import's memory figure).
    t = process.hrtime.bigint();
    let parsed = 0;
    for (const batch of readAlertStream(fileSource(file).chunks(), {
      fileName: 'alerts.ndjson',
      format: 'auto',
      batchSize: IMPORT_BATCH,
    }))
      parsed += batch.alerts.length;
    const parseSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    log(`parsed alone in ${parseSeconds.toFixed(1)} s`);
    return {
      alerts: summary.imported,
      importSeconds,
      importRate: summary.imported / importSeconds,
      bareSeconds,
      bareRate: bareRows / bareSeconds,
      parseSeconds,
      parseRate: parsed / parseSeconds,
      casesCreated: summary.casesCreated,
      peakRssMiB: importPeak / 2 ** 20,
      rssBeforeMiB: rssBefore / 2 ** 20,
    };
  } finally {
    clearInterval(sample);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface SingleAlertResult {
  cases: number;
  latency: Percentiles;
  joined: number;
}

/** One alert at a time into a store of many cases, each sharing a host with a recent open case. */
/**
 * `keep`: a store file to reuse when it exists (the 2,750,000 demo alerts behind 1,000,000 cases
 * take ~13 minutes to load) or to build and keep when it does not. Each run adds its 300 alerts
 * to it.
 */
export async function benchSingleAlert(
  demoAlerts: number,
  log: (line: string) => void,
  keep?: string,
): Promise<SingleAlertResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-bench-single-'));
  try {
    const file = keep ?? path.join(dir, 'single.db');
    const reuse = keep !== undefined && fs.existsSync(keep);
    const ws = openWorkspace(file, {
      create: !reuse,
      migrationsFolder: sourceMigrationsFolder(),
    });
    if (reuse) log(`reusing the store ${file}`);
    else await loadDemoData(ws.store, { alerts: demoAlerts, seed: 5, endAt: END_AT });
    const cases = (ws.store.db.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
    log(`store with ${cases.toLocaleString('en')} cases ready`);
    const open = ws.store.db
      .prepare(
        `SELECT c.last_alert_at AS at, t.name AS tenant, (SELECT value FROM case_entities e WHERE e.case_id = c.id AND e.kind = 'host' LIMIT 1) AS host
         FROM cases c INDEXED BY cases_updated_idx JOIN tenants t ON t.id = c.tenant_id
       WHERE c.status IN ('New', 'In Progress', 'Escalated') ORDER BY c.updated_at DESC LIMIT 400`,
      )
      .all() as { at: number; tenant: string; host: string | null }[];
    const settings = getCorrelationSettings(ws.store);
    // As in the app: checkpoints and search merges run on a timer, not in the commit path.
    const stopMaintenance = startStoreMaintenance(ws.store);
    const times: number[] = [];
    let joined = 0;
    let n = 0;
    // unique per run: a kept store (BENCH_SINGLE_STORE) holds the alerts of earlier runs
    const runId = Date.now().toString(36);
    for (const c of open) {
      if (!c.host) continue;
      const alert: NormalizedAlert = {
        source: 'bench-edr',
        sourceRef: `single-${runId}-${n++}`,
        type: 'EDR',
        title: 'Suspicious service installed',
        description: '',
        timestamp: c.at + 60_000,
        score: 55,
        tactic: 'TA0003',
        technique: 'T1543.003',
        tacticName: null,
        techniqueName: null,
        tenant: c.tenant,
        entities: [{ kind: 'host', value: c.host }],
        tags: [],
        tlp: 'AMBER',
        raw: null,
      };
      const t = process.hrtime.bigint();
      const r = ingestAlerts(ws.store, [alert], { actor: 'bench', settings });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.casesUpdated === 1) joined++;
      if (times.length >= 300) break;
    }
    stopMaintenance();
    ws.close();
    return { cases, latency: percentiles(times), joined };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
