import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceImportWorker, sourceMigrationsFolder } from '../../main/store/paths';
import {
  fileSource,
  importAlertFilesInParallel,
  importAlertSources,
  openableSource,
  parseWorkerBeside,
  textSource,
  type AlertSource,
  type ImportSummary,
} from '../../main/features/alerts/import-files';
import {
  MAX_RECORD_BYTES,
  MAX_RECORD_DEPTH,
  parseNdjsonLine,
} from '../../shared/domain/ingest/parse';
import { SeededRandom } from '../../shared/domain/random';
import { ALERT_FIXTURES } from '../fixtures/alerts';

/**
 * The import service (main/features/alerts/import-files.ts) on hostile and awkward input: whatever a file
 * holds, each bad record is one located error and every good one is imported, on each of the
 * three paths a file takes (the CLI's parse thread, the in-thread reader, the UI job's uploads).
 */

const migrationsFolder = sourceMigrationsFolder();
const parseWorker = parseWorkerBeside(sourceImportWorker());

let dir: string;
const workspaces: Workspace[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-import-files-'));
});

afterEach(() => {
  for (const ws of workspaces.splice(0)) if (ws.store.db.open) ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function newWorkspace(name = 's.db'): Workspace {
  const ws = openWorkspace(path.join(dir, name), { create: true, migrationsFolder });
  workspaces.push(ws);
  return ws;
}

function storedRefs(ws: Workspace): string[] {
  return (
    ws.store.db.prepare('SELECT source, source_ref AS ref FROM alerts').all() as {
      source: string;
      ref: string;
    }[]
  )
    .map((r) => `${r.source}:${r.ref}`)
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Generated files: valid records of three formats among deep, huge and wide ones

interface Generated {
  lines: string[];
  /** `source:sourceRef` of every valid record */
  valid: string[];
  /** 1-based lines of the records that must fail, with what the message must say */
  bad: { line: number; pattern: RegExp }[];
}

const T0 = Date.UTC(2025, 2, 3, 10, 0);

/** A value nested `depth` levels deep, as text: arrays, objects, or both in turn. */
function nested(depth: number, shape: 'array' | 'object' | 'mixed'): string {
  let open = '';
  let close = '';
  for (let level = 0; level < depth; level++) {
    const object = shape === 'object' || (shape === 'mixed' && level % 2 === 1);
    open += object ? '{"k":' : '[';
    close = (object ? '}' : ']') + close;
  }
  return `${open}"x"${close}`;
}

/** One valid record of a random format, with `extra` (JSON text) in a field that format keeps. */
function validRecord(random: SeededRandom, index: number, extra: string): string {
  const at = new Date(T0 + index * 1000).toISOString();
  const host = `fuzz-host-${random.int(1, 40)}`;
  const kind = random.pick(['watchfloor', 'suricata', 'ecs'] as const);
  let base: Record<string, unknown>;
  if (kind === 'watchfloor') {
    base = {
      source: 'fuzz',
      sourceRef: `wf-${index}`,
      title: `Fuzz alert ${index}`,
      timestamp: at,
      severity: random.pick(['low', 'medium', 'high']),
      entities: { hosts: [host] },
      extra: '__EXTRA__', // an unknown field: kept only inside the raw record
    };
  } else if (kind === 'suricata') {
    base = {
      timestamp: at,
      flow_id: 9_000_000 + index,
      event_type: 'alert',
      src_ip: `10.9.${random.int(0, 9)}.${random.int(1, 254)}`,
      dest_ip: '198.51.100.1',
      alert: { signature: 'FUZZ signature', signature_id: 1, severity: 2, metadata: '__EXTRA__' },
    };
  } else {
    base = {
      '@timestamp': at,
      'kibana.alert.uuid': `ecs-${index}`,
      'kibana.alert.rule.name': 'Fuzz rule',
      'kibana.alert.risk_score': random.int(0, 100),
      host: { name: host, extra: '__EXTRA__' },
    };
  }
  return JSON.stringify(base).replace('"__EXTRA__"', extra);
}

/** `count` records; about one in six is bad: too deep, or larger than the record limit. */
function generate(seed: number, count: number, hugeRecords: number): Generated {
  const random = new SeededRandom(seed);
  const out: Generated = { lines: [], valid: [], bad: [] };
  const hugeAt = new Set<number>();
  while (hugeAt.size < hugeRecords) hugeAt.add(random.int(0, count - 1));
  for (let index = 0; index < count; index++) {
    const line = index + 1;
    const roll = random.next();
    const shape = random.pick(['array', 'object', 'mixed'] as const);
    if (hugeAt.has(index)) {
      // Over the size limit: one long string, valid JSON otherwise.
      const padding = JSON.stringify('h'.repeat(MAX_RECORD_BYTES + random.int(1, 4096)));
      out.lines.push(validRecord(random, index, padding));
      out.bad.push({ line, pattern: /larger than the 10\.0 MB limit; it was not read$/ });
    } else if (roll < 0.15) {
      // Too deep: from just over the limit to far beyond where recursion overflows.
      const depth = random.pick([MAX_RECORD_DEPTH + 1, random.int(101, 5000), 20_000, 60_000]);
      out.lines.push(validRecord(random, index, nested(depth, shape)));
      out.bad.push({
        line,
        pattern: new RegExp(
          `^record is nested more than ${MAX_RECORD_DEPTH} levels deep \\(at line ${line} column \\d+\\); it was not read$`,
        ),
      });
    } else {
      // Valid: plain, nested up to the limit, or wide (thousands of keys or array elements).
      let extra = '"plain"';
      if (roll < 0.25) extra = nested(random.int(1, MAX_RECORD_DEPTH - 4), shape);
      else if (roll < 0.3) {
        const keys = random.int(1_000, 20_000);
        extra = JSON.stringify(
          Object.fromEntries(Array.from({ length: keys }, (_, k) => [`k${k}`, k])),
        );
      } else if (roll < 0.35)
        extra = JSON.stringify(Array.from({ length: random.int(1_000, 50_000) }, (_, k) => k));
      const text = validRecord(random, index, extra);
      out.lines.push(text);
      const parsed = parseNdjsonLine(text, line, 'check');
      if (parsed.kind !== 'alert') throw new Error(`generated line ${line} is not an alert`);
      out.valid.push(`${parsed.alert.source}:${parsed.alert.sourceRef}`);
    }
  }
  return out;
}

function expectOutcome(summary: ImportSummary, ws: Workspace, data: Generated, file: string): void {
  expect(summary.errors.map((e) => e.line)).toEqual(data.bad.map((b) => b.line));
  for (const [i, error] of summary.errors.entries()) {
    expect(error.file).toBe(file);
    expect(error.message).toMatch(data.bad[i]!.pattern);
  }
  expect(summary.failed).toBe(data.bad.length);
  expect(summary.imported).toBe(data.valid.length);
  expect(summary.read).toBe(data.lines.length);
  expect(storedRefs(ws)).toEqual([...data.valid].sort());
}

describe('deep, huge and wide records among valid ones (property test, seeded)', () => {
  const SEEDS = [11, 2024];

  for (const seed of SEEDS) {
    it(`seed ${seed}: the CLI path (parse thread) reports each bad record at its line and imports every valid one`, async () => {
      const data = generate(seed, 240, 1);
      const file = path.join(dir, 'fuzz.ndjson');
      fs.writeFileSync(file, data.lines.join('\n') + '\n');
      const ws = newWorkspace();
      const summary = await importAlertFilesInParallel(ws.store, [file], {
        format: 'auto',
        actor: 'test',
        parseWorker,
      });
      expectOutcome(summary, ws, data, 'fuzz.ndjson');
    });

    it(`seed ${seed}: the in-thread path does the same, for NDJSON and for a JSON array`, () => {
      const data = generate(seed + 1, 240, 1);
      const file = path.join(dir, 'fuzz.ndjson');
      fs.writeFileSync(file, data.lines.join('\n'));
      const ws = newWorkspace('ndjson.db');
      expectOutcome(
        importAlertSources(ws.store, [fileSource(file)], { format: 'auto', actor: 'test' }),
        ws,
        data,
        'fuzz.ndjson',
      );
      // The same records as an array, one element per line after the `[` line.
      const arrayFile = path.join(dir, 'fuzz.json');
      fs.writeFileSync(arrayFile, `[\n${data.lines.join(',\n')}\n]\n`);
      const shifted: Generated = {
        ...data,
        bad: data.bad.map((b) => ({
          line: b.line + 1,
          pattern: new RegExp(
            b.pattern.source.replace(`at line ${b.line} `, `at line ${b.line + 1} `),
          ),
        })),
      };
      const arrayWs = newWorkspace('array.db');
      expectOutcome(
        importAlertSources(arrayWs.store, [fileSource(arrayFile)], {
          format: 'auto',
          actor: 'test',
        }),
        arrayWs,
        shifted,
        'fuzz.json',
      );
    });

    it(`seed ${seed}: the UI job path (importAlertSources of uploaded text) does the same`, () => {
      const data = generate(seed + 2, 200, 0);
      const ws = newWorkspace();
      const summary = importAlertSources(
        ws.store,
        [textSource('upload.ndjson', data.lines.join('\r\n'))],
        { format: 'auto', actor: 'test' },
      );
      expectOutcome(summary, ws, data, 'upload.ndjson');
    });
  }

  it('reads a record nested exactly to the limit, and refuses one level more', () => {
    const ws = newWorkspace();
    const ok = validRecord(new SeededRandom(1), 1, nested(MAX_RECORD_DEPTH - 2, 'array'));
    const tooDeep = JSON.stringify({
      source: 'fuzz',
      sourceRef: 'deep',
      title: 'deep',
      timestamp: '2025-01-01T00:00:00Z',
      severity: 'low',
      raw: '__X__',
    }).replace('"__X__"', nested(MAX_RECORD_DEPTH, 'object'));
    const summary = importAlertSources(ws.store, [textSource('edge.ndjson', `${ok}\n${tooDeep}`)], {
      format: 'auto',
      actor: 'test',
    });
    expect(summary.imported).toBe(1);
    expect(summary.errors).toEqual([
      {
        file: 'edge.ndjson',
        line: 2,
        message: `record is nested more than ${MAX_RECORD_DEPTH} levels deep (at line 2 column ${tooDeep.indexOf('{"k"', 1) + 5 * (MAX_RECORD_DEPTH - 1) + 1}); it was not read`,
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Paths that are not readable files

describe('paths that are not alert files', () => {
  const a = path.join(ALERT_FIXTURES, 'watchfloor.json');
  const b = path.join(ALERT_FIXTURES, 'suricata-eve.ndjson');

  function pathErrors(summary: ImportSummary) {
    return summary.errors.filter((e) => e.line === 0);
  }

  it('reports a directory, a missing file and an unreadable file each on its own, and imports the others (parse thread)', async () => {
    const folder = path.join(dir, 'somedir');
    fs.mkdirSync(folder);
    const missing = path.join(dir, 'missing.ndjson');
    const locked = path.join(dir, 'locked.ndjson');
    fs.copyFileSync(b, locked);
    fs.chmodSync(locked, 0o000);
    const canLock = process.getuid?.() !== 0; // root reads any file
    const notADir = path.join(a, 'inside.json'); // a file used as a folder: ENOTDIR, even for root
    const ws = newWorkspace();
    const paths = [a, folder, missing, locked, notADir, b];
    const summary = await importAlertFilesInParallel(ws.store, paths, {
      format: 'auto',
      actor: 'test',
      parseWorker,
    });
    const alone = newWorkspace('alone.db');
    const expected = importAlertSources(alone.store, [fileSource(a), fileSource(b)], {
      format: 'auto',
      actor: 'test',
    });
    expect(summary.imported).toBe(expected.imported);
    expect(pathErrors(summary)).toEqual([
      {
        file: 'somedir',
        line: 0,
        message:
          'is a directory, not an alert file: directories are not read (name the files in it, e.g. dir/*.json)',
      },
      { file: 'missing.ndjson', line: 0, message: 'cannot read file: ENOENT (no such file)' },
      ...(canLock
        ? [
            {
              file: 'locked.ndjson',
              line: 0,
              message: 'cannot read file: EACCES (permission denied)',
            },
          ]
        : []),
      {
        file: 'inside.json',
        line: 0,
        message: 'cannot read file: ENOTDIR (a part of the path is not a directory)',
      },
    ]);
    if (!canLock)
      console.warn('import-files: running as root, the unreadable-file case is not checked');
    expect(summary.failed).toBe(expected.failed + pathErrors(summary).length);
  });

  it('the in-thread path reports a source that fails while being read and goes on with the next', () => {
    const failing: AlertSource = {
      name: 'vanishing.ndjson',
      size: 10,
      chunks: function* () {
        yield '';
        throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      },
    };
    const ws = newWorkspace();
    const summary = importAlertSources(ws.store, [failing, fileSource(a)], {
      format: 'auto',
      actor: 'test',
    });
    expect(summary.errors).toContainEqual({
      file: 'vanishing.ndjson',
      line: 0,
      message: 'cannot read file: EIO (input/output error)',
    });
    expect(summary.imported).toBeGreaterThan(0);
  });

  it('openableSource says why a path cannot be read', () => {
    expect(openableSource(dir)).toMatchObject({ line: 0, message: /^is a directory/ });
    expect(openableSource(path.join(dir, 'nope'))).toMatchObject({
      file: 'nope',
      message: 'cannot read file: ENOENT (no such file)',
    });
    expect('chunks' in openableSource(a)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Correlation keys and tenants in the store

describe('entities that never correlate, in the store', () => {
  const fixture = path.join(ALERT_FIXTURES, 'suricata7-alerts.ndjson');

  function caseOf(ws: Workspace, srcIp: string, signatureId: number): string | null {
    const rows = ws.store.db
      .prepare(
        `SELECT case_id AS caseId FROM alerts
         WHERE raw ->> '$.src_ip' = ? AND raw ->> '$.alert.signature_id' = ?`,
      )
      .all(srcIp, signatureId) as { caseId: string | null }[];
    if (rows.length !== 1) throw new Error(`expected one alert from ${srcIp}, got ${rows.length}`);
    return rows[0]!.caseId;
  }

  it('gives alerts that share only multicast, broadcast or loopback addresses cases of their own', () => {
    const ws = newWorkspace();
    const summary = importAlertSources(ws.store, [fileSource(fixture)], {
      format: 'auto',
      actor: 'test',
    });
    expect(summary.failed).toBe(0);
    expect(summary.skipped).toBe(1);
    // 192.168.20.7 and .8 both sent mDNS to 224.0.0.251; two DHCP clients 0.0.0.0 -> broadcast.
    expect(caseOf(ws, '192.168.20.7', 2200075)).not.toBe(caseOf(ws, '192.168.20.8', 2200075));
    const dhcp = ws.store.db
      .prepare(`SELECT DISTINCT case_id FROM alerts WHERE raw ->> '$.app_proto' = 'dhcp'`)
      .all();
    expect(dhcp).toHaveLength(2);
    // ...but they stay on the alert.
    const entities = ws.store.db
      .prepare(`SELECT entities FROM alerts WHERE raw ->> '$.dest_ip' = '224.0.0.251' LIMIT 1`)
      .pluck()
      .get() as string;
    expect(JSON.parse(entities)).toContainEqual({ kind: 'ip', value: '224.0.0.251' });
  });

  it('never looks a case up through them across imports (the SQL candidate lookup)', () => {
    const ws = newWorkspace();
    const [first, second] = fs
      .readFileSync(fixture, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"dest_ip":"224.0.0.251"'));
    importAlertSources(ws.store, [textSource('a.ndjson', first!)], { format: 'auto', actor: 't' });
    const again = importAlertSources(ws.store, [textSource('b.ndjson', second!)], {
      format: 'auto',
      actor: 't',
    });
    expect(again).toMatchObject({ imported: 1, casesCreated: 1, casesUpdated: 0 });
  });
});

describe('tenant names', () => {
  const record = (ref: string, tenant: string) =>
    JSON.stringify({
      source: 'tenants',
      sourceRef: ref,
      title: `Alert ${ref}`,
      timestamp: '2025-01-01T00:00:00Z',
      severity: 'low',
      tenant,
      entities: { hosts: [`host-${ref}`] },
    });

  it('compare case-insensitively: "acme corp" goes to the existing "Acme Corp"', () => {
    const ws = newWorkspace();
    importAlertSources(ws.store, [textSource('1.ndjson', record('1', 'Acme Corp'))], {
      format: 'auto',
      actor: 'test',
    });
    const summary = importAlertSources(
      ws.store,
      [textSource('2.ndjson', [record('2', 'acme corp'), record('3', 'ACME CORP')].join('\n'))],
      { format: 'auto', actor: 'test' },
    );
    expect(summary.imported).toBe(2);
    const tenants = ws.store.db
      .prepare(
        `SELECT t.name, count(*) AS alerts FROM alerts a JOIN tenants t ON t.id = a.tenant_id GROUP BY t.name`,
      )
      .all();
    expect(tenants).toEqual([{ name: 'Acme Corp', alerts: 3 }]);
  });

  it('refuse admin in any case at the record`s line, and import the rest', () => {
    const ws = newWorkspace();
    const text = [record('1', 'Acme'), record('2', 'ADMIN'), record('3', 'admin')].join('\n');
    const summary = importAlertSources(ws.store, [textSource('t.ndjson', text)], {
      format: 'auto',
      actor: 'test',
    });
    expect(summary.imported).toBe(1);
    expect(summary.errors.map((e) => [e.line, e.message])).toEqual([
      [2, `tenant: "ADMIN" is the reserved 'admin' organisation, which holds no alerts (ADM-1)`],
      [3, `tenant: "admin" is the reserved 'admin' organisation, which holds no alerts (ADM-1)`],
    ]);
    const names = ws.store.db.prepare('SELECT name FROM tenants ORDER BY name').pluck().all();
    expect(names).toEqual(['Acme', 'admin', 'default']);
  });
});

describe('a UTF-8 byte order mark in the UI job and the CLI paths', () => {
  const body = fs.readFileSync(path.join(ALERT_FIXTURES, 'suricata-eve.ndjson'), 'utf8');

  it('does not fail line 1', async () => {
    const ws = newWorkspace();
    const upload = importAlertSources(ws.store, [textSource('bom.ndjson', `\ufeff${body}`)], {
      format: 'auto',
      actor: 'test',
    });
    expect(upload.errors).toEqual([]);
    const file = path.join(dir, 'bom.ndjson');
    fs.writeFileSync(file, `\ufeff${body}`);
    const other = newWorkspace('cli.db');
    const cli = await importAlertFilesInParallel(other.store, [file], {
      format: 'auto',
      actor: 'test',
      parseWorker,
    });
    expect(cli.errors).toEqual([]);
    expect(cli.imported).toBe(upload.imported);
    expect(cli.imported).toBeGreaterThan(0);
  });
});
