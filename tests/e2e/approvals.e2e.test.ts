/**
 * Approvals never get lost (issue 8, scenario 5), in Chromium against `awe serve`: the
 * approval dialog closed with ✕ or Esc leaves the run waiting but on offer in the run
 * header and the waiting node's inspector; "Review…" reopens the dialog; reopening the run
 * from history offers it too; approving there lets the run finish. Every dialog keeps Tab
 * inside, closes on Esc and gives focus back to where it was.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, nodeEl, nodeStatuses, screenshotBothThemes, useE2e, waitForAllNodes, waitForNodeStatus } from './support';

/** What has the focus: its accessible-ish name and whether it sits inside an open dialog. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return {
      name: el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '',
      inDialog: !!el?.closest('[role="dialog"]'),
      tag: el?.tagName ?? '',
    };
  });

/** Presses Tab (or Shift+Tab) `times` times; every stop must stay inside the open dialog. */
async function tabAround(page: Page, times: number, shift = false): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < times; i++) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    expect(f.inDialog, `Tab stop ${i + 1} (${f.tag} “${f.name}”) is inside the dialog`).toBe(true);
    names.push(f.name);
  }
  return names;
}

async function planAndRunRunbook(page: Page) {
  const goal = page.getByRole('textbox', { name: 'Goal' });
  await goal.click();
  await goal.pressSequentially('Write a deployment runbook checklist for the payments service');
  await page.getByRole('button', { name: 'Plan' }).click();
  await nodeEl(page, 'approve').waitFor();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

describe.skipIf(!hasChromium)('approvals never get lost (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('closed with ✕ or Esc, the request stays on offer in the header and the inspector; approving there finishes the run', async () => {
    const { page } = await e2e.openApp({ theme: 'dark' });
    await planAndRunRunbook(page);

    const dialog = page.getByRole('dialog', { name: 'Approval needed' });
    await dialog.waitFor();
    await waitForNodeStatus(page, 'approve', 'waiting');
    // The dialog took the focus (the runbook's disabled checkboxes must not swallow it).
    expect((await focused(page)).inDialog).toBe(true);

    // ✕ closes it; the run still waits, and the header offers the answer.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    const header = page.getByRole('group', { name: 'Approval' });
    await header.getByRole('button', { name: 'Approve' }).waitFor();
    await header.getByRole('button', { name: 'Reject' }).waitFor();
    expect(await page.getByTestId('run-header').getAttribute('data-status')).toBe('waiting');

    // "Review…" reopens it; Tab and Shift+Tab cycle inside; Esc closes it and the focus goes back to "Review…".
    await header.getByRole('button', { name: 'Review…' }).click();
    await dialog.waitFor();
    const forward = await tabAround(page, 8);
    expect(forward, 'Tab wraps around to the first stop again').toContain('Close');
    await tabAround(page, 8, true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await focused(page)).name).toBe('Review…');
    expect((await nodeStatuses(page)).approve).toBe('waiting');

    // The waiting node's inspector offers it as well.
    await nodeEl(page, 'approve').click();
    const panel = page.getByTestId('inspector').getByRole('region', { name: 'Approval request' });
    await panel.getByRole('button', { name: 'Approve' }).waitFor();
    await panel.getByRole('button', { name: 'Reject' }).waitFor();
    await screenshotBothThemes(page, 'approval-on-offer');

    // Reopening the run from history while it waits still offers it.
    await page.getByTestId('run-history').locator('.history-item[data-status="waiting"]').click();
    await header.getByRole('button', { name: 'Approve' }).waitFor();
    await nodeEl(page, 'approve').click();
    await panel.getByRole('button', { name: 'Approve' }).click();

    await waitForAllNodes(page, 'succeeded');
    await expect.poll(() => page.getByTestId('run-header').getAttribute('data-status')).toBe('succeeded');
    await header.waitFor({ state: 'detached' });
    await panel.waitFor({ state: 'detached' });
    expect(await dialog.count()).toBe(0);
  });

  test('Reject from the run header ends the wait: nothing after the approval runs', async () => {
    const { page } = await e2e.openApp();
    await planAndRunRunbook(page);
    const dialog = page.getByRole('dialog', { name: 'Approval needed' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('group', { name: 'Approval' }).getByRole('button', { name: 'Reject' }).click();
    await expect.poll(() => page.getByTestId('run-header').getAttribute('data-status')).toMatch(/failed|cancelled|succeeded/);
    expect((await nodeStatuses(page)).save).not.toBe('succeeded');
    expect(await dialog.count()).toBe(0);
  });

  test('Settings and Open keep Tab inside, close on Esc and give the focus back to their button', async () => {
    const { page } = await e2e.openApp();
    for (const [button, title] of [
      ['Settings', 'Settings'],
      ['Open', 'Open workflow'],
    ] as const) {
      const opener = page.getByRole('button', { name: button, exact: true });
      await opener.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      expect(await dialog.getAttribute('aria-modal')).toBe('true');
      await expect.poll(async () => (await focused(page)).inDialog).toBe(true);
      await tabAround(page, 25);
      await tabAround(page, 5, true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect((await focused(page)).name, `focus returns to ${button}`).toBe(button);
    }
  });
});
