/**
 * The run's Scorecard tab and the run history figures and chart, as a person sees them:
 * plan a goal, run it, open the Scorecard tab; run again, and the history shows duration
 * per run and a chart of the workflow's last runs.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { hasChromium, latestRunId, screenshotBothThemes, useE2e, waitForAllNodes } from './support';

/** `target` lies wholly inside the 1440×900 window and its corners are not hidden under anything (nor clipped away). */
async function expectUncovered(page: Page, target: Locator): Promise<void> {
  const box = (await target.boundingBox())!;
  expect(box.y + box.height, 'bottom edge within the window').toBeLessThanOrEqual(900);
  const corners = [
    [box.x + 2, box.y + 2],
    [box.x + box.width - 2, box.y + box.height - 2],
  ];
  for (const [x, y] of corners) expect(await target.evaluate((el, [px, py]) => el.contains(document.elementFromPoint(px, py)), [x, y]), `the point ${x},${y} shows the element`).toBe(true);
}

describe.skipIf(!hasChromium)('run scorecard and history chart (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('the Scorecard tab shows the run’s figures, and two runs draw the history chart', async () => {
    const { page } = await e2e.openApp({ theme: 'light' });
    await page.getByRole('textbox', { name: 'Goal' }).click();
    await page.getByRole('textbox', { name: 'Goal' }).pressSequentially('Write an onboarding checklist for new engineers');
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForAllNodes(page, 'succeeded');

    await page.getByRole('tab', { name: 'Scorecard' }).click();
    const card = page.getByTestId('scorecard');
    const figures = card.locator('dl[aria-label="Run figures"]');
    await figures.waitFor();
    await expect.poll(() => figures.textContent()).toContain('Outcomesucceeded');
    const text = (await figures.textContent()) ?? '';
    expect(text).toMatch(/Critical pathoutline → save/);
    expect(text).toContain('Retries0');
    // The same figures the API serves for this run.
    const served = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}/scorecard`);
    expect(served.criticalPath.nodeIds).toEqual(['outline', 'save']);
    expect(await card.getByRole('table', { name: 'Node latency' }).getByRole('row').count()).toBe(3);
    expect(served.artifacts.length).toBeGreaterThan(0);
    expect(await card.getByRole('button', { name: /^Export / }).count()).toBe(served.artifacts.length);
    await screenshotBothThemes(page, 'scorecard');

    // A second run of the same workflow: the history chart appears with both.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(async () => (await e2e.server.api('/api/runs')).runs.filter((r: { status: string }) => r.status === 'succeeded').length, { timeout: 30_000 }).toBe(2);
    await page.getByRole('button', { name: 'Refresh runs' }).click();
    const chart = page.getByTestId('history-chart');
    await chart.waitFor({ timeout: 15_000 });
    expect(await chart.locator('figcaption').textContent()).toContain('Last 2 runs of');
    expect(await chart.locator('canvas').count()).toBe(1);
    const rows = page.getByTestId('run-figures');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.first().textContent()).toMatch(/\d+(\.\d)? ?(ms|s)/);
    // Seen without scrolling at 1440×900: the whole chart is on screen and nothing covers it.
    // The rows below it stay usable: each, scrolled to in the list, is whole and uncovered, and
    // scrolling the list leaves the chart where it was.
    await expectUncovered(page, chart.locator('canvas'));
    for (const row of await page.getByRole('list', { name: 'Run history' }).getByRole('button', { name: /^Open run / }).all()) {
      await row.scrollIntoViewIfNeeded();
      await expectUncovered(page, row);
    }
    await expectUncovered(page, chart.locator('canvas'));
    await screenshotBothThemes(page, 'history-chart');

    // A third run: the same chart, redrawn with three runs (not built again in the frame the run starts or ends).
    await chart.locator('canvas').evaluate((c) => void ((c as HTMLElement).dataset.seen = '1'));
    const before = await chart.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL());
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(async () => (await e2e.server.api('/api/runs')).runs.filter((r: { status: string }) => r.status === 'succeeded').length, { timeout: 30_000 }).toBe(3);
    await page.getByRole('button', { name: 'Refresh runs' }).click();
    await expect.poll(() => chart.locator('figcaption').textContent()).toContain('Last 3 runs of');
    await expect.poll(() => chart.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).toDataURL())).not.toBe(before);
    expect(await chart.locator('canvas[data-seen="1"]').count()).toBe(1);
  }, 180_000);
});
