import path from 'node:path';
import { test, expect, screenshot, FIXTURES, runCli } from './fixtures';
import type { Page } from '@playwright/test';

const rows = (page: Page) => page.locator('.grid-wrap [role="row"][row-index]');

async function openAlerts(page: Page, url: string) {
  await page.goto(url);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Alerts', exact: true })
    .click();
  await expect(page.getByRole('heading', { name: 'Alerts', exact: true, level: 2 })).toBeVisible();
  await expect(rows(page).first()).toBeVisible();
}

async function selectRow(page: Page, index: number) {
  await rows(page)
    .nth(index)
    .locator('.ag-selection-checkbox input, input[type="checkbox"]')
    .first()
    .check();
}

test.describe('alert triage (manual, automatic case creation off)', () => {
  test.use({
    seededAlerts: 0,
    cliSetup: {
      commands: [
        ['settings', 'set', 'correlation.autoCreateCases', 'false'],
        [
          'import',
          path.join(FIXTURES, 'watchfloor.json'),
          path.join(FIXTURES, 'suricata-eve.ndjson'),
        ],
      ],
    },
  });

  test('Import creates a case; the alert cannot be imported again', async ({ page, webApp }) => {
    await openAlerts(page, webApp.url);
    await screenshot(page, 'alerts-table');
    const first = rows(page).first();
    await first.locator('[col-id="title"]').click();
    const preview = page.getByRole('complementary', { name: 'Alert Preview' });
    await expect(preview.getByRole('heading', { level: 2 })).toBeVisible();
    await expect(preview.getByRole('list', { name: 'Entities' })).toBeVisible();
    await screenshot(page, 'alert-preview');
    await preview.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, Import' }).click();
    await expect(page.getByRole('status').filter({ hasText: /Created case #\d+/ })).toBeVisible();
    await expect(preview.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
    await expect(preview.getByText(/Imported into case #\d+/)).toBeVisible();
    await expect(first.locator('[col-id="caseNumber"]')).toHaveText(/#\d+/);
    await expect(first.locator('[col-id="status"]')).toHaveText('Imported');
    const cases = JSON.parse(runCli(webApp.dbPath, ['cases', '--json'])) as unknown[];
    expect(cases).toHaveLength(1);
    await screenshot(page, 'alert-imported');
  });

  test('New case from selection makes one case of the selected alerts', async ({
    page,
    webApp,
  }) => {
    await openAlerts(page, webApp.url);
    await selectRow(page, 0);
    await selectRow(page, 1);
    await selectRow(page, 2);
    const bar = page.getByRole('toolbar', { name: 'Selection actions' });
    await expect(bar.getByText('3 selected')).toBeVisible();
    await screenshot(page, 'alerts-selection');
    await bar.getByRole('button', { name: 'New case from selection' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: /Created case #\d+ from 3 alerts/ }),
    ).toBeVisible();
    const cases = JSON.parse(runCli(webApp.dbPath, ['cases', '--json', '--with-alerts'])) as {
      alertRefs: string[];
    }[];
    expect(cases).toHaveLength(1);
    expect(cases[0]!.alertRefs).toHaveLength(3);
    for (let i = 0; i < 3; i++)
      await expect(rows(page).nth(i).locator('[col-id="status"]')).toHaveText('Imported');
  });

  test('Merge selection into case adds alerts to an existing case', async ({ page, webApp }) => {
    await openAlerts(page, webApp.url);
    // make a case from the first alert, then merge two others into it
    await selectRow(page, 0);
    await page.getByRole('button', { name: 'New case from selection' }).click();
    await expect(page.getByRole('status').filter({ hasText: /Created case #(\d+)/ })).toBeVisible();
    const number = (await page
      .getByRole('status')
      .filter({ hasText: /Created case/ })
      .textContent())!.match(/#(\d+)/)![1]!;
    await selectRow(page, 1);
    await selectRow(page, 2);
    await page.getByRole('button', { name: 'Merge selection into case' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge selection into case' });
    await dialog.getByLabel('Case number').fill('99999');
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect(dialog.getByRole('alert')).toHaveText('No case #99999');
    await dialog.getByLabel('Case number').fill(number);
    await screenshot(page, 'merge-dialog');
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect(
      page.getByRole('status').filter({ hasText: `Merged 2 alerts into case #${number}` }),
    ).toBeVisible();
    const cases = JSON.parse(runCli(webApp.dbPath, ['cases', '--json', '--with-alerts'])) as {
      number: number;
      alertRefs: string[];
      alertCount: number;
    }[];
    const merged = cases.find((c) => String(c.number) === number)!;
    expect(merged.alertRefs).toHaveLength(3);
    expect(merged.alertCount).toBe(3);
  });
});

/** Drops files made in the page (as a drag from the desktop would) on the Alerts page. */
async function dropFiles(page: Page, files: { name: string; text: string }[]) {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name));
    return dt;
  }, files);
  await page.dispatchEvent('.alerts-page', 'dragover', { dataTransfer });
  await page.dispatchEvent('.alerts-page', 'drop', { dataTransfer });
}

async function openEmptyAlerts(page: Page, url: string) {
  await page.goto(url);
  await page
    .getByRole('dialog', { name: 'Welcome to Watchfloor' })
    .getByRole('button', { name: 'Start empty' })
    .click();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: 'Alerts', exact: true })
    .click();
  await expect(page.getByText('No alerts yet')).toBeVisible();
}

test.describe('file import from the UI', () => {
  test.use({ seededAlerts: 0, webOptions: { args: ['--max-upload-mb', '1'] } });

  test('importing a file runs as a job and correlates alerts into new cases', async ({
    page,
    webApp,
  }) => {
    // Browser mode uploads each file (streamed by the browser) and the job reads it from disk:
    // the page never reads a file's text, and no file travels over the WebSocket (issue 11.3).
    const uploads: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/upload') uploads.push(r.url());
    });
    await openEmptyAlerts(page, webApp.url);
    await page
      .getByLabel('Alert files')
      .setInputFiles([
        path.join(FIXTURES, 'watchfloor.json'),
        path.join(FIXTURES, 'malformed.ndjson'),
      ]);
    await page.getByRole('button', { name: /^Task List/ }).click();
    const taskList = page.getByRole('dialog', { name: 'Task List' });
    await expect(taskList.getByText(/imported, .*failed \(malformed\.ndjson:\d+/)).toBeVisible();
    expect(uploads).toHaveLength(2);
    await screenshot(page, 'import-job-done');
    await page.keyboard.press('Escape');
    await expect(rows(page).first()).toBeVisible();
    await expect(rows(page).first().locator('[col-id="caseNumber"]')).toHaveText(/#\d+/);
    const cases = JSON.parse(runCli(webApp.dbPath, ['cases', '--json'])) as unknown[];
    expect(cases.length).toBeGreaterThan(0);
  });

  test('a dropped file is imported; one over the upload limit is refused with what to do', async ({
    page,
    webApp,
  }) => {
    await openEmptyAlerts(page, webApp.url);
    // over --max-upload-mb 1: refused by the server before the import, nothing imported
    await dropFiles(page, [{ name: 'huge.ndjson', text: ' '.repeat(2 * 1024 * 1024) }]);
    await expect(page.getByRole('alert')).toHaveText(
      /huge\.ndjson: file is larger than 1 MB; import it with the CLI/,
    );
    await screenshot(page, 'import-too-large');
    await page.getByRole('button', { name: 'Dismiss message' }).click();
    const alert = {
      source: 'edr-drop',
      sourceRef: 'drop-1',
      title: 'Dropped alert file',
      timestamp: '2024-05-01T10:15:00Z',
      severity: 'high',
      entities: { hosts: ['WS-DROP.corp.example'] },
    };
    await dropFiles(page, [{ name: 'dropped.ndjson', text: JSON.stringify(alert) + '\n' }]);
    await expect(rows(page).first().locator('[col-id="title"]')).toHaveText('Dropped alert file');
    await page.getByRole('button', { name: /^Task List/ }).click();
    await expect(
      page.getByRole('dialog', { name: 'Task List' }).getByText('Import dropped.ndjson'),
    ).toBeVisible();
    await screenshot(page, 'import-dropped-done');
  });
});

test.describe('merging into a closed case', () => {
  test.use({ seededAlerts: 300 });

  test('asks for confirmation before merging into a Resolved case', async ({ page, webApp }) => {
    const cases = JSON.parse(runCli(webApp.dbPath, ['cases', '--json', '--limit', '1000'])) as {
      number: number;
      status: string;
      alertCount: number;
    }[];
    const closed = cases.find((c) => c.status === 'Resolved')!;
    expect(closed).toBeDefined();
    await openAlerts(page, webApp.url);
    await selectRow(page, 0);
    await page.getByRole('button', { name: 'Merge selection into case' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge selection into case' });
    await dialog.getByLabel('Case number').fill(String(closed.number));
    await dialog.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText(`Case #${closed.number} is Resolved`);
    await screenshot(page, 'merge-closed-confirm');
    await dialog.getByRole('button', { name: 'Merge into closed case' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: `into case #${closed.number}` }),
    ).toBeVisible();
    const after = JSON.parse(runCli(webApp.dbPath, ['cases', '--json', '--limit', '1000'])) as {
      number: number;
      status: string;
      alertCount: number;
    }[];
    const merged = after.find((c) => c.number === closed.number)!;
    expect(merged.status).toBe('Resolved');
    expect(merged.alertCount).toBeGreaterThanOrEqual(closed.alertCount);
  });
});
