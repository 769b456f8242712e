/**
 * Keyboard and contrast (issue 8, scenario 8), in Chromium against `awe serve`: a person
 * who uses no mouse adds nodes from the palette, connects them, fills them in, runs,
 * approves, replays and exports, with a visible focus ring at every stop; every list is
 * one Tab stop; every text on the main screens reads at ≥ 4.5:1 in both themes.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, nodeEl, nodeStatuses, screenBoxes, screenshotBothThemes, useE2e, waitForAllNodes, waitForNodeStatus } from './support';
import { measureContrast } from './contrast';
import { arrowTo, expectFocusVisible, press, tabTo } from './keyboard';

const canvasNodeIds = async (page: Page) => Object.keys(await nodeStatuses(page));
const focusedLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
const focusedNodeId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('.react-flow__node')?.dataset.id ?? null);

/** Whether node `id` lies wholly inside the visible canvas. */
async function inPane(page: Page, id: string): Promise<boolean> {
  if ((await page.locator(`.react-flow__node[data-id="${id}"]`).count()) === 0) return false;
  const [b, pane] = await screenBoxes(page, [`.react-flow__node[data-id="${id}"]`, '.react-flow__pane']);
  return b.x >= pane.x && b.y >= pane.y && b.x + b.width <= pane.x + pane.width && b.y + b.height <= pane.y + pane.height;
}

/** Waits until the inspector lists no missing input for the selected node. */
const inputsFilled = (page: Page) => expect.poll(() => page.getByTestId('inspector').getByText(/is required/).count()).toBe(0);

/** Tabs (backwards with `back`) until a canvas node has the focus whose id is `id`. */
async function tabToNode(page: Page, id: string, back = false) {
  for (let i = 0; i < 60; i++) {
    if ((await focusedNodeId(page)) === id) return;
    await press(page, back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached node ${id}`);
}

describe.skipIf(!hasChromium)('keyboard and contrast (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('keyboard only: add three nodes from the palette, connect them, fill them in, run, approve, replay and export', async () => {
    const { page } = await e2e.openApp({ theme: 'dark' });
    const inspector = page.getByTestId('inspector');

    // The palette is one Tab stop; arrows walk it; Enter adds the tool at the centre of the view, selected.
    await tabTo(page, page.getByRole('button', { name: 'Agent with tools' }));
    const added: string[] = [];
    for (const [title, key] of [
      ['Text template', 'ArrowDown'],
      ['Ask for approval', 'ArrowUp'],
      ['Save artifact', 'ArrowUp'],
    ] as const) {
      await arrowTo(page, title, key);
      const before = new Set(await canvasNodeIds(page));
      await press(page, 'Enter');
      await expect.poll(() => canvasNodeIds(page).then((ids) => ids.length)).toBe(before.size + 1);
      const id = (await canvasNodeIds(page)).find((x) => !before.has(x))!;
      added.push(id);
      // In view, where the person is looking.
      await expect.poll(() => inPane(page, id)).toBe(true);
      // Selected: the inspector shows it; the focus stays in the palette for the next one.
      await expect.poll(() => page.locator(`.react-flow__node[data-id="${id}"]`).getAttribute('class')).toMatch(/selected/);
      expect(await focusedLabel(page)).toBe(title);
    }
    const [template, approve, save] = added;
    // None on top of another: a chain added one by one reads left to right.
    const boxes = await screenBoxes(page, added.map((id) => `.react-flow__node[data-id="${id}"]`));
    for (let i = 1; i < boxes.length; i++) expect(boxes[i].x).toBeGreaterThanOrEqual(boxes[i - 1].x + boxes[i - 1].width);

    // Fill the selected node (Save artifact), then pick the others on the canvas with Enter.
    await tabTo(page, inspector.getByLabel('name', { exact: true }));
    await page.keyboard.type('runbook.md');
    await tabTo(page, inspector.getByLabel('content', { exact: true }));
    // `content` takes any JSON value: a string is typed with its quotes.
    await page.keyboard.type('"Approved runbook"');
    // Validation runs off the UI thread: the person sees the "is required" problems go before moving on
    // (the Problems section leaves the Tab order when they do).
    await inputsFilled(page);
    await tabToNode(page, approve, true);
    await press(page, 'Enter');
    await tabTo(page, inspector.getByLabel('message', { exact: true }));
    await page.keyboard.type('Publish the runbook?');
    await inputsFilled(page);
    await tabToNode(page, template, true);
    await press(page, 'Enter');
    await tabTo(page, inspector.getByLabel('template', { exact: true }));
    await page.keyboard.type('Roll back the orders service');
    await inputsFilled(page);

    // Connect by keyboard: C on the source node, Tab to the target, C again.
    await tabToNode(page, template, true);
    await press(page, 'c');
    await expect.poll(() => page.getByTestId('connect-hint').textContent()).toMatch(/Connecting from/);
    await tabToNode(page, approve);
    await press(page, 'c');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await press(page, 'c');
    await tabToNode(page, save);
    await press(page, 'c');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    // Edges take the focus too, with a ring of their own.
    await tabTo(page, page.locator('.react-flow__edge').first(), { back: true });
    await screenshotBothThemes(page, 'keyboard-edge-focus');

    // Run from the header, answer the approval in the dialog.
    await tabTo(page, page.getByRole('button', { name: 'Run', exact: true }), { back: true, max: 120 });
    // Not `press`: Run disables itself while the run starts, so the focus is nowhere until the dialog takes it.
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Approval needed' });
    await dialog.waitFor();
    await tabTo(page, dialog.getByRole('button', { name: 'Approve' }));
    await press(page, 'Enter');
    await waitForAllNodes(page, 'succeeded');

    // The timeline: one Tab stop, arrows move, Enter replays up to that event.
    await tabTo(page, page.getByRole('tab', { name: 'Timeline' }));
    const firstEvent = page.locator('.event-log tr').first();
    await tabTo(page, firstEvent);
    await press(page, 'ArrowDown');
    await press(page, 'ArrowDown');
    await press(page, 'Enter');
    await page.locator('.travel-tag').waitFor();

    // The artifacts: Enter on the tab, one Tab stop into the list, Enter previews, Right reaches Export.
    await tabTo(page, page.getByRole('tab', { name: /Artifacts/ }), { back: true });
    await press(page, 'Enter');
    await tabTo(page, page.getByRole('group', { name: 'Artifacts' }).getByRole('button', { name: /^Preview runbook\.md/ }));
    await press(page, 'Enter');
    await page.locator('.artifact-preview').getByText('Approved runbook').waitFor();
    await press(page, 'ArrowRight');
    expect(await focusedLabel(page)).toBe('Export runbook.md');
    const download = page.waitForEvent('download');
    await press(page, 'Enter');
    expect((await download).suggestedFilename()).toBe('runbook.md');
    await screenshotBothThemes(page, 'keyboard-artifacts');
  });

  test('every list is one Tab stop: palette, run history, timeline, artifacts', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles({
      name: 'two.awe.json',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          version: 1,
          id: 'e2e-two',
          name: 'Two steps',
          nodes: [
            { id: 'hello', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello' } },
            { id: 'keep', kind: 'tool', tool: 'artifact.save', inputs: { name: 'hello.txt', content: '{{nodes.hello.output.text}}' } },
          ],
          edges: [{ id: 'hello-keep', source: 'hello', target: 'keep' }],
        }),
      ),
    });
    for (let i = 0; i < 2; i++) {
      const run = page.getByRole('button', { name: 'Run', exact: true });
      // The imported file has no positions: the graph (and Run) arrive once the layout worker answers.
      await expect.poll(() => run.isEnabled(), { timeout: 15_000 }).toBe(true);
      await run.click();
      await waitForAllNodes(page, 'succeeded');
    }
    await page.getByRole('tab', { name: /Artifacts/ }).click();
    await page.locator('.artifact-row[data-artifact-id]').first().waitFor();
    await page.getByRole('tab', { name: 'Timeline' }).click();

    // Tab from the search box across palette and history: one stop for the palette, one for the history list.
    await page.getByRole('searchbox', { name: 'Search tools' }).focus();
    const stops: string[] = [];
    for (let i = 0; i < 6; i++) {
      await press(page, 'Tab');
      stops.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return el.closest('.palette-scroll') ? 'palette' : el.closest('.history-list') ? 'history' : el.getAttribute('aria-label') ?? el.tagName;
      }));
    }
    expect(stops.filter((s) => s === 'palette')).toHaveLength(1);
    expect(stops.filter((s) => s === 'history')).toHaveLength(1);
    // Inside the history: Down moves to the other run, Left reaches its compare tick box, Space ticks it.
    await tabTo(page, page.locator('.history-list .history-item.on'), { back: true });
    await press(page, 'ArrowDown');
    await press(page, 'ArrowLeft');
    await press(page, ' ');
    await expect.poll(() => page.locator('.history-pick:checked').count()).toBe(1);
    await press(page, 'ArrowRight');
    await press(page, 'Enter');
    await expect.poll(() => page.locator('.history-item.on').count()).toBe(1);
    await expectFocusVisible(page);

    // The timeline and the artifact list are one stop each: of everything focusable in the list, one thing is in the Tab order.
    for (const [tab, list, rows] of [
      ['Timeline', '.event-log', '.event-log tr'],
      ['Artifacts', '[role="group"][aria-label="Artifacts"]', '.artifact-row[data-artifact-id]'],
    ] as const) {
      await page.getByRole('tab', { name: new RegExp(tab) }).click();
      await page.locator(rows).first().waitFor();
      const tabbable = await page.$$eval(`${list} :is(button, input, a[href], [tabindex], [data-roving-row])`, (els) => els.filter((e) => (e as HTMLElement).tabIndex >= 0).length);
      expect(tabbable, `${tab}: things in the Tab order`).toBe(1);
    }
    // Inside the artifact list: Right reaches the row's Export button, Left comes back to its preview.
    const preview = page.getByRole('group', { name: 'Artifacts' }).getByRole('button', { name: /^Preview hello\.txt/ });
    await tabTo(page, preview);
    await press(page, 'ArrowRight');
    expect(await focusedLabel(page)).toBe('Export hello.txt');
    await press(page, 'ArrowLeft');
    expect(await focusedLabel(page)).toMatch(/^Preview hello\.txt/);
  });
});

/** Branches, a skipped node, a failed node and an artifact: every status colour a finished run shows. */
const BRANCHES = {
  version: 1,
  id: 'e2e-contrast',
  name: 'Branches and a failure',
  nodes: [
    { id: 'hello', kind: 'tool', tool: 'text.template', label: 'Say hello', inputs: { template: 'Hello' } },
    { id: 'check', kind: 'condition', label: 'Said something?', inputs: { test: '{{nodes.hello.output.text}}' } },
    { id: 'keep', kind: 'tool', tool: 'artifact.save', label: 'Keep it', inputs: { name: 'hello.md', content: '# {{nodes.hello.output.text}}', format: 'markdown' } },
    { id: 'idle', kind: 'tool', tool: 'util.wait', label: 'Never runs', inputs: { ms: 1 } },
    { id: 'missing', kind: 'tool', tool: 'file.read', label: 'Read a missing file', inputs: { path: 'no-such-file.txt' } },
  ],
  edges: [
    { id: 'hello-check', source: 'hello', target: 'check' },
    { id: 'check-keep', source: 'check', target: 'keep', branch: 'true' },
    { id: 'check-idle', source: 'check', target: 'idle', branch: 'false' },
    { id: 'hello-missing', source: 'hello', target: 'missing' },
  ],
};

describe.skipIf(!hasChromium)('contrast (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('every text on the main screens reads at ≥ 4.5:1 (glyph icons ≥ 3:1) in both themes', async () => {
    let { page } = await e2e.openApp({ theme: 'light' });
    const failures: string[] = [];
    /** Measures the screen in this theme and the other; `mustSee` are texts the screen shows (so none escapes the measure). */
    const measure = async (screen: string, mustSee: string[] = []) => {
      for (let i = 0; i < 2; i++) {
        const theme = await page.evaluate(() => document.documentElement.dataset.theme);
        const { low, checked } = await measureContrast(page);
        for (const text of mustSee) expect(checked, `${screen} (${theme}) measured “${text}”`).toContain(text);
        for (const l of low) failures.push(`${screen} (${theme}): “${l.text}” ${l.ratio}:1 < ${l.need} — ${l.fg} on ${l.bg} at ${l.where}`);
        await page.getByRole('button', { name: 'Toggle theme' }).dispatchEvent('click');
        await page.waitForFunction((t) => document.documentElement.dataset.theme !== t, theme);
      }
    };

    await measure('empty');

    await page.getByTestId('import-file').setInputFiles({ name: 'branches.awe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(BRANCHES)) });
    await nodeEl(page, 'check').waitFor();
    await nodeEl(page, 'keep').click();
    await measure('editing');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForNodeStatus(page, 'missing', 'failed');
    await expect.poll(() => page.getByTestId('run-header').getAttribute('data-status'), { timeout: 30_000 }).toBe('failed');
    await expect.poll(() => nodeStatuses(page).then((s) => s.idle)).toBe('skipped');
    await measure('finished run, timeline', ['true', 'false', 'Skipped', 'Succeeded', 'Failed', 'Say hello']);
    await nodeEl(page, 'missing').click();
    await page.getByRole('tab', { name: /Dead letters/ }).click();
    await measure('failed node, dead letters');
    await page.getByRole('tab', { name: /Artifacts/ }).click();
    await page.locator('.artifact-preview h1').waitFor();
    await measure('artifacts');

    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor();
    await measure('settings');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('dialog', { name: 'Open workflow' }).waitFor();
    await measure('open');
    await page.keyboard.press('Escape');

    await page.getByTestId('import-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"not": "a workflow"}') });
    await page.locator('.toast.error').waitFor();
    await measure('error toast');

    // An approval, on a fresh page: the dialog, then the request on offer in the header and the inspector.
    page = (await e2e.openApp({ theme: 'dark' })).page;
    const goal = page.getByRole('textbox', { name: 'Goal' });
    await goal.click();
    await goal.pressSequentially('Write a deployment runbook checklist for the payments service');
    await page.getByRole('button', { name: 'Plan' }).click();
    await nodeEl(page, 'approve').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('dialog', { name: 'Approval needed' }).waitFor();
    await measure('approval dialog', ['Approve', 'Reject']);
    await page.keyboard.press('Escape');
    await nodeEl(page, 'approve').click();
    await page.getByTestId('approval-panel').waitFor();
    await measure('approval on offer', ['Review…', 'Waiting for approval']);

    expect(failures).toEqual([]);
  });
});
