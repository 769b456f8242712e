/**
 * Keys typed straight after a click land where the click sent the focus, even when the
 * browser's next animation frame comes late (a loaded machine): the Output form's "Add
 * output" and the inspector's reference chips move the focus, and Enter on a reference the
 * caret, in the click's or key's own commit. Frames are held back, and then run late, around
 * each click and the typing after it; a focus or caret moved a frame later loses keys.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, nodeEl, nodeStatuses, useE2e } from './support';

const canvasNodeIds = async (page: Page) => Object.keys(await nodeStatuses(page)).sort();

/** Adds a palette item (a tool, or a flow kind such as `output`) with a click, as a person does; returns the new node's id. */
async function add(page: Page, item: string): Promise<string> {
  const before = new Set(await canvasNodeIds(page));
  await page.getByTestId(`palette-item-${item}`).click();
  await expect.poll(() => canvasNodeIds(page).then((ids) => ids.length)).toBe(before.size + 1);
  return (await canvasNodeIds(page)).find((x) => !before.has(x))!;
}

/** Holds the page's animation frames back: callbacks wait until `runLateFrames`. */
const holdFrames = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { heldFrames: FrameRequestCallback[]; realRaf: typeof requestAnimationFrame };
    w.heldFrames = [];
    w.realRaf = window.requestAnimationFrame;
    window.requestAnimationFrame = (cb) => (w.heldFrames.push(cb), 0);
  });

/** Gives frames back and runs the held ones, late. */
const runLateFrames = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { heldFrames: FrameRequestCallback[]; realRaf: typeof requestAnimationFrame };
    window.requestAnimationFrame = w.realRaf;
    for (const cb of w.heldFrames.splice(0)) cb(performance.now());
  });

const field = (page: Page, name: string) => page.getByTestId('inspector').getByLabel(name, { exact: true });

describe.skipIf(!hasChromium)('keys typed straight after a click, with late frames (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('Add output, a reference chip and Enter on a reference: every key typed at once lands in the field, in order', async () => {
    const { page } = await e2e.openApp();
    const template = await add(page, 'text.template');
    const output = await add(page, 'output');
    await nodeEl(page, template).locator('.react-flow__handle.source').dragTo(nodeEl(page, output).locator('.react-flow__handle.target'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await nodeEl(page, output).locator('.awe-node-head').click();

    // Add output, then type its value at once.
    const inspector = page.getByTestId('inspector');
    await inspector.getByLabel('New output name').pressSequentially('report', { delay: 15 });
    await holdFrames(page);
    await inspector.getByRole('button', { name: 'Add output' }).click();
    await page.keyboard.type('"draft"', { delay: 15 });
    await runLateFrames(page);
    await expect.poll(() => field(page, 'report').inputValue()).toBe('"draft"');

    // A reference chip inserts at the caret of the last field; the keys after the click follow it.
    await field(page, 'report').press('End');
    await inspector.getByText(/References you can use/).click();
    const chip = inspector.getByRole('list', { name: 'References' }).getByRole('button', { name: `{{nodes.${template}.output.text}}` });
    await field(page, 'report').press('Home');
    await holdFrames(page);
    await chip.click();
    await page.keyboard.type(' for ', { delay: 15 });
    await runLateFrames(page);
    await expect.poll(() => field(page, 'report').inputValue()).toBe(`{{nodes.${template}.output.text}} for "draft"`);

    // Enter picks a reference; keys typed before and after a late frame stay in typing order.
    await inspector.getByLabel('New output name').pressSequentially('summary', { delay: 15 });
    await inspector.getByRole('button', { name: 'Add output' }).click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('summary');
    await page.keyboard.type(`{{nodes.${template}.output.te`, { delay: 15 });
    await page.getByRole('listbox', { name: 'References for summary' }).getByRole('option', { name: `{{nodes.${template}.output.text}}` }).waitFor();
    await holdFrames(page);
    await page.keyboard.press('Enter');
    await page.keyboard.type(' is', { delay: 15 });
    await runLateFrames(page);
    await page.keyboard.type(' done', { delay: 15 });
    await expect.poll(() => field(page, 'summary').inputValue()).toBe(`{{nodes.${template}.output.text}} is done`);
  });
});
