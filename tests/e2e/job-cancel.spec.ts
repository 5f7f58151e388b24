import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test, expect, screenshot } from './fixtures';

/**
 * Issue 12.6 (NFR-2): a running import has a Cancel button in the Task List; it stops after the
 * batch it is writing, ends Cancelled saying what it kept, and the store holds exactly that.
 */

const BATCH = 5_000;
const ALERTS = 16 * BATCH;

/** An NDJSON file of distinct alerts, big enough to import in many batches. */
function bigAlertFile(dir: string): string {
  const file = path.join(dir, 'big-import.ndjson');
  const lines: string[] = [];
  for (let i = 0; i < ALERTS; i++) {
    lines.push(
      JSON.stringify({
        source: 'edr-load',
        sourceRef: `load-${i}`,
        title: `Suspicious process ${i % 50}`,
        timestamp: new Date(Date.UTC(2024, 4, 1) + i * 1000).toISOString(),
        severity: 'medium',
        entities: { hosts: [`host-${i % 300}.corp.example`] },
      }),
    );
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function alertsInStore(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT count(*) FROM alerts').pluck().get() as number;
  } finally {
    db.close();
  }
}

test.describe('cancelling a job from the Task List', () => {
  test.use({ seededAlerts: 0 });

  test('Cancel stops a big import after a batch; what it imported is kept', async ({
    page,
    webApp,
  }) => {
    const file = bigAlertFile(webApp.dir);
    await page.goto(webApp.url);
    await page
      .getByRole('dialog', { name: 'Welcome to Watchfloor' })
      .getByRole('button', { name: 'Start empty' })
      .click();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Alerts', exact: true })
      .click();
    await page.getByLabel('Alert files').setInputFiles(file);
    await page.getByRole('button', { name: /^Task List/ }).click();
    const taskList = page.getByRole('dialog', { name: 'Task List' });
    const job = taskList.getByRole('listitem').filter({ hasText: 'Import big-import.ndjson' });
    // once a batch is in, the job says how many alerts it has imported
    await expect(job.getByText(/big-import\.ndjson: [\d,]+ alerts imported/)).toBeVisible();
    const cancel = job.getByRole('button', { name: 'Cancel', exact: true });
    await expect(cancel).toBeVisible();
    await screenshot(page, 'task-list-running-import-with-cancel');
    await cancel.click();
    const ended = job.getByText(/^Cancelled after \d+ batch(es)? \(about \d+% read\)/);
    await expect(ended).toBeVisible({ timeout: 60_000 });
    await expect(job.getByText('Cancelled', { exact: true })).toBeVisible();
    await expect(cancel).toBeHidden();
    await expect(
      job.getByRole('button', { name: 'Dismiss Import big-import.ndjson' }),
    ).toBeVisible();
    await screenshot(page, 'task-list-import-cancelled');
    const message = (await ended.textContent()) ?? '';
    const m = /^Cancelled after (\d+) batch(?:es)? .*?: ([\d,]+) alerts imported/.exec(message);
    expect(m, message).not.toBeNull();
    const batches = Number(m![1]);
    const imported = Number(m![2]!.replace(/,/g, ''));
    expect(batches).toBeLessThan(ALERTS / BATCH);
    expect(imported).toBe(batches * BATCH);
    // the store holds the batches the message names, whole, and nothing of the rest
    expect(alertsInStore(webApp.dbPath)).toBe(imported);
  });
});
