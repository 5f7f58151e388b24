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
