import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALERT_FIXTURES as FIXTURES, ONE_FILE_PER_FORMAT } from '../fixtures/alerts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

let dir: string;
let db: string;

function cli(...args: string[]) {
  const r = spawnSync(NODE, ['bin/watchfloor.mjs', '--db', db, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ImportLine {
  read: number;
  imported: number;
  duplicates: number;
  suppressed: number;
  failed: number;
  skipped: number;
  casesCreated: number;
  casesUpdated: number;
  errors: { file: string; line: number; message: string }[];
}

function casesCount(): number {
  const r = cli('cases', '--json', '--limit', '100000');
  return (JSON.parse(r.stdout) as unknown[]).length;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchfloor-import-'));
  db = path.join(dir, 'store.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('watchfloor import', () => {
  it('imports every format, correlates into cases, and re-import adds nothing', () => {
    const files = ONE_FILE_PER_FORMAT;
    const first = cli('import', ...files);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as ImportLine;
    expect(a.failed).toBe(0);
    expect(a.imported).toBeGreaterThan(5);
    expect(a.casesCreated).toBeGreaterThan(0);
    expect(a.casesCreated).toBeLessThanOrEqual(a.imported);
    const cases = casesCount();
    expect(cases).toBe(a.casesCreated);

    const again = cli('import', ...files);
    expect(again.code).toBe(0);
    const b = JSON.parse(again.stdout) as ImportLine;
    expect(b.imported).toBe(0);
    expect(b.duplicates).toBe(a.imported + a.duplicates);
    expect(casesCount()).toBe(cases);

    const withAlerts = JSON.parse(cli('cases', '--json', '--with-alerts').stdout) as {
      alertCount: number;
      alertRefs: string[];
    }[];
    expect(withAlerts.reduce((n, c) => n + c.alertRefs.length, 0)).toBe(a.imported);
    for (const c of withAlerts) expect(c.alertRefs).toHaveLength(c.alertCount);
    const imported = JSON.parse(
      cli('alerts', '--json', '--status', 'Imported').stdout,
    ) as unknown[];
    expect(imported).toHaveLength(a.imported);
  });

  it('reports unreadable records with file and line, imports the rest, exits 1', () => {
    const r = cli('import', path.join(FIXTURES, 'malformed.ndjson'));
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout) as ImportLine;
    expect(line.failed).toBeGreaterThan(0);
    expect(line.imported).toBeGreaterThan(0);
    expect(line.errors.length).toBe(line.failed);
    for (const e of line.errors) {
      expect(e.file).toBe('malformed.ndjson');
      expect(e.line).toBeGreaterThan(0);
      expect(e.message.length).toBeGreaterThan(5);
    }
    expect(line.errors.map((e) => e.message).join('\n')).toMatch(
      /timestamp: "yesterday" is not an ISO 8601 date/,
    );
  });

  it('a file that is not an alert file changes nothing', () => {
    cli('import', path.join(FIXTURES, 'watchfloor.json'));
    const before = casesCount();
    const r = cli('import', path.join(FIXTURES, 'not-alerts.json'));
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout) as ImportLine;
    expect(line.imported).toBe(0);
    expect(line.errors[0]?.message).toMatch(/not in a known alert format|not an alert/i);
    expect(casesCount()).toBe(before);
  });

  it('an unknown format option exits 2 without creating the store', () => {
    const r = cli('import', '--format', 'splunk', path.join(FIXTURES, 'watchfloor.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format must be auto or one of/);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('autoCreateCases off leaves alerts New and unlinked', () => {
    expect(cli('settings', 'set', 'correlation.autoCreateCases', 'false').code).toBe(0);
    expect(cli('settings', 'get', 'correlation.autoCreateCases').stdout.trim()).toBe('false');
    const r = JSON.parse(
      cli('import', path.join(FIXTURES, 'watchfloor.json')).stdout,
    ) as ImportLine;
    expect(r.imported).toBeGreaterThan(0);
    expect(r.casesCreated).toBe(0);
    expect(JSON.parse(cli('alerts', '--json', '--status', 'New').stdout)).toHaveLength(r.imported);
  });
});

describe('watchfloor import on awkward paths and records (issue 11)', () => {
  it('reports a directory and a deep record each on its own, imports the rest, prints the summary with skipped', () => {
    const first = path.join(dir, 'a.ndjson');
    const deep = JSON.stringify({
      source: 'cli',
      sourceRef: 'deep',
      title: 'deep',
      timestamp: '2025-01-01T00:00:00Z',
      severity: 'low',
      extra: '__DEEP__',
    }).replace('"__DEEP__"', '['.repeat(20_000) + ']'.repeat(20_000));
    // A BOM before line 1, then the deep record, then the Suricata events.
    const suricata = fs.readFileSync(path.join(FIXTURES, 'suricata-eve.ndjson'), 'utf8');
    fs.writeFileSync(first, `\ufeff${deep}\n${suricata}`);
    const folder = path.join(dir, 'somedir');
    fs.mkdirSync(folder);
    const second = path.join(FIXTURES, 'watchfloor.json');
    const r = cli('import', first, folder, second);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout) as ImportLine;
    expect(Object.keys(line)).toEqual([
      'read',
      'imported',
      'duplicates',
      'suppressed',
      'failed',
      'skipped',
      'casesCreated',
      'casesUpdated',
      'errors',
    ]);
    expect(line.errors).toEqual([
      {
        file: 'a.ndjson',
        line: 1,
        // The record is an object: its 100th `[` opens level 101.
        message: `record is nested more than 100 levels deep (at line 1 column ${deep.indexOf('[') + 100}); it was not read`,
      },
      {
        file: 'somedir',
        line: 0,
        message:
          'is a directory, not an alert file: directories are not read (name the files in it, e.g. dir/*.json)',
      },
    ]);
    expect(line.failed).toBe(2);
    expect(line.skipped).toBeGreaterThan(0); // the Suricata flow and dns events
    const alone = cli('import', path.join(FIXTURES, 'suricata-eve.ndjson'), second);
    expect((JSON.parse(alone.stdout) as ImportLine).duplicates).toBe(line.imported);
  });
});

describe('watchfloor alerts --json', () => {
  it('prints each alert`s normalized entities, and its raw record with --with-raw', () => {
    cli('import', path.join(FIXTURES, 'suricata7-alerts.ndjson'));
    const rows = JSON.parse(cli('alerts', '--json').stdout) as {
      title: string;
      entities: { kind: string; value: string }[];
      raw?: unknown;
    }[];
    expect(rows).toHaveLength(10);
    const dns = rows.find((a) => a.title === 'ET DNS Query to a known C2 domain');
    expect(dns?.entities).toEqual([
      { kind: 'ip', value: '192.168.20.1' },
      { kind: 'ip', value: '192.168.20.5' },
      { kind: 'domain', value: 'c2.bad-example.net' },
    ]);
    expect(rows.every((a) => a.raw === undefined)).toBe(true);
    const withRaw = JSON.parse(cli('alerts', '--json', '--with-raw', '--limit', '3').stdout) as {
      raw: { event_type: string };
    }[];
    expect(withRaw).toHaveLength(3);
    for (const a of withRaw) expect(a.raw.event_type).toBe('alert');
  });
});

describe('watchfloor settings and case-filters', () => {
  it('validates setting values against COR-2/COR-3 ranges', () => {
    // A read on a missing store is an error (it is not created); a valid write creates it.
    expect(cli('settings', 'get', 'correlation.timeoutMinutes').code).toBe(1);
    expect(fs.existsSync(db)).toBe(false);
    expect(cli('settings', 'set', 'correlation.autoCreateCases', 'true').code).toBe(0);
    expect(cli('settings', 'set', 'correlation.timeoutMinutes', '2000').code).toBe(2);
    expect(cli('settings', 'set', 'correlation.alertsPerCase', '0').code).toBe(2);
    expect(cli('settings', 'set', 'correlation.bogus', '1').code).toBe(2);
    expect(cli('settings', 'get', 'correlation.timeoutMinutes').stdout.trim()).toBe('180');
    expect(cli('settings', 'set', 'correlation.timeoutMinutes', '60').code).toBe(0);
    expect(cli('settings', 'get', 'correlation.timeoutMinutes').stdout.trim()).toBe('60');
    expect(cli('settings', 'get', 'correlation.alertsPerCase').stdout.trim()).toBe('5000');
  });

  it('a matching case filter suppresses case creation and counts the alerts', () => {
    const bad = cli(
      'case-filters',
      'add',
      '--name',
      'x',
      '--condition',
      '{"type":"condition","field":"nope","operator":"is","value":"a"}',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid condition/);
    const condition = JSON.stringify({
      type: 'group',
      op: 'AND',
      children: [{ type: 'condition', field: 'source', operator: 'is', value: 'edr-prod' }],
    });
    const added = cli('case-filters', 'add', '--name', 'Ignore EDR prod', '--condition', condition);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const r = JSON.parse(
      cli('import', path.join(FIXTURES, 'watchfloor.json')).stdout,
    ) as ImportLine;
    expect(r.suppressed).toBeGreaterThan(0);
    const filters = JSON.parse(cli('case-filters', 'list').stdout) as {
      id: string;
      suppressedCount: number;
    }[];
    expect(filters[0]?.suppressedCount).toBe(r.suppressed);
    expect(cli('case-filters', 'remove', filters[0]!.id).code).toBe(0);
    expect(JSON.parse(cli('case-filters', 'list').stdout)).toEqual([]);
  });
});
