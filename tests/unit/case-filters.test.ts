import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCaseFilter, listCaseFilters } from '../../main/features/correlation/case-filters';
import { importAlertSources, textSource } from '../../main/features/alerts/import-files';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';

const migrationsFolder = sourceMigrationsFolder();

let dir: string;
let ws: Workspace;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-case-filters-'));
  ws = openWorkspace(path.join(dir, 's.db'), { create: true, migrationsFolder });
});

afterEach(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Watchfloor-format NDJSON alerts with long titles and no '.' (the worst case for `*…*.`). */
function alertFile(count: number): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      source: 'edr',
      sourceRef: `r-${i}`,
      title: `Suspicious process tree on workstation number ${i} of the finance department`,
      timestamp: '2026-01-05T08:00:00Z',
      severity: 'High',
      entities: { hosts: [`ws-${i}`] },
    }),
  ).join('\n');
}

describe('case filters during an import (COR-5)', () => {
  it('imports every alert when a filter pattern is a run of stars (issue 11.6)', () => {
    // A backtracking matcher took over 60 s per alert on this pattern; now each title is one
    // linear pass (a hang here shows up as the test's timeout).
    addCaseFilter(ws.store, ws.user.login, ws.user.tenantId, 'stars', {
      type: 'condition',
      field: 'title',
      operator: 'matches',
      value: '**********.',
    });
    const summary = importAlertSources(ws.store, [textSource('a.ndjson', alertFile(5))], {
      format: 'auto',
      actor: ws.user.login,
    });
    expect(summary).toMatchObject({ read: 5, imported: 5, failed: 0, suppressed: 0 });
    expect(summary.casesCreated).toBeGreaterThan(0);
  });

  it('suppresses what a star pattern matches, and only that', () => {
    addCaseFilter(ws.store, ws.user.login, ws.user.tenantId, 'workstation 3', {
      type: 'condition',
      field: 'title',
      operator: 'matches',
      value: '****workstation***number 3 ***',
    });
    const summary = importAlertSources(ws.store, [textSource('a.ndjson', alertFile(5))], {
      format: 'auto',
      actor: ws.user.login,
    });
    expect(summary).toMatchObject({ imported: 5, suppressed: 1 });
    expect(listCaseFilters(ws.store).map((f) => f.suppressedCount)).toEqual([1]);
  });
});
