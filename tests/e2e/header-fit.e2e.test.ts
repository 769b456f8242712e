/**
 * The header is one row at the common laptop widths, even at its fullest: a run waiting for
 * approval, unsaved changes, a long workflow name. Every control stays whole and inside the
 * window (the settings gear once wrapped to a second line at 1280×800), and what the header
 * hides when narrow (New, Open, Save as) is in the ⋯ menu, reachable by keyboard.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, nodeEl, root, useE2e, waitForNodeStatus } from './support';

const RUNBOOK = join(root, 'resources', 'examples', 'ops-runbook.awe.json');

/** The box of every visible control of the header. */
const controls = (page: Page) =>
  page.$$eval('header.toolbar button, header.toolbar input:not([type=file])', (els) =>
    els
      .map((el) => ({ name: el.getAttribute('aria-label') ?? el.textContent ?? '', box: el.getBoundingClientRect().toJSON() as { x: number; y: number; width: number; height: number } }))
      .filter((x) => x.box.width > 0),
  );

describe.skipIf(!hasChromium)('the header at common widths (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('during a run waiting for approval, with unsaved changes, the header is one row at 1366, 1280 and 1024 px', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles(RUNBOOK);
    await nodeEl(page, 'publish').waitFor();
    const name = page.getByRole('textbox', { name: 'Workflow name' });
    await name.click();
    await name.press('End');
    await name.pressSequentially(' for the orders service, second draft', { delay: 10 });
    await page.getByTestId('dirty-marker').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const inputs = page.getByRole('dialog', { name: 'Run inputs' });
    await inputs.getByRole('button', { name: 'Start run' }).click();
    await inputs.waitFor({ state: 'detached' });
    await waitForNodeStatus(page, 'approve', 'waiting');
    // The approval dialog opens by itself; the header is what this test looks at.
    const dialog = page.getByRole('dialog', { name: 'Approval needed' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    for (const [width, height] of [[1366, 768], [1280, 800], [1024, 768]]) {
      await page.setViewportSize({ width, height });
      const gear = page.getByRole('button', { name: 'Settings' });
      await expect.poll(async () => (await page.locator('header.toolbar').boundingBox())!.height, { message: `header height at ${width} px` }).toBeLessThanOrEqual(45);
      const boxes = await controls(page);
      const first = boxes[0].box;
      for (const { name: control, box } of boxes) {
        expect(Math.abs(box.y + box.height / 2 - (first.y + first.height / 2)), `${control} is on the header's one row at ${width} px`).toBeLessThan(2);
        expect(box.x + box.width, `${control} is inside the window at ${width} px`).toBeLessThanOrEqual(width);
      }
      expect(boxes.map((b) => b.name)).toEqual(expect.arrayContaining(['Settings', 'Toggle theme', 'Review…', 'Export run', 'Cancel run', 'Run', 'Save']));
      await gear.waitFor();
    }

    // At 1024 px New, Open and Save as are in the ⋯ menu; the keyboard walks the items shown.
    await page.getByRole('button', { name: 'More workflow actions' }).focus();
    await page.keyboard.press('ArrowDown');
    const menu = page.getByRole('menu', { name: 'Workflow actions' });
    const focusedItem = () => page.evaluate(() => document.activeElement?.textContent);
    await expect.poll(focusedItem).toBe('New workflow');
    await page.keyboard.press('ArrowDown');
    await expect.poll(focusedItem).toBe('Open…');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    const openDialog = page.getByRole('dialog', { name: 'Open workflow' });
    await openDialog.waitFor();
    await page.keyboard.press('Escape');
    await openDialog.waitFor({ state: 'detached' });

    // Wide, the header shows them itself and the menu skips its copies.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByRole('button', { name: 'Open', exact: true }).waitFor();
    await page.getByRole('button', { name: 'More workflow actions' }).focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(focusedItem).toBe('Duplicate');
    await page.keyboard.press('ArrowUp');
    await expect.poll(focusedItem).toBe('Export .awe.json');
  });
});
