import { webHandlerEnvironment } from '../helpers/handler-env';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../main/ipc/handlers';
import { createRouter, type Router } from '../../main/ipc/router';
import { openWorkspace, type Workspace } from '../../main/app/workspace';
import { sourceMigrationsFolder } from '../../main/store/paths';
import type { Job } from '../../shared/ipc/contract';
import { ALERT_FIXTURES } from '../fixtures/alerts';

/** The desktop app's import: files named by their paths (issue 11.3), read by the worker. */

let dir: string;
let ws: Workspace;
let router: Router;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-import-job-'));
  ws = openWorkspace(path.join(dir, 'w.db'), {
    create: true,
    migrationsFolder: sourceMigrationsFolder(),
  });
  router = createRouter(createHandlers(ws, { ...webHandlerEnvironment(), mode: 'electron' }));
});

afterAll(() => {
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function finished(id: string): Promise<Job> {
  return new Promise((resolve) => {
    const settle = (job: Job | undefined) => {
      if (job?.id === id && job.status !== 'In Progress') {
        off();
        resolve(job);
      }
    };
    const off = ws.jobs.onChange(settle);
    settle(ws.jobs.get(id));
  });
}

describe('alerts.importFiles by path (desktop app)', () => {
  it('imports the files at the given paths in a worker, named by their file names', async () => {
    const files = ['watchfloor.json', 'malformed.ndjson'].map((f) => ({
      path: path.join(ALERT_FIXTURES, f),
    }));
    const r = await router.invoke('alerts.importFiles', { files });
    expect(r.ok).toBe(true);
    const job = await finished((r as { data: { jobId: string } }).data.jobId);
    expect(job).toMatchObject({ status: 'Success', title: 'Import 2 files' });
    expect(job.message).toMatch(/^\d+ imported, .*failed \(malformed\.ndjson:\d+/);
    const n = ws.store.db.prepare('SELECT count(*) FROM alerts').pluck().get() as number;
    expect(n).toBeGreaterThan(0);
  });

  it.each([
    ['a folder', () => ALERT_FIXTURES, /files\.0: .* is a folder; choose alert files/],
    ['a relative path', () => 'tests/fixtures/alerts/watchfloor.json', /is not an absolute path/],
    [
      'a missing file',
      () => path.join(dir, 'missing.json'),
      /cannot read .*missing\.json \(ENOENT\)/,
    ],
  ])('refuses %s, saying which, and starts nothing', async (_what, file, message) => {
    const jobsBefore = ws.jobs.list().length;
    const r = await router.invoke('alerts.importFiles', {
      files: [{ path: file() }],
    });
    expect(r).toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(message) },
    });
    expect(ws.jobs.list()).toHaveLength(jobsBefore);
  });

  it('refuses an upload id where there are no uploads', async () => {
    const r = await router.invoke('alerts.importFiles', {
      files: [{ uploadId: '01a23c94-8435-74cf-a6ed-8fd640434887' }],
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('refuses a file sent as text', async () => {
    const r = await router.invoke('alerts.importFiles', {
      files: [{ name: 'a.json', content: '[]' }],
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });
});
