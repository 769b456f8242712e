/**
 * The analyst with a messy CSV (JOURNEYS.md, 2), as a person does it in Chromium against
 * `awe serve`: points AWE at the folder, plans "clean q3-sales.csv, drop rows without an
 * amount, save as JSON", sees the save step writes JSON and the run drops the rows without
 * an amount (the offline planner once saved CSV and kept them), then narrows the clean
 * step's expression and reruns from there. The planner's format once showed as an
 * Expression text field instead of the choice it is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, useE2e, waitForAllNodes } from './support';

const field = (page: Page, name: string) => page.getByTestId('inspector').getByLabel(name, { exact: true });
const modeButton = (page: Page, name: string, mode: 'Fixed' | 'Expression') =>
  page.getByTestId('inspector').getByRole('group', { name: `${name} mode`, exact: true }).getByRole('button', { name: mode, exact: true });
const select = (page: Page, id: string) => nodeEl(page, id).locator('.awe-node-head').click();

describe.skipIf(!hasChromium)('the analyst with a messy CSV (Chromium against awe serve)', () => {
  const e2e = useE2e();
  const folder = mkdtempSync(join(tmpdir(), 'awe-e2e-analyst-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('plan the cleaning: JSON without the rows lacking an amount; edit the expression, rerun from there', async () => {
    writeFileSync(join(folder, 'q3-sales.csv'), 'region,rep,amount\nnorth,ann,120.5\nsouth,bob,\neast,cid,88\nwest,dee,\n');
    const { page } = await e2e.openApp();
    await page.getByRole('textbox', { name: 'Goal' }).pressSequentially('clean q3-sales.csv, drop rows without an amount, save as JSON', { delay: 5 });
    await page.getByRole('button', { name: 'Plan' }).click();
    await nodeEl(page, 'save').waitFor();
    await page.getByRole('button', { name: 'Workspace' }).click();
    await page.getByRole('dialog', { name: 'Workspace folder' }).getByLabel('Folder path').pressSequentially(folder, { delay: 2 });
    await page.getByRole('button', { name: 'Use this folder' }).click();
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe(folder.split('/').pop());

    // The planned format is the one the goal asks for, shown as the choice (Fixed), not as expression text.
    await select(page, 'save');
    await expect.poll(() => modeButton(page, 'format', 'Fixed').getAttribute('aria-pressed')).toBe('true');
    expect(await field(page, 'format').evaluate((el) => el.tagName)).toBe('SELECT');
    expect(await field(page, 'format').inputValue()).toBe('json');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('dialog', { name: 'Run inputs' }).getByRole('button', { name: 'Start run' }).click();
    await waitForAllNodes(page, 'succeeded');
    const runId = await latestRunId(e2e.server);
    const run = () => e2e.server.api<{ nodes: Record<string, { output: { result: { rows: { amount: unknown }[] } } }>; artifacts: { name: string; mime: string }[] }>(`/api/runs/${runId}`);
    expect((await run()).artifacts.map((a) => [a.name, a.mime])).toEqual([['q3-sales.clean.json', 'application/json']]);
    expect((await run()).nodes.clean.output.result.rows.map((r) => r.amount)).toEqual([120.5, 88]);

    // The person narrows the cleaning to the large amounts in the expression.
    await select(page, 'clean');
    const expression = field(page, 'expression');
    const text = await expression.inputValue();
    // The expression's lines show, not three of them.
    expect(await expression.evaluate((el: HTMLTextAreaElement) => el.rows)).toBe(Math.min(14, text.split('\n').length));
    const at = text.indexOf('$distinct($rows') + '$distinct($rows'.length;
    expect(at).toBeGreaterThan('$distinct($rows'.length);
    await expression.click();
    await expression.evaluate((el: HTMLTextAreaElement, caret) => el.setSelectionRange(caret, caret), at);
    await expression.pressSequentially('[$type(amount) = "number" and amount > 100]', { delay: 10 });
    await page.getByTestId('inspector').getByRole('button', { name: 'Rerun from here' }).click();
    await expect
      .poll(async () => (await run()).nodes.clean.output.result.rows.map((r) => r.amount), { timeout: 30_000 })
      .toEqual([120.5]);
    await waitForAllNodes(page, 'succeeded');
    await page.getByRole('tab', { name: /Artifacts/ }).click();
    await page.getByTestId('artifacts').getByText('1 earlier version from reruns').waitFor();
  });
});
