import { test, expect, screenshot, visibleScores } from './fixtures';

test.describe('case table over a demo store', () => {
  test('shows demo cases with the TBL-2 columns and sorts by Score', async ({ page, webApp }) => {
    await page.goto(webApp.url);
    const grid = page.getByRole('treegrid').or(page.getByRole('grid'));
    await expect(grid.first()).toBeVisible();
    for (const header of [
      'Tenant',
      'Case ID',
      'Case Name',
      'Score',
      'Severity',
      'Creator',
      'What',
      'Who',
      'Assignee',
    ]) {
      await expect(page.getByRole('columnheader', { name: header, exact: true })).toBeVisible();
    }
    await expect(page.locator('.grid-wrap [role="row"][row-index]').first()).toBeVisible();
    await expect(page.getByLabel('case count')).toHaveText(/\d[\d,]* cases/);

    const scoreHeader = page.getByRole('columnheader', { name: 'Score', exact: true });
    await scoreHeader.click(); // ascending
    await expect(scoreHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect
      .poll(async () => {
        const s = await visibleScores(page);
        return s.length > 5 && s.every((v, i) => i === 0 || s[i - 1]! <= v);
      })
      .toBe(true);
    const ascending = await visibleScores(page);

    await scoreHeader.click(); // descending
    await expect(scoreHeader).toHaveAttribute('aria-sort', 'descending');
    await expect
      .poll(async () => {
        const s = await visibleScores(page);
        return s.length > 5 && s.every((v, i) => i === 0 || s[i - 1]! >= v);
      })
      .toBe(true);
    const descending = await visibleScores(page);
    expect(descending[0]).toBeGreaterThanOrEqual(ascending[0]!);
    expect(descending[0]).toBeGreaterThan(ascending[0]!);
    await screenshot(page, 'cases-sorted-by-score-dark-1440');

    await page.setViewportSize({ width: 1920, height: 1080 });
    await screenshot(page, 'cases-sorted-by-score-dark-1920');
  });

  test('light theme toggle persists across reloads', async ({ page, webApp }) => {
    await page.goto(webApp.url);
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await expect(page.locator('.grid-wrap [role="row"][row-index]').first()).toBeVisible();
    await screenshot(page, 'cases-light-1440');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  });

  test('row click opens the case panel and Esc closes it', async ({ page, webApp }) => {
    await page.goto(webApp.url);
    const firstRow = page.locator('.grid-wrap [role="row"][row-index="0"]');
    await expect(firstRow.locator('[col-id="name"]')).toHaveText(/\S/);
    const name = await firstRow.locator('[col-id="name"]').textContent();
    await firstRow.click();
    const panel = page.getByRole('dialog');
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading')).toHaveText(name ?? '');
    await screenshot(page, 'case-panel');
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
  });

  test('pages not built yet say so plainly', async ({ page, webApp }) => {
    await page.goto(webApp.url);
    for (const label of [
      'Waiting Tasks',
      'My Tasks',
      'Search',
      'Dashboards',
      'Workflows',
      'Organisation',
      'Settings',
    ]) {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('button', { name: label, exact: true })
        .click();
      await expect(page.getByRole('heading', { name: `${label} is not built yet` })).toBeVisible();
    }
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: 'Cases', exact: true })
      .click();
    await expect(page.locator('.grid-wrap [role="row"][row-index]').first()).toBeVisible();
  });
});

test.describe('first run', () => {
  test.use({ seededAlerts: 0 });

  test('an empty store offers demo data and loads it as a job', async ({ page, webApp }) => {
    await page.goto(webApp.url);
    const dialog = page.getByRole('dialog', { name: 'Welcome to Watchfloor' });
    await expect(dialog).toBeVisible();
    await screenshot(page, 'first-run-offer');
    await dialog.getByLabel('2,000 alerts').check();
    await dialog.getByRole('button', { name: 'Load demo data' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.locator('.grid-wrap [role="row"][row-index]').first()).toBeVisible();
    await page.getByRole('button', { name: /^Task List/ }).click();
    const taskList = page.getByRole('dialog', { name: 'Task List' });
    await expect(taskList.getByText(/Loaded 2,000 alerts in [\d,]+ cases/)).toBeVisible();
    await screenshot(page, 'task-list-after-demo');
    await taskList.getByRole('button', { name: 'Clear all' }).click();
    await expect(taskList.getByText('No tasks.', { exact: false })).toBeVisible();
  });
});
